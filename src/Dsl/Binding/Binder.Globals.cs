using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>
    /// Variables with static storage: file-level declarations and `static` locals. Each is a <see cref="GlobalSymbol"/> in
    /// the module image; a use of one is a dereference of its address, so every lvalue rule applies unchanged.
    /// </summary>
    public sealed partial class Binder
    {
        private readonly ImmutableArray<GlobalSymbol>.Builder _globals = ImmutableArray.CreateBuilder<GlobalSymbol>();
        /// <summary>GCC numbers a translation unit's static locals NAME.0, NAME.1, ... in the order it meets them.</summary>
        private int _staticLocals;
        /// <summary>
        /// The bytes the file's static objects take so far, each with the most padding StaticData may put before it:
        /// past 2 GB the module cannot be laid out (-mcmodel=kernel addresses it with 32-bit displacements).
        /// </summary>
        private long _staticBytes;

        /// <summary>Binds `[static] [const] T a = init, *b, c[N];` at file level or as a static local; each name goes in the current scope.</summary>
        private void BindStaticDeclaration(DeclarationStatementSyntax syntax, bool isLocal)
        {
            foreach (var (declarator, type, isReadOnly) in DeclaredObjects(syntax))
            {
                string name = declarator.Identifier.Text;
                string link = isLocal ? $"{name}.{_staticLocals++}" : name;
                var global = new GlobalSymbol(name, link, type, isReadOnly, isLocal || syntax.IsStatic, declarator.Identifier.Span);
                // in scope from its declarator on, so its initializer may name it (`struct node head = { &head };`)
                if (!declarator.Identifier.IsMissing)
                {
                    if (!_scope.TryDeclare(name, global)) _diagnostics.ReportRedeclaration(declarator.Identifier.Span, name);
                    else _globals.Add(global);
                }
                var scalars = declarator.Initializer is null ? new List<InitializedScalar>() : BindInitializer(type, declarator.Initializer);
                if (type.IsError) continue;
                global.Data = BindStaticData(type, scalars);
                bool fitted = _staticBytes <= int.MaxValue;
                _staticBytes += type.Size + CodeGen.StaticData.Alignment(type) - 1;
                if (fitted && _staticBytes > int.MaxValue) _diagnostics.ReportStaticDataTooLarge(declarator.Identifier.Span, name);
            }
        }

        /// <summary>
        /// Each declarator of a variable declaration with its type (void or an incomplete struct reported, as the error
        /// type) and whether it is read-only (`const` with no star), bound one at a time as the caller walks them.
        /// </summary>
        private IEnumerable<(DeclaratorSyntax Declarator, TypeSymbol Type, bool IsReadOnly)> DeclaredObjects(DeclarationStatementSyntax syntax)
        {
            var baseType = BindType(syntax.Type, 0);
            bool isConst = IsConst(syntax.Type);
            foreach (var declarator in syntax.Declarators)
            {
                var type = DeclaratorType(baseType, declarator);
                CheckObjectType(ref type, declarator);
                yield return (declarator, type, isConst && declarator.Stars.IsEmpty && declarator.FunctionPointer is null);
            }
        }

        /// <summary>Reports a variable of type void or of an incomplete struct, whose type becomes the error type.</summary>
        private void CheckObjectType(ref TypeSymbol type, DeclaratorSyntax declarator)
        {
            string name = declarator.Identifier.Text;
            if (type.Kind == TypeKind.Void)
            {
                if (!declarator.Identifier.IsMissing) _diagnostics.ReportVoidVariable(declarator.Identifier.Span, name);
                type = TypeSymbol.Error;
            }
            else if (IsIncomplete(type))
            {
                if (!declarator.Identifier.IsMissing) _diagnostics.ReportIncompleteVariable(declarator.Identifier.Span, name);
                type = TypeSymbol.Error;
            }
        }

        /// <summary>A use of a static object: the object at its address, an lvalue like *p.</summary>
        private static BoundExpression GlobalUse(GlobalSymbol global, Text.TextSpan span) =>
            new BoundDereference(new BoundGlobalAddress(global, TypeSymbol.PointerTo(global.Type), span), global.Type, span);

        /// <summary>The const static object an lvalue lies in (`limit`, `table[i]`, `cfg.name`), or null.</summary>
        private static GlobalSymbol? ReadOnlyGlobal(BoundExpression target)
        {
            if (target is not BoundDereference d) return null;
            var e = d.Pointer;
            while (true)
            {
                switch (e)
                {
                    case BoundConversion c: e = c.Operand; continue;
                    case BoundBinary { Operator: BoundBinaryOperator.Add or BoundBinaryOperator.Subtract } b when b.Type.IsPointer: e = b.Left; continue;
                    case BoundGlobalAddress { Global.IsReadOnly: true } g: return g.Global;
                    default: return null;
                }
            }
        }
    }
}
