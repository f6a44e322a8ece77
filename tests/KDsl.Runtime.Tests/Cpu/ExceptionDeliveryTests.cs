using Iced.Intel;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Memory;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Cpu
{
    [TestFixture]
    public class ExceptionDeliveryTests : GuestTest
    {
        /// <summary>Reads the five-or-six-slot frame at FrameRsp and checks it against ExceptionInfo.</summary>
        private void AssertFrame(ExceptionInfo e)
        {
            ulong sp = e.FrameRsp;
            if (e.HasErrorCode)
            {
                Assert.That(_g.ReadU64(sp), Is.EqualTo((ulong)e.ErrorCode), "error code slot");
                sp += 8;
            }
            Assert.Multiple(() =>
            {
                Assert.That(_g.ReadU64(sp), Is.EqualTo(e.FaultRip), "RIP slot");
                Assert.That(_g.ReadU64(sp + 8), Is.EqualTo((ulong)e.FaultCs), "CS slot");
                Assert.That(_g.ReadU64(sp + 16), Is.EqualTo(e.FaultRflags), "RFLAGS slot");
                Assert.That(_g.ReadU64(sp + 24), Is.EqualTo(e.FaultRsp), "RSP slot");
                Assert.That(_g.ReadU64(sp + 32), Is.EqualTo((ulong)e.FaultSs), "SS slot");
            });
        }

        [Test]
        public void WriteToReadOnlyPage_PageFault_ErrorCode3()
        {
            const ulong roVa = 0xffff_8880_0020_0000UL;
            _g.MapNew(roVa, 1, PteFlags.Present | PteFlags.NoExecute);
            StopReason r = _g.Run(a => { a.mov(rax, unchecked((long)roVa)); a.mov(__qword_ptr[rax + 8], 1); a.hlt(); });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            ref readonly ExceptionInfo e = ref _g.Cpu.LastException;
            Assert.That(e.Vector, Is.EqualTo(Vectors.PF));
            Assert.That(e.ErrorCode, Is.EqualTo(PfError.Prot | PfError.Write));
            Assert.That(e.HasErrorCode, Is.True);
            Assert.That(e.Cr2, Is.EqualTo(roVa + 8));
            Assert.That(_g.Cpu.Cr2, Is.EqualTo(roVa + 8));
            Assert.That(e.FaultRip, Is.EqualTo(GuestFixture.CodeVa + 10), "mov rax, imm64 is 10 bytes");
            Assert.That(_g.Cpu.Rip, Is.EqualTo(GuestFixture.Handler(Vectors.PF)));
            Assert.That(_g.Cpu.Cs, Is.EqualTo(Selectors.KernelCs));
            // No IST, same CPL: the frame sits on the current (16-aligned) stack.
            Assert.That(e.FrameRsp, Is.EqualTo(GuestFixture.StackTop - 48));
            Assert.That(_g.Cpu.Rsp, Is.EqualTo(e.FrameRsp));
            AssertFrame(e);
        }

        [Test]
        public void UnmappedRead_PageFault_NotPresent_WithCr2()
        {
            const ulong va = 0xffff_8880_0700_0123UL;
            StopReason r = _g.Run(a => { a.mov(rbx, unchecked((long)va)); a.mov(rax, __qword_ptr[rbx]); a.hlt(); });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            ref readonly ExceptionInfo e = ref _g.Cpu.LastException;
            Assert.That(e.Vector, Is.EqualTo(Vectors.PF));
            Assert.That(e.ErrorCode, Is.EqualTo(0u), "supervisor read of a not-present page");
            Assert.That(e.Cr2, Is.EqualTo(va));
            AssertFrame(e);
        }

        [Test]
        public void FetchFromNxPage_PageFault_InstrBit()
        {
            // The data mapping is NX; jump into it.
            _g.Mem.WriteU8(_g.DataPa, 0x90);
            StopReason r = _g.Run(a => { a.mov(rax, unchecked((long)GuestFixture.DataVa)); a.jmp(rax); });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            ref readonly ExceptionInfo e = ref _g.Cpu.LastException;
            Assert.That(e.Vector, Is.EqualTo(Vectors.PF));
            Assert.That(e.ErrorCode, Is.EqualTo(PfError.Prot | PfError.Instr));
            Assert.That(e.Cr2, Is.EqualTo(GuestFixture.DataVa));
            Assert.That(e.FaultRip, Is.EqualTo(GuestFixture.DataVa));
        }

        [Test]
        public void InterruptGate_ClearsIF_AndFrameKeepsIt()
        {
            _g.Cpu.Rflags = CpuFlags.IF;
            StopReason r = _g.Run(a => { a.ud2(); });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.UD));
            Assert.That(_g.Cpu.LastException.FaultRflags & CpuFlags.IF, Is.Not.Zero);
            Assert.That(_g.Cpu.Rflags & CpuFlags.IF, Is.Zero);
        }

        [Test]
        public void InvalidOpcodeBytes_RaiseUD()
        {
            // 0x06 (push es) is invalid in 64-bit mode.
            _g.LoadBytes(new byte[] { 0x90, 0x06, 0xF4 });
            StopReason r = _g.Cpu.Run(100);
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.UD));
            Assert.That(_g.Cpu.LastException.HasErrorCode, Is.False);
            Assert.That(_g.Cpu.LastException.FaultRip, Is.EqualTo(GuestFixture.CodeVa + 1));
            Assert.That(_g.Cpu.LastException.FrameRsp, Is.EqualTo(GuestFixture.StackTop - 40));
        }

        [Test]
        public void UnimplementedInstruction_StopsTheRunWithoutAnException()
        {
            // addps is a valid SSE instruction the real CPU runs: no #UD is delivered for it (CpuFeatureTests has more)
            StopReason r = _g.Run(a => { a.addps(xmm0, xmm1); a.hlt(); });
            Assert.That(r, Is.EqualTo(StopReason.Unimplemented));
            Assert.That(_g.Cpu.UnimplementedMnemonic, Is.EqualTo("addps"));
            Assert.That(_g.Cpu.Rip, Is.EqualTo(GuestFixture.CodeVa));
        }

        [Test]
        public void Int3_IsATrap_FrameHoldsNextRip()
        {
            StopReason r = _g.Run(a => { a.nop(); a.int3(); a.hlt(); });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.BP));
            Assert.That(_g.Cpu.LastException.FaultRip, Is.EqualTo(GuestFixture.CodeVa + 2));
        }

        [Test]
        public void NonCanonicalAccess_RaisesGP0()
        {
            StopReason r = _g.Run(a => { a.mov(rax, 0x0000_8000_0000_0000L); a.mov(rbx, __qword_ptr[rax]); a.hlt(); });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.GP));
            Assert.That(_g.Cpu.LastException.ErrorCode, Is.EqualTo(0u));
            Assert.That(_g.Cpu.LastException.HasErrorCode, Is.True);
        }

        [Test]
        public void Vmcall_StopsWithHypercall_RipAfterIt_AndResumes()
        {
            _g.Load(a => { a.mov(eax, 42); a.vmcall(); a.add(eax, 1); a.hlt(); });
            Assert.That(_g.Cpu.Run(1000), Is.EqualTo(StopReason.Hypercall));
            Assert.That(_g.Cpu.Rip, Is.EqualTo(GuestFixture.CodeVa + 5 + 3));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(42UL));
            _g.Cpu.Gpr[(int)Reg.Rax] = 100; // the kernel's reply
            Assert.That(_g.Cpu.Run(1000), Is.EqualTo(StopReason.Halt));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(101UL));
        }

        [Test]
        public void Budget_Exhaustion_Stops_AndCountsInstructions()
        {
            _g.Load(a => { var l = a.CreateLabel(); a.Label(ref l); a.jmp(l); });
            long before = _g.Cpu.InstructionCount;
            Assert.That(_g.Cpu.Run(1234), Is.EqualTo(StopReason.BudgetExhausted));
            Assert.That(_g.Cpu.InstructionCount - before, Is.EqualTo(1234));
            Assert.That(_g.Cpu.Rip, Is.EqualTo(GuestFixture.CodeVa));
        }

        [Test]
        public void Budget_OfOne_StepsThroughALinkedLoop()
        {
            // mov ecx, 5 (5 bytes) | xor eax, eax (2) | L: add eax, ecx (2) | dec ecx (2) | jnz L (2) | hlt:
            // stepping one instruction per Run must stop exactly where the decoded run and the branch link lead.
            _g.Load(a =>
            {
                var l = a.CreateLabel();
                a.mov(ecx, 5); a.xor(eax, eax);
                a.Label(ref l);
                a.add(eax, ecx); a.dec(ecx); a.jnz(l);
                a.hlt();
            });
            var expected = new System.Collections.Generic.List<ulong> { 5, 7 };
            for (int i = 0; i < 5; i++) expected.AddRange(new ulong[] { 9, 11, i < 4 ? 7UL : 13UL });
            long before = _g.Cpu.InstructionCount;
            foreach (ulong offset in expected)
            {
                Assert.That(_g.Cpu.Run(1), Is.EqualTo(StopReason.BudgetExhausted));
                Assert.That(_g.Cpu.Rip, Is.EqualTo(GuestFixture.CodeVa + offset));
            }
            Assert.That(_g.Cpu.InstructionCount - before, Is.EqualTo(17));
            Assert.That(_g.Cpu.Run(1), Is.EqualTo(StopReason.Halt));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(15UL)); // 5 + 4 + 3 + 2 + 1
        }

        [Test]
        public void UserMode_ReadOfKernelPage_PF_UserProt_OnRsp0Stack()
        {
            ulong userCodePa = _g.MapNew(GuestFixture.UserCodeVa, 1, PteFlags.Present | PteFlags.User);
            _g.MapNew(GuestFixture.UserStackTop - 0x1000, 1, PteFlags.Present | PteFlags.Writable | PteFlags.User | PteFlags.NoExecute);
            byte[] code = GuestFixture.Assemble(a => { a.mov(rax, unchecked((long)GuestFixture.DataVa)); a.mov(rbx, __qword_ptr[rax]); a.hlt(); },
                GuestFixture.UserCodeVa);
            _g.Mem.Write(userCodePa, code);
            _g.Cpu.SetUserMode(GuestFixture.UserCodeVa, GuestFixture.UserStackTop - 8);
            Assert.That(_g.Cpu.Cpl, Is.EqualTo(3));
            StopReason r = _g.Cpu.Run(100);
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            ref readonly ExceptionInfo e = ref _g.Cpu.LastException;
            Assert.That(e.Vector, Is.EqualTo(Vectors.PF));
            Assert.That(e.ErrorCode, Is.EqualTo(PfError.Prot | PfError.User));
            Assert.That(e.FaultCs, Is.EqualTo(Selectors.UserCs));
            Assert.That(e.FaultSs, Is.EqualTo(Selectors.UserDs));
            Assert.That(e.FaultRsp, Is.EqualTo(GuestFixture.UserStackTop - 8));
            Assert.That(e.FrameRsp, Is.EqualTo(GuestFixture.Rsp0Top - 48), "CPL 3->0 switches to TSS.RSP0");
            Assert.That(_g.Cpu.Cpl, Is.EqualTo(0));
            AssertFrame(e);

            // The kernel "fixes" it by skipping the instruction and returning to user mode.
            _g.Cpu.DiscardErrorCode();
            Assert.That(_g.Cpu.Mmu.TryWriteU64(_g.Cpu.Rsp, e.FaultRip + 3), Is.True); // mov rbx,[rax] is 3 bytes
            Assert.That(_g.Cpu.Iret(), Is.True);
            Assert.That(_g.Cpu.Cpl, Is.EqualTo(3));
            Assert.That(_g.Cpu.Rsp, Is.EqualTo(GuestFixture.UserStackTop - 8));
            // hlt at CPL 3 is privileged: #GP(0).
            Assert.That(_g.Cpu.Run(10), Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.GP));
        }

        [Test]
        public void Syscall_EntersLstarAtCpl0_SysretReturns()
        {
            ulong userCodePa = _g.MapNew(GuestFixture.UserCodeVa, 1, PteFlags.Present | PteFlags.User);
            byte[] user = GuestFixture.Assemble(a => { a.mov(eax, 7); a.syscall(); a.add(eax, 1); a.hlt(); }, GuestFixture.UserCodeVa);
            _g.Mem.Write(userCodePa, user);
            _g.Load(a => { a.mov(eax, 40); a.vmcall(); a.sysretq(); });
            _g.Cpu.Lstar = GuestFixture.CodeVa;
            _g.Cpu.Rflags = CpuFlags.IF;
            _g.Cpu.SetUserMode(GuestFixture.UserCodeVa, GuestFixture.UserStackTop);

            Assert.That(_g.Cpu.Run(100), Is.EqualTo(StopReason.Hypercall));
            Assert.That(_g.Cpu.Cpl, Is.EqualTo(0));
            Assert.That(_g.Cpu.Cs, Is.EqualTo(Selectors.KernelCs));
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(GuestFixture.UserCodeVa + 5 + 2), "RCX = the instruction after syscall");
            Assert.That(_g.Reg(Reg.R11) & CpuFlags.IF, Is.Not.Zero, "R11 = the user RFLAGS");
            Assert.That(_g.Cpu.Rflags & CpuFlags.IF, Is.Zero, "FMASK clears IF");

            // sysretq back to user mode, where hlt is privileged.
            Assert.That(_g.Cpu.Run(100), Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.GP));
            Assert.That(_g.Cpu.LastException.FaultCs, Is.EqualTo(Selectors.UserCs));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(41UL));
        }

        // ---------------- the stack-overflow double fault ----------------

        private ulong _storeRip;

        private StopReason RunStoreBelowStack(ulong sp)
        {
            _g.Load(a =>
            {
                a.mov(rsp, (long)sp);
                a.mov(__byte_ptr[rsp - 0x10], 0);
                a.hlt();
            });
            _storeRip = GuestFixture.CodeVa + 10;
            return _g.Cpu.Run(100);
        }

        [Test]
        public void StackOverflow_Aligned_DoubleFaultOnIst1_Cr2IsRspMinus8()
        {
            ulong sp = GuestFixture.StackBottom; // 16-aligned, the page below is unmapped
            StopReason r = RunStoreBelowStack(sp);
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            ref readonly ExceptionInfo e = ref _g.Cpu.LastException;
            Assert.That(e.Vector, Is.EqualTo(Vectors.DF));
            Assert.That(e.ErrorCode, Is.EqualTo(0u));
            Assert.That(e.HasErrorCode, Is.True);
            Assert.That(e.Cr2, Is.EqualTo(sp - 8), "CR2 = the failing push of the #PF frame");
            Assert.That(_g.Cpu.Cr2, Is.EqualTo(sp - 8));
            Assert.That(e.FaultRip, Is.EqualTo(_storeRip), "the original faulting instruction");
            Assert.That(e.FaultRsp, Is.EqualTo(sp));
            Assert.That(e.FrameRsp, Is.EqualTo(GuestFixture.DfStackTop - 48), "IST1 stack");
            Assert.That(_g.Cpu.Rsp, Is.EqualTo(e.FrameRsp));
            Assert.That(_g.Cpu.Rip, Is.EqualTo(GuestFixture.Handler(Vectors.DF)));
            AssertFrame(e);
        }

        [Test]
        public void StackOverflow_RspEightModSixteen_Cr2IsRspMinus16()
        {
            ulong sp = GuestFixture.StackBottom + 8;
            StopReason r = RunStoreBelowStack(sp);
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            ref readonly ExceptionInfo e = ref _g.Cpu.LastException;
            Assert.That(e.Vector, Is.EqualTo(Vectors.DF));
            Assert.That(e.Cr2, Is.EqualTo(sp - 16));
            Assert.That(e.FaultRip, Is.EqualTo(_storeRip));
            Assert.That(e.FaultRsp, Is.EqualTo(sp));
            AssertFrame(e);
        }

        [Test]
        public void StackOverflow_PushAtStackBottom_DoubleFault()
        {
            _g.Load(a => { a.mov(rsp, unchecked((long)GuestFixture.StackBottom)); a.push(rbp); a.hlt(); });
            Assert.That(_g.Cpu.Run(100), Is.EqualTo(StopReason.Exception));
            ref readonly ExceptionInfo e = ref _g.Cpu.LastException;
            Assert.That(e.Vector, Is.EqualTo(Vectors.DF));
            Assert.That(e.Cr2, Is.EqualTo(GuestFixture.StackBottom - 8));
            Assert.That(e.FaultRip, Is.EqualTo(GuestFixture.CodeVa + 10));
            Assert.That(e.FaultRsp, Is.EqualTo(GuestFixture.StackBottom), "push had no effect");
        }

        [Test]
        public void StoreBelowStack_WithRoomForTheFrame_IsAPlainPageFault()
        {
            // RSP well above the guard page: the #PF frame fits, so no #DF.
            ulong sp = GuestFixture.StackBottom + 0x100;
            _g.Load(a => { a.mov(rsp, (long)sp); a.mov(__byte_ptr[rsp - 0x200], 0); a.hlt(); });
            Assert.That(_g.Cpu.Run(100), Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.PF));
            Assert.That(_g.Cpu.LastException.Cr2, Is.EqualTo(sp - 0x200));
            Assert.That(_g.Cpu.LastException.ErrorCode, Is.EqualTo(PfError.Write));
        }

        [Test]
        public void DoubleFault_WithBadIstStack_TripleFaults()
        {
            _g.Cpu.Tss.Ist[1] = 0xffff_fe00_0080_0000UL; // unmapped IST stack // unmapped
            StopReason r = RunStoreBelowStack(GuestFixture.StackBottom);
            Assert.That(r, Is.EqualTo(StopReason.TripleFault));
        }

        [Test]
        public void MissingGate_DuringPageFault_BecomesDoubleFault()
        {
            _g.Cpu.Idt[Vectors.PF].Present = false; // #NP while delivering #PF -> #DF
            StopReason r = _g.Run(a => { a.mov(rax, 0x1000); a.mov(rbx, __qword_ptr[rax]); a.hlt(); });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.DF));
            Assert.That(_g.Cpu.LastException.Cr2, Is.EqualTo(0x1000UL));
        }
    }
}
