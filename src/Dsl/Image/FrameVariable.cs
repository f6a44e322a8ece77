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
        public string Name { get; }
        /// <summary>Bytes above RSP once the prologue has run (its pushes and sub rsp).</summary>
        public int Offset { get; }
        public long Size { get; }
        public bool IsArray { get; }

        public override string ToString() => $"{Function}: {Name} at RSP+{Offset}, {Size} bytes";
    }
}
