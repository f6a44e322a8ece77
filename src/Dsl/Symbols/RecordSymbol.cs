using System;
using System.Collections.Generic;
using KDsl.Text;

namespace KDsl.Symbols
{
    /// <summary>A member of a struct or union, at its byte offset from the record's start.</summary>
    public sealed class FieldSymbol
    {
        public FieldSymbol(string name, TypeSymbol type, long offset, TextSpan declarationSpan)
        {
            Name = name;
            Type = type;
            Offset = offset;
            DeclarationSpan = declarationSpan;
        }

        public string Name { get; }
        public TypeSymbol Type { get; }
        public long Offset { get; }
        public TextSpan DeclarationSpan { get; }
    }

    /// <summary>
    /// A struct or union with GCC's x86-64 layout (the System V psABI, 3.1.2): each member at the next offset that is a
    /// multiple of its alignment (a union's all at 0), the record aligned as its most aligned member and its size rounded
    /// up to that alignment. Incomplete (declared by a reference such as `struct file *f`) until its body is bound.
    /// </summary>
    public sealed class RecordSymbol
    {
        private readonly List<FieldSymbol> _fields = new List<FieldSymbol>();

        public RecordSymbol(string name, bool isUnion)
        {
            Name = name;
            IsUnion = isUnion;
        }

        /// <summary>The tag (`struct NAME`), empty for an anonymous record.</summary>
        public string Name { get; }
        public bool IsUnion { get; }
        public bool IsComplete { get; private set; }
        public long Size { get; private set; }
        public int Alignment { get; private set; } = 1;
        public IReadOnlyList<FieldSymbol> Fields => _fields;

        /// <summary>Lays the members out in order; a member of a name already used is skipped (the binder reports it).</summary>
        public void Complete(IEnumerable<(string Name, TypeSymbol Type, TextSpan Span)> members)
        {
            long end = 0;
            foreach (var (name, type, span) in members)
            {
                int align = type.Alignment;
                long offset = IsUnion ? 0 : AlignUp(end, align);
                _fields.Add(new FieldSymbol(name, type, offset, span));
                end = Math.Max(end, offset + type.Size);
                Alignment = Math.Max(Alignment, align);
            }
            Size = AlignUp(end, Alignment);
            IsComplete = true;
        }

        public FieldSymbol? Find(string name)
        {
            foreach (var field in _fields)
                if (field.Name == name) return field;
            return null;
        }

        private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

        public override string ToString() => (IsUnion ? "union " : "struct ") + (Name.Length > 0 ? Name : "<anonymous>");
    }
}
