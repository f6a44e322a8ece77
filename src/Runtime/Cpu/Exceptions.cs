using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Cpu
{
    /// <summary>Exception delivery as the hardware does it in 64-bit mode (Intel SDM vol. 3, 6.14 and table 6-5).</summary>
    public sealed unsafe partial class X64Cpu
    {
        private const int MaxNestedDeliveries = 4;

        /// <summary>
        /// Delivers the pending exception of the current instruction. RIP/RSP/RFLAGS are still those of the
        /// faulting instruction (traps already advanced RIP). Returns Exception or TripleFault.
        /// </summary>
        private StopReason DeliverPending()
        {
            ulong rip = Rip;
            ulong rsp = R(RspIndex);
            ulong rflags = Rflags;
            ushort cs = _cs;
            ushort ss = Ss;
            int vector = _pendVector;
            uint error = _pendError;
            bool hasError = _pendHasError;
            bool software = _pendSoftware;
            DropFetchedPage();

            for (int attempt = 0; attempt < MaxNestedDeliveries; attempt++)
            {
                if (TryDeliver(vector, error, hasError, software, rip, rsp, rflags, cs, ss, out int v2, out uint e2, out ulong frameRsp))
                {
                    _lastException = new ExceptionInfo
                    {
                        Vector = vector,
                        ErrorCode = error,
                        HasErrorCode = hasError,
                        FaultRip = rip,
                        FaultRsp = rsp,
                        FaultRflags = rflags,
                        FaultCs = cs,
                        FaultSs = ss,
                        FrameRsp = frameRsp,
                        Cr2 = Cr2,
                    };
                    return StopReason.Exception;
                }

                // A second exception while delivering the first (SDM table 6-5).
                if (vector == Vectors.DF) break;
                bool firstPf = vector == Vectors.PF;
                bool firstContributory = Vectors.IsContributory(vector);
                bool secondPf = v2 == Vectors.PF;
                bool secondContributory = Vectors.IsContributory(v2);
                if ((firstPf && (secondPf || secondContributory)) || (firstContributory && secondContributory))
                {
                    vector = Vectors.DF;
                    error = 0;
                    hasError = true;
                }
                else
                {
                    vector = v2;
                    error = e2;
                    hasError = Vectors.HasErrorCode(v2);
                }
                software = false;
            }

            _lastException = new ExceptionInfo
            {
                Vector = Vectors.DF,
                ErrorCode = 0,
                HasErrorCode = true,
                FaultRip = rip,
                FaultRsp = rsp,
                FaultRflags = rflags,
                FaultCs = cs,
                FaultSs = ss,
                FrameRsp = 0,
                Cr2 = Cr2,
            };
            return StopReason.TripleFault;
        }

        /// <summary>Pushes the frame and enters the handler, or reports the exception that delivery itself raised.</summary>
        private bool TryDeliver(int vector, uint error, bool hasError, bool software, ulong rip, ulong rsp, ulong rflags,
            ushort cs, ushort ss, out int nestedVector, out uint nestedError, out ulong frameRsp)
        {
            nestedVector = 0;
            nestedError = 0;
            frameRsp = 0;
            ref IdtGate gate = ref Idt[vector & 0xFF];
            uint idtError = (uint)(vector << 3) | 2; // IDT flag
            if (!gate.Present)
            {
                nestedVector = Vectors.NP;
                nestedError = idtError;
                return false;
            }
            if (software && gate.Dpl < _cpl)
            {
                nestedVector = Vectors.GP;
                nestedError = idtError;
                return false;
            }
            if (!Canonical(gate.HandlerAddress))
            {
                nestedVector = Vectors.GP;
                nestedError = 0;
                return false;
            }

            int oldCpl = cs & 3;
            ulong stack;
            if (gate.Ist != 0) stack = Tss.Ist[gate.Ist & 7];
            else if (oldCpl != 0) stack = Tss.Rsp0;
            else stack = rsp;
            stack &= ~0xFUL;

            int slots = hasError ? 6 : 5;
            ulong top = stack - (ulong)(slots * 8);
            if (!Canonical(stack - 8) || !Canonical(top))
            {
                nestedVector = Vectors.SS;
                nestedError = 0;
                return false;
            }

            // Translate every slot first (in push order) so a failed delivery writes nothing.
            ulong* pas = stackalloc ulong[6];
            for (int i = 0; i < slots; i++)
            {
                ulong va = stack - (ulong)((i + 1) * 8);
                TranslateStatus st = _mmu.Translate(va, Access.Write, 0, out ulong pa, out uint pfErr);
                if (st != TranslateStatus.Ok)
                {
                    if (st == TranslateStatus.NonCanonical)
                    {
                        nestedVector = Vectors.SS;
                        nestedError = 0;
                        return false;
                    }
                    Cr2 = va;
                    nestedVector = Vectors.PF;
                    nestedError = pfErr;
                    return false;
                }
                pas[i] = pa;
            }

            ulong* values = stackalloc ulong[6];
            values[0] = ss;
            values[1] = rsp;
            values[2] = rflags;
            values[3] = cs;
            values[4] = rip;
            values[5] = error;
            for (int i = 0; i < slots; i++)
            {
                ulong pfn = pas[i] >> PhysicalMemory.PageShift;
                if (_mem.IsCodePage(pfn)) _mem.NotifyCodeWrite(pfn);
                *(ulong*)(_ram + pas[i]) = values[i];
            }

            frameRsp = top;
            R(RspIndex) = top;
            Cs = Selectors.KernelCs;
            if (oldCpl != 0) Ss = 0; // 64-bit mode loads a NULL SS on a privilege change
            ulong nf = rflags & ~(CpuFlags.TF | CpuFlags.NT | CpuFlags.RF);
            if (!gate.Trap) nf &= ~CpuFlags.IF;
            Rflags = nf;
            Rip = gate.HandlerAddress;
            return true;
        }

        /// <summary>
        /// Delivers an exception or interrupt now (from the kernel's C# code), as if raised by the instruction
        /// at RIP. For a software-style trap set RIP past the instruction first.
        /// </summary>
        public StopReason DeliverException(int vector, uint errorCode = 0)
        {
            _pendVector = vector;
            _pendError = errorCode;
            _pendHasError = Vectors.HasErrorCode(vector);
            _pendSoftware = false;
            return DeliverPending();
        }

        /// <summary>Pops the error code a handler found on the stack (RSP += 8), before <see cref="Iret"/>.</summary>
        public void DiscardErrorCode() => R(RspIndex) += 8;

        /// <summary>
        /// iretq from the kernel's C# handler: pops RIP, CS, RFLAGS, RSP, SS from the current stack (supervisor
        /// reads). Call <see cref="DiscardErrorCode"/> first when the frame has an error code. False if the
        /// frame cannot be read (state unchanged).
        /// </summary>
        public bool Iret(bool discardErrorCode = false)
        {
            ulong sp = R(RspIndex) + (discardErrorCode ? 8UL : 0);
            ulong* v = stackalloc ulong[5];
            for (int i = 0; i < 5; i++)
            {
                if (!_mmu.TryReadU64(sp + (ulong)(i * 8), out v[i])) return false;
            }
            ApplyIret(v[0], (ushort)v[1], v[2], v[3], (ushort)v[4]);
            return true;
        }

        private void ApplyIret(ulong rip, ushort cs, ulong rflags, ulong rsp, ushort ss)
        {
            Rip = rip;
            Cs = cs;
            Rflags = rflags;
            R(RspIndex) = rsp;
            Ss = ss;
            DropFetchedPage();
        }

        /// <summary>The guest's iretq instruction.</summary>
        private bool ExecIretq()
        {
            ulong sp = R(RspIndex);
            ulong rip, cs, fl, rsp, ss;
            if (!Read64(sp, out rip) || !Read64(sp + 8, out cs) || !Read64(sp + 16, out fl) ||
                !Read64(sp + 24, out rsp) || !Read64(sp + 32, out ss)) return false;
            int newCpl = (int)(cs & 3);
            if (newCpl < _cpl || (newCpl != 0 && newCpl != 3)) return Raise(Vectors.GP, (uint)(cs & 0xFFFC));
            if (!Canonical(rip)) return Raise(Vectors.GP, 0);
            if (_cpl != 0)
            {
                // IF and IOPL are not changed from CPL 3 (IOPL 0).
                fl = (fl & ~(CpuFlags.IF | CpuFlags.IOPL)) | (Rflags & (CpuFlags.IF | CpuFlags.IOPL));
            }
            ApplyIret(rip, (ushort)cs, fl, rsp, (ushort)ss);
            _nextRip = rip;
            return true;
        }
    }
}
