using System;
using System.Collections.Immutable;

namespace KDsl.Symbols
{
    public enum TypeKind { Void, Char, Int, Long, Pointer, Array, Short, Bool, Record, Function }

    /// <summary>
    /// A KDsl type. Scalars follow the x86-64 kernel ABI (GCC's LP64): char is a signed byte (the kernel builds these
    /// profiles without -funsigned-char), short 16 bits, int 32, long 64; _Bool one byte holding 0 or 1; pointers are
    /// 64 bits; arrays decay to a pointer to their first element. Each integer kind has a signed and an unsigned type.
    /// </summary>
    public sealed class TypeSymbol : IEquatable<TypeSymbol>
    {
        public static readonly TypeSymbol Void = new TypeSymbol(TypeKind.Void, null, 0);
        public static readonly TypeSymbol Bool = new TypeSymbol(TypeKind.Bool, null, 0, isUnsigned: true);
        public static readonly TypeSymbol Char = new TypeSymbol(TypeKind.Char, null, 0);
        public static readonly TypeSymbol UChar = new TypeSymbol(TypeKind.Char, null, 0, isUnsigned: true);
        public static readonly TypeSymbol Short = new TypeSymbol(TypeKind.Short, null, 0);
        public static readonly TypeSymbol UShort = new TypeSymbol(TypeKind.Short, null, 0, isUnsigned: true);
        public static readonly TypeSymbol Int = new TypeSymbol(TypeKind.Int, null, 0);
        public static readonly TypeSymbol UInt = new TypeSymbol(TypeKind.Int, null, 0, isUnsigned: true);
        public static readonly TypeSymbol Long = new TypeSymbol(TypeKind.Long, null, 0);
        public static readonly TypeSymbol ULong = new TypeSymbol(TypeKind.Long, null, 0, isUnsigned: true);
        /// <summary>The type of an expression whose binding failed; it converts to anything silently, so one error is reported once.</summary>
        public static readonly TypeSymbol Error = new TypeSymbol(TypeKind.Long, null, -1);

        private TypeSymbol(TypeKind kind, TypeSymbol? element, long length, bool isUnsigned = false, RecordSymbol? record = null,
            ImmutableArray<TypeSymbol> parameters = default)
        {
            Parameters = parameters.IsDefault ? ImmutableArray<TypeSymbol>.Empty : parameters;
            Record = record;
            Kind = kind;
            Element = element;
            Length = length;
            IsUnsigned = isUnsigned;
        }

        public TypeKind Kind { get; }
        /// <summary>The pointee of a pointer, the element of an array, the return type of a function.</summary>
        public TypeSymbol? Element { get; }
        /// <summary>Element count of an array (-1 marks <see cref="Error"/>).</summary>
        public long Length { get; }
        /// <summary>An unsigned integer type (_Bool is one): values are zero-extended, divided, shifted and compared unsigned.</summary>
        public bool IsUnsigned { get; }

        public static TypeSymbol PointerTo(TypeSymbol element) => new TypeSymbol(TypeKind.Pointer, element, 0);
        public static TypeSymbol ArrayOf(TypeSymbol element, long length) => new TypeSymbol(TypeKind.Array, element, length);
        public static TypeSymbol RecordOf(RecordSymbol record) => new TypeSymbol(TypeKind.Record, null, 0, record: record);

        /// <summary>
        /// A function type (`int (int, char *)`): what a function pointer points to. It has no size of its own and is only
        /// used behind a pointer; two are the same type when their return and parameter types are (C11 6.7.6.3p15).
        /// </summary>
        public static TypeSymbol FunctionOf(TypeSymbol returnType, ImmutableArray<TypeSymbol> parameters) =>
            new TypeSymbol(TypeKind.Function, returnType, 0, parameters: parameters);

        /// <summary>The parameter types of a <see cref="TypeKind.Function"/> type (empty for others).</summary>
        public ImmutableArray<TypeSymbol> Parameters { get; }
        /// <summary>A pointer to a function: what can be called with arguments.</summary>
        public bool IsFunctionPointer => Kind == TypeKind.Pointer && Element!.Kind == TypeKind.Function;

        /// <summary>The struct or union of a <see cref="TypeKind.Record"/> type.</summary>
        public RecordSymbol? Record { get; }
        /// <summary>An array or a struct/union: it lives in memory and is used through its elements, members or address.</summary>
        public bool IsAggregate => Kind is TypeKind.Array or TypeKind.Record;

