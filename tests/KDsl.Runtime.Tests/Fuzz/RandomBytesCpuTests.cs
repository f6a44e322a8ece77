using System;
using System.Collections.Generic;
using System.Linq;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Tests.Cpu;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Fuzz
{
    /// <summary>
    /// Random bytes straight on the CPU (an executable page in the small guest, random registers): whatever the decoder
    /// makes of them, <see cref="X64Cpu.Run"/> returns a stop reason (an exception delivered, halt, the budget) and never
    /// throws to the host.
    /// </summary>
    [TestFixture]
    public class RandomBytesCpuTests
    {
        [Test]
        public void RandomBytes_NeverThrowToTheHost()
        {
            using var g = new GuestFixture();
            var rng = new Random(9);
            var stops = new Dictionary<string, int>();
            for (int i = 0; i < 3000; i++)
            {
                string? problem = null;
                string stop = "";
                Assert.That(() => problem = RunCase(g, rng, out stop), Throws.Nothing, $"case {i}");
                Assert.That(problem, Is.Null, $"case {i}");
                stops[stop] = stops.TryGetValue(stop, out int n) ? n + 1 : 1;
            }
            TestContext.Out.WriteLine(string.Join(" ", stops.Select(kv => $"{kv.Key}={kv.Value}")));
        }

        /// <summary>
        /// Random code (a code page's worth of <paramref name="rng"/>'s bytes) and registers, run for 10,000 instructions:
        /// null when the CPU stopped as it may (<paramref name="stop"/> says how), else what went wrong. Exceptions escape.
        /// </summary>
        internal static string? RunCase(GuestFixture g, Random rng, out string stop)
        {
            var code = new byte[GuestFixture.CodePages * 0x1000];
            rng.NextBytes(code);
            g.LoadBytes(code);
            for (int r = 0; r < 16; r++) g.Cpu.Gpr[r] = RandomRegister(rng);
            g.Cpu.Rsp = GuestFixture.StackTop - (ulong)rng.Next(0, 0x100) * 8;
            g.Cpu.Rip = GuestFixture.CodeVa + (ulong)rng.Next(0, 0x800);
            g.Cpu.Rflags = 0x2;
            StopReason reason = g.Cpu.Run(10_000);
            stop = reason.ToString();
            g.Cpu.Cs = Selectors.KernelCs; // random code may have left ring 0 (iretq, sysret)
            return reason == StopReason.Unimplemented && string.IsNullOrEmpty(g.Cpu.UnimplementedMnemonic) ? "Unimplemented without a mnemonic" : null;
        }

        private static ulong RandomRegister(Random rng) => rng.Next(4) switch
        {
            0 => GuestFixture.DataVa + (ulong)rng.Next(0, GuestFixture.DataPages * 0x1000),
            1 => (ulong)rng.Next(0, 256),
            2 => GuestFixture.StackBottom + (ulong)rng.Next(0, GuestFixture.StackPages * 0x1000),
            _ => (ulong)rng.Next() << 32 | (uint)rng.Next(),
        };
    }
}
