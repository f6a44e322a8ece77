using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace KDsl.Profiles
{
    /// <summary>
    /// The kernel's stack footprint as recorded on the real kernel (tools/kernel-trace): the functions and instructions
    /// its paths run at their real addresses (the profiles run with KASLR off), the task stack and registers the syscall
    /// path hands a module's init, and every printk call instruction by instruction. The modelled kernel text is built
    /// from this (KernelTextCompiler), so a fault lands where the real kernel's does. Data, not code: Footprints/*.ktrace.
    /// </summary>
    public sealed partial class KernelFootprint
    {
        private static readonly Dictionary<string, KernelFootprint?> Cache = new Dictionary<string, KernelFootprint?>();

        public List<FootprintSymbol> Symbols { get; } = new List<FootprintSymbol>();
        public List<FootprintInstruction> Instructions { get; } = new List<FootprintInstruction>();
        /// <summary>CFA at return addresses of the syscall path's functions above the init (not single-stepped).</summary>
        public List<KeyValuePair<ulong, int>> ReturnSites { get; } = new List<KeyValuePair<ulong, int>>();
        /// <summary>The task stack from the init's entry RSP (its return address) up to pt_regs, as tokens (see <see cref="FootprintWord"/>).</summary>
        public List<string> InitWords { get; } = new List<string>();
        /// <summary>Registers at the init's first instruction, as tokens.</summary>
        public List<KeyValuePair<string, string>> InitRegisters { get; } = new List<KeyValuePair<string, string>>();
        /// <summary>
        /// The task stack a kthread_run thread's function starts with, word by word from its return address into kthread
        /// (the lowest) up to pt_regs; empty when not recorded. Tokens as <see cref="InitWords"/>.
        /// </summary>
        public List<string> ThreadWords { get; } = new List<string>();

        /// <summary>Registers at a kthread_run thread function's first instruction, as tokens ("minit": the function); empty when not recorded.</summary>
        public List<KeyValuePair<string, string>> ThreadRegisters { get; } = new List<KeyValuePair<string, string>>();

        /// <summary>kthread's return address from the thread function (where it calls do_exit's path), or 0.</summary>
        public ulong ThreadReturnAddress => ThreadWords.Count > 0 ? FootprintWord.Parse(ThreadWords[0]).Value : 0;

        /// <summary>Stack bytes in use when kthread calls the thread function: pt_regs and the recorded words above its return address.</summary>
        public int StackInUseAtThreadCall => KernelProfile.PtRegsSize + 8 * (ThreadWords.Count - 1);
        public List<RecordedPath> Printks { get; } = new List<RecordedPath>();

        /// <summary>
        /// panic's path as recorded from a module's call of <see cref="PanicEntry"/> to <see cref="PanicTrace"/>'s entry,
        /// where the call trace is printed (its printks included), or null when not recorded.
        /// </summary>
        public RecordedPath? Panic { get; private set; }

        /// <summary>Where the recorded panic path starts: what a module calls when its stack canary was overwritten.</summary>
        public const string PanicEntry = "__stack_chk_fail";
        /// <summary>Where the recorded panic path ends: dump_stack's call of show_stack, which prints the trace.</summary>
        public const string PanicTrace = "show_stack";

        /// <summary>
        /// The oops paths as recorded, by the exception entry they start at (asm_exc_page_fault for a kernel NULL write,
        /// asm_exc_invalid_op for a BUG(), asm_exc_divide_error, asm_exc_general_protection; RSP at the frame the CPU
        /// pushed) to the entry of the printk of the call trace's second entry: the report through "Call Trace:" and its
        /// first entry line, their printks included (<see cref="RecordedPath.Formats"/>).
        /// </summary>
        public Dictionary<string, RecordedPath> OopsPaths { get; } = new Dictionary<string, RecordedPath>(StringComparer.Ordinal);

        /// <summary>
        /// The exception entry an <see cref="OopsPaths"/> key starts at: the key itself, or what precedes ':' in a key that
        /// names another path from the same gate ("asm_exc_invalid_op:warn", a WARN's, beside a BUG()'s).
        /// </summary>
        public static string OopsPathEntry(string key)
        {
            int colon = key.IndexOf(':');
            return colon < 0 ? key : key.Substring(0, colon);
        }

        /// <summary>The WARN's path from the #UD gate (<see cref="OopsPaths"/>): report_bug's warning branch, __warn, show_regs.</summary>
        public const string WarnPath = "asm_exc_invalid_op:warn";

        /// <summary>
        /// The allocator calls as recorded from a module's call to their return (__kmalloc, kfree, vmalloc, __get_free_pages,
        /// free_pages), by the function called: the C# kernel does the allocation, the recorded text its stack footprint.
        /// </summary>
        public Dictionary<string, RecordedPath> Calls { get; } = new Dictionary<string, RecordedPath>(StringComparer.Ordinal);

        /// <summary>
        /// An experiment's own calls of an allocator in the order it made them, recorded on the real kernel (trace.sh's
        /// calls mode): a call's way through the allocator depends on what the calls before it left (a slab's free
        /// objects run out every so many calls, and the next call refills it), so the K-th call replays the K-th recorded
        /// one. Calls of the same way share one path. Past the recorded ones, <see cref="Calls"/>' path.
        /// </summary>
        public Dictionary<string, List<RecordedPath>> CallsInOrder { get; } = new Dictionary<string, List<RecordedPath>>(StringComparer.Ordinal);

        /// <summary>The path a module's <paramref name="index"/>-th call (from 0) of <paramref name="function"/> takes, or null when none is recorded.</summary>
        public RecordedPath? CallFor(string function, int index) =>
            CallsInOrder.TryGetValue(function, out var inOrder) && index < inOrder.Count ? inOrder[index]
            : Calls.TryGetValue(function, out var path) ? path : null;

        /// <summary>Every recorded allocator path once, with the function it starts at: <see cref="Calls"/>' and <see cref="CallsInOrder"/>'.</summary>
        public IEnumerable<KeyValuePair<string, RecordedPath>> CallPaths()
        {
            foreach (var call in Calls) yield return call;
            foreach (var inOrder in CallsInOrder)
            {
                var seen = new HashSet<RecordedPath>();
                foreach (var path in inOrder.Value)
                    if (seen.Add(path)) yield return new KeyValuePair<string, RecordedPath>(inOrder.Key, path);
            }
        }

        /// <summary>The page fault's oops path (<see cref="OopsPaths"/> at <see cref="OopsEntry"/>), or null.</summary>
        public RecordedPath? Oops => OopsPaths.TryGetValue(OopsEntry, out var path) ? path : null;

        /// <summary>The #PF gate's entry, where the page fault's oops path starts.</summary>
        public const string OopsEntry = "asm_exc_page_fault";

        /// <summary>
        /// The recorded return site inside <paramref name="function"/> (the return address of its call that was still open
        /// when a recorded path ended) and the CFA there, or null.
        /// </summary>
        public KeyValuePair<ulong, int>? ReturnSiteIn(string function)
        {
            foreach (var s in Symbols)
            {
                if (s.Name != function) continue;
                foreach (var site in ReturnSites)
                    if (site.Key > s.Address && site.Key - s.Address <= (ulong)s.Size) return site;
            }
            return null;
        }

        /// <summary>Whether the recorded text has <paramref name="function"/> (a modelled kernel function of that name would collide).</summary>
        public bool Records(string function)
        {
            foreach (var s in Symbols)
                if (s.Name == function) return true;
            return false;
        }

        /// <summary>Each executed instruction's real bytes by address (their length is how the recorded runs step on).</summary>
        private readonly Dictionary<ulong, byte[]> _instructionBytes = new Dictionary<ulong, byte[]>();

        /// <summary>The real bytes of the executed instruction at <paramref name="address"/>, or null.</summary>
        public byte[]? InstructionBytes(ulong address) => _instructionBytes.TryGetValue(address, out var bytes) ? bytes : null;

        /// <summary>The function the init returns into; its vmcall there ends finit_module (KernelTextCompiler, LinuxKernel.Run).</summary>
        public const string InitCaller = "do_one_initcall";
        /// <summary>The function that calls a kernel thread's function (kernel/kthread.c).</summary>
        public const string ThreadCaller = "kthread";

        /// <summary>The init's return address: the instruction in do_one_initcall after its call of the init.</summary>
        public ulong InitReturnAddress => ReturnSites.Count > 0 ? ReturnSites[0].Key : 0;

        /// <summary>Stack bytes in use when the init starts, its return address included (pt_regs + the syscall path).</summary>
        public int StackInUseAtInitEntry => KernelProfile.PtRegsSize + 8 * InitWords.Count;

        /// <summary>The footprint recorded for a profile, or null for a kernel KDsl has not measured (linux-4.11).</summary>
        public static KernelFootprint? For(string profileName)
        {
            lock (Cache)
            {
                if (Cache.TryGetValue(profileName, out var cached)) return cached;
                var stream = typeof(KernelFootprint).Assembly.GetManifestResourceStream("KDsl.Profiles.Footprints." + profileName + ".ktrace");
                KernelFootprint? footprint = null;
                if (stream != null)
                    using (var reader = new StreamReader(stream, Encoding.UTF8))
                        footprint = Parse(reader);
                Cache[profileName] = footprint;
                return footprint;
            }
        }

        /// <summary>
        /// A recorded printk call replayed step by step from printk's first instruction (<paramref name="entry"/>): each
        /// executed instruction's address and where control went next, the next instruction unless the recording jumped.
        /// </summary>
        public IEnumerable<KeyValuePair<ulong, ulong>> Steps(RecordedPath path, ulong entry)
        {
            ulong pc = entry;
            int j = 0;
            for (int step = 0; step < path.Steps; step++)
            {
                ulong next;
                if (j < path.Jumps.Count && path.Jumps[j].Key == pc) next = path.Jumps[j++].Value;
                else if (_instructionBytes.TryGetValue(pc, out var bytes)) next = pc + (ulong)bytes.Length;
                else throw new InvalidDataException($"the recorded path of \"{path.Format}\" leaves the recorded instructions at {pc:x}");
                yield return new KeyValuePair<ulong, ulong>(pc, next);
                pc = next;
            }
        }

        /// <summary>The entry of the profile's printk (the first instruction every recorded printk path ran).</summary>
        public ulong AddressOf(string function)
        {
            foreach (var s in Symbols)
                if (s.Name == function) return s.Address;
            throw new InvalidDataException("the footprint has no function " + function);
        }

        /// <summary>
        /// The recorded printk call of the same format, or of the recorded format closest to it: first one whose deepest
        /// conversion is the same (vsnprintf runs one helper per conversion, one after another from the same frame, so
        /// the deepest helper decides how deep the call goes: "%s %d in %pS" goes as deep as "%pS", symbol_string's
        /// nested sprintf, not as "%s: depth %d"; the held-out pss_BUF.c died in symbol_string on 6.1 and under
        /// __sprint_symbol on 5.10), then the fewest conversions to change, then the nearest length. The arguments'
        /// values do not change printk's stack footprint. Null without recordings.
        /// </summary>
        public RecordedPath? PrintkFor(string format) => _printkFor.GetOrAdd(format, ClosestPrintk);

        /// <summary>Every printk of a run asks (and the analysis, per call site): the choice is made once per format.</summary>
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RecordedPath?> _printkFor =
            new System.Collections.Concurrent.ConcurrentDictionary<string, RecordedPath?>(StringComparer.Ordinal);

        private RecordedPath? ClosestPrintk(string format)
        {
            string text = StripLevel(format);
            var wanted = Conversions(format);
            string? deepest = DeepestConversion(wanted);
            RecordedPath? best = null;
            int bestScore = int.MaxValue;
            foreach (var p in Printks)
            {
                string recorded = StripLevel(p.Format);
                if (recorded == text) return p;
                var conversions = Conversions(p.Format);
                int score = (DeepestConversion(conversions) == deepest ? 0 : 1_000_000) + EditDistance(conversions, wanted) * 1000 +
                    Math.Min(Math.Abs(recorded.Length - text.Length), 999);
                if (score < bestScore) { bestScore = score; best = p; }
            }
            return best;
        }

        /// <summary>
        /// The conversions of a format by the vsnprintf helper they run: "n" for the integers (number()), "s" string(),
        /// "c" (no helper), "p" and its extension for pointers ("px", "pS"); "%d %s %px" → n, s, px.
        /// </summary>
        private static List<string> Conversions(string format)
        {
            var list = new List<string>();
            for (int i = 0; i < format.Length; i++)
            {
                if (format[i] != '%') continue;
                i++;
                while (i < format.Length && "-+ #0123456789.*lhzjt".IndexOf(format[i]) >= 0) i++;
                if (i >= format.Length || format[i] == '%') continue;
                char c = format[i];
                if ("diuxXo".IndexOf(c) >= 0) list.Add("n");
                else if (c == 'p') list.Add(i + 1 < format.Length && char.IsLetter(format[i + 1]) ? "p" + format[i + 1] : "p");
                else list.Add(c.ToString());
            }
            return list;
        }

        /// <summary>
        /// Of <paramref name="conversions"/>, the one whose helper goes deepest, measured: each kind's depth is that of the
        /// recorded printk with that conversion alone ("ktrace %pS\n"). Null when none of them was recorded alone.
        /// </summary>
        private string? DeepestConversion(List<string> conversions)
        {
            string? deepest = null;
            int depth = -1;
            foreach (var c in conversions)
                if (DepthAlone(c) is int d && d > depth)
                {
                    depth = d;
                    deepest = c;
                }
            return deepest;
        }

        private int? DepthAlone(string conversion) => _depthAlone.GetOrAdd(conversion, c =>
        {
            foreach (var p in Printks)
            {
                var alone = Conversions(p.Format);
                if (alone.Count == 1 && alone[0] == c) return p.Deepest;
            }
            return null;
        });

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int?> _depthAlone =
            new System.Collections.Concurrent.ConcurrentDictionary<string, int?>(StringComparer.Ordinal);

        private static int EditDistance(List<string> a, List<string> b)
        {
            var d = new int[a.Count + 1, b.Count + 1];
            for (int i = 0; i <= a.Count; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Count; j++) d[0, j] = j;
            for (int i = 1; i <= a.Count; i++)
                for (int j = 1; j <= b.Count; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Count, b.Count];
        }

        /// <summary>The format without its KERN_ level prefix ("\u0001" and a digit).</summary>
        private static string StripLevel(string format) =>
            format.Length >= 2 && format[0] == '\u0001' ? format.Substring(2) : format;

        /// <summary>The deepest any recorded printk went below its caller's RSP: what a printk of unknown format costs.</summary>
        public int PrintkDeepest
        {
            get
            {
                int deepest = 0;
                foreach (var p in Printks) deepest = Math.Max(deepest, p.Deepest);
                return deepest;
            }
        }
    }
}
