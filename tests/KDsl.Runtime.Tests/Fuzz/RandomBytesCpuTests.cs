using System;
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
            var code = new byte[GuestFixture.CodePages * 0x1000];
            var stops = new int[8];
            for (int i = 0; i < 3000; i++)
            {
                rng.NextBytes(code);
                g.LoadBytes(code);
                for (int r = 0; r < 16; r++) g.Cpu.Gpr[r] = RandomRegister(rng);
                g.Cpu.Rsp = GuestFixture.StackTop - (ulong)rng.Next(0, 0x100) * 8;
                g.Cpu.Rip = GuestFixture.CodeVa + (ulong)rng.Next(0, 0x800);
                g.Cpu.Rflags = 0x2;
                StopReason stop = StopReason.Halt;
                Assert.That(() => stop = g.Cpu.Run(10_000), Throws.Nothing, $"case {i}");
                stops[(int)stop]++;
                if (stop == StopReason.Unimplemented) Assert.That(g.Cpu.UnimplementedMnemonic, Is.Not.Empty, $"case {i}");
                g.Cpu.Cs = Selectors.KernelCs; // random code may have left ring 0 (iretq, sysret)
            }
            TestContext.Out.WriteLine($"Exception={stops[0]} Hypercall={stops[1]} Halt={stops[2]} TripleFault={stops[3]} Budget={stops[4]} Unimplemented={stops[5]}");
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
