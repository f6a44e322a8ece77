using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>A top-level `const NAME = expr;`: every use binds to a <see cref="BoundLiteral"/> of this value and type.</summary>
    public sealed class ConstantSymbol
    {
        public ConstantSymbol(string name, long value, TypeSymbol type, TextSpan declarationSpan)
        {
            Name = name;
            Value = value;
            Type = type;
            DeclarationSpan = declarationSpan;
        }

        public string Name { get; }
        public long Value { get; }
        public TypeSymbol Type { get; }
        public TextSpan DeclarationSpan { get; }

        public override string ToString() => $"const {Name} = {Value}";
    }
}
