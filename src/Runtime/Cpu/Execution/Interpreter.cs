using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KDsl.Runtime.Cpu.Decoding;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Cpu
{
    public sealed unsafe partial class X64Cpu
    {
        // The decoded page RIP is in, valid while the virtual page, the MMU epoch and the page itself are unchanged
        // (writing the page resets _curVpn through the decode cache's callback).
        private ulong _curVpn = ulong.MaxValue;
        private int _curEpoch;
        private DecodedPage? _curPage;
        private DecodedInstruction _crossPage; // an instruction straddling two pages (never cached)

        // InstructionCount and the budget when Run was entered: fields rather than locals, so the loop's few
        // callee-saved registers hold what every instruction uses (see Commit).
        private long _runStart;
        private long _runBudget;

        /// <summary>
        /// Fetches, decodes and executes until something needs the kernel or maxInstructions retire.
        /// Guest faults are delivered through the IDT before returning <see cref="StopReason.Exception"/>.
        /// </summary>
        /// <remarks>
        /// Instructions are decoded once per physical page and chained: each decoded instruction remembers the slot
        /// of its fall-through successor, and a branch inside the page is one slot lookup, so straight-line code and
        /// loops run without re-translating RIP. The loop leaves the page when RIP leaves it, when the page is
        /// written (self-modifying code), or when an instruction changed the translation or privilege level
        /// (<see cref="_curVpn"/> reset). <see cref="InstructionCount"/> is kept in a local and stored at every exit,
        /// so it is exact at each stop.
        /// </remarks>
        [SkipLocalsInit]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public StopReason Run(long maxInstructions)
        {
            _runStart = InstructionCount;
            _runBudget = maxInstructions;
            long remaining = maxInstructions;
            ulong rip = Rip;
            while (remaining > 0)
            {
                DecodedPage? page = _curPage;
                if ((rip >> 12) != _curVpn || _mmu.Epoch != _curEpoch || page == null || !page.Valid)
                {
                    page = FetchPage(rip);
                    if (page == null)
                    {
                        Rip = rip;
                        Commit(remaining);
                        return DeliverPending();
                    }
                }
                ulong vpn = rip >> 12;
                int off = (int)(rip & 0xFFF);
                int slot = page.Slot[off];
                if (slot == 0)
                {
                    slot = _decode.DecodeAt(page, off, rip);
                    if (slot == 0 && !DecodeCrossPage(rip, page))
                    {
                        Rip = rip;
                        Commit(remaining);
                        return DeliverPending();
                    }
                }
                DecodedInstruction[] insns = page.Insns;

                // Chained execution inside this page (slot 0: the one instruction straddling into the next page).
                while (true)
                {
                    ref DecodedInstruction d = ref (slot != 0
                        ? ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(insns), slot - 1)
                        : ref _crossPage);
                    _nextRip = rip + d.Length;

                    bool ok;
                    switch (d.Op)
                    {
                        case Op.MovRR: R(d.RegA) = d.Size == 8 ? R(d.RegB) : (uint)R(d.RegB); ok = true; break;
                        case Op.MovRI: R(d.RegA) = d.Imm; ok = true; break;
                        case Op.MovRM: ok = ExecMovRM(ref d); break;
                        case Op.MovMR: ok = ExecMovMR(ref d); break;
                        case Op.AluRR: ExecAluReg(ref d, R(d.RegB)); ok = true; break;
                        case Op.AluRI: ExecAluReg(ref d, d.Imm); ok = true; break;
                        case Op.AddRR: ExecAddSubCmpReg(ref d, R(d.RegB), LazyOp.Add, true); ok = true; break;
                        case Op.AddRI: ExecAddSubCmpReg(ref d, d.Imm, LazyOp.Add, true); ok = true; break;
                        case Op.SubRR: ExecAddSubCmpReg(ref d, R(d.RegB), LazyOp.Sub, true); ok = true; break;
                        case Op.SubRI: ExecAddSubCmpReg(ref d, d.Imm, LazyOp.Sub, true); ok = true; break;
                        case Op.CmpRR: ExecAddSubCmpReg(ref d, R(d.RegB), LazyOp.Sub, false); ok = true; break;
                        case Op.CmpRI: ExecAddSubCmpReg(ref d, d.Imm, LazyOp.Sub, false); ok = true; break;
                        case Op.IncDecR: ExecIncDecReg(ref d); ok = true; break;
                        case Op.PushR: ok = ExecPushReg(ref d); break;
                        case Op.PopR: ok = ExecPopReg(ref d); break;
                        case Op.MovsxRR:
                        {
                            ulong v = R(d.RegB);
                            v = d.SrcSize == 1 ? (ulong)(sbyte)v : d.SrcSize == 2 ? (ulong)(short)v : (ulong)(int)v;
                            R(d.RegA) = d.Size == 8 ? v : (uint)v;
                            ok = true;
                            break;
                        }
                        case Op.MovzxRR:
                        {
                            ulong v = R(d.RegB);
                            R(d.RegA) = d.SrcSize == 1 ? (byte)v : d.SrcSize == 2 ? (ushort)v : (uint)v;
                            ok = true;
                            break;
                        }
                        case Op.Nop: ok = true; break;
                        case Op.Mov: ok = ExecMov(ref d); break;
                        case Op.Movzx: ok = ExecMovzxMovsx(ref d, false); break;
                        case Op.Movsx: ok = ExecMovzxMovsx(ref d, true); break;
                        case Op.Lea: ExecLea(ref d); ok = true; break;
                        case Op.Add:
                        case Op.Or:
                        case Op.Adc:
                        case Op.Sbb:
                        case Op.And:
                        case Op.Sub:
                        case Op.Xor:
                        case Op.Cmp:
                        case Op.Test: ok = ExecAlu(ref d); break;
                        case Op.Inc: ok = ExecIncDec(ref d, true); break;
                        case Op.Dec: ok = ExecIncDec(ref d, false); break;
                        case Op.Neg: ok = ExecNeg(ref d); break;
                        case Op.Not: ok = ExecNot(ref d); break;
                        case Op.Mul: ok = ExecMul1(ref d, false); break;
                        case Op.Imul1: ok = ExecMul1(ref d, true); break;
                        case Op.Imul2: ok = ExecImulN(ref d, false); break;
                        case Op.Imul3: ok = ExecImulN(ref d, true); break;
                        case Op.Div: ok = ExecDiv(ref d, false); break;
                        case Op.Idiv: ok = ExecDiv(ref d, true); break;
                        case Op.Cbw: ExecCbw(ref d); ok = true; break;
                        case Op.Cwd: ExecCwd(ref d); ok = true; break;
                        case Op.Shl:
                        case Op.Shr:
                        case Op.Sar:
                        case Op.Rol:
                        case Op.Ror:
                        case Op.Rcl:
                        case Op.Rcr: ok = ExecShift(ref d); break;
                        case Op.Bt: ok = ExecBt(ref d, 0); break;
                        case Op.Bts: ok = ExecBt(ref d, 1); break;
                        case Op.Btr: ok = ExecBt(ref d, 2); break;
                        case Op.Btc: ok = ExecBt(ref d, 3); break;
                        case Op.Bsf: ok = ExecBsfBsr(ref d, false); break;
                        case Op.Bsr: ok = ExecBsfBsr(ref d, true); break;
                        case Op.Bswap: ExecBswap(ref d); ok = true; break;
                        case Op.Xadd: ok = ExecXadd(ref d); break;
                        case Op.Cmpxchg: ok = ExecCmpxchg(ref d); break;
                        case Op.Xchg: ok = ExecXchg(ref d); break;
                        case Op.Push: ok = ExecPush(ref d); break;
                        case Op.Pop: ok = ExecPop(ref d); break;
                        case Op.Pushfq: ok = ExecPushf(ref d); break;
                        case Op.Popfq: ok = ExecPopf(ref d); break;
                        case Op.Leave: ok = ExecLeave(); break;
                        case Op.CallRel: ok = ExecCallRel(ref d); break;
                        case Op.CallInd: ok = ExecCallInd(ref d); break;
                        case Op.Ret: ok = ExecRet(ref d); break;
                        case Op.JmpRel: ok = JumpRel(ref d); break;
                        case Op.JmpInd: ok = ExecJmpInd(ref d); break;
                        case Op.Jcc: ok = !Cond(d.Cc) || JumpRel(ref d); break;
                        case Op.Setcc: ok = ExecSetcc(ref d); break;
                        case Op.Cmovcc: ok = ExecCmovcc(ref d); break;
                        case Op.Stos:
                        case Op.Movs:
                        case Op.Lods:
                        case Op.Scas:
                        case Op.Cmps: ok = ExecString(ref d); break;
                        case Op.Cld: _flags &= ~CpuFlags.DF; ok = true; break;
                        case Op.Std: _flags |= CpuFlags.DF; ok = true; break;
                        case Op.Clc: Materialize(); _flags &= ~CpuFlags.CF; ok = true; break;
                        case Op.Stc: Materialize(); _flags |= CpuFlags.CF; ok = true; break;
                        case Op.Cmc: Materialize(); _flags ^= CpuFlags.CF; ok = true; break;
                        case Op.Cli: ok = ExecCliSti(false); break;
                        case Op.Sti: ok = ExecCliSti(true); break;
                        case Op.Swapgs: ok = ExecSwapgs(); break;
                        case Op.Rdmsr: ok = ExecRdmsr(); break;
                        case Op.Wrmsr: ok = ExecWrmsr(); break;
                        case Op.Rdtsc: InstructionCount = _runStart + (_runBudget - remaining); ExecRdtsc(); ok = true; break;
                        case Op.Cpuid: ExecCpuid(); ok = true; break;
                        case Op.MovToCr: ok = ExecMovToCr(ref d); break;
                        case Op.MovFromCr: ok = ExecMovFromCr(ref d); break;
                        case Op.Invlpg: ok = ExecInvlpg(ref d); break;
                        case Op.Iretq: ok = ExecIretq(); break;
                        case Op.Syscall: ExecSyscall(); ok = true; break;
                        case Op.Sysret: ok = ExecSysret(); break;
                        case Op.Hlt:
                            if (!RequireCpl0()) { ok = false; break; }
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
                                ok = false;
                                break;
                            }
                            // A trap: the frame holds the address of the next instruction.
                            Rip = _nextRip;
                            RaiseSoftwareInterrupt(vector);
                            Commit(remaining - 1);
                            return DeliverPending();
                        }
                        default: // Invalid, Ud and anything not implemented
                            ok = Raise(Vectors.UD);
                            break;
                    }
                    if (!ok)
                    {
                        Rip = rip;
                        Commit(remaining);
                        return DeliverPending();
                    }
                    remaining--;
                    ulong next = _nextRip;
                    if (remaining == 0 || slot == 0 || _curVpn != vpn) // _curVpn is reset when the page is written
                    {
                        rip = next;
                        break;
                    }
                    int ns;
                    ulong fall = rip + d.Length;
                    if (next == fall)
                    {
                        ns = d.Next;
                        if (ns == 0)
                        {
                            if ((fall >> 12) != vpn)
                            {
                                rip = next;
                                break;
                            }
                            int o = (int)(fall & 0xFFF);
                            ns = page.Slot[o];
                            if (ns == 0)
                            {
                                ns = _decode.DecodeAt(page, o, fall);
                                if (ns == 0)
                                {
                                    rip = next;
                                    break;
                                }
                                insns = page.Insns; // may have grown
                            }
                            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(insns), slot - 1).Next = (ushort)ns;
                        }
                    }
                    else
                    {
                        if ((next >> 12) != vpn || (ns = page.Slot[(int)(next & 0xFFF)]) == 0)
                        {
                            rip = next;
                            break;
                        }
                    }
                    slot = ns;
                    rip = next;
                }
            }
            Rip = rip;
            return Stop(StopReason.BudgetExhausted, remaining);
        }

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
            _curVpn = ulong.MaxValue; // the next fetch is on the other page anyway
            return true;
        }
    }
}
