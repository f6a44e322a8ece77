using System;
using System.Collections;
using System.Collections.Generic;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// Walks an object graph by reflection and fails on any Roslyn object that would defeat incremental caching
    /// (after dotnet/runtime's SourceGenModelDoesNotEncapsulateSymbolsOrCompilationData).
    /// </summary>
    internal static class ModelWalker
    {
        public static void AssertHoldsNoRoslynObjects(object? root)
        {
            var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
            Walk(root, "model", visited);
        }

        private static void Walk(object? node, string path, HashSet<object> visited)
        {
            if (node is null) return;
            Type type = node.GetType();
            if (type.IsPrimitive || type.IsEnum || node is string || node is decimal) return;

            Assert.That(node is Compilation or ISymbol or SyntaxNode or SyntaxTree or SemanticModel or Location or AdditionalText, Is.False,
                $"{path} holds a {type.FullName}, which is not cacheable");

            if (!type.IsValueType && !visited.Add(node)) return;

            if (node is IEnumerable sequence)
            {
                int i = 0;
                foreach (object? item in sequence)
                {
                    Walk(item, $"{path}[{i++}]", visited);
                }
            }

            for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer) continue;
                    Walk(field.GetValue(node), $"{path}.{field.Name}", visited);
                }
            }
        }
    }
}
