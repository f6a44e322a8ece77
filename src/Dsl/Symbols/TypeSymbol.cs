using System;

namespace KDsl.Symbols
{
    public enum TypeKind { Void, Char, Int, Long, Pointer, Array }

    /// <summary>
    /// A KDsl type. Scalars follow the x86-64 kernel ABI: char is a signed byte, int 32 bits, long 64 bits;
    /// pointers are 64 bits; arrays are only ever locals (they decay to a pointer to their first element).
    /// </summary>
    public sealed class TypeSymbol : IEquatable<TypeSymbol>
    {
        public static readonly TypeSymbol Void = new TypeSymbol(TypeKind.Void, null, 0);
        public static readonly TypeSymbol Char = new TypeSymbol(TypeKind.Char, null, 0);
        public static readonly TypeSymbol Int = new TypeSymbol(TypeKind.Int, null, 0);
        public static readonly TypeSymbol Long = new TypeSymbol(TypeKind.Long, null, 0);
        /// <summary>The type of an expression whose binding failed; it converts to anything silently, so one error is reported once.</summary>
        public static readonly TypeSymbol Error = new TypeSymbol(TypeKind.Long, null, -1);

        private TypeSymbol(TypeKind kind, TypeSymbol? element, long length)
        {
            Kind = kind;
            Element = element;
            Length = length;
        }

        public TypeKind Kind { get; }
        /// <summary>The pointee of a pointer, the element of an array.</summary>
        public TypeSymbol? Element { get; }
        /// <summary>Element count of an array (-1 marks <see cref="Error"/>).</summary>
        public long Length { get; }

        public static TypeSymbol PointerTo(TypeSymbol element) => new TypeSymbol(TypeKind.Pointer, element, 0);
        public static TypeSymbol ArrayOf(TypeSymbol element, long length) => new TypeSymbol(TypeKind.Array, element, length);

        public bool IsError => ReferenceEquals(this, Error);
        public bool IsInteger => Kind is TypeKind.Char or TypeKind.Int or TypeKind.Long;
        public bool IsPointer => Kind == TypeKind.Pointer;
        public bool IsScalar => IsInteger || IsPointer;

        /// <summary>Size in bytes as stored in memory.</summary>
        public long Size => Kind switch
        {
            TypeKind.Void => 0,
            TypeKind.Char => 1,
            TypeKind.Int => 4,
            TypeKind.Long => 8,
            TypeKind.Pointer => 8,
            TypeKind.Array => Element!.Size * Length,
            _ => 0,
        };

        public bool Equals(TypeSymbol? other)
        {
            if (other is null) return false;
            if (ReferenceEquals(this, other)) return true;
            if (IsError || other.IsError) return false;
            return Kind == other.Kind && Length == other.Length &&
                   (Element is null ? other.Element is null : Element.Equals(other.Element));
        }

        public override bool Equals(object? obj) => Equals(obj as TypeSymbol);
        public override int GetHashCode() => ((int)Kind * 397) ^ (Element?.GetHashCode() ?? 0) ^ Length.GetHashCode();

        public override string ToString() => Kind switch
        {
            TypeKind.Void => "void",
            TypeKind.Char => "char",
            TypeKind.Int => "int",
            TypeKind.Long => IsError ? "?" : "long",
            TypeKind.Pointer => Element + " *",
            TypeKind.Array => $"{Element}[{Length}]",
            _ => "?",
        };
    }
}
