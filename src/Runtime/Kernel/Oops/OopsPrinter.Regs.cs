using System;
using System.Collections.Generic;
using System.Text;

namespace KDsl.Runtime.Kernel.Oops
{
    public sealed partial class OopsPrinter
    {
        /// <summary>DR6_RESERVED: DR6's value when no debug event happened.</summary>
        private const ulong Dr6Reserved = 0xffff0ff0;

        /// <summary>
        /// __show_regs(regs, mode). 4.19+: show_iret_regs (RIP:, Code:, RSP:) first. 4.x: "RIP:" and "RSP:" only,
        /// the Code: line comes after the call trace; a user-mode context still prints everything (no USER mode then).
        /// </summary>
        public void ShowRegisters(List<string> lines, RegisterSet regs, CodeDump? code, ShowRegsMode mode)
        {
            string rsp = ShowIretRegs(lines, regs, code);
            lines.Add(regs.OrigRax != RegisterSet.NoOrigRax ? rsp + F(" ORIG_RAX: %016lx", regs.OrigRax) : rsp);
            lines.Add(F("RAX: %016lx RBX: %016lx RCX: %016lx", regs.Rax, regs.Rbx, regs.Rcx));
            lines.Add(F("RDX: %016lx RSI: %016lx RDI: %016lx", regs.Rdx, regs.Rsi, regs.Rdi));
            lines.Add(F("RBP: %016lx R08: %016lx R09: %016lx", regs.Rbp, regs.R8, regs.R9));
            lines.Add(F("R10: %016lx R11: %016lx R12: %016lx", regs.R10, regs.R11, regs.R12));
            lines.Add(F("R13: %016lx R14: %016lx R15: %016lx", regs.R13, regs.R14, regs.R15));

            if (mode == ShowRegsMode.Short)
                return;
            if (mode == ShowRegsMode.User && !Legacy)
            {
                lines.Add(F("FS:  %016lx GS:  %016lx", regs.FsBase, regs.KernelGsBase));
                return;
            }

            lines.Add(F("FS:  %016lx(%04x) GS:%016lx(%04x) knlGS:%016lx",
                regs.FsBase, regs.Fs, regs.GsBase, regs.Gs, regs.KernelGsBase));
            lines.Add(F("CS:  %04lx DS: %04x ES: %04x CR0: %016lx", regs.Cs, regs.Ds, regs.Es, regs.Cr0));
            lines.Add(F("CR2: %016lx CR3: %016lx CR4: %016lx", regs.Cr2, regs.Cr3, regs.Cr4));
            // Only print out debug registers if they are in their non-default state.
            if (!(regs.Dr0 == 0 && regs.Dr1 == 0 && regs.Dr2 == 0 && regs.Dr3 == 0 &&
                  regs.Dr6 == Dr6Reserved && regs.Dr7 == 0x400))
            {
                lines.Add(F("DR0: %016lx DR1: %016lx DR2: %016lx", regs.Dr0, regs.Dr1, regs.Dr2));
                lines.Add(F("DR3: %016lx DR6: %016lx DR7: %016lx", regs.Dr3, regs.Dr6, regs.Dr7));
            }
            if (Profile.HasPkru)
                lines.Add(F("PKRU: %08x", regs.Pkru));
        }

        /// <summary>
        /// show_iret_regs: show_ip ("RIP: %04x:%pS" and, 4.19+, the Code: line), then returns the
        /// "RSP: %04x:%016lx EFLAGS: %08lx" text, which the caller ends (with " ORIG_RAX: …" or nothing).
        /// </summary>
        public string ShowIretRegs(List<string> lines, RegisterSet regs, CodeDump? code)
        {
            lines.Add(F("RIP: %04x:%pS", regs.Cs, regs.Rip));
            if (!Legacy)
            {
                string? codeLine = ShowOpcodes(code ?? Unreadable(regs.Rip));
                if (codeLine != null) lines.Add(codeLine);
            }
            return F("RSP: %04x:%016lx EFLAGS: %08lx", regs.Ss, regs.Rsp, regs.Rflags);
        }

        /// <summary>
        /// show_opcodes. 4.19+: "Code: %42ph &lt;%02x&gt; %21ph", "Code: Unable to access opcode bytes at [RIP ]0x%lx."
        /// (the prologue address), or null for -EPERM. 4.x: "Code: " then "%02x " per byte with "&lt;%02x&gt; " at RIP
        /// (so a trailing blank), and " Bad RIP value." where the copy stopped.
        /// </summary>
        public string? ShowOpcodes(CodeDump code)
        {
            if (code.Suppressed)
                return null;
            if (Legacy)
                return LegacyOpcodes(code);
            if (code.Bytes == null)
                return F(Profile.OpcodeErrorSaysRip
                    ? "Code: Unable to access opcode bytes at RIP 0x%lx."
                    : "Code: Unable to access opcode bytes at 0x%lx.", code.Start);

            int at = RipIndex(code);
            var sb = new StringBuilder("Code: ");
            AppendHex(sb, code.Bytes, 0, at);
            sb.Append(at > 0 ? " <" : "<").Append(code.Bytes[at].ToString("x2")).Append('>');
            if (at + 1 < code.Bytes.Length)
            {
                sb.Append(' ');
                AppendHex(sb, code.Bytes, at + 1, code.Bytes.Length - at - 1);
            }
            return sb.ToString();
        }

        private static string LegacyOpcodes(CodeDump code)
        {
            var sb = new StringBuilder("Code: ");
            byte[] bytes = code.Bytes ?? Array.Empty<byte>();
            for (int i = 0; i < bytes.Length; i++)
            {
                bool atRip = unchecked(code.Start + (ulong)i) == code.Rip;
                sb.Append(atRip ? "<" : "").Append(bytes[i].ToString("x2")).Append(atRip ? "> " : " ");
            }
            if (code.Truncated || code.Bytes == null)
                sb.Append(" Bad RIP value.");
            return sb.ToString();
        }

        private static int RipIndex(CodeDump code)
        {
            ulong at = unchecked(code.Rip - code.Start);
            if (code.Bytes == null || at >= (ulong)code.Bytes.Length)
                throw new ArgumentException("CodeDump does not contain the byte at RIP", nameof(code));
            return (int)at;
        }

        /// <summary>%*ph: bytes as two hex digits separated by single blanks.</summary>
        private static void AppendHex(StringBuilder sb, byte[] bytes, int start, int count)
        {
            for (int i = 0; i < count; i++)
            {
                if (i > 0) sb.Append(' ');
                sb.Append(bytes[start + i].ToString("x2"));
            }
        }
    }
}
