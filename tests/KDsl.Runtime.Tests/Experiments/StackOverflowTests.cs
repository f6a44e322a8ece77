using System.Linq;
using Iced.Intel;
using KDsl.Image;
using NUnit.Framework;
using IcedDecoder = Iced.Intel.Decoder;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// The seed's step5 experiment end to end. Expected values come from the seed (linux-4.11) and the real-kernel
    /// runs (linux-5.10, linux-6.1) in shared/reference, or from first principles (THREAD_SIZE, frame sizes).
    /// </summary>
    [TestFixture]
    public class StackOverflowTests
    {
        // Bytes per recursion level, measured as the distance between consecutive buffers in the reference logs.
        private static readonly object[] FramePerLevel =
        {
            new object[] { "linux-4.11", 0x1020 }, // seed: ffffb69505dbac80 - ffffb69505db9c60
            new object[] { "linux-5.10", 0x1018 }, // real-kernel/logs-5.10: buf + push rbx + return address
            new object[] { "linux-6.1", 0x1018 },  // real-kernel/README: 0x1018 = 4120
        };

        [TestCaseSource(nameof(FramePerLevel))]
        public void Buf4096_PrintsThreeLinesOneFrameApart(string profile, int frame)
        {
            var run = Step5.Run(4096, profile);
            var addresses = Step5.BufferAddresses(run);
            Assert.That(addresses, Has.Count.EqualTo(3), run.Dmesg);
            Assert.That(addresses[0] - addresses[1], Is.EqualTo((ulong)frame));
            Assert.That(addresses[1] - addresses[2], Is.EqualTo((ulong)frame));
        }

        [TestCase("linux-4.11", 864)] // seed: the first buffer starts 0x1380 below the top, 0x1380 - 0x1020 = 864
        [TestCase("linux-5.10", 520)] // real-kernel/README: 520 bytes in use when init calls rstack
        [TestCase("linux-6.1", 552)]  // real-kernel/README: 552 bytes (randomize_kstack_offset=off)
        public void FirstBuffer_SitsBelowTheStackInUseAtInit(string profile, int inUse)
        {
            var run = Step5.Run(4096, profile);
            var (_, begin, _, _) = Step5.GuardPageLine(run);
            ulong top = begin + 16384;
            int frame = profile == "linux-4.11" ? 4096 + 32 : 4096 + 24;
            Assert.That(top - Step5.BufferAddresses(run)[0], Is.EqualTo((ulong)(inUse + frame)));
        }

        [TestCase("linux-4.11")]
        [TestCase("linux-5.10")]
        [TestCase("linux-6.1")]
        public void Buf4096_HitsTheGuardPageWithTheFailedPushAsFaultAddress(string profile)
        {
            var run = Step5.Run(4096, profile);
            var (fault, begin, end, named) = Step5.GuardPageLine(run);
            ulong rsp = Step5.RegisterRsp(run);

            // The #PF frame push goes to (RSP & ~0xF) - 8 and faults again: that address is CR2.
            Assert.That(fault, Is.EqualTo((rsp & ~0xFUL) - 8));
            Assert.That(run.Dmesg, Does.Contain($"CR2: {fault:x16}"));
            // ... and it lies in the page directly below the stack.
            Assert.That(fault, Is.LessThan(begin).And.GreaterThanOrEqualTo(begin - 4096));
            // The reported range is THREAD_SIZE: inclusive end up to 5.15, exclusive from 5.16 on.
            Assert.That(named, Is.EqualTo(profile == "linux-6.1"));
            Assert.That(named ? end - begin : end - begin + 1, Is.EqualTo(16384UL));
            Assert.That(Step5.RipLine(run), Does.Contain("RIP: 0010:rstack+"));
            Assert.That(run.Oops!.Function, Is.EqualTo("rstack"));
            Assert.That((run.Oops.ModuleFunction, run.Oops.Depth), Is.EqualTo(("rstack", 4)), "three levels fit, the fourth faults");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
            Assert.That(run.Log.Last(l => l.Contains("Kernel panic")), Does.Contain("Kernel panic - not syncing: Fatal exception in interrupt"));
        }

        [TestCase("linux-4.11", 43)]
        [TestCase("linux-5.10", 42)]
        [TestCase("linux-6.1", 42)]
        public void CodeLine_MarksTheFirstByteOfTheFaultingInstruction(string profile, int prologue)
        {
            var image = Step5.Compile(4096, new System.Collections.Generic.Dictionary<string, string> { ["profile"] = profile });
            var run = Machine.Run(image);
            var (bytes, marked) = Step5.CodeLine(run);
            Assert.That(marked, Is.EqualTo(prologue));

            // Decode rstack from the image with Iced: RIP must start an instruction, and the marked byte is its first.
            var rstack = image.Symbols.Single(s => s.Name == "rstack");
            int ripOffset = (int)(run.Oops!.Rip - run.Oops.CodeStart) + (int)(run.Oops.CodeStart - ModuleTextBase(run, image, rstack));
            var decoder = IcedDecoder.Create(64, new ByteArrayCodeReader(image.Text, rstack.Offset, rstack.Size), (ulong)rstack.Offset);
            var starts = new System.Collections.Generic.List<ulong>();
            while (decoder.IP < (ulong)(rstack.Offset + rstack.Size)) { starts.Add(decoder.IP); decoder.Decode(); }
            Assert.That(starts, Does.Contain((ulong)ripOffset));
            Assert.That(bytes[marked], Is.EqualTo(image.Text[ripOffset]));
        }

        /// <summary>The module's load address, from the oops RIP and the symbol it names ("rstack+0x2d/…").</summary>
        private static ulong ModuleTextBase(RunResult run, ModuleImage image, ModuleSymbol rstack)
        {
            var m = System.Text.RegularExpressions.Regex.Match(run.Oops!.RipSymbol, @"rstack\+0x([0-9a-f]+)/");
            return run.Oops.Rip - Step5.Hex(m.Groups[1].Value) - (ulong)rstack.Offset;
        }

        [TestCase("linux-4.11")]
        [TestCase("linux-6.1")]
        public void Buf992_PrintsFourteenLinesAndDiesInsidePrintk(string profile)
        {
            var run = Step5.Run(992, profile);
            Assert.That(Step5.BufferAddresses(run), Has.Count.EqualTo(14), run.Dmesg);
            Assert.That(run.Oops!.Kind, Is.EqualTo("stack_guard"));

            // RIP is in printk's own call path, and below it the trace holds the fifteen rstack frames.
            Assert.That(run.Oops.Function, Is.Not.EqualTo("rstack").And.Not.EqualTo(""));
            Assert.That((run.Oops.ModuleFunction, run.Oops.Depth), Is.EqualTo(("rstack", 15)));
            var trace = Step5.TraceLines(run);
            if (profile == "linux-4.11")
            {
                // 4.11's frame unwinder never reaches a frame from regs->sp in the guard page: every entry is "?" (the seed).
                Assert.That(trace, Is.Not.Empty.And.All.StartsWith("?"));
                return;
            }
            var reliable = trace.Where(t => !t.StartsWith("?")).ToList();
            int printk = reliable.FindIndex(t => t.StartsWith("printk+") || t.StartsWith("_printk+"));
            Assert.That(printk, Is.GreaterThanOrEqualTo(0), string.Join("\n", trace));
            Assert.That(reliable.Skip(printk + 1).TakeWhile(t => t.StartsWith("rstack+")).Count(), Is.EqualTo(15), string.Join("\n", trace));
        }

        /// <summary>
        /// Real 5.10 at BUF=992 prints the fourteen lines and then nothing (RealKernel/Logs/linux-5.10/step5_992.log): the
        /// fifteenth printk overflows inside prb_reserve, after its descriptor was reserved, and _prb_read_valid stops at a
        /// record that is not final, so the oops and the panic stay in the ringbuffer, unprinted.
        /// </summary>
        [Test]
        public void Buf992_Linux510_DiesHoldingAReservedRecordAndPrintsNothingMore()
        {
            var run = Step5.Run(992, "linux-5.10");
            Assert.That(Step5.BufferAddresses(run), Has.Count.EqualTo(14), run.Dmesg);
            Assert.That(run.Log.Last(), Does.EndWith("finished initialized buf."));
            Assert.That(run.Oops!.Kind, Is.EqualTo("stack_guard"), "the guard page was hit all the same");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
            Assert.That(run.Unprinted, Has.Some.Contains("BUG: stack guard page was hit"));
            Assert.That(run.Unprinted, Has.Some.StartsWith("[").And.Contains("Kernel panic - not syncing: Fatal exception in interrupt"));
        }

        [Test]
        public void Buf992_Linux61_FaultsInNumberCalledFromTheStorePath()
        {
            // real-kernel/logs-6.1/step5_992-norand.log: "RIP: 0010:number+0x20/0x3b0", RSP ff641837805afff8 and
            // CR2 ff641837805affe8 with the stack at ff641837805b0000: number's mov %rdx,(%rsp) one word below the base,
            // and the #PF frame's push 16 bytes lower; called from vsnprintf+0x1a8 <- vprintk_store+0x1c1.
            var run = Step5.Run(992, "linux-6.1");
            var (fault, begin, _, _) = Step5.GuardPageLine(run);
            Assert.That(run.Oops!.RipSymbol, Is.EqualTo("number+0x20/0x3b0"));
            Assert.That(Step5.RegisterRsp(run), Is.EqualTo(begin - 8));
            Assert.That(fault, Is.EqualTo(begin - 0x18));
            Assert.That(run.Dmesg, Does.Contain(" vsnprintf+0x1a8/0x550"));
        }

        [TestCase("linux-5.10")]
        [TestCase("linux-6.1")]
        public void Buf2048_PrintsSevenLines(string profile)
        {
            // real-kernel README: 7 lines on both kernels.
            Assert.That(Step5.BufferAddresses(Step5.Run(2048, profile)), Has.Count.EqualTo(7));
        }

        [TestCase(4096)]
        [TestCase(2048)]
        [TestCase(992)]
        [TestCase(500)]
        public void ThreadSize8K_CountFollowsFromFrameSizeEntryUsageAndThreadSize(int buf)
        {
            // linux-6.1: a level's frame is buf (rounded to 8) + 24; 552 bytes are in use when init calls rstack;
            // a level prints when its frame fits and its printk gets as far as committing its record: 656 bytes below
            // the buffer on the real 6.1 kernel, single-stepped (tools/kernel-trace; the README's table: the store path).
            const int threadSize = 8192, inUse = 552;
            int frame = ((buf + 7) & ~7) + 24;
            int Count(int printkNeed)
            {
                int count = 0;
                for (int level = 1; ; level++)
                {
                    int free = threadSize - inUse - level * frame; // bytes between this level's buffer and the stack base
                    if (free < printkNeed) return count;
                    count++;
                }
            }
            int expected = Count(656);
            Assume.That(Count(640), Is.EqualTo(expected), "the count must not depend on a few bytes of printk's need");
            Assume.That(Count(672), Is.EqualTo(expected), "the count must not depend on a few bytes of printk's need");

            var run = Step5.Run(buf, "linux-6.1", "8K");
            Assert.That(Step5.BufferAddresses(run), Has.Count.EqualTo(expected), run.Dmesg);
            Assert.That(run.Oops!.Kind, Is.EqualTo("stack_guard"));
        }

        [TestCase("linux-4.11")]
        [TestCase("linux-6.1")]
        public void TwoRuns_PrintIdenticalBytes(string profile)
        {
            string first = Step5.Run(992, profile).Dmesg;
            string second = Step5.Run(992, profile).Dmesg;
            Assert.That(second, Is.EqualTo(first));
        }

        [Test]
        public void Examples_MeetTheirOwnExpectations()
        {
            foreach (var name in new[] { "step5.kdsl", "step5-992.kdsl" })
            {
                var path = Step5.ExamplePath(name);
                var result = Compiler.Compile(path, System.IO.File.ReadAllText(path));
                Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
                var run = Machine.Run(result.Image!);
                Assert.That(ExpectationCheck.Check(result.Image!.Expectations, run), Is.Empty, name + "\n" + run.Dmesg);
            }
        }
    }
}
