using System;
using KDsl.Profiles;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>
    /// The kernel's formatting functions a module calls: snprintf and sprintf as the recorded 5.10 and 6.1 text has them,
    /// the vsnprintf they call (the C# kernel formats, the guest code takes the recorded stack and stores the text), and
    /// __warn_printk, WARN()'s message.
    /// </summary>
    internal static class KernelPrintfFunctions
    {
        /// <summary>Writes <paramref name="name"/>'s code; false when it is not one of these functions.</summary>
        public static bool Emit(string name, CodeBuffer code, KernelProfile profile)
        {
            code.SetCfa(8);
            void Ret() => KernelTextCompiler.Ret(code, profile);
            switch (name)
            {
                case "snprintf":
                case "sprintf":
                    EmitSnprintf(code, profile, name == "sprintf", Ret);
                    break;
                case KernelFootprint.Vsnprintf:
                    EmitVsnprintf(code, profile, Ret);
                    break;
                case WarnPrintk:
                    EmitWarnPrintk(code, profile, Ret);
                    break;
                case "__copy_overflow":
                    EmitCopyOverflow(code, profile, Ret);
                    break;
                default:
                    return false;
            }
            return true;
        }

        /// <summary>
        /// snprintf(buf, size, fmt, ...) and sprintf(buf, fmt, ...) as the recorded 5.10 and 6.1 text has them (GCC's va_start
        /// into a va_list on the frame, then vsnprintf(buf, size, fmt, args); sprintf's size is INT_MAX), the canary
        /// checked before the return.
        /// </summary>
        private static void EmitSnprintf(CodeBuffer code, KernelProfile profile, bool sprintf, Action ret)
        {
            var a = code.Asm;
            var fail = code.NewLabel();
            bool gcc12 = profile.GccMajor >= 12;
            a.push(rbp);
            code.SetCfa(16);
            a.mov(rbp, rsp);
            a.sub(rsp, KernelProfile.SnprintfFrame - 16);
            code.SetCfa(KernelProfile.SnprintfFrame);
            if (sprintf)
            {
                a.mov(__qword_ptr[rsp + 0x30], rdx);
                a.mov(rdx, rsi);
                a.mov(esi, 0x7fffffff);
            }
            a.mov(__qword_ptr[rsp + 0x38], rcx);
            a.mov(rcx, rsp);                                  // the va_list
            a.mov(__qword_ptr[rsp + 0x40], r8);
            a.mov(__qword_ptr[rsp + 0x48], r9);
            code.Bytes(0x65, 0x48, 0x8B, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00); // mov %gs:0x28,%rax: the canary
            a.mov(__qword_ptr[rsp + 0x18], rax);
            a.xor(eax, eax);
            a.lea(rax, __[rbp + 0x10]);                       // overflow_arg_area: the caller's stack arguments
            int gpOffset = sprintf ? 0x10 : 0x18;             // the registers the fixed arguments took
            if (gcc12)
            {
                a.mov(__qword_ptr[rsp], 0);
                a.mov(__qword_ptr[rsp + 8], rax);
                a.lea(rax, __[rsp + 0x20]);                   // reg_save_area
                a.mov(__dword_ptr[rsp], gpOffset);
                a.mov(__qword_ptr[rsp + 0x10], rax);
            }
            else
            {
                a.mov(__dword_ptr[rsp], gpOffset);
                a.mov(__qword_ptr[rsp + 8], rax);
                a.lea(rax, __[rsp + 0x20]);
                a.mov(__qword_ptr[rsp + 0x10], rax);
            }
            code.CallSymbol(KernelFootprint.Vsnprintf);
            // 5.10's snprintf checks in RCX, the others in RDX: sub %gs:0x28,%reg
            bool inRcx = !gcc12 && !sprintf;
            a.mov(inRcx ? rcx : rdx, __qword_ptr[rsp + 0x18]);
            code.Bytes(0x65, 0x48, 0x2B, inRcx ? (byte)0x0C : (byte)0x14, 0x25, 0x28, 0x00, 0x00, 0x00);
            a.jne(fail.Iced);
            a.leave();
            code.SetCfa(8);
            ret();
            code.Place(fail);
            code.SetCfa(KernelProfile.SnprintfFrame);
            code.CallSymbol("__stack_chk_fail");
        }

        /// <summary>
        /// vsnprintf(buf, size, fmt, args) for snprintf and sprintf: the C# kernel formats (Kernel/Printk/Vsnprintf.cs, the
        /// same as printk's), the guest code takes the stack the real function takes for that format and stores the text.
        /// It starts with the real function's recorded prologue, byte for byte (six pushes and sub $0x20,%rsp on 5.10 and
        /// 6.1), so a stack that runs out there faults at the real offset (the real 6.1 kernel's snprintf-recursion dies
        /// at vsnprintf+0x2, its second push). Then the entry service picks the rest of the frame (R11: which of
        /// <see cref="KernelFootprint.VsnprintfDepths"/>); each rest is its own block with its own CFA, touches its lowest
        /// word (a frame past the guard page faults here, in vsnprintf), then asks the body service for the text a piece
        /// at a time, written below the saved registers, and copies it to buf with rep movsb: the stores go through the
        /// MMU, so a buffer too small overruns what follows it.
        /// </summary>
        private static void EmitVsnprintf(CodeBuffer code, KernelProfile profile, Action ret)
        {
            var a = code.Asm;
            var footprint = KernelFootprint.For(profile.Name)!;
            var depths = footprint.VsnprintfDepths;
            var pushed = new System.Collections.Generic.List<int>(); // register numbers, in push order
            int reserved = 0; // the prologue's sub from RSP
            foreach (var (bytes, cfaAfter) in footprint.Prologue(KernelFootprint.Vsnprintf))
            {
                code.Bytes(bytes);
                code.SetCfa(cfaAfter);
                if (bytes[0] == 0x48) reserved += bytes[1] == 0x83 ? bytes[3] : BitConverter.ToInt32(bytes, 3);
                else pushed.Add(bytes.Length == 2 ? 8 + bytes[1] - 0x50 : bytes[0] - 0x50);
            }
            int prologueCfa = footprint.VsnprintfPrologueCfa;
            code.Bytes(KernelTextCompiler.Vmcall);
            code.Mark("entry");
            var blocks = new CodeLabel[depths.Count];
            for (int i = 0; i < depths.Count; i++) blocks[i] = code.NewLabel();
            var epilogue = code.NewLabel();
            for (int i = 1; i < depths.Count; i++)
            {
                a.cmp(r11d, i);
                a.je(blocks[i].Iced);
            }
            for (int i = 0; i < depths.Count; i++)
            {
                int rest = footprint.VsnprintfBelowPrologue(depths[i]);
                var copy = code.NewLabel();
                var done = code.NewLabel();
                code.Place(blocks[i]);
                code.SetCfa(prologueCfa);
                a.sub(rsp, rest);
                code.SetCfa(prologueCfa + rest);
                a.mov(__qword_ptr[rsp], rdi);
                code.Place(copy);
                code.Bytes(KernelTextCompiler.Vmcall);
                code.Mark("body");
                a.test(rcx, rcx);
                a.je(done.Iced);
                a.rep.movsb();
                a.jmp(copy.Iced);
                code.Place(done);
                a.add(rsp, rest);
                code.SetCfa(prologueCfa);
                a.jmp(epilogue.Iced);
            }
            code.Place(epilogue);
            code.SetCfa(prologueCfa);
            int cfa = prologueCfa;
            if (reserved > 0)
            {
                a.add(rsp, reserved);
                code.SetCfa(cfa -= reserved);
            }
            for (int k = pushed.Count - 1; k >= 0; k--)
            {
                a.pop(((Gpr)pushed[k]).Q());
                code.SetCfa(cfa -= 8);
            }
            ret();
        }

        /// <summary>What WARN(cond, fmt, ...) calls before its ud2 (include/asm-generic/bug.h __WARN_printf).</summary>
        public const string WarnPrintk = "__warn_printk";

        /// <summary>
        /// The kallsyms size of a function whose code here ends in data the real one keeps in .rodata: __copy_overflow is
        /// 0x30 bytes as 6.1.0-56's (its WARNING prints __copy_overflow+0x16/0x30), its format string among or after them.
        /// </summary>
        public static int? SymbolSize(string name) => name == "__copy_overflow" ? 0x30 : null;

        /// <summary>
        /// mm/maccess.c's __copy_overflow(size, count): WARN(1, "Buffer overflow detected (%d &lt; %lu)!\n", size, count),
        /// as GCC 12 built it for 6.1.0-56 (the ftrace NOP, mov %rsi,%rdx; mov %edi,%esi; the format into RDI; call
        /// __warn_printk; ud2 at +0x16 with its __bug_table entry, mm/maccess.c:228, flags 0x909; return).
        /// </summary>
        private static void EmitCopyOverflow(CodeBuffer code, KernelProfile profile, Action ret)
        {
            var a = code.Asm;
            var format = code.NewLabel();
            code.Bytes(profile.FtraceNop);
            a.mov(rdx, rsi);
            a.mov(esi, edi);
            a.lea(rdi, __[format.Iced]);
            code.CallSymbol(WarnPrintk);
            code.Mark("warn mm/maccess.c:228");
            code.Bytes(0x0F, 0x0B);
            ret();
            code.Place(format);
            code.Bytes(System.Text.Encoding.ASCII.GetBytes("Buffer overflow detected (%d < %lu)!\n\0"));
        }

        /// <summary>
        /// __warn_printk(fmt, ...) (kernel/panic.c): pr_warn(CUT_HERE), then vprintk(fmt, args). KDsl's: _printk's frame
        /// (push %rbp; sub $0x50,%rsp, the same va_start shape as the recorded _printk's, 96 bytes at its calls) around
        /// the recorded printk of the cut-here line, then the arguments back and a jump to _printk with them, so the
        /// message's printk runs where vprintk would, one _printk frame below the caller.
        /// </summary>
        private static void EmitWarnPrintk(CodeBuffer code, KernelProfile profile, Action ret)
        {
            var a = code.Asm;
            var cutHere = code.NewLabel();
            a.push(rbp);
            code.SetCfa(16);
            a.mov(rbp, rsp);
            a.sub(rsp, 0x50);
            code.SetCfa(96);
            var saved = new[] { rdi, rsi, rdx, rcx, r8, r9 };
            for (int i = 0; i < saved.Length; i++) a.mov(__qword_ptr[rsp + 8 * i], saved[i]);
            a.lea(rdi, __[cutHere.Iced]);
            a.xor(eax, eax);
            code.CallSymbol(profile.PrintkSymbol);
            for (int i = 0; i < saved.Length; i++) a.mov(saved[i], __qword_ptr[rsp + 8 * i]);
            a.leave();
            code.SetCfa(8);
            a.xor(eax, eax);
            code.JumpSymbol(profile.PrintkSymbol);
            code.Place(cutHere);
            code.Bytes(System.Text.Encoding.ASCII.GetBytes("\u00014------------[ cut here ]------------\n\0"));
        }
    }
}
