using KDsl.Runtime.Cpu;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Cpu
{
    /// <summary>`kdsl build --emit-bin`: a function and its callees as a flat, position-independent blob.</summary>
    [TestFixture]
    public class FlatBinaryTests
    {
        private const string Source = @"
module blob ""emit-bin"";
long fib(long n) {
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}
long fill(long n, char *p, long size) {
    char buf[64];
    for (long i = 0; i < size; i++)
        p[i] = n;
    buf[0] = n;
    return fib(n) + size + buf[0];
}
void talk(void) { printk(""hi\n""); }
init { talk(); return fill(10, 0, 0); }
";

        private static FlatBinary Create(string entry, out string? error)
        {
            // the entry is called from outside (as kdsl build --emit-bin --entry compiles it): not specialised for init's call
            var image = Compiler.Compile("blob.kdsl", Source, exported: new[] { entry }).Image;
            Assert.That(image, Is.Not.Null);
            return FlatBinary.TryCreate(image!, entry, out error)!;
        }

        /// <summary>Runs the blob at CodeVa + offset as entry(arg, DataVa, size), returning to a hlt at CodeVa.</summary>
        private static ulong RunBlob(byte[] blob, int offset, ulong arg, ulong size, GuestFixture g)
        {
            g.Cpu.Mmu.Memory.Write(g.CodePa, new byte[] { 0xF4 }); // hlt: where entry returns to
            g.Cpu.Mmu.Memory.Write(g.CodePa + (ulong)offset, blob);
            g.Cpu.Rsp = GuestFixture.StackTop - 8;
            Assert.That(g.Cpu.Mmu.TryWriteU64(g.Cpu.Rsp, GuestFixture.CodeVa), Is.True);
            g.Cpu.Rip = GuestFixture.CodeVa + (ulong)offset;
            g.Cpu[Reg.Rdi] = arg;
            g.Cpu[Reg.Rsi] = GuestFixture.DataVa;
            g.Cpu[Reg.Rdx] = size;
            Assert.That(g.Cpu.Run(10_000_000), Is.EqualTo(StopReason.Halt));
            return g.Cpu[Reg.Rax];
        }

        [Test]
        public void Blob_HoldsTheEntryAndItsCallees_AndRunsAnywhere()
        {
            var blob = Create("fill", out string? error);
            Assert.That(blob, Is.Not.Null, error);
            Assert.That(blob.Functions, Is.EqualTo(new[] { "fill", "fib" }));
            Assert.That(blob.UsesGs, Is.True, "the 64-byte array brings the stack-protector canary");
            Assert.That(blob.Bytes[0], Is.EqualTo((byte)0xE9), "fib comes first in .text: offset 0 jumps to fill");

            // The same bytes at two different addresses give the same result: fib(12) + size + (char)12.
            var g = new GuestFixture();
            g.Cpu.GsBase = GuestFixture.DataVa + 0x2000;
            Assert.That(RunBlob(blob.Bytes, 0x10, 12, 100, g), Is.EqualTo(144UL + 100 + 12));
            var g2 = new GuestFixture();
            g2.Cpu.GsBase = GuestFixture.DataVa + 0x2000;
            Assert.That(RunBlob(blob.Bytes, 0x1230, 12, 100, g2), Is.EqualTo(144UL + 100 + 12));
            Assert.That(g2.Cpu.Mmu.TryReadU8(GuestFixture.DataVa + 99, out byte b) && b == 12, Is.True, "the scratch area was filled");
        }

        [Test]
        public void Blob_StartsAtTheEntry_WhenItIsFirst()
        {
            var blob = Create("fib", out string? error);
            Assert.That(blob, Is.Not.Null, error);
            Assert.That(blob.EntryOffset, Is.EqualTo(0));
            Assert.That(blob.Functions, Is.EqualTo(new[] { "fib" }));
            Assert.That(RunBlob(blob.Bytes, 0x40, 20, 0, new GuestFixture()), Is.EqualTo(6765UL));
        }

        [Test]
        public void Blob_RefusesCallsOutOfTheBlob_AndUnknownFunctions()
        {
            Assert.That(Create("talk", out string? error), Is.Null);
            Assert.That(error, Does.Contain("outside the blob"));
            Assert.That(Create("nosuch", out error), Is.Null);
            Assert.That(error, Does.Contain("no function 'nosuch'"));
        }
    }
}
