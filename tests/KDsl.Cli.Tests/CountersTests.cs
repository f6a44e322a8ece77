using System.Linq;
using System.Text.Json;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>`kdsl run` prints the kernel's cost counters (the stack-model issue's "numbers printed by the run").</summary>
    public class CountersTests
    {
        [Test]
        public void RunPrintsTheCountersAfterTheLog()
        {
            var (exit, output, _) = CliRunner.Run("run", CliRunner.Example("fork-exit-stack-cache.kdsl"), "--scenario", "no_cache");
            Assert.That(exit, Is.EqualTo(0));
            string counters = output.Split('\n').Single(l => l.StartsWith("counters: "));
            // 1000 threads plus insmod, each stack from vmalloc (the cache is off), each thread's freed with vfree.
            Assert.That(counters, Does.Contain(" forks=1001 "));
            Assert.That(counters, Does.Contain(" vmalloc_calls=1001 "));
            Assert.That(counters, Does.Contain(" vfree_calls=1000 "));
            Assert.That(counters, Does.Contain(" tlb_misses_vmalloc="));
        }

        [Test]
        public void JsonCarriesTheCountersAndTheStackSettings()
        {
            var (_, output, _) = CliRunner.Run("run", CliRunner.Example("fork-exit-stack-cache.kdsl"), "--json");
            using var doc = JsonDocument.Parse(output);
            var scenario = doc.RootElement.GetProperty("scenarios")[0];
            Assert.That(scenario.GetProperty("config").GetProperty("stackCache").GetBoolean(), Is.True);
            var counters = scenario.GetProperty("counters");
            // With the cache: insmod's stack and the first two threads' are the only vmalloc calls (a thread runs while
            // init makes the next, so two are alive at once; then each takes the stack put back before it).
            Assert.That(counters.GetProperty("vmalloc_calls").GetInt64(), Is.EqualTo(3));
            Assert.That(counters.GetProperty("stack_cache_hits").GetInt64(), Is.EqualTo(998));
        }
    }
}
