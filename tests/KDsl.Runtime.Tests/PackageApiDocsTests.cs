using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using KDsl.Analysis;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Runtime.Tests
{
    /// <summary>
    /// The XML documentation the KDsl package ships (KDsl.Runtime.xml, KDsl.Dsl.xml beside the dlls in lib/): every public
    /// member of the types a test project uses (the generated class's Image, Scenarios, StackReport and Run, and what a
    /// run returns and is checked with) has a summary an IDE can show. The compiler's own inner types are not held to it
    /// (CS1591 is off for them: see the projects).
    /// </summary>
    [TestFixture]
    public class PackageApiDocsTests
    {
        private static readonly Type[] ConsumerTypes =
        {
            typeof(Machine), typeof(RunResult), typeof(RunOutcome), typeof(ExpectationCheck), typeof(ExpectationFailure),
            typeof(StackAtHighWater),
            typeof(ModuleImage), typeof(ModuleSymbol), typeof(Section), typeof(Relocation), typeof(RelocationKind),
            typeof(LineEntry), typeof(UnwindEntry), typeof(BugEntry), typeof(FrameVariable), typeof(ExperimentConfig),
            typeof(Scenario), typeof(Expectation), typeof(ExpectationKind),
            typeof(StackReport), typeof(FunctionStackUsage), typeof(EntryStackUsage), typeof(StackOverflowPoint),
            typeof(CompileResult), typeof(Compiler),
        };

        /// <summary>Each documented member's ID ("M:KDsl.Runtime.Machine.Run(...)") in the assembly's XML file.</summary>
        private static HashSet<string> DocumentedIds(Assembly assembly)
        {
            string xml = Path.ChangeExtension(assembly.Location, ".xml");
            Assert.That(File.Exists(xml), Is.True, $"{xml}: GenerateDocumentationFile is off");
            return XDocument.Load(xml).Descendants("member")
                .Where(m => m.Element("summary") is { } s && s.Value.Trim().Length > 0 || m.Element("inheritdoc") is not null)
                .Select(m => (string)m.Attribute("name")!)
                .ToHashSet(StringComparer.Ordinal);
        }

        [Test]
        public void EveryPublicMemberOfTheConsumerApiHasASummary()
        {
            var missing = new List<string>();
            foreach (var group in ConsumerTypes.GroupBy(t => t.Assembly))
            {
                var ids = DocumentedIds(group.Key);
                foreach (var type in group)
                {
                    string name = type.FullName!.Replace('+', '.');
                    if (!ids.Contains("T:" + name)) missing.Add("T:" + name);
                    const BindingFlags declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
                    foreach (var member in type.GetMembers(declared))
                    {
                        if (member is MethodInfo { IsSpecialName: true }) continue; // property accessors, operators
                        if (type.IsEnum && member.Name == "value__") continue;
                        if (member.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is not null) continue;
                        string prefix = member switch
                        {
                            ConstructorInfo => $"M:{name}.#ctor",
                            MethodInfo m => $"M:{name}.{m.Name}",
                            PropertyInfo p => $"P:{name}.{p.Name}",
                            FieldInfo f => $"F:{name}.{f.Name}",
                            EventInfo e => $"E:{name}.{e.Name}",
                            _ => "",
                        };
                        if (prefix.Length == 0) continue;
                        // Overloads: as many documented IDs with this name as there are members of it.
                        int members = type.GetMembers(declared).Count(o => o.MemberType == member.MemberType && o.Name == member.Name && o is not MethodInfo { IsSpecialName: true });
                        int documented = ids.Count(id => id == prefix || id.StartsWith(prefix + "(", StringComparison.Ordinal));
                        if (documented < members) missing.Add(prefix);
                    }
                }
            }
            Assert.That(missing.Distinct(), Is.Empty, "public members without a summary");
        }
    }
}
