using System.Collections.Generic;

namespace KDsl.Binding
{
    /// <summary>
    /// One lexical scope: the global scope (functions, constants, printk), a function's parameters, a block, a for.
    /// Symbols are <see cref="KDsl.Symbols.VariableSymbol"/>, <see cref="KDsl.Symbols.FunctionSymbol"/> or <see cref="ConstantSymbol"/>.
    /// </summary>
    public sealed class BoundScope
    {
        private readonly Dictionary<string, object> _symbols = new Dictionary<string, object>();

        public BoundScope(BoundScope? parent) => Parent = parent;

        public BoundScope? Parent { get; }

        /// <summary>False when the name is already declared in this very scope (shadowing an outer one is fine).</summary>
        public bool TryDeclare(string name, object symbol)
        {
            if (_symbols.ContainsKey(name)) return false;
            _symbols.Add(name, symbol);
            return true;
        }

        public object? Lookup(string name)
        {
            for (var scope = this; scope != null; scope = scope.Parent)
                if (scope._symbols.TryGetValue(name, out var symbol)) return symbol;
            return null;
        }
    }
}
