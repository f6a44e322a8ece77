using System;
using System.Collections.Generic;
using KDsl.Image;
using KDsl.Profiles;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Turns a profile's <see cref="KernelFunctionShape"/> table into real machine code, so the kernel's own call
    /// paths use the guest stack exactly as calibrated and leave their return addresses behind (the stale "? vsnprintf"
    /// entries a later oops shows). Each function: [vmcall] push rbp [mov rbp, rsp] push rbx, sub rsp, touch the frame's
    /// lowest word, its steps, and the mirror epilogue.
    /// </summary>
    public static class KernelTextCompiler
    {
        public static KernelTextImage Compile(KernelProfile profile)
        {
            var codes = new List<FunctionCode>();
            var standIns = new HashSet<string>();
            var footprint = KernelFootprint.For(profile.Name);
            // a string function's copy takes the real one's kallsyms size, so RIP prints as memset_erms+0x9/0x20 does
            var realSizes = new Dictionary<string, int>();
            foreach (var f in profile.KernelFunctions)
            {
                codes.Add(Emit(f, profile));
                if (f.StandsInForRecorded) standIns.Add(f.Name);
                if (f.StandsInForRecorded && f.IsBody && footprint != null)
                    foreach (var s in footprint.Symbols)
                        if (s.Name == f.Name) realSizes[f.Name] = s.Size;
            }

            var text = new List<byte>();
            var symbols = new List<ModuleSymbol>();
            var unwind = new List<UnwindEntry>();
            var services = new List<ServiceSite>();
            var bugs = new List<BugEntry>();
            var branches = new List<HostBranch>();
            var starts = new Dictionary<string, int>();
            var fixups = new List<Relocation>();
            var extable = new List<ExceptionTableEntry>();
            int extableInstruction = 0;
            if (footprint != null)
            {
                // The real kernel's recorded functions at their real addresses; KDsl's own functions follow them.
                FootprintText.Lay(footprint, profile.PrintkSymbol, KernelProfile.KernelTextBase, text, symbols, unwind, branches);
                AddFootprintServices(profile, footprint, text, services);
                foreach (var s in symbols) starts[s.Name] = s.Offset;
                // no modelled function calls these: one may share its name with a modelled one (do_exit), which calls reach
                LayDriverPaths(profile, text, symbols, unwind, services, bugs);
            }
            foreach (var code in codes)
            {
                while (text.Count % 16 != 0) text.Add(0xCC);
                int start = text.Count;
                if (starts.ContainsKey(code.Name) && !standIns.Contains(code.Name))
                    throw new InvalidOperationException($"kernel function {code.Name} is both recorded and modelled in {profile.Name}");
                starts[code.Name] = start; // a stand-in: the modelled callers' calls (the only ones relocated) reach it
                int size = realSizes.TryGetValue(code.Name, out int realSize) ? Math.Max(realSize, code.Bytes.Length) : code.Bytes.Length;
                // a body with data after its code (a format string) is as large as the real function; the data follows it
                symbols.Add(new ModuleSymbol(code.Name, Section.Text, start, KernelPrintfFunctions.SymbolSize(code.Name) ?? size, 0));
                text.AddRange(code.Bytes);
                while (text.Count < start + size) text.Add(0xCC);
                foreach (var u in code.Unwind) unwind.Add(new UnwindEntry(start + u.Offset, u.CfaOffset));
                foreach (var (offset, tag) in code.Marks)
                {
                    if (tag.StartsWith("bug ", StringComparison.Ordinal) || tag.StartsWith("warn ", StringComparison.Ordinal))
                    {
                        // "warn FILE:LINE": a WARN(1, fmt, ...)'s ud2, flagged BUGFLAG_WARNING | BUGFLAG_NO_CUT_HERE (0x909)
                        bool warning = tag[0] == 'w';
                        bugs.Add(BugAt(start + offset, tag.Substring(warning ? 5 : 4), warning));
                    }
                    else if (tag == KernelUaccessFunctions.ExtableInstruction) extableInstruction = start + offset;
                    else if (tag == KernelUaccessFunctions.ExtableFixup) extable.Add(new ExceptionTableEntry(extableInstruction, start + offset));
                    else services.Add(new ServiceSite(start + offset, code.Name, tag == "entry"));
                }
                foreach (var r in code.Fixups) fixups.Add(new Relocation(start + r.Offset, r.Kind, r.Target, r.Addend));
            }

            var bytes = text.ToArray();
            foreach (var r in fixups)
            {
                if (!starts.TryGetValue(r.Target, out int target))
                    throw new InvalidOperationException($"kernel function {r.Target} is called but not modelled in {profile.Name}");
                int value = checked((int)(target + r.Addend - r.Offset));
                bytes[r.Offset] = (byte)value;
                bytes[r.Offset + 1] = (byte)(value >> 8);
                bytes[r.Offset + 2] = (byte)(value >> 16);
                bytes[r.Offset + 3] = (byte)(value >> 24);
            }
            return new KernelTextImage(bytes, symbols, unwind, services, bugs, branches, footprint == null ? null : CodePages(symbols, bytes.Length), extable);
        }

        /// <summary>
        /// Where the C# kernel steps into the footprint text, each a vmcall over the first bytes of a real instruction that
        /// does nothing there (the ftrace NOP at a function's entry): printk's entry (the message is formatted and the
        /// recorded path chosen), the recorded allocators' entries (the allocation is made), do_one_initcall's return
        /// from the init (finit_module's result) and kthread's return from a thread function (the thread exits).
        /// </summary>
        private static void AddFootprintServices(KernelProfile profile, KernelFootprint footprint, List<byte> text, List<ServiceSite> services)
        {
            void At(ulong address, string function, bool atEntry)
            {
                int offset = checked((int)(address - KernelProfile.KernelTextBase));
                int length = Math.Max(footprint.InstructionBytes(address)?.Length ?? 0, Vmcall.Length);
                for (int i = 0; i < Vmcall.Length; i++) text[offset + i] = Vmcall[i];
                FootprintText.WriteNop(text, offset + Vmcall.Length, length - Vmcall.Length);
                services.Add(new ServiceSite(offset + Vmcall.Length, function, atEntry));
            }

            foreach (var s in footprint.Symbols)
            {
                if (s.Name == profile.PrintkSymbol) At(s.Address, s.Name, atEntry: true);
            }
            // the recorded allocators: the C# kernel allocates at the entry, the recorded path runs the footprint
            foreach (string name in footprint.Calls.Keys) At(ServicePoint(footprint, name), name, atEntry: true);
            if (footprint.Panic != null)
            {
                // panic's recorded path: __stack_chk_fail's message (at its second instruction, the load of panic's format:
                // the first puts the caller's address in RSI), panic's entry (a panic from elsewhere starts the path
                // there), dump_stack's (the OOM report's), and show_stack's, where the C# kernel prints the trace.
                foreach (string name in new[] { KernelFootprint.PanicEntry, "panic", "dump_stack", KernelFootprint.PanicTrace })
                    At(ServicePoint(footprint, name), name, atEntry: true);
            }
            At(footprint.InitReturnAddress, KernelFootprint.InitCaller, atEntry: false);
            if (footprint.ThreadReturnAddress != 0) At(footprint.ThreadReturnAddress, KernelFootprint.ThreadCaller, atEntry: false);
        }

        /// <summary>
        /// The functions between do_syscall_64 and a driver's handler (<see cref="DriverSyscallPath"/>) at their real
        /// addresses and sizes: nothing of them runs (the C# kernel lays their frames when the system call reaches the
        /// handler), only their return sites exist, each with its CFA for the unwinder; the last one's return site, where
        /// the handler returns, is a vmcall: the C# kernel finishes the system call there. Hardened usercopy's refusal
        /// (<see cref="UsercopyAbortPath"/>) is laid the same way, with usercopy_abort's BUG.
        /// </summary>
        private static void LayDriverPaths(KernelProfile profile, List<byte> text, List<ModuleSymbol> symbols, List<UnwindEntry> unwind,
            List<ServiceSite> services, List<BugEntry> bugs)
        {
            var recorded = new HashSet<string>();
            foreach (var s in symbols) recorded.Add(s.Name);
            // a real function's symbol, int3 everywhere, and the CFA at its return site; the offset of that site. A function
            // the footprint recorded (do_exit, on the oops path) keeps its recorded text and gains the return site's CFA.
            int Lay(DriverPathFrame f)
            {
                int start = checked((int)(f.Address - KernelProfile.KernelTextBase));
                if (recorded.Contains(f.Name))
                {
                    unwind.Add(new UnwindEntry(start + f.ReturnOffset, f.Frame + 8));
                    return start + f.ReturnOffset;
                }
                while (text.Count < start + f.Size) text.Add(0xCC);
                for (int b = 0; b < f.Size; b++) text[start + b] = 0xCC;
                symbols.Add(new ModuleSymbol(f.Name, Section.Text, start, f.Size, 0));
                unwind.Add(new UnwindEntry(start + f.ReturnOffset, f.Frame + 8));
                return start + f.ReturnOffset;
            }
            var laid = new HashSet<string>(); // release's two paths share task_work_run and __fput
            foreach (string path in DriverSyscallPath.Paths)
            {
                if (DriverSyscallPath.For(profile.Name, path) is not { } frames) continue;
                if (DriverSyscallPath.DoSyscallReturnOffset(profile.Name, path) is int offset)
                    LayDoSyscallReturn(profile, offset, unwind);
                int site = 0;
                foreach (var f in frames) site = laid.Add(f.Name) ? Lay(f) : -1;
                if (site < 0) continue;
                for (int b = 0; b < Vmcall.Length; b++) text[site + b] = Vmcall[b];
                services.Add(new ServiceSite(site + Vmcall.Length, frames[frames.Count - 1].Name, false));
            }
            if (UsercopyAbortPath.For(profile.Name) is var (cold, abort))
            {
                // __check_object_size.cold's call of usercopy_abort returns nowhere (its BUG never returns): only its
                // return site's CFA; usercopy_abort's ud2 with its __bug_table entry, where the C# kernel sends a refusal
                Lay(cold);
                int ud2 = Lay(abort);
                text[ud2] = Ud2[0];
                text[ud2 + 1] = Ud2[1];
                bugs.Add(BugAt(ud2, UsercopyAbortPath.Bug, warning: false));
            }
            unwind.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        }

        /// <summary>
        /// A return site in do_syscall_64 other than the recorded one (<see cref="DriverSyscallPath.DoSyscallReturnOffset"/>):
        /// the unwinder's CFA there, the recorded site's, as both calls are made from the same frame.
        /// </summary>
        private static void LayDoSyscallReturn(KernelProfile profile, int offset, List<UnwindEntry> unwind)
        {
            var footprint = KernelFootprint.For(profile.Name)!;
            if (footprint.ReturnSiteIn(DriverSyscallPath.DoSyscall) is not { } recorded) return;
            ulong site = footprint.AddressOf(DriverSyscallPath.DoSyscall) + (ulong)offset;
            unwind.Add(new UnwindEntry(checked((int)(site - KernelProfile.KernelTextBase)), recorded.Value));
        }

        /// <summary>A __bug_table entry at <paramref name="offset"/> for "FILE:LINE" (a WARN's flags BUGFLAG_NO_CUT_HERE too).</summary>
        private static BugEntry BugAt(int offset, string where, bool warning)
        {
            int colon = where.LastIndexOf(':');
            return new BugEntry(offset, where.Substring(0, colon), int.Parse(where.Substring(colon + 1), System.Globalization.CultureInfo.InvariantCulture),
                warning, noCutHere: warning);
        }

        /// <summary>
        /// Where a service can stand in a recorded function: its first instruction long enough for the vmcall that the text
        /// makes a NOP or that loads a constant (FootprintText.CanHoldService), after the stack operations that must run as
        /// recorded (5.10's dump_stack pushes; __stack_chk_fail reads its caller's address through RSP).
        /// </summary>
        private static ulong ServicePoint(KernelFootprint footprint, string function)
        {
            ulong at = footprint.AddressOf(function);
            while (footprint.InstructionBytes(at) is { } bytes)
            {
                if (FootprintText.CanHoldService(bytes, at, out bool runsFirst) && bytes.Length >= Vmcall.Length) return at;
                if (!runsFirst) break;
                at += (ulong)bytes.Length;
            }
            throw new InvalidOperationException($"no instruction of {function} in the footprint can hold a service");
        }

        /// <summary>The pages that hold a function: only these are mapped (the real text between them is not modelled).</summary>
        private static List<int> CodePages(List<ModuleSymbol> symbols, int length)
        {
            var pages = new SortedSet<int>();
            foreach (var s in symbols)
                for (int page = s.Offset >> 12; page <= Math.Min(s.Offset + Math.Max(s.Size, 1) - 1, length - 1) >> 12; page++)
                    pages.Add(page);
            return new List<int>(pages);
        }

        internal static readonly byte[] Vmcall = { 0x0F, 0x01, 0xC1 };
        private static readonly byte[] Ud2 = { 0x0F, 0x0B };

        /// <summary>
        /// A kernel function's RET: `ret`, and four int3 where the profile's return thunk was patched to them
        /// (<see cref="KernelProfile.ReturnThunk"/>), so what follows a return sits at its real offset.
        /// </summary>
        internal static void Ret(CodeBuffer code, KernelProfile profile)
        {
            code.Asm.ret();
            if (profile.ReturnThunk) code.Bytes(0xCC, 0xCC, 0xCC, 0xCC);
        }

        private static FunctionCode Emit(KernelFunctionShape f, KernelProfile profile)
        {
            var code = new CodeBuffer();
            if (f.IsBody)
            {
                string body = f.Steps[0].Target;
                if (!KernelStringFunctions.Emit(body, code, profile) && !KernelPrintfFunctions.Emit(body, code, profile) &&
                    !KernelSchedFunctions.Emit(body, code, profile) && !KernelUaccessFunctions.Emit(body, code, profile))
                    throw new InvalidOperationException($"kernel function {body} has no code of its own");
                return code.Encode(f.Name, 0);
            }
            var a = code.Asm;
            code.SetCfa(8);
            if (f.ServiceAtEntry)
            {
                code.Bytes(Vmcall);
                code.Mark("entry");
            }

            int cfa = 8, remaining = f.FrameSize;
            bool savedRbp = false, savedRbx = false;
            if (remaining >= 8)
            {
                a.push(rbp);
                code.SetCfa(cfa += 8);
                remaining -= 8;
                savedRbp = true;
                if (profile.FramePointer) a.mov(rbp, rsp);
            }
            if (remaining >= 8)
            {
                a.push(rbx);
                code.SetCfa(cfa += 8);
                remaining -= 8;
                savedRbx = true;
            }
            if (remaining > 0)
            {
                a.sub(rsp, remaining);
                code.SetCfa(cfa += remaining);
                a.mov(__qword_ptr[rsp], rdi); // compiled code spills into its frame: the first touch of its lowest word
            }

            foreach (var step in f.Steps)
            {
                switch (step.Step)
                {
                    case KernelStep.Call:
                        code.CallSymbol(step.Target);
                        break;
                    case KernelStep.CallRdi:
                        a.call(rdi);
                        break;
                    case KernelStep.CallRdiWithRsi:
                        a.mov(rax, rdi);
                        a.mov(rdi, rsi);
                        a.call(rax);
                        break;
                    case KernelStep.Bug:
                        code.Mark("bug " + step.Target); // before the ud2: the bug entry holds the trapping address
                        code.Bytes(Ud2);
                        break;
                    case KernelStep.Service:
                        code.Bytes(Vmcall);
                        code.Mark("body");
                        break;
                }
            }

            if (remaining > 0)
            {
                a.add(rsp, remaining);
                code.SetCfa(cfa -= remaining);
            }
            if (savedRbx)
            {
                a.pop(rbx);
                code.SetCfa(cfa -= 8);
            }
            if (savedRbp)
            {
                a.pop(rbp);
                code.SetCfa(cfa -= 8);
            }
            a.ret();
            return code.Encode(f.Name, 0);
        }
    }
}
