using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>switch with case/default labels, and goto with the function's labels (C11 6.8.1, 6.8.4.2, 6.8.6.1).</summary>
    public sealed partial class Binder
    {
        /// <summary>The switch whose body is being bound: its value's type and the labels met so far.</summary>
        private sealed class SwitchContext
        {
            public SwitchContext(TypeSymbol type) => Type = type;
            public TypeSymbol Type { get; }
            public ImmutableArray<(long, BoundLabel)>.Builder Cases { get; } = ImmutableArray.CreateBuilder<(long, BoundLabel)>();
            public Dictionary<long, TextSpan> Seen { get; } = new Dictionary<long, TextSpan>();
            public BoundLabel? Default { get; set; }
        }

        private SwitchContext? _switch;
        /// <summary>Loops and switches around the statement being bound: `break` needs one.</summary>
        private int _breakDepth;
        /// <summary>The function's labels by name (defined or only jumped to so far), with where each was first used.</summary>
        private Dictionary<string, (BoundLabel Label, bool Defined, TextSpan FirstUse)> _labels = new Dictionary<string, (BoundLabel, bool, TextSpan)>();

        private BoundStatement BindSwitch(SwitchStatementSyntax syntax)
        {
            var value = BindExpression(syntax.Expression);
            if (!value.Type.IsError && !value.Type.IsInteger)
            {
                _diagnostics.ReportInvalidSwitch(syntax.Expression.Span, "switch quantity not an integer");
                value = new BoundErrorExpression(value.Span);
            }
            if (!value.Type.IsError) value = Promote(value);
            var saved = _switch;
            var context = new SwitchContext(value.Type.IsError ? TypeSymbol.Long : value.Type);
            _switch = context;
            _breakDepth++;
            var body = BindStatement(syntax.Body);
            _breakDepth--;
            _switch = saved;
            return new BoundSwitch(value, context.Cases.ToImmutable(), context.Default, body, syntax.Span);
        }

        private BoundStatement BindCaseLabel(CaseLabelSyntax syntax)
        {
            var label = new BoundLabel(syntax.Value is null ? "default" : "case");
            if (_switch is null)
            {
                if (syntax.Value is not null) BindExpression(syntax.Value);
                _diagnostics.ReportInvalidSwitch(syntax.Keyword.Span, syntax.Value is null
                    ? "'default' label not within a switch statement" : "case label not within a switch statement");
                return new BoundLabelStatement(label, syntax.Span);
            }
            if (syntax.Value is null)
            {
                if (_switch.Default is not null) _diagnostics.ReportInvalidSwitch(syntax.Keyword.Span, "multiple default labels in one switch");
                else _switch.Default = label;
                return new BoundLabelStatement(label, syntax.Span);
            }
            var value = BindExpression(syntax.Value);
            if (value is not BoundLiteral { Type.IsInteger: true } literal)
            {
                if (!value.Type.IsError) _diagnostics.ReportInvalidSwitch(syntax.Value.Span, "case label does not reduce to an integer constant");
                return new BoundLabelStatement(label, syntax.Span);
            }
            // the constant is converted to the promoted type of the switch's value (C11 6.8.4.2p5)
            long converted = Truncate(literal.Value, _switch.Type);
            if (_switch.Seen.ContainsKey(converted)) _diagnostics.ReportInvalidSwitch(syntax.Value.Span, "duplicate case value");
            else
            {
                _switch.Seen[converted] = syntax.Value.Span;
                _switch.Cases.Add((converted, label));
            }
            return new BoundLabelStatement(label, syntax.Span);
        }

        private BoundLabel LabelNamed(SyntaxToken name)
        {
            if (!_labels.TryGetValue(name.Text, out var entry))
            {
                entry = (new BoundLabel(name.Text), false, name.Span);
                _labels[name.Text] = entry;
            }
            return entry.Label;
        }

        private BoundStatement BindLabel(LabelStatementSyntax syntax)
        {
            var label = LabelNamed(syntax.Identifier);
            var entry = _labels[syntax.Identifier.Text];
            if (entry.Defined) _diagnostics.ReportInvalidLabel(syntax.Identifier.Span, $"duplicate label '{syntax.Identifier.Text}'");
            _labels[syntax.Identifier.Text] = (label, true, entry.FirstUse);
            return new BoundLabelStatement(label, syntax.Span);
        }

        private BoundStatement BindGoto(GotoStatementSyntax syntax) => new BoundGoto(LabelNamed(syntax.Label), syntax.Span);

        /// <summary>At a function's end: each label a goto names must be defined in it.</summary>
        private void CheckLabels()
        {
            foreach (var pair in _labels)
                if (!pair.Value.Defined)
                    _diagnostics.ReportInvalidLabel(pair.Value.FirstUse, $"label '{pair.Key}' used but not defined");
            _labels = new Dictionary<string, (BoundLabel, bool, TextSpan)>();
        }
    }
}
