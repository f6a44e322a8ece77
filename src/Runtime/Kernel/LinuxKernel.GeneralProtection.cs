using Iced.Intel;
using KDsl.Runtime.Kernel.Oops;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// arch/x86/kernel/traps.c exc_general_protection's description of a kernel-mode #GP. Since 5.5 a #GP with error code
    /// 0 decodes the faulting instruction (get_kernel_gp_address) and names the address of its memory operand: "general
    /// protection fault, probably for non-canonical address 0x…" when the operand starts below the kernel half and ends
    /// above the user half, "maybe for address 0x…" otherwise; an instruction without a ModRM memory operand (rep movsb,
    /// iretq) or one that cannot be read gives no hint. A nonzero error code is "segment-related general protection fault".
    /// </summary>
    public sealed partial class LinuxKernel
    {
        private const string Gpfstr = "general protection fault";
        /// <summary>__VIRTUAL_MASK with 4-level paging: the top of the user half.</summary>
        private const ulong VirtualMask = (1UL << 47) - 1;

        /// <summary>
        /// The operand a #GP raised at a service's vmcall stands for (<see cref="StringFault"/>: string_nocheck's load of
        /// the string), which decoding the vmcall cannot find; null otherwise.
        /// </summary>
        private ulong? _gpOperand;

        private string GeneralProtectionDesc(RegisterSet regs, ulong errorCode)
        {
            ulong? serviceOperand = _gpOperand;
            _gpOperand = null;
            if (!Profile.GpAddressHint) return Gpfstr; // 4.x: die("general protection fault", ...)
            if (errorCode != 0) return "segment-related " + Gpfstr;
            ulong address;
            int size;
            if (serviceOperand is ulong known)
            {
                address = known;
                size = 4; // movzbl: the operand size attribute is 32 bits
            }
            else if (!GetKernelGpAddress(regs, out address, out size)) return Gpfstr;
            bool nonCanonical = address < ~VirtualMask && address + (ulong)size - 1 > VirtualMask;
            string hint = nonCanonical ? "probably for non-canonical address" : "maybe for address";
            return $"{Gpfstr}, {hint} 0x{address:x}";
        }

        /// <summary>
        /// get_kernel_gp_address: the 15 bytes at RIP (copy_from_kernel_nofault: all of them or no hint), decoded, and
        /// insn_get_addr_ref's effective address of the memory operand (segment base, base, index * scale, displacement;
        /// RIP-relative from the next instruction). <paramref name="size"/> is the operand's size in bytes.
        /// </summary>
        private bool GetKernelGpAddress(RegisterSet regs, out ulong address, out int size)
        {
            address = 0;
            size = 0;
            var bytes = new byte[15];
            for (int i = 0; i < bytes.Length; i++)
                if (!ReadKernelByte(regs.Rip + (ulong)i, out bytes[i])) return false;
            var insn = Decoder.Create(64, bytes, regs.Rip).Decode();
            if (insn.IsInvalid) return false;
            bool hasMemory = false;
            for (int i = 0; i < insn.OpCount; i++)
                hasMemory |= insn.GetOpKind(i) == OpKind.Memory;
            if (!hasMemory) return false;
            if (insn.IsIPRelativeMemoryOperand) address = insn.IPRelativeMemoryAddress;
            else
            {
                address = insn.MemoryDisplacement64;
                if (insn.MemoryBase != Register.None) address += RegisterValue(regs, insn.MemoryBase);
                if (insn.MemoryIndex != Register.None) address += RegisterValue(regs, insn.MemoryIndex) * (ulong)insn.MemoryIndexScale;
            }
            if (insn.SegmentPrefix == Register.FS) address += regs.FsBase;
            else if (insn.SegmentPrefix == Register.GS) address += regs.GsBase;
            size = System.Math.Max(1, insn.MemorySize.GetSize());
            return true;
        }

        private static ulong RegisterValue(RegisterSet regs, Register register)
        {
            ulong value = register.GetFullRegister() switch
            {
                Register.RAX => regs.Rax, Register.RBX => regs.Rbx, Register.RCX => regs.Rcx, Register.RDX => regs.Rdx,
                Register.RSI => regs.Rsi, Register.RDI => regs.Rdi, Register.RBP => regs.Rbp, Register.RSP => regs.Rsp,
                Register.R8 => regs.R8, Register.R9 => regs.R9, Register.R10 => regs.R10, Register.R11 => regs.R11,
                Register.R12 => regs.R12, Register.R13 => regs.R13, Register.R14 => regs.R14, Register.R15 => regs.R15,
                _ => 0,
            };
            return register.GetSize() == 4 ? (uint)value : value; // a 0x67 (32-bit) address
        }
    }
}