        /// <summary>The integer type of this kind with the given signedness (char and unsigned char, int and unsigned int, ...).</summary>
        public static TypeSymbol Integer(TypeKind kind, bool isUnsigned) => kind switch
        {
            TypeKind.Bool => Bool,
            TypeKind.Char => isUnsigned ? UChar : Char,
            TypeKind.Short => isUnsigned ? UShort : Short,
            TypeKind.Int => isUnsigned ? UInt : Int,
            _ => isUnsigned ? ULong : Long,
        };

        public bool IsError => ReferenceEquals(this, Error);
        public bool IsInteger => Kind is TypeKind.Char or TypeKind.Int or TypeKind.Long or TypeKind.Short or TypeKind.Bool;
        public bool IsPointer => Kind == TypeKind.Pointer;
        public bool IsScalar => IsInteger || IsPointer;

        /// <summary>Size in bytes as stored in memory.</summary>
        public long Size => Kind switch
        {
            TypeKind.Void => 0,
            TypeKind.Bool => 1,
            TypeKind.Char => 1,
            TypeKind.Short => 2,
            TypeKind.Int => 4,
            TypeKind.Long => 8,
            TypeKind.Pointer => 8,
            TypeKind.Array => Element!.Size * Length,
            TypeKind.Record => Record!.Size,
            TypeKind.Function => 1, // GCC's extension: sizeof a function is 1, so arithmetic on its pointer steps bytes
            _ => 0,
        };

        /// <summary>Alignment in bytes (x86-64 psABI): a scalar's is its size, an array's its element's, a record's its most aligned member's.</summary>
        public int Alignment => Kind switch
        {
            TypeKind.Array => Element!.Alignment,
            TypeKind.Record => Record!.Alignment,
            TypeKind.Void or TypeKind.Function => 1,
            _ => (int)Size,
        };

        /// <summary>The value an integer of this type holds after storing <paramref name="value"/> (C's conversion, GCC's modulo choice for signed types).</summary>
        public long Truncate(long value) => Kind switch
        {
            TypeKind.Bool => value != 0 ? 1 : 0,
            TypeKind.Char => IsUnsigned ? (byte)value : (sbyte)value,
            TypeKind.Short => IsUnsigned ? (ushort)value : (short)value,
            TypeKind.Int => IsUnsigned ? (uint)value : (int)value,
            _ => value,
        };

        public bool Equals(TypeSymbol? other)
        {
            if (other is null) return false;
            if (ReferenceEquals(this, other)) return true;
            if (IsError || other.IsError) return false;
            if (Kind != other.Kind || Length != other.Length || IsUnsigned != other.IsUnsigned || !ReferenceEquals(Record, other.Record) ||
                !(Element is null ? other.Element is null : Element.Equals(other.Element)) || Parameters.Length != other.Parameters.Length)
                return false;
            for (int i = 0; i < Parameters.Length; i++)
                if (!Parameters[i].Equals(other.Parameters[i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as TypeSymbol);
        public override int GetHashCode() => ((int)Kind * 397) ^ (Element?.GetHashCode() ?? 0) ^ Length.GetHashCode() ^ (IsUnsigned ? 0x5555 : 0);

        public override string ToString() => Kind switch
        {
            TypeKind.Void => "void",
            TypeKind.Bool => "_Bool",
            TypeKind.Char => IsUnsigned ? "unsigned char" : "char",
            TypeKind.Short => IsUnsigned ? "unsigned short" : "short",
            TypeKind.Int => IsUnsigned ? "unsigned int" : "int",
            TypeKind.Long => IsError ? "?" : IsUnsigned ? "unsigned long" : "long",
            TypeKind.Pointer when Element!.Kind == TypeKind.Function => $"{Element.Element} (*)({ParameterList(Element)})",
            TypeKind.Pointer => Element + " *",
            TypeKind.Function => $"{Element} ({ParameterList(this)})",
            TypeKind.Array => $"{Element}[{Length}]",
            TypeKind.Record => Record!.ToString(),
            _ => "?",
        };

        private static string ParameterList(TypeSymbol function) =>
            function.Parameters.IsEmpty ? "void" : string.Join(", ", function.Parameters);
    }
}
