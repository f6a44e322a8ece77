using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using KDsl.Image;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>The `expect` block: each item becomes an <see cref="Expectation"/> that records its line.</summary>
    public sealed partial class Binder
    {
        private ImmutableArray<Expectation> BindExpectations(ExpectBlockSyntax? block,
            List<(FunctionSymbol symbol, FunctionDeclarationSyntax syntax, bool declared)> userFunctions,
            FunctionSymbol? init, FunctionSymbol? exit, string moduleName)
        {
            var result = ImmutableArray.CreateBuilder<Expectation>();
            if (block is null) return result.ToImmutable();
            foreach (var item in block.Items)
            {
                int line = _text.GetLineIndex(item.Span.Start) + 1;
                switch (item)
                {
                    case PrintkExpectationSyntax p:
                    {
                        if (p.Text.IsMissing) break;
                        int count = -1;
                        if (p.Count != null && !p.Count.IsMissing && !TryBindExpectNumber(p.Count, out count)) break;
                        string text = Encoding.UTF8.GetString(ToArray(p.Text.Bytes));
                        var kind = p.Mode?.Text switch
                        {
                            "line" => ExpectationKind.PrintkLine,
                            "match" => ExpectationKind.PrintkPattern,
                            _ => ExpectationKind.Printk,
                        };
                        if (kind == ExpectationKind.PrintkPattern && !IsValidPattern(text, out string? error))
                        {
                            _diagnostics.ReportInvalidExpectPattern(p.Text.Span, error!);
                            break;
                        }
                        result.Add(new Expectation(kind, text, count, null, line));
                        break;
                    }
                    case OopsExpectationSyntax o:
                    {
                        if (o.OopsKind.IsMissing) break;
                        if (!Contains(Expectation.OopsKinds, o.OopsKind.Text))
                        {
                            _diagnostics.ReportUnknownOopsKind(o.OopsKind.Span, o.OopsKind.Text, string.Join(", ", Expectation.OopsKinds));
                            break;
                        }
                        string? function = BindExpectFunction(o.Function, userFunctions, init, exit, moduleName);
                        int depth = -1;
                        string? depthFunction = null;
                        if (o.Depth != null && !o.Depth.IsMissing)
                        {
                            if (!TryBindExpectNumber(o.Depth, out depth)) break;
                            depthFunction = o.DepthFunction is null ? function : BindExpectFunction(o.DepthFunction, userFunctions, init, exit, moduleName);
                            if (depthFunction is null)
                            {
                                if (o.DepthFunction is null) _diagnostics.ReportDepthWithoutFunction(o.DepthKeyword!.Span);
                                break;
                            }
                        }
                        result.Add(new Expectation(ExpectationKind.Oops, o.OopsKind.Text, -1, function, line, depth, depthFunction));
                        break;
                    }
                    case StackExpectationSyntax st:
                    {
                        if (st.Bytes.IsMissing || !TryBindExpectNumber(st.Bytes, out int bytes)) break;
                        result.Add(new Expectation(ExpectationKind.StackMax, "", bytes, null, line));
                        break;
                    }
                    case NoFaultExpectationSyntax:
                        result.Add(new Expectation(ExpectationKind.NoFault, "", -1, null, line));
                        break;
                    case SignalExpectationSyntax:
                    case ExitStatusExpectationSyntax:
                        BindProcessExpectation(item, line, result);
                        break;
                }
            }
            return result.ToImmutable();
        }

        /// <summary>The symbol name an expectation means by a function: init / exit are NAME_init / NAME_exit.</summary>
        private string? BindExpectFunction(SyntaxToken? token,
            List<(FunctionSymbol symbol, FunctionDeclarationSyntax syntax, bool declared)> userFunctions,
            FunctionSymbol? init, FunctionSymbol? exit, string moduleName)
        {
            if (token is null || token.IsMissing) return null;
            if (token.Kind == SyntaxKind.InitKeyword) return init?.LinkName ?? moduleName + "_init";
            if (token.Kind == SyntaxKind.ExitKeyword) return exit?.LinkName ?? moduleName + "_exit";
            string function = token.Text;
            // the kernel's string functions run as real code (memset_erms): an oops may well be in one
            if (!userFunctions.Exists(f => f.symbol.Name == function) && !System.Linq.Enumerable.Contains(Profiles.KernelProfile.StringFunctions, function)
                && !System.Linq.Enumerable.Contains(Profiles.KernelProfile.FormattingFunctions, function))
                _diagnostics.ReportExpectUnknownFunction(token.Span, function);
            return function;
        }

        private bool TryBindExpectNumber(SyntaxToken token, out int value)
        {
            if (token.Value is long v && v >= 0 && v <= int.MaxValue)
            {
                value = (int)v;
                return true;
            }
            _diagnostics.ReportInvalidExpectCount(token.Span, token.Text);
            value = -1;
            return false;
        }

        private static bool IsValidPattern(string pattern, out string? error)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant);
                error = null;
                return true;
            }
            catch (ArgumentException e)
            {
                error = e.Message;
                return false;
            }
        }

        private static bool Contains(IReadOnlyList<string> list, string value)
        {
            foreach (var item in list)
                if (item == value) return true;
            return false;
        }
    }
}
