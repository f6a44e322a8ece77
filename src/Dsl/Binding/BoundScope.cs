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

        /// <summary>This scope's symbols and then its parents', in declaration order, each name once (the innermost).</summary>
        public IEnumerable<object> AllSymbols()
        {
            var seen = new HashSet<string>();
            var scopes = new List<BoundScope>();
            for (var scope = this; scope != null; scope = scope.Parent) scopes.Add(scope);
            for (int i = scopes.Count - 1; i >= 0; i--)
                foreach (var pair in scopes[i]._symbols)
                    if (seen.Add(pair.Key)) yield return pair.Value;
        }

        /// <summary>Every name this scope and its parents declare.</summary>
        public IEnumerable<string> AllNames()
        {
            for (var scope = this; scope != null; scope = scope.Parent)
                foreach (var name in scope._symbols.Keys)
                    yield return name;
        }

        public object? Lookup(string name)
        {
            for (var scope = this; scope != null; scope = scope.Parent)
                if (scope._symbols.TryGetValue(name, out var symbol)) return symbol;
            return null;
        }
    }
}
