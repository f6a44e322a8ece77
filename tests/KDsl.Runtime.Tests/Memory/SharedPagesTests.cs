using System;
using System.Collections.Generic;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Kernel;
using KDsl.Runtime.Memory;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Memory
{
    /// <summary>
    /// The kernel text's pages are built once and mapped copy-on-write into every machine: each machine must still see
    /// exactly the bytes a copy would have held, in the frames a copy would have used, and its writes alone.
    /// </summary>
    [TestFixture]
    public class SharedPagesTests
    {
        private const int Page = PhysicalMemory.PageSize;

        // Three and a half pages of a recognisable pattern; pages 0, 2 and 3 shared (3 is the zero-padded tail).
        private static readonly byte[] Source = Pattern(3 * Page + Page / 2);
        private static readonly int[] Listed = { 0, 2, 3 };

        private static byte[] Pattern(int length)
        {
            var bytes = new byte[length];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 31 + (i >> 12) + 1);
            return bytes;
        }

        private static byte Expected(int index, int offset)
        {
            int at = Listed[index] * Page + offset;
            return at < Source.Length ? Source[at] : (byte)0;
        }

        /// <summary>Maps the pages as the kernel maps its text, taking a page-table-like frame after the second page.</summary>
        private static List<ulong> Map(PhysicalMemory memory, SharedPages shared)
        {
            var frames = new List<ulong>();
            Assert.That(memory.TryAllocShared(shared, (index, pa) =>
            {
                frames.Add(pa);
                return index != 1 || memory.TryAllocPage(out _);
            }), Is.True);
            return frames;
        }

        [Test]
        public void Frames_AreWhereCopiesWouldBe_AndHoldThePages()
        {
            var shared = new SharedPages(Source, Listed);
            if (OperatingSystem.IsLinux()) Assert.That(shared.HostShared, Is.True, "Linux shares the host pages");
            Assert.That(shared.Count, Is.EqualTo(3));
            Assert.That(shared.PageNumber(1), Is.EqualTo(2));

            using var copied = new PhysicalMemory(4UL << 20);
            copied.AllocPage(); // something allocated before, as the page tables are at boot
            var copiedFrames = new List<ulong>();
            for (int i = 0; i < Listed.Length; i++)
            {
                Assert.That(copied.TryAllocPage(out ulong pa), Is.True);
                copiedFrames.Add(pa);
                if (i == 1) copied.AllocPage();
            }

            using var memory = new PhysicalMemory(4UL << 20);
            memory.AllocPage();
            var frames = Map(memory, shared);
            Assert.That(frames, Is.EqualTo(copiedFrames),
                "the frames TryAllocPage would have given, the page-table frame between them included");
            for (int i = 0; i < frames.Count; i++)
                for (int offset = 0; offset < Page; offset += 97)
                    Assert.That(memory.ReadU8(frames[i] + (ulong)offset), Is.EqualTo(Expected(i, offset)), $"page {i} offset {offset}");
            Assert.That(memory.ReadU64(frames[2] + Page - 8), Is.Zero, "past the image's end the last page is zero");
        }

        [Test]
        public unsafe void WritesStayWithTheMachineThatMadeThem()
        {
            var shared = new SharedPages(Source, Listed);
            using var first = new PhysicalMemory(64 * 1024); // small, so the allocator soon hands out a freed frame again
            using var second = new PhysicalMemory(4UL << 20);
            var a = Map(first, shared);
            var b = Map(second, shared);

            first.WriteU8(a[0] + 5, 0xEE);                 // the emulator's own accessors
            first.BasePointer[a[2] + 7] = 0xDD;            // a raw store, as the CPU makes through the direct map
            Assert.That(first.ReadU8(a[0] + 5), Is.EqualTo(0xEE));
            Assert.That(first.ReadU8(a[2] + 7), Is.EqualTo(0xDD));
            Assert.That(first.ReadU8(a[0] + 6), Is.EqualTo(Expected(0, 6)), "the rest of the written page is the machine's own copy");
            Assert.That(second.ReadU8(b[0] + 5), Is.EqualTo(Expected(0, 5)), "another machine never sees the write");
            Assert.That(second.ReadU8(b[2] + 7), Is.EqualTo(Expected(2, 7)));

            using var later = new PhysicalMemory(4UL << 20);
            var c = Map(later, shared);
            Assert.That(later.ReadU8(c[0] + 5), Is.EqualTo(Expected(0, 5)), "nor does a machine booted after it");

            // A shared frame freed and handed out again is zeroed for its new owner, and only in that machine.
            first.FreePage(a[1]);
            ulong again;
            do Assert.That(first.TryAllocPage(out again), Is.True, "the allocator comes round to the freed frame");
            while (again != a[1]);
            Assert.That(first.ReadU64(again), Is.Zero);
            Assert.That(second.ReadU8(b[1]), Is.EqualTo(Expected(1, 0)));
        }

        [Test]
        public void KernelText_WrittenThroughTheDirectMap_ChangesThatMachineOnly()
        {
            var config = new ExperimentConfig();
            using var first = LinuxKernel.Boot(config);
            using var second = LinuxKernel.Boot(config);
            ulong text = first.Kallsyms.AddressOf(KernelProfile.UserSyscallEntry);
            Assert.That(second.Kallsyms.AddressOf(KernelProfile.UserSyscallEntry), Is.EqualTo(text));
            Assert.That(first.Mmu.TryReadU64(text, out ulong original), Is.True);
            Assert.That(second.Mmu.TryReadU64(text, out ulong secondsBefore), Is.True);
            Assert.That(secondsBefore, Is.EqualTo(original), "both machines boot with the same text");

            // The text is mapped read-only; its alias in the direct map is writable, as in the real kernel.
            PageWalk walk = first.Tables.Walk(first.Root, text);
            Assert.That(walk.Present, Is.True);
            Assert.That(first.Tables.Walk(second.Root, text).PhysicalAddress, Is.EqualTo(walk.PhysicalAddress), "the same frame in both");
            Assert.That(first.Mmu.TryWriteU64(first.Profile.DirectMapBase + walk.PhysicalAddress, 0xCCCC_CCCC_CCCC_CCCCUL), Is.True);

            Assert.That(first.Mmu.TryReadU64(text, out ulong written), Is.True);
            Assert.That(written, Is.EqualTo(0xCCCC_CCCC_CCCC_CCCCUL), "the writer sees its write through the text mapping");
            Assert.That(second.Mmu.TryReadU64(text, out ulong secondsAfter), Is.True);
            Assert.That(secondsAfter, Is.EqualTo(original), "another machine does not");
            using var third = LinuxKernel.Boot(config);
            Assert.That(third.Mmu.TryReadU64(text, out ulong thirds), Is.True);
            Assert.That(thirds, Is.EqualTo(original), "nor does a machine booted after the write");
        }
    }
}
