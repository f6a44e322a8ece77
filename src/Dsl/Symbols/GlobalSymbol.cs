using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Text;

namespace KDsl.Symbols
{
    /// <summary>
    /// A variable with static storage: a file-level declaration or a `static` local. It lives in the module image, not
    /// on a stack: in .rodata when const, in .bss when it has no initializer or an all-zero one (GCC's
    /// -fzero-initialized-in-bss), in .data otherwise.
    /// </summary>
    public sealed class GlobalSymbol
    {
        public GlobalSymbol(string name, string linkName, TypeSymbol type, bool isReadOnly, bool isStatic, TextSpan declarationSpan)
        {
            Name = name;
            LinkName = linkName;
            Type = type;
            IsReadOnly = isReadOnly;
            IsStatic = isStatic;
            DeclarationSpan = declarationSpan;
        }

        /// <summary>The name in the source.</summary>
        public string Name { get; }
        /// <summary>The symbol in the image and kallsyms: the name, or GCC's NAME.N for a static local.</summary>
        public string LinkName { get; }
        public TypeSymbol Type { get; }
        /// <summary>Declared const with no star: assigning it is KDSL0135, and it goes to .rodata.</summary>
        public bool IsReadOnly { get; }
        /// <summary>Internal linkage (`static` at file level, or a static local): a local symbol of the object.</summary>
        public bool IsStatic { get; }
        public TextSpan DeclarationSpan { get; }
        /// <summary>The initial bytes (Type.Size of them, zero when not given) and the pointers among them.</summary>
        public GlobalData Data { get; internal set; } = GlobalData.Empty;

        public override string ToString() => $"{Type} {Name}";
    }

    /// <summary>A static object's initial contents: its bytes, plus the 8-byte fields the loader fills with an address.</summary>
    public sealed class GlobalData
    {
        public static readonly GlobalData Empty = new GlobalData(ImmutableArray<byte>.Empty, ImmutableArray<DataPointer>.Empty);

        public GlobalData(ImmutableArray<byte> bytes, ImmutableArray<DataPointer> pointers)
        {
            Bytes = bytes;
            Pointers = pointers;
        }

        /// <summary>The object's bytes (empty: all zero).</summary>
        public ImmutableArray<byte> Bytes { get; }
        public ImmutableArray<DataPointer> Pointers { get; }

        /// <summary>Nothing but zeros: the object goes to .bss.</summary>
        public bool IsZero
        {
            get
            {
                if (!Pointers.IsEmpty) return false;
                foreach (byte b in Bytes)
                    if (b != 0) return false;
                return true;
            }
        }
    }

    /// <summary>
    /// An address stored in static data (`char *name = "x";`, `int *p = &amp;g;`, `fn_t f = handler;`): an R_X86_64_64
    /// relocation at <see cref="Offset"/> to a symbol, or to a string literal the compiler puts in .rodata.
    /// </summary>
    public sealed class DataPointer
    {
        public DataPointer(int offset, string? symbol, ImmutableArray<byte> stringBytes, long addend, TypeSymbol? type = null)
        {
            Type = type;
            Offset = offset;
            Symbol = symbol;
            StringBytes = stringBytes;
            Addend = addend;
        }

        public int Offset { get; }
        /// <summary>A global's or function's link name; null for a string literal.</summary>
        public string? Symbol { get; }
        /// <summary>The literal's bytes (no terminator) when <see cref="Symbol"/> is null.</summary>
        public ImmutableArray<byte> StringBytes { get; }
        public long Addend { get; }
        /// <summary>The type of the field that holds the address (a function pointer's: which indirect calls may reach it).</summary>
        public TypeSymbol? Type { get; }
    }
}
