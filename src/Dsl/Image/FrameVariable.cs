namespace KDsl.Image
{
    /// <summary>
    /// A local (or spilled parameter) that lives in its function's stack frame, where GCC would put it: what a debugger
    /// reads from DWARF's DW_AT_location (fbreg) and `kdsl run --svg` draws by name. Variables kept in registers have no
    /// slot and are not listed; the stack protector's canary is listed under its own name.
    /// </summary>
    public sealed class FrameVariable
    {
        /// <summary>The name under which the stack protector's canary is listed.</summary>
        public const string CanaryName = "(stack canary)";

        /// <summary>Variable <paramref name="name"/> of <paramref name="function"/>, <paramref name="size"/> bytes at RSP + <paramref name="offset"/>.</summary>
        public FrameVariable(string function, string name, int offset, long size, bool isArray)
        {
            Function = function;
            Name = name;
            Offset = offset;
            Size = size;
            IsArray = isArray;
        }

        /// <summary>The function's symbol (link name), as in <see cref="ModuleImage.Symbols"/>.</summary>
        public string Function { get; }
        /// <summary>Its name in the source.</summary>
        public string Name { get; }
        /// <summary>Bytes above RSP once the prologue has run (its pushes and sub rsp).</summary>
        public int Offset { get; }
        /// <summary>Its size in bytes.</summary>
        public long Size { get; }
        /// <summary>Whether it is an array (an array's address is what a printk("%px") shows).</summary>
        public bool IsArray { get; }

        /// <summary>"rstack: buf at RSP+0, 4096 bytes".</summary>
        public override string ToString() => $"{Function}: {Name} at RSP+{Offset}, {Size} bytes";
    }
}
