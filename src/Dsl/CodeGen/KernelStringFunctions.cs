using System;
using Iced.Intel;
using KDsl.Profiles;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>
    /// The kernel's string and memory functions a module calls (memset, memcpy, memmove, strlen, strcpy, strncpy, strscpy)
    /// as real x86-64 code, so they run with the kernel's semantics on the emulated CPU: every byte goes through the MMU, a
    /// memset past a stack buffer smashes the frame above it and one into the guard page faults with RIP in memset_erms.
    /// They are leaf functions without a frame (strscpy's word loop pushes RBX), as the real ones are:
    /// - memset, memcpy: arch/x86/lib/memset_64.S and memcpy_64.S with X86_FEATURE_ERMS, as the recorded runs on QEMU
    ///   show (`jmp memset_erms`, then `rep stosb`; `jmp memcpy_erms`, then `rep movsb`);
    /// - memmove: arch/x86/lib/memmove_64.S with ERMS: forward `rep movsb` from 32 bytes on, backward 32 bytes a step
    ///   (std; rep movsq from 680 bytes when source and destination share their low byte), the 1..31-byte tail moves;
    /// - strlen, strncpy, strcpy, strscpy: lib/string.c as GCC compiles it for the profile (strlen and strncpy are the
    ///   recorded instructions of 6.1 and 5.10; strcpy GCC 12's -O2 code for the same C at 6.1's flags; strscpy follows
    ///   GCC 12's code, its loads, stores, pushed RBX and results, with offsets of its own).
    /// A RET is KernelTextCompiler.Ret's (the patched return thunk).
    /// </summary>
    internal static class KernelStringFunctions
    {
        /// <summary>-E2BIG, strscpy's result when the string did not fit.</summary>
        private const int E2Big = -7;

        /// <summary>Writes <paramref name="name"/>'s code; false when it is not one of these functions.</summary>
        public static bool Emit(string name, CodeBuffer code, KernelProfile profile)
        {
            var a = code.Asm;
            code.SetCfa(8);
            void Ret() => KernelTextCompiler.Ret(code, profile);
            switch (name)
            {
                case "memset":
                    code.JumpSymbol("memset_erms");
                    break;
                case "memset_erms":
                    a.mov(r9, rdi);
                    a.mov(al, sil);
                    a.mov(rcx, rdx);
                    a.rep.stosb();
                    a.mov(rax, r9);
                    Ret();
                    break;
                case "memcpy":
                    code.JumpSymbol("memcpy_erms");
                    break;
                case "memcpy_erms":
                    a.mov(rax, rdi);
                    a.mov(rcx, rdx);
                    a.rep.movsb();
                    Ret();
                    break;
                case "memmove":
                    EmitMemmove(code, Ret);
                    break;
                case "strlen":
                {
                    var empty = code.NewLabel();
                    var loop = code.NewLabel();
                    a.cmp(__byte_ptr[rdi], 0);
                    a.je(empty.Iced);
                    a.mov(rax, rdi);
                    code.Place(loop);
                    AddRax1(code);
                    a.cmp(__byte_ptr[rax], 0);
                    a.jne(loop.Iced);
                    a.sub(rax, rdi);
                    Ret();
                    code.Place(empty);
                    a.xor(eax, eax);
                    Ret();
                    break;
                }
                case "strcpy":
                {
                    // while ((*dest++ = *src++) != '\0');  return the original dest
                    var loop = code.NewLabel();
                    a.mov(rax, rdi);
                    a.xor(edx, edx);
                    code.Place(loop);
                    a.movzx(ecx, __byte_ptr[rsi + rdx]);
                    a.mov(__byte_ptr[rax + rdx], cl);
                    a.add(rdx, 1);
                    a.test(cl, cl);
                    a.jne(loop.Iced);
                    Ret();
                    break;
                }
                case "strncpy":
                    EmitStrncpy(code, profile, Ret);
                    break;
                case "strscpy":
                    EmitStrscpy(code, Ret);
                    break;
                default:
                    return false;
            }
            return true;
        }

        /// <summary>
        /// strncpy: copy up to count bytes, the source pointer stopping at its NUL so the rest is zero-filled
        /// (`if ((*tmp = *src) != 0) src++;`); GCC turns the condition into cmp $1 / sbb $-1. 6.1's and 5.10's code differ in
        /// their registers only (GCC 12 and 10).
        /// </summary>
        private static void EmitStrncpy(CodeBuffer code, KernelProfile profile, Action ret)
        {
            var a = code.Asm;
            var done = code.NewLabel();
            var loop = code.NewLabel();
            if (profile.GccMajor >= 12)
            {
                a.mov(rax, rdi);
                a.test(rdx, rdx);
                a.je(done.Iced);
                a.add(rdx, rdi);
                a.mov(rcx, rdi);
                code.Place(loop);
                a.movzx(r8d, __byte_ptr[rsi]);
                a.cmp(r8b, 1);
                a.mov(__byte_ptr[rcx], r8b);
                a.sbb(rsi, -1);
                a.add(rcx, 1);
                a.cmp(rdx, rcx);
                a.jne(loop.Iced);
                code.Place(done);
                ret();
                return;
            }
            a.mov(r8, rdi);
            a.test(rdx, rdx);
            a.je(done.Iced);
            a.lea(rcx, __[rdi + rdx]);
            a.mov(rax, rdi);
            code.Place(loop);
            a.movzx(edx, __byte_ptr[rsi]);
            a.cmp(dl, 1);
            a.mov(__byte_ptr[rax], dl);
            a.sbb(rsi, -1);
            AddRax1(code);
            a.cmp(rax, rcx);
            a.jne(loop.Iced);
            code.Place(done);
            a.mov(rax, r8);
            ret();
        }

        /// <summary>
        /// strscpy(dest, src, count) (lib/string.c, CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS): -E2BIG for count 0 (and above
        /// INT_MAX, where the kernel also WARNs once: not modelled); a word at a time while 8 bytes are left before count
        /// and, for an unaligned source, before its page's end; the word with the NUL is stored masked (bytes after the
        /// NUL zero) and the length returned; then byte by byte; out of room, dest[count - 1] = 0 and -E2BIG.
        /// </summary>
        private static void EmitStrscpy(CodeBuffer code, Action ret)
        {
            var a = code.Asm;
            var tooBig = code.NewLabel();
            var aligned = code.NewLabel();
            var unaligned = code.NewLabel();
            var bytesFromStart = code.NewLabel();
            var wordLoop = code.NewLabel();
            var found = code.NewLabel();
            var byteLoop = code.NewLabel();
            var outOfRoom = code.NewLabel();
            var returnLength = code.NewLabel();

            a.lea(rax, __[rdx - 1]);
            a.cmp(rax, 0x7ffffffe);
            a.ja(tooBig.Iced);            // count == 0 or count > INT_MAX
            a.mov(r9, rdi);               // dest
            a.mov(r10, rdx);              // count
            a.mov(rdi, rsi);              // src
            a.mov(rax, rdx);              // max
            a.test(sil, 7);
            a.jne(unaligned.Iced);
            code.Place(aligned);
            a.cmp(rax, 7);
            a.jbe(bytesFromStart.Iced);
            a.mov(r11, unchecked((long)0xfefefefefefefeffUL));
            a.sub(rax, 8);
            a.push(rbx);
            code.SetCfa(16);
            a.mov(rsi, unchecked((long)0x8080808080808080UL));
            a.shr(rax, 3);
            a.lea(rbx, __[rax * 8 + 8]);  // the bytes the word loop may cover
            a.xor(eax, eax);
            code.Place(wordLoop);
            a.mov(rcx, __qword_ptr[rdi + rax]);
            a.mov(rdx, rcx);
            a.lea(r8, __[rcx + r11]);
            a.not(rdx);
            a.and(rdx, r8);
            a.and(rdx, rsi);              // has_zero
            a.jne(found.Iced);
            a.mov(__qword_ptr[r9 + rax], rcx);
            a.add(rax, 8);
            a.cmp(rax, rbx);
            a.jne(wordLoop.Iced);
            a.pop(rbx);
            code.SetCfa(8);
            a.sub(r10, rax);              // count left
            a.je(outOfRoom.Iced);
            a.add(r10, rax);              // the index count runs out at
            a.jmp(byteLoop.Iced);
            code.Place(found);
            code.SetCfa(16);
            a.lea(rsi, __[rdx - 1]);      // prep_zero_mask, create_zero_mask: the bytes before the NUL
            a.not(rdx);
            a.and(rdx, rsi);
            a.shr(rdx, 7);
            a.and(rcx, rdx);              // c & zero_bytemask(data)
            a.mov(__qword_ptr[r9 + rax], rcx);
            a.mov(rcx, 0x0001020304050608L);
            a.imul(rdx, rcx);
            a.shr(rdx, 56);               // find_zero
            a.add(rax, rdx);
            a.pop(rbx);
            code.SetCfa(8);
            ret();
            code.Place(unaligned);         // don't read a word across the source's page end
            a.mov(rdx, rsi);
            a.mov(eax, 0x1000);
            a.and(edx, 0xfff);
            a.sub(rax, rdx);
            a.cmp(rax, r10);
            a.cmova(rax, r10);
            a.jmp(aligned.Iced);
            code.Place(bytesFromStart);
            a.xor(eax, eax);
            code.Place(byteLoop);          // RAX: the index; R10: where count runs out
            a.cmp(rax, r10);
            a.je(outOfRoom.Iced);
            a.movzx(edx, __byte_ptr[rdi + rax]);
            a.mov(__byte_ptr[r9 + rax], dl);
            a.test(dl, dl);
            a.je(returnLength.Iced);
            a.add(rax, 1);
            a.jmp(byteLoop.Iced);
            code.Place(returnLength);
            ret();
            code.Place(outOfRoom);         // if (res) dest[res - 1] = '\0';
            a.test(rax, rax);
            a.je(tooBig.Iced);
            a.mov(__byte_ptr[r9 + rax - 1], 0);
            code.Place(tooBig);
            a.mov(rax, (long)E2Big);
            ret();
        }

        /// <summary>add $1,%rax as GCC writes it (48 83 c0 01): Iced's assembler picks the accumulator form (48 05 imm32).</summary>
        private static void AddRax1(CodeBuffer code) => code.Bytes(0x48, 0x83, 0xC0, 0x01);

        /// <summary>
        /// arch/x86/lib/memmove_64.S with ERMS (the labels are the file's), laid out as the recorded text shows it: the
        /// forward copy's `rep movsb` at the end (+0x19d, where the patched alternative jumps), the backward copy (2:) at
        /// +0xc0. The non-ERMS forward loop between them never runs on these CPUs: int3 here; 7: (std; rep movsq) is
        /// placed in that gap at +0x90, unrecorded, so its offset is KDsl's.
        /// </summary>
        private static void EmitMemmove(CodeBuffer code, Action ret)
        {
            var a = code.Asm;
            var forward = code.NewLabel();
            var backward = code.NewLabel();     // 2:
            var backwardMovsq = code.NewLabel(); // 7:
            var backwardSetup = code.NewLabel(); // 6:
            var backwardLoop = code.NewLabel();  // 8:
            var tail = code.NewLabel();          // 1:
            var under16 = code.NewLabel();       // 9:
            var under8 = code.NewLabel();        // 10:
            var under4 = code.NewLabel();        // 11:
            var under2 = code.NewLabel();        // 12:
            var done = code.NewLabel();          // 13:

            var ermsCopy = code.NewLabel();
            a.mov(rax, rdi);
            a.cmp(rsi, rdi);
            a.jge(forward.Iced);
            a.mov(r8, rsi);
            a.add(r8, rdx);
            a.cmp(r8, rdi);
            a.jg(backward.Iced);              // the source's end overlaps the destination: copy from the end
            code.Place(forward);
            a.cmp(rdx, 0x20);
            a.jb(tail.Iced);
            a.jmp(ermsCopy.Iced);
            code.Bytes(Int3(0x90 - 0x26));

            code.Place(backwardMovsq);
            a.mov(rcx, rdx);
            a.mov(r11, __qword_ptr[rsi]);
            a.mov(r10, rdi);
            a.lea(rsi, __[rsi + rdx - 8]);
            a.lea(rdi, __[rdi + rdx - 8]);
            a.shr(rcx, 3);
            a.std();
            a.rep.movsq();
            a.cld();
            a.mov(__qword_ptr[r10], r11);
            a.jmp(done.Iced);
            code.Bytes(Int3(0xc0 - 0xb4));

            code.Place(backward);
            a.cmp(rdx, 0x20);
            a.jb(tail.Iced);
            a.cmp(rdx, 680);
            a.jb(backwardSetup.Iced);
            a.cmp(sil, dil);
            a.je(backwardMovsq.Iced);
            code.Place(backwardSetup);
            a.add(rsi, rdx);
            a.add(rdi, rdx);
            a.sub(rdx, 0x20);
            code.Place(backwardLoop);
            a.sub(rdx, 0x20);
            a.mov(r11, __qword_ptr[rsi - 8]);
            a.mov(r10, __qword_ptr[rsi - 16]);
            a.mov(r9, __qword_ptr[rsi - 24]);
            a.mov(r8, __qword_ptr[rsi - 32]);
            a.lea(rsi, __[rsi - 32]);
            a.mov(__qword_ptr[rdi - 8], r11);
            a.mov(__qword_ptr[rdi - 16], r10);
            a.mov(__qword_ptr[rdi - 24], r9);
            a.mov(__qword_ptr[rdi - 32], r8);
            a.lea(rdi, __[rdi - 32]);
            a.jae(backwardLoop.Iced);
            a.add(rdx, 0x20);
            a.sub(rsi, rdx);
            a.sub(rdi, rdx);

            // 1..31 bytes: every load before the stores, so any overlap is fine
            code.Place(tail);
            a.cmp(rdx, 16);
            a.jb(under16.Iced);
            a.mov(r11, __qword_ptr[rsi]);
            a.mov(r10, __qword_ptr[rsi + 8]);
            a.mov(r9, __qword_ptr[rsi + rdx - 16]);
            a.mov(r8, __qword_ptr[rsi + rdx - 8]);
            a.mov(__qword_ptr[rdi], r11);
            a.mov(__qword_ptr[rdi + 8], r10);
            a.mov(__qword_ptr[rdi + rdx - 16], r9);
            a.mov(__qword_ptr[rdi + rdx - 8], r8);
            a.jmp(done.Iced);
            code.Place(under16);
            a.cmp(rdx, 8);
            a.jb(under8.Iced);
            a.mov(r11, __qword_ptr[rsi]);
            a.mov(r10, __qword_ptr[rsi + rdx - 8]);
            a.mov(__qword_ptr[rdi], r11);
            a.mov(__qword_ptr[rdi + rdx - 8], r10);
            a.jmp(done.Iced);
            code.Place(under8);
            a.cmp(rdx, 4);
            a.jb(under4.Iced);
            a.mov(r11d, __dword_ptr[rsi]);
            a.mov(r10d, __dword_ptr[rsi + rdx - 4]);
            a.mov(__dword_ptr[rdi], r11d);
            a.mov(__dword_ptr[rdi + rdx - 4], r10d);
            a.jmp(done.Iced);
            code.Place(under4);
            a.cmp(rdx, 2);
            a.jb(under2.Iced);
            a.mov(r11w, __word_ptr[rsi]);
            a.mov(r10w, __word_ptr[rsi + rdx - 2]);
            a.mov(__word_ptr[rdi], r11w);
            a.mov(__word_ptr[rdi + rdx - 2], r10w);
            a.jmp(done.Iced);
            code.Place(under2);
            a.cmp(rdx, 1);
            a.jb(done.Iced);
            a.mov(r11b, __byte_ptr[rsi]);
            a.mov(__byte_ptr[rdi], r11b);
            code.Place(done);
            ret();
            code.Place(ermsCopy);
            a.mov(rcx, rdx);
            a.rep.movsb();
            ret();
        }

        internal static byte[] Int3(int count)
        {
            var bytes = new byte[count];
            for (int i = 0; i < count; i++) bytes[i] = 0xCC;
            return bytes;
        }
    }
}
