using System.Collections.Immutable;
using KDsl.Text;

namespace KDsl.Symbols
{
    public enum FunctionKind
    {
        /// <summary>A function written in the .kdsl file.</summary>
        User,
        /// <summary>The `init { }` block: module_init, returns int (0 unless it says otherwise).</summary>
        Init,
        /// <summary>The `exit { }` block: module_exit, returns void.</summary>
        Exit,
        /// <summary>A kernel function the module calls by name (printk); resolved by a relocation at insmod.</summary>
        Kernel,
        /// <summary>The `later { }` block: run by a kernel thread after insmod returned or died, returns void.</summary>
        Later,
        /// <summary>A kernel macro the code generator expands in place (BUG, BUG_ON, WARN_ON, call_ptr): no symbol, no call.</summary>
        Builtin,
        /// <summary>A `process NAME { }` block: a user-space program's main, run in ring 3.</summary>
        Process,
        /// <summary>A system call by name (open, mmap, ...): compiled to the `syscall` instruction with <see cref="FunctionSymbol.SyscallNumber"/>.</summary>
        Syscall,
        /// <summary>
        /// A function of a process's own runtime (KDsl's sigaction wrapper), linked into the program after the image's code
        /// as libc's would be (<see cref="Image.UserProgram"/>); a call to it is a plain call with a relocation.
        /// </summary>
        Library,
        /// <summary>
        /// The function a call through a function pointer reaches, known only by its type (the BoundCall's Callee holds
        /// the pointer): no symbol, an indirect call.
        /// </summary>
        Pointer,
    }

    public sealed class FunctionSymbol
    {
        public FunctionSymbol(string name, TypeSymbol returnType, ImmutableArray<VariableSymbol> parameters,
            FunctionKind kind, TextSpan nameSpan, bool isVariadic = false, string? linkName = null, int? maxDepth = null, int syscallNumber = -1)
        {
            SyscallNumber = syscallNumber;
            MaxDepth = maxDepth;
            Name = name;
            ReturnType = returnType;
            Parameters = parameters;
            Kind = kind;
            NameSpan = nameSpan;
            IsVariadic = isVariadic;
            LinkName = linkName ?? name;
        }

        /// <summary>The name in the .kdsl source (printk, rstack, init).</summary>
        public string Name { get; }
        /// <summary>The symbol name in the module image or the kernel (step5_init, _printk).</summary>
        public string LinkName { get; }
        public TypeSymbol ReturnType { get; }
        public ImmutableArray<VariableSymbol> Parameters { get; }
        public FunctionKind Kind { get; }
        public TextSpan NameSpan { get; }
        public bool IsVariadic { get; }
        /// <summary>
        /// `max_depth N` on the declaration: at most N activations of the function are on the stack at once, a bound
        /// the author states where the stack analysis cannot prove one. Null when not given.
        /// </summary>
        public int? MaxDepth { get; }
        /// <summary>The x86-64 system call number (RAX) of a <see cref="FunctionKind.Syscall"/>, otherwise -1.</summary>
        public int SyscallNumber { get; }

        /// <summary>The function's C type as a pointer holds it (`int (*)(int)`): what `&amp;f`, or the name used as a value, is.</summary>
        public TypeSymbol PointerType
        {
            get
            {
                var parameters = ImmutableArray.CreateBuilder<TypeSymbol>(Parameters.Length);
                foreach (var p in Parameters) parameters.Add(p.Type);
                return TypeSymbol.PointerTo(TypeSymbol.FunctionOf(ReturnType, parameters.MoveToImmutable()));
            }
        }

        public override string ToString() => LinkName;
    }
}
