using System;
using System.Collections.Generic;
using Iced.Intel;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Tests.Cpu
{
    /// <summary>Collects Iced's assembler output.</summary>
    internal sealed class ByteListWriter : CodeWriter
    {
        public readonly List<byte> Bytes = new List<byte>();
        public override void WriteByte(byte value) => Bytes.Add(value);
    }

    /// <summary>
    /// A small guest: 16 MiB of RAM, real 4-level page tables, kernel text / data / stack mappings,
    /// an IDT whose gates point at (unmapped) per-vector handler addresses and #DF on IST1.
    /// </summary>
    internal sealed class GuestFixture : IDisposable
    {
        public const ulong CodeVa = 0xffff_ffff_8100_0000UL;
        public const int CodePages = 4;
        public const ulong DataVa = 0xffff_8880_0010_0000UL;
        public const int DataPages = 4;
        /// <summary>Lowest mapped stack page; the page below is an unmapped guard page.</summary>
        public const ulong StackBottom = 0xffff_c900_0000_4000UL;
        public const int StackPages = 4;
        public const ulong StackTop = StackBottom + StackPages * 0x1000UL;
        public const ulong DfStackBottom = 0xffff_fe00_0000_1000UL;
        public const ulong DfStackTop = DfStackBottom + 0x1000UL;
        public const ulong HandlerBase = 0xffff_ffff_81f0_0000UL;
        public const ulong UserCodeVa = 0x0000_0000_0040_0000UL;
        public const ulong UserStackTop = 0x0000_7fff_ffff_0000UL;
        public const ulong Rsp0Top = 0xffff_c900_0001_0000UL;

        public readonly PhysicalMemory Mem;
        public readonly PageTables Pt;
        public readonly ulong Root;
        public readonly X64Cpu Cpu;
        public readonly ulong CodePa;
        public readonly ulong DataPa;

        public GuestFixture()
        {
            Mem = new PhysicalMemory(16UL << 20);
            Pt = new PageTables(Mem);
            Root = Pt.CreateRoot();
            CodePa = MapNew(CodeVa, CodePages, PteFlags.Present | PteFlags.Writable | PteFlags.Global);
            DataPa = MapNew(DataVa, DataPages, PteFlags.Present | PteFlags.Writable | PteFlags.NoExecute);
            MapNew(StackBottom, StackPages, PteFlags.Present | PteFlags.Writable | PteFlags.NoExecute);
            MapNew(DfStackBottom, 1, PteFlags.Present | PteFlags.Writable | PteFlags.NoExecute);
            MapNew(Rsp0Top - 0x2000, 2, PteFlags.Present | PteFlags.Writable | PteFlags.NoExecute);
            Cpu = new X64Cpu(Mem);
            Cpu.Cr3 = Root;
            for (int v = 0; v < 256; v++)
                Cpu.Idt[v] = IdtGate.Interrupt(Handler(v));
            Cpu.Idt[Vectors.DF].Ist = 1;
            Cpu.Idt[Vectors.BP].Dpl = 3;
            Cpu.Tss.Ist[1] = DfStackTop;
            Cpu.Tss.Rsp0 = Rsp0Top;
            Cpu.Rsp = StackTop;
            Cpu.Rip = CodeVa;
        }

        public static ulong Handler(int vector) => HandlerBase + (ulong)vector * 0x10;

        /// <summary>Allocates physically contiguous zeroed frames and maps them at va.</summary>
        public ulong MapNew(ulong va, int pages, PteFlags flags)
        {
            int order = 0;
            while ((1 << order) < pages) order++;
            if (!Mem.TryAllocPages(order, out ulong pa)) throw new InvalidOperationException("out of guest memory");
            for (int i = 0; i < pages; i++)
                if (!Pt.Map4K(Root, va + (ulong)i * 0x1000, pa + (ulong)i * 0x1000, flags)) throw new InvalidOperationException("map failed");
            return pa;
        }

        public static byte[] Assemble(Action<Assembler> build, ulong rip)
        {
            var a = new Assembler(64);
            build(a);
            var w = new ByteListWriter();
            a.Assemble(w, rip);
            return w.Bytes.ToArray();
        }

        /// <summary>Assembles at CodeVa, writes the bytes into the code frames and sets RIP.</summary>
        public void Load(Action<Assembler> build) => LoadBytes(Assemble(build, CodeVa));

        public void LoadBytes(byte[] code)
        {
            Mem.Write(CodePa, code);
            Cpu.Rip = CodeVa;
        }

        /// <summary>Loads the code and runs it; the snippet should end with hlt.</summary>
        public StopReason Run(Action<Assembler> build, long budget = 1_000_000)
        {
            Load(build);
            return Cpu.Run(budget);
        }

        public ulong ReadU64(ulong va)
        {
            if (!Cpu.Mmu.TryReadU64(va, out ulong v)) throw new InvalidOperationException($"unmapped 0x{va:x}");
            return v;
        }

        public ulong Reg(Reg r) => Cpu.Gpr[(int)r];

        public bool Flag(ulong bit) => (Cpu.Rflags & bit) != 0;

        public void Dispose() => Mem.Dispose();
    }
}
