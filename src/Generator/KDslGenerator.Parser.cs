using System;
using System.Collections.Generic;
using System.Threading;
using KDsl.Generator.Helpers;
using KDsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using DslDiagnostic = KDsl.Diagnostics.Diagnostic;
using DslSeverity = KDsl.Diagnostics.DiagnosticSeverity;

namespace KDsl.Generator
{
    public sealed partial class KDslGenerator
    {
        /// <summary>Reads one .kdsl file, calls <see cref="Compiler.Compile"/> and maps the result to the equatable model. Never throws.</summary>
        internal static class Parser
        {
            internal const string InternalErrorId = "KDSL9999";

            public static readonly Func<string, string, CompileResult?> DefaultCompile = static (path, text) => Compiler.Compile(path, text);

            public static KDslFileResult Parse(AdditionalText additionalText, Func<string, string, CompileResult?> compile, CancellationToken cancellationToken)
            {
                string path = additionalText.Path ?? string.Empty;
                try
                {
                    SourceText? text = additionalText.GetText(cancellationToken);
                    if (text is null)
                    {
                        return Failed(path, "Could not read the file.");
                    }

                    return Parse(path, text.ToString(), compile, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    return Failed(path, Describe(ex));
                }
            }

            /// <summary>The testable core: <paramref name="compile"/> is <see cref="Compiler.Compile"/> in the generator.</summary>
            internal static KDslFileResult Parse(string path, string text, Func<string, string, CompileResult?> compile, CancellationToken cancellationToken)
            {
                try
                {
                    CompileResult? result = CompileOnLargeStack(path, text, compile, out Exception? error);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (error is not null)
                    {
                        return Failed(path, Describe(error));
                    }
                    if (result is null)
                    {
                        return Failed(path, "The compiler returned no result.");
                    }

                    var diagnostics = new List<DiagnosticInfo>();
                    bool hasErrors = false;
                    if (result.Diagnostics is not null)
                    {
                        foreach (DslDiagnostic? diagnostic in result.Diagnostics)
                        {
                            if (diagnostic is null) continue;
                            DiagnosticInfo info = ToDiagnosticInfo(diagnostic, path);
                            hasErrors |= info.Severity == DiagnosticSeverity.Error;
                            diagnostics.Add(info);
                        }
                    }

                    // A file with errors generates nothing but its diagnostics.
                    ModuleSpec? module = !hasErrors && result.Image is not null
                        ? ModelBuilder.BuildModule(path, result.Image, result.Scenarios)
                        : null;

                    return new KDslFileResult { Module = module, Diagnostics = diagnostics.ToImmutableEquatableArray() };
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    return Failed(path, Describe(ex));
                }
            }

            /// <summary>The build property RootNamespace when it is a valid namespace, else <see cref="DefaultNamespace"/>.</summary>
            public static string GetNamespace(AnalyzerConfigOptions options)
            {
                try
                {
                    return options.TryGetValue("build_property.RootNamespace", out string? value) && IsValidNamespace(value)
                        ? value!.Trim()
                        : DefaultNamespace;
                }
                catch (Exception)
                {
                    return DefaultNamespace;
                }
            }

            internal static bool IsValidNamespace(string? value)
            {
                if (value is null || value.Trim().Length == 0) return false;
                foreach (string part in value.Trim().Split('.'))
                {
                    if (!SyntaxFacts.IsValidIdentifier(part) || SyntaxFacts.GetKeywordKind(part) != SyntaxKind.None) return false;
                }
                return true;
            }

            private static CompileResult? CompileOnLargeStack(string path, string text, Func<string, string, CompileResult?> compile, out Exception? error) =>
                LargeStackThreads.Run<CompileResult>(() => compile(path, text), out error);

            private static DiagnosticInfo ToDiagnosticInfo(DslDiagnostic diagnostic, string fallbackPath)
            {
                Text.TextLocation location = diagnostic.Location;
                string path = string.IsNullOrEmpty(location.Path) ? fallbackPath : location.Path;
                int start = Math.Max(0, location.Span.Start);
                int length = Math.Max(0, location.Span.Length);
                int startLine = Math.Max(0, location.Start.Line);
                int startCharacter = Math.Max(0, location.Start.Character);
                int endLine = Math.Max(0, location.End.Line);
                int endCharacter = Math.Max(0, location.End.Character);
                if (endLine < startLine || (endLine == startLine && endCharacter < startCharacter))
                {
                    endLine = startLine;
                    endCharacter = startCharacter;
                }

                string id = string.IsNullOrEmpty(diagnostic.Id) ? InternalErrorId : diagnostic.Id;
                return new DiagnosticInfo(id, ToRoslyn(diagnostic.Severity), diagnostic.Message ?? string.Empty,
                    path, start, length, startLine, startCharacter, endLine, endCharacter);
            }

            private static DiagnosticSeverity ToRoslyn(DslSeverity severity) => severity switch
            {
                DslSeverity.Error => DiagnosticSeverity.Error,
                DslSeverity.Warning => DiagnosticSeverity.Warning,
                DslSeverity.Info => DiagnosticSeverity.Info,
                _ => DiagnosticSeverity.Hidden,
            };

            private static KDslFileResult Failed(string path, string message) => new KDslFileResult
            {
                Module = null,
                Diagnostics = new[] { DiagnosticInfo.AtFileStart(InternalErrorId, message, path) }.ToImmutableEquatableArray(),
            };

            private static string Describe(Exception ex) =>
                "The KDsl compiler failed: " + ex.GetType().FullName + ": " + ex.Message;
        }
    }
}
