using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>Runs the fault examples (or inline modules) under a profile and matches the log against expected formats.</summary>
    internal static class FaultRun
    {
        public static string ExamplePath(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

        public static RunResult Example(string file, string profile, params (string Key, string Value)[] settings)
        {
            var overrides = new Dictionary<string, string> { ["profile"] = profile };
            foreach (var (k, v) in settings) overrides[k] = v;
            return Compile(file, File.ReadAllText(ExamplePath(file)), overrides);
        }

        public static RunResult Inline(string body, string profile = "linux-6.1", string functions = "", string extra = "")
        {
            string source = $"module fault \"inline\";\nconfig {{ profile = {profile}; }}\n{functions}\ninit {{\n{body}\n}}\n{extra}\n";
            return Compile("fault.kdsl", source, null);
        }

        private static RunResult Compile(string path, string text, IReadOnlyDictionary<string, string>? overrides)
        {
            var result = Compiler.Compile(path, text, overrides);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return Machine.Run(result.Image!);
        }

        /// <summary>The dmesg messages without the "[    1.000000] " prefix.</summary>
        public static List<string> Messages(RunResult run) =>
            run.Log.Select(l => l.Substring(l.IndexOf("] ", StringComparison.Ordinal) + 2)).ToList();

        /// <summary>
        /// Each pattern (an anchored regex) must match a line, in this order; a pattern starting with "=" must match
        /// the line right after the previous match. Returns the index of each match.
        /// </summary>
        public static List<int> AssertInOrder(RunResult run, params string[] patterns)
        {
            var lines = Messages(run);
            var found = new List<int>();
            int at = 0;
            foreach (var p in patterns)
            {
                bool adjacent = p.StartsWith("=", StringComparison.Ordinal);
                var regex = new Regex("^" + (adjacent ? p.Substring(1) : p) + "$");
                int index = -1;
                if (adjacent)
                {
                    if (at < lines.Count && regex.IsMatch(lines[at])) index = at;
                }
                else
                {
                    for (int i = at; i < lines.Count; i++)
                        if (regex.IsMatch(lines[i])) { index = i; break; }
                }
                Assert.That(index, Is.GreaterThanOrEqualTo(0), $"no line matching /{p}/ after line {at}:\n" + run.Dmesg);
                found.Add(index);
                at = index + 1;
            }
            return found;
        }

        public static string Escape(string text) => Regex.Escape(text);
    }
}
