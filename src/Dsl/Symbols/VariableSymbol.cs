using KDsl.Text;

namespace KDsl.Symbols
{
    public enum VariableKind { Local, Parameter }

    /// <summary>A parameter or local. Reference identity: two locals named i in sibling scopes are different symbols.</summary>
    public sealed class VariableSymbol
    {
        public VariableSymbol(string name, TypeSymbol type, VariableKind kind, int parameterIndex, TextSpan declarationSpan, bool isReadOnly = false,
            bool isVolatile = false)
        {
            IsReadOnly = isReadOnly;
            IsVolatile = isVolatile;
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
        /// <summary>
        /// Declared `volatile` itself (volatile int zero = 0;, not a pointer to volatile): every read is a read, so its
        /// value is never taken for a constant (KDsl's code loads and stores every access already).
        /// </summary>
        public bool IsVolatile { get; }

        public override string ToString() => $"{Type} {Name}";
    }
}
