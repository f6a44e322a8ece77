using System.Collections.Generic;
using System.Linq;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    public class ConfigTests
    {
        private static string WithConfig(string entries) => Support.Header + "config {\n" + entries + "\n}\ninit { }\n";

        [Test]
        public void NoConfig_Defaults()
        {
            var program = Support.BindClean(Support.InInit(""));
            Assert.That(program.Config, Is.EqualTo(new ExperimentConfig("linux-6.1", 16384, true, false)));
        }

        [TestCase("profile = linux-4.11;", "linux-4.11", 16384, false)]
        [TestCase("profile = linux-5.10;", "linux-5.10", 16384, false)]
        [TestCase("thread_size = 8K;", "linux-6.1", 8192, false)]
        [TestCase("thread_size = 32K;", "linux-6.1", 32768, false)]
        [TestCase("thread_size = 16384;", "linux-6.1", 16384, false)]
        [TestCase("thread_size = 8192;", "linux-6.1", 8192, false)]
        [TestCase("hash_pointers = on;", "linux-6.1", 16384, true)]
        [TestCase("hash_pointers = off; vmap_stack = on;", "linux-6.1", 16384, false)]
        public void Values(string entries, string profile, int threadSize, bool hash)
        {
            var program = Support.BindClean(WithConfig(entries));
            Assert.That(program.Config, Is.EqualTo(new ExperimentConfig(profile, threadSize, true, hash)));
        }

        [Test]
        public void Overrides_WinOverTheFile()
        {
            var overrides = new Dictionary<string, string> { ["profile"] = "linux-4.11", ["thread_size"] = "8K" };
            var program = Support.BindClean(WithConfig("profile = linux-6.1;\nthread_size = 32K;\nhash_pointers = on;"), overrides);
            Assert.That(program.Config, Is.EqualTo(new ExperimentConfig("linux-4.11", 8192, true, true)));
        }

        [Test]
        public void Overrides_WithoutConfigBlock()
        {
            var program = Support.BindClean(Support.InInit(""), new Dictionary<string, string> { ["thread_size"] = "32768" });
            Assert.That(program.Config.ThreadSize, Is.EqualTo(32768));
        }

        [Test]
        public void UnknownProfile_ListsKnownOnes()
        {
            Support.AssertDiagnostics(WithConfig("profile = [linux-2.6];"), "KDSL0162");
            Compiler.Bind("t.kdsl", WithConfig("profile = linux-2.6;"), null, out var diagnostics);
            Assert.That(diagnostics.Single().Message, Does.Contain("linux-4.11, linux-5.10, linux-6.1"));
        }

        [Test]
        public void InvalidThreadSize()
        {
            Support.AssertDiagnostics(WithConfig("thread_size = [12K];"), "KDSL0161");
            Support.AssertDiagnostics(WithConfig("thread_size = [4096];"), "KDSL0161");
        }

        [Test]
        public void StackModelSettings_Bind()
        {
            var config = Compiler.Bind("t.kdsl", WithConfig("vmap_stack = off; stack_cache = off; thread_info = stack; sched_stack_end_check = on; debug_sg = on;"),
                null, out var diagnostics)!.Config;
            Assert.That(diagnostics, Is.Empty);
            Assert.That((config.VmapStack, config.StackCache, config.ThreadInfoOnStack, config.SchedStackEndCheck, config.DebugSg),
                Is.EqualTo((false, false, true, true, true)));
            var defaults = new ExperimentConfig();
            Assert.That((defaults.VmapStack, defaults.StackCache, defaults.ThreadInfoOnStack, defaults.SchedStackEndCheck, defaults.DebugSg),
                Is.EqualTo((true, true, false, false, false)), "the Kconfig defaults: VMAP_STACK=y, SCHED_STACK_END_CHECK=n, DEBUG_SG=n");
            Support.AssertDiagnostics(WithConfig("thread_info = [bottom];"), "KDSL0161");
            Support.AssertDiagnostics(WithConfig("stack_cache = [2];"), "KDSL0161");
        }

        [Test]
        public void InvalidOnOff()
        {
            Support.AssertDiagnostics(WithConfig("hash_pointers = [yes];"), "KDSL0161");
        }

        [Test]
        public void UnknownAndDuplicateKeys()
        {
            Support.AssertDiagnostics(WithConfig("[stack] = 4;\nthread_size = 8K;\n[thread_size] = 16K;"), "KDSL0160", "KDSL0164");
        }

        [Test]
        public void InvalidOverride_ReportedAtConfigKeyword()
        {
            var text = WithConfig("thread_size = 8K;");
            Compiler.Bind("t.kdsl", text, new Dictionary<string, string> { ["profile"] = "linux-9" }, out var diagnostics);
            var d = diagnostics.Single();
            Assert.That(d.Id, Is.EqualTo("KDSL0162"));
            Assert.That(d.Location.Span.Start, Is.EqualTo(text.IndexOf("config")));
            Assert.That(d.Location.Span.Length, Is.EqualTo("config".Length));
        }

        [Test]
        public void InvalidOverride_WithoutConfigBlock_ReportedAtPositionZero()
        {
            Compiler.Bind("t.kdsl", Support.InInit(""), new Dictionary<string, string> { ["colour"] = "blue", ["vmap_stack"] = "sometimes" }, out var diagnostics);
            Assert.That(diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "KDSL0160", "KDSL0161" }));
            Assert.That(diagnostics.All(d => d.Location.Span.Start == 0), Is.True);
        }
    }
}
