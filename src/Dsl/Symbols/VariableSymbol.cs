using KDsl.Text;

namespace KDsl.Symbols
{
    public enum VariableKind { Local, Parameter }

    /// <summary>A parameter or local. Reference identity: two locals named i in sibling scopes are different symbols.</summary>
    public sealed class VariableSymbol
    {
        public VariableSymbol(string name, TypeSymbol type, VariableKind kind, int parameterIndex, TextSpan declarationSpan, bool isReadOnly = false)
        {
            IsReadOnly = isReadOnly;
            Name = name;
            Type = type;
            Kind = kind;
            ParameterIndex = parameterIndex;
            DeclarationSpan = declarationSpan;
        }

        public string Name { get; }
        public TypeSymbol Type { get; }
        public VariableKind Kind { get; }
        /// <summary>0-based position in the parameter list, -1 for locals.</summary>
        public int ParameterIndex { get; }
        public TextSpan DeclarationSpan { get; }
        /// <summary>Declared `const` (const int n = 4;): set by its initializer only, never assigned.</summary>
        public bool IsReadOnly { get; }

        public override string ToString() => $"{Type} {Name}";
    }
}
