using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KDsl.Runtime.Cpu.Decoding;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Cpu
{
    public sealed unsafe partial class X64Cpu
    {
        // The decoded page RIP is in, valid while the virtual page and the MMU epoch are unchanged. Anything that may
        // change what RIP's page decodes to (a store to the frame, a CPL switch, CR0/CR3, invlpg, exception delivery)
        // sets it to null through DropFetchedPage, and the loop re-fetches after the instruction.
        private ulong _curVpn = ulong.MaxValue;
        private int _curEpoch;
        private DecodedPage? _curPage;
        private DecodedInstruction _crossPage; // an instruction straddling two pages (never cached)

        // InstructionCount and the budget when Run was entered: fields rather than locals, so the loop's few
        // callee-saved registers hold what every instruction uses (see Commit).
        private long _runStart;
        private long _runBudget;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void DropFetchedPage()
        {
            _curPage = null;
            _curVpn = ulong.MaxValue;
        }

        /// <summary>
        /// Fetches, decodes and executes until something needs the kernel or maxInstructions retire.
        /// Guest faults are delivered through the IDT before returning <see cref="StopReason.Exception"/>.
        /// </summary>
        /// <remarks>
        /// Instructions are decoded once per physical page, a straight-line run at a time, and stored so that a basic
        /// block is consecutive array elements: after an ordinary instruction the loop steps to the next element, and
        /// a direct branch inside the page keeps its target's slot. Across an instruction only this, the current
        /// instruction, RIP and the remaining budget are live, so they stay in the callee-saved registers around the
        /// handlers' calls; everything else (the page, its slot table) is reloaded on the rarer lookup path.
        /// The loop leaves the page when RIP leaves it or <see cref="_curPage"/> was dropped.
        /// <see cref="InstructionCount"/> is kept in a local and stored at every exit, so it is exact at each stop.
        /// </remarks>
        [SkipLocalsInit]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public StopReason Run(long maxInstructions)
        {
            _runStart = InstructionCount;
            _runBudget = maxInstructions;
            long remaining = maxInstructions;
            ulong rip = Rip;
            if (remaining <= 0) return Stop(StopReason.BudgetExhausted, remaining);

        fetch:
            // Find the decoded instruction at rip: its page (translating for fetch when RIP changed page), its slot.
            DecodedPage? page = _curPage;
            if ((rip >> 12) != _curVpn || _mmu.Epoch != _curEpoch || page == null)
            {
                page = FetchPage(rip);
                if (page == null) goto fault;
            }
            int slot = page.Slot[(int)(rip & 0xFFF)];
            if (slot == 0)
            {
                slot = _decode.DecodeAt(page, (int)(rip & 0xFFF), rip);
                if (slot == 0 && !DecodeCrossPage(rip, page)) goto fault;
            }
            ref DecodedInstruction d = ref (slot != 0
                ? ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(page.Insns), slot - 1)
                : ref _crossPage);

            while (true)
            {
                _nextRip = rip + d.Length;
                // Each case leaves by one of four exits: next (it cannot have dropped the fetched page: registers, loads,
                // flags), seq (it may have: a store that can hit code, a CR, MSR or CPL change), jump (a control
                // transfer, target in _nextRip) or fault (it did not retire; an exception is pending).
                switch (d.Op)
                {
                    case Op.MovRR: R(d.RegA) = d.Size == 8 ? R(d.RegB) : (uint)R(d.RegB); goto next;
                    case Op.MovRI: R(d.RegA) = d.Imm; goto next;
                    case Op.MovRM: if (!ExecMovRM(ref d)) goto fault; goto next;
                    case Op.MovMR: if (!ExecMovMR(ref d)) goto fault; goto seq;
                    case Op.AluRR: ExecAluReg(ref d, R(d.RegB)); goto next;
                    case Op.AluRI: ExecAluReg(ref d, d.Imm); goto next;
                    case Op.AluRM:
                    {
                        if (!Read(EffectiveAddress(ref d), d.Size, out ulong v)) goto fault;
                        ExecAluReg(ref d, v);
                        goto next;
                    }
                    case Op.AddRR: ExecAddSubCmpReg(ref d, R(d.RegB), LazyOp.Add, true); goto next;
                    case Op.AddRI: ExecAddSubCmpReg(ref d, d.Imm, LazyOp.Add, true); goto next;
                    case Op.SubRR: ExecAddSubCmpReg(ref d, R(d.RegB), LazyOp.Sub, true); goto next;
                    case Op.SubRI: ExecAddSubCmpReg(ref d, d.Imm, LazyOp.Sub, true); goto next;
                    case Op.CmpRR: ExecAddSubCmpReg(ref d, R(d.RegB), LazyOp.Sub, false); goto next;
                    case Op.CmpRI: ExecAddSubCmpReg(ref d, d.Imm, LazyOp.Sub, false); goto next;
                    case Op.IncDecR: ExecIncDecReg(ref d); goto next;
                    case Op.PushR: if (!ExecPushReg(ref d)) goto fault; goto seq;
                    case Op.PopR: if (!ExecPopReg(ref d)) goto fault; goto next;
                    case Op.MovsxRR:
                    {
                        ulong v = R(d.RegB);
                        v = d.SrcSize == 1 ? (ulong)(sbyte)v : d.SrcSize == 2 ? (ulong)(short)v : (ulong)(int)v;
                        R(d.RegA) = d.Size == 8 ? v : (uint)v;
                        goto next;
                    }
                    case Op.MovzxRR:
                    {
                        ulong v = R(d.RegB);
                        R(d.RegA) = d.SrcSize == 1 ? (byte)v : d.SrcSize == 2 ? (ushort)v : (uint)v;
                        goto next;
                    }
                    case Op.MovsxRM:
                    {
                        if (!Read(EffectiveAddress(ref d), d.SrcSize, out ulong v)) goto fault;
                        v = d.SrcSize == 1 ? (ulong)(sbyte)v : d.SrcSize == 2 ? (ulong)(short)v : (ulong)(int)v;
                        R(d.RegA) = d.Size == 8 ? v : (uint)v;
                        goto next;
                    }
                    case Op.MovzxRM:
                    {
                        // Read zero-extends to 64 bits already.
                        if (!Read(EffectiveAddress(ref d), d.SrcSize, out ulong v)) goto fault;
                        R(d.RegA) = v;
                        goto next;
                    }
                    case Op.Nop: goto next;
                    case Op.Mov: if (!ExecMov(ref d)) goto fault; goto seq;
                    case Op.Movzx: if (!ExecMovzxMovsx(ref d, false)) goto fault; goto next;
                    case Op.Movsx: if (!ExecMovzxMovsx(ref d, true)) goto fault; goto next;
                    case Op.Lea: ExecLea(ref d); goto next;
                    case Op.Add:
                    case Op.Or:
                    case Op.Adc:
                    case Op.Sbb:
                    case Op.And:
                    case Op.Sub:
                    case Op.Xor:
                    case Op.Cmp:
                    case Op.Test: if (!ExecAlu(ref d)) goto fault; goto seq;
                    case Op.Inc: if (!ExecIncDec(ref d, true)) goto fault; goto seq;
                    case Op.Dec: if (!ExecIncDec(ref d, false)) goto fault; goto seq;
                    case Op.Neg: if (!ExecNeg(ref d)) goto fault; goto seq;
                    case Op.Not: if (!ExecNot(ref d)) goto fault; goto seq;
                    case Op.Mul: if (!ExecMul1(ref d, false)) goto fault; goto next;
                    case Op.Imul1: if (!ExecMul1(ref d, true)) goto fault; goto next;
                    case Op.Imul2: if (!ExecImulN(ref d, false)) goto fault; goto next;
                    case Op.Imul3: if (!ExecImulN(ref d, true)) goto fault; goto next;
                    case Op.Div: if (!ExecDiv(ref d, false)) goto fault; goto next;
                    case Op.Idiv: if (!ExecDiv(ref d, true)) goto fault; goto next;
                    case Op.Cbw: ExecCbw(ref d); goto next;
                    case Op.Cwd: ExecCwd(ref d); goto next;
                    case Op.Shl:
                    case Op.Shr:
                    case Op.Sar:
                    case Op.Rol:
                    case Op.Ror:
                    case Op.Rcl:
                    case Op.Rcr: if (!ExecShift(ref d)) goto fault; goto seq;
                    case Op.Bt: if (!ExecBt(ref d, 0)) goto fault; goto seq;
                    case Op.Bts: if (!ExecBt(ref d, 1)) goto fault; goto seq;
                    case Op.Btr: if (!ExecBt(ref d, 2)) goto fault; goto seq;
                    case Op.Btc: if (!ExecBt(ref d, 3)) goto fault; goto seq;
                    case Op.Bsf: if (!ExecBsfBsr(ref d, false)) goto fault; goto next;
                    case Op.Bsr: if (!ExecBsfBsr(ref d, true)) goto fault; goto next;
                    case Op.Bswap: ExecBswap(ref d); goto next;
                    case Op.Xadd: if (!ExecXadd(ref d)) goto fault; goto seq;
                    case Op.Cmpxchg: if (!ExecCmpxchg(ref d)) goto fault; goto seq;
                    case Op.Cmpxchg8b: if (!ExecCmpxchg8b16b(ref d)) goto fault; goto seq;
                    case Op.Xchg: if (!ExecXchg(ref d)) goto fault; goto seq;
                    case Op.Push: if (!ExecPush(ref d)) goto fault; goto seq;
                    case Op.Pop: if (!ExecPop(ref d)) goto fault; goto seq;
                    case Op.Pushfq: if (!ExecPushf(ref d)) goto fault; goto seq;
                    case Op.Popfq: if (!ExecPopf(ref d)) goto fault; goto next;
                    case Op.Leave: if (!ExecLeave()) goto fault; goto next;
                    case Op.Setcc: if (!ExecSetcc(ref d)) goto fault; goto seq;
                    case Op.Cmovcc: if (!ExecCmovcc(ref d)) goto fault; goto next;
                    case Op.Stos:
                    case Op.Movs:
                    case Op.Lods:
                    case Op.Scas:
                    case Op.Cmps: if (!ExecString(ref d)) goto fault; goto seq;
                    case Op.Cld: _flags &= ~CpuFlags.DF; goto next;
                    case Op.Std: _flags |= CpuFlags.DF; goto next;
                    case Op.Clc: Materialize(); _flags &= ~CpuFlags.CF; goto next;
                    case Op.Stc: Materialize(); _flags |= CpuFlags.CF; goto next;
                    case Op.Cmc: Materialize(); _flags ^= CpuFlags.CF; goto next;
                    case Op.Cli: if (!ExecCliSti(false)) goto fault; goto seq;
                    case Op.Sti: if (!ExecCliSti(true)) goto fault; goto seq;
                    case Op.Stac: if (!ExecStacClac(true)) goto fault; goto next;
                    case Op.Clac: if (!ExecStacClac(false)) goto fault; goto next;
                    case Op.Swapgs: if (!ExecSwapgs()) goto fault; goto seq;
                    case Op.Rdmsr: if (!ExecRdmsr()) goto fault; goto seq;
                    case Op.Wrmsr: if (!ExecWrmsr()) goto fault; goto seq;
                    case Op.Rdtsc: Commit(remaining); ExecRdtsc(); goto next;
                    case Op.Cpuid: ExecCpuid(); goto next;
                    case Op.MovToCr: if (!ExecMovToCr(ref d)) goto fault; goto seq;
                    case Op.MovFromCr: if (!ExecMovFromCr(ref d)) goto fault; goto next;
                    case Op.Invlpg: if (!ExecInvlpg(ref d)) goto fault; goto seq;

                    // Control transfers: the handler leaves the target in _nextRip.
                    case Op.Jcc:
                        if (!Cond(d.Cc)) goto next;
                        goto case Op.JmpRel;
                    case Op.JmpRel: if (!JumpRel(ref d)) goto fault; goto jump;
                    case Op.CallRel: if (!ExecCallRel(ref d)) goto fault; goto jump;
                    case Op.Ret: if (!ExecRet(ref d)) goto fault; goto jump;
                    case Op.JmpInd: if (!ExecJmpInd(ref d)) goto fault; goto jump;
                    case Op.CallInd: if (!ExecCallInd(ref d)) goto fault; goto jump;
                    case Op.Iretq: if (!ExecIretq()) goto fault; goto jump;
                    case Op.Syscall: ExecSyscall(); goto jump;
                    case Op.Sysret: if (!ExecSysret()) goto fault; goto jump;

                    // Instructions that end the run.
                    case Op.Hlt:
                        if (!RequireCpl0()) goto fault;
                        Rip = _nextRip;
                        return Stop(StopReason.Halt, remaining - 1);
                    case Op.Vmcall:
                        Rip = _nextRip;
                        return Stop(StopReason.Hypercall, remaining - 1);
                    case Op.Int3:
                    case Op.IntN:
                    {
                        int vector = d.Op == Op.Int3 ? Vectors.BP : (int)(d.Imm & 0xFF);
                        ref IdtGate g = ref Idt[vector];
                        // SDM INT n: a descriptor that is not a gate (an all-zero, not-present entry) or whose DPL < CPL: #GP(n*8+2).
                        if (!g.Present || g.Dpl < _cpl)
                        {
                            Raise(Vectors.GP, (uint)(vector << 3) | 2);
                            goto fault;
                        }
                        // A trap: the frame holds the address of the next instruction.
                        Rip = _nextRip;
                        RaiseSoftwareInterrupt(vector);
                        Commit(remaining - 1);
                        return DeliverPending();
                    }
                    case Op.Unimplemented:
                        UnimplementedMnemonic = ((Iced.Intel.Mnemonic)d.Imm).ToString().ToLowerInvariant();
                        Rip = rip;
                        return Stop(StopReason.Unimplemented, remaining);
                    default: // Invalid (no x86-64 instruction) and Ud
                        Raise(Vectors.UD);
                        goto fault;
                }

            seq:
                // An ordinary instruction retired that may have dropped the page (a store to code, a CR or CPL change).
                if (_curPage == null)
                {
                    rip += d.Length;
                    if (--remaining == 0) goto budget;
                    goto fetch;
                }
            next:
                // An ordinary instruction retired: its successor is usually the next element of the array.
                rip += d.Length;
                if (--remaining == 0) goto budget;
                if (d.FallsToNext != 0)
                {
                    d = ref Unsafe.Add(ref d, 1);
                    continue;
                }
                goto lookup;

            jump:
                // A control transfer retired; the target is in _nextRip.
                rip = _nextRip;
                if (--remaining == 0) goto budget;
                if (_curPage == null) goto fetch;
                if (d.Target != 0)
                {
                    d = ref FetchedInsn(d.Target);
                    continue;
                }
                {
                    int s = SlotInFetchedPage(rip);
                    if (s == 0) goto fetch;
                    // A direct branch's target at a fixed offset in this page: remember its slot.
                    if (d.Op == Op.Jcc || d.Op == Op.JmpRel || d.Op == Op.CallRel) d.Target = (ushort)s;
                    d = ref FetchedInsn(s);
                    continue;
                }

            lookup:
                // Fall-through to code decoded earlier (or not yet): look the successor up in the page.
                {
                    int s = SlotInFetchedPage(rip);
                    if (s == 0) goto fetch;
                    d = ref FetchedInsn(s);
                }
            }

        budget:
            Rip = rip;
            return Stop(StopReason.BudgetExhausted, 0);

        fault:
            // The instruction at rip did not retire; its exception is pending.
            Rip = rip;
            Commit(remaining);
            return DeliverPending();
        }

        /// <summary>The slot (index + 1) of the decoded instruction at rip in the fetched page; 0 when rip is elsewhere or not decoded.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int SlotInFetchedPage(ulong rip)
        {
            DecodedPage? page = _curPage;
            return page != null && (rip >> 12) == _curVpn ? page.Slot[(int)(rip & 0xFFF)] : 0;
        }

        /// <summary>The fetched page's instruction in slot (index + 1); the page must be current.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref DecodedInstruction FetchedInsn(int slot) =>
            ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_curPage!.Insns), slot - 1);

        /// <summary>Stores the instruction count the loop kept in a local (remaining: the budget not retired).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Commit(long remaining)
        {
            InstructionCount = _runStart + (_runBudget - remaining);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private StopReason Stop(StopReason reason, long remaining)
        {
            Commit(remaining);
            return reason;
        }

        /// <summary>Translates RIP for fetch and returns its decoded page, or null with a pending fault.</summary>
        private DecodedPage? FetchPage(ulong rip)
        {
            ulong vpn = rip >> 12;
            ref TlbEntry e = ref _fx[(int)(vpn & Tlb.IndexMask)];
            ulong pa;
            if (e.Tag == vpn)
            {
                e.Hits++;
                pa = (ulong)((byte*)(e.Addend + (nint)rip) - _ram);
            }
            else if (!TranslateOrFault(rip, Access.Execute, out pa))
            {
                return null;
            }
            DecodedPage page = _decode.GetPage(pa >> PhysicalMemory.PageShift);
            _curPage = page;
            _curVpn = vpn;
            _curEpoch = _mmu.Epoch;
            return page;
        }

        /// <summary>Decodes an instruction that continues on the next page into <see cref="_crossPage"/>.</summary>
        private bool DecodeCrossPage(ulong rip, DecodedPage page)
        {
            int off = (int)(rip & 0xFFF);
            int first = 0x1000 - off;
            byte* buf = stackalloc byte[16];
            byte* src = _ram + (page.Pfn << PhysicalMemory.PageShift) + off;
            for (int i = 0; i < first; i++) buf[i] = src[i];
            ulong next = (rip | 0xFFF) + 1;
            if (!TranslateOrFault(next, Access.Execute, out ulong pa1)) return false;
            int rest = 15 - first;
            for (int i = 0; i < rest; i++) buf[first + i] = _ram[pa1 + (ulong)i];
            _decode.DecodeBuffer(buf, 15, rip, ref _crossPage, out _);
            DropFetchedPage(); // the loop re-fetches after this one instruction: the next is on the other page
            return true;
        }
    }
}
