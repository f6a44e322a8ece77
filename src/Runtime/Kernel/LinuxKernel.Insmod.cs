using System;
using Iced.Intel;
using KDsl.Image;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Memory;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Kernel
{
    public sealed partial class LinuxKernel
    {
        /// <summary>
        /// insmod: finit_module(2) from the insmod process. load_module places and relocates the module; then the CPU
        /// enters the kernel as the syscall did: pt_regs at the top of insmod's kernel stack and, for a recorded kernel,
        /// the syscall path's frames as the real one left them (LinuxKernel.Recorded.cs); for 4.11 the modelled
        /// entry_SYSCALL_64 → … → do_one_initcall path calling the module's init on the emulated CPU.
        /// </summary>
        public void Insmod(ModuleImage image)
        {
            _processCount = image.ProcessNames.Count;
            // load_module's taint messages on the first out-of-tree, unsigned module (kernel/module/main.c).
            Printk($"{image.Name}: loading out-of-tree module taints kernel.\n");
            Printk($"{image.Name}: module verification failed: signature and/or required key missing - tainting kernel\n");
            _taint |= Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule);

            Module = ModuleLoader.Load(image, Profile, Memory, Tables, Root, ref _moduleCursor, Kallsyms, out string? error);
            if (Module is null)
            {
                Printk(error + "\n");
                Outcome = RunOutcome.LoadFailed;
                return;
            }

            ulong init = Kallsyms.AddressOf(image.InitSymbol);
            ulong userRip = MapInsmodUserSpace();
            ulong ptRegs = Current.StackTop - Profiles.KernelProfile.PtRegsSize;
            WritePtRegs(ptRegs, userRip);

            if (Footprint is { } footprint) EnterInitAsRecorded(footprint, init, ptRegs);
            else
            {
                Cpu.Rsp = ptRegs;
                Cpu.Rflags = 0x202; // entry_SYSCALL_64 runs the syscall with interrupts enabled
                Cpu.Rip = Kallsyms.AddressOf(Profile.SyscallEntry);
                Cpu[Reg.Rdi] = init; // carried down the modelled syscall path to do_one_initcall's call *%rdi
            }
            RunUntilDone();
            AfterInsmod(image);
        }

        /// <summary>insmod's user space: the syscall(2) wrapper it trapped from, and a stack page.</summary>
        private ulong MapInsmodUserSpace()
        {
            var asm = new Assembler(64);
            var failed = asm.CreateLabel();
            asm.mov(rax, rdi);
            asm.mov(rdi, rsi);
            asm.mov(rsi, rdx);
            asm.mov(rdx, rcx);
            asm.mov(r10, r8);
            asm.mov(r8, r9);
            asm.mov(r9, __qword_ptr[rsp + 8]);
            asm.syscall();
            var afterSyscall = asm.CreateLabel();
            asm.Label(ref afterSyscall);
            asm.cmp(rax, -4095);
            asm.jae(failed);
            asm.ret();
            asm.Label(ref failed);
            asm.neg(eax);
            asm.mov(rax, -1);
            asm.ret();
            var writer = new BytesWriter();
            var result = asm.Assemble(writer, Layout.InsmodCode + Layout.InsmodStubOffset, BlockEncoderOptions.ReturnNewInstructionOffsets);
            var page = new byte[PhysicalMemory.PageSize];
            writer.ToArray().CopyTo(page, (int)Layout.InsmodStubOffset);
            ModuleLoader.MapCopy(page, Layout.InsmodCode, PteFlags.Present | PteFlags.User | PteFlags.Accessed, Memory, Tables, Root);
            ModuleLoader.MapCopy(new byte[PhysicalMemory.PageSize], Layout.InsmodStackPage,
                PteFlags.Present | PteFlags.Writable | PteFlags.User | PteFlags.Accessed | PteFlags.Dirty | PteFlags.NoExecute, Memory, Tables, Root);
            return result.GetLabelRIP(afterSyscall);
        }

        /// <summary>struct pt_regs as entry_SYSCALL_64 saves it: RCX/R11 hold the user RIP/RFLAGS, RAX is -ENOSYS until the call returns.</summary>
        private void WritePtRegs(ulong ptRegs, ulong userRip)
        {
            const ulong userFlags = 0x246;
            ulong[] regs =
            {
                0, 0, 0, 0,                      // r15 r14 r13 r12
                Layout.InsmodStackPage + 0x4a0,  // rbp
                0,                               // rbx
                userFlags, 0, 0, 0,              // r11 r10 r9 r8
                unchecked((ulong)-38L),          // rax = -ENOSYS
                userRip, 0,                      // rcx = return RIP, rdx = flags
                Layout.InsmodStackPage + 0x4a0,  // rsi = uargs ("")
                (ulong)Layout.InsmodModuleFd,    // rdi = fd
                Layout.FinitModuleSyscall,       // orig_ax
                userRip, Selectors.UserCs, userFlags, Layout.InsmodRsp, Selectors.UserDs,
            };
            for (int i = 0; i < regs.Length; i++)
                Mmu.TryWriteU64(ptRegs + (ulong)(8 * i), regs[i]);
        }

        /// <summary>The pt_regs the syscall entry saved, read back from the stack for the trace's user register block.</summary>
        private RegisterSet ReadUserPtRegs() => ReadPtRegs(Current.StackTop - Profiles.KernelProfile.PtRegsSize);

        /// <summary>A struct pt_regs on the stack at <paramref name="p"/> (r15 first, ss last).</summary>
        private RegisterSet ReadPtRegs(ulong p)
        {
            ulong R(int index) => Mmu.TryReadU64(p + (ulong)(8 * index), out ulong v) ? v : 0;
            return new RegisterSet
            {
                R15 = R(0), R14 = R(1), R13 = R(2), R12 = R(3), Rbp = R(4), Rbx = R(5), R11 = R(6), R10 = R(7), R9 = R(8), R8 = R(9),
                Rax = R(10), Rcx = R(11), Rdx = R(12), Rsi = R(13), Rdi = R(14), OrigRax = R(15), Rip = R(16), Cs = (ushort)R(17),
                Rflags = R(18), Rsp = R(19), Ss = (ushort)R(20),
            };
        }

        private sealed class BytesWriter : CodeWriter
        {
            private readonly System.Collections.Generic.List<byte> _bytes = new System.Collections.Generic.List<byte>();
            public override void WriteByte(byte value) => _bytes.Add(value);
            public byte[] ToArray() => _bytes.ToArray();
        }
    }
}
