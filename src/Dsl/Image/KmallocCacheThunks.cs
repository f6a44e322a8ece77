using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Iced.Intel;

namespace KDsl.Image
{
    /// <summary>
    /// kmalloc(CONSTANT) in a real module. include/linux/slab.h's kmalloc() folds a constant size up to
    /// KMALLOC_MAX_CACHE_SIZE into kmalloc_trace(kmalloc_caches[kmalloc_type(flags)][kmalloc_index(size)], flags, size)
    /// (5.10: kmem_cache_alloc_trace), and GCC loads the cache with `mov kmalloc_caches+8*index(%rip), %rdi`
    /// (R_X86_64_PC32 kmalloc_caches+8*index-4: objdump -dr of a gcc-built module calling kmalloc(64, GFP_KERNEL) on the
    /// 6.1 headers shows kmalloc_caches+0x2c). KDsl's kernel has no kmem_cache objects, so KDsl's code passes 0 in RDI
    /// (`xor edi, edi`), two bytes where GCC's load takes seven. To keep KDsl's bytes and offsets, the call's relocation
    /// goes to a thunk after the image's code that does GCC's load and jumps on: RDI holds the real cache when the kernel
    /// function starts, and the jmp adds no frame, so the stack and the call trace are the ones KDsl runs.
    /// <para>
    /// The thunks must not change what module kallsyms says of the code before them. find_kallsyms_symbol
    /// (kernel/module/kallsyms.c; kernel/module.c on 5.10) sizes a symbol up to the next named symbol above it, else up to
    /// the end of the core text (core_layout.text_size, page-aligned under STRICT_MODULE_RWX); KDsl's module has no
    /// thunks, so its last function runs to the end of its page. objtool, though, needs a symbol at every call's
    /// destination (without one it stops before writing the module's ORC table, and the real kernel's unwinder then
    /// guesses and marks every frame `?`). So when the thunks fit in the last page KDsl's code ends in, each is a
    /// function symbol for objtool, the calls go through a `.L` label at the same place (a .text-relative relocation),
    /// and kdsl ko strips the symbols from the .ko after Kbuild (<see cref="StrippedSymbols"/>). Thunks that do not fit
    /// start the next page under their names, which ends the last function at the same page end.
    /// </para>
    /// </summary>
    internal sealed class KmallocCacheThunks
    {
        /// <summary>The callees slab.h's constant branch calls with a cache first (6.1's, then 5.10's).</summary>
        public static readonly string[] Callees = { "kmalloc_trace", "kmem_cache_alloc_trace" };

        /// <summary>KMALLOC_SHIFT_LOW with SLUB on x86-64: ilog2(ARCH_KMALLOC_MINALIGN = __alignof__(unsigned long long)).</summary>
        private const int KmallocShiftLow = 3;
        private const long KmallocMinSize = 1L << KmallocShiftLow;

        /// <summary>Each thunk's bytes (a 7-byte mov, a 5-byte jmp), 16-byte aligned as GCC aligns functions.</summary>
        private const int ThunkSize = 12, ThunkAlign = 16;
        private const int PageSize = 4096;

        private readonly Dictionary<int, string> _targets = new Dictionary<int, string>();
        private readonly SortedDictionary<string, (string Callee, int Index)> _thunks = new SortedDictionary<string, (string, int)>(StringComparer.Ordinal);

        /// <summary>True when the thunks start a page of their own under symbol names, false when they are `.L` labels.</summary>
        public bool Named { get; private set; }

        /// <summary>A thunk's symbol: `__kdsl_` and the cache (__kdsl_kmalloc_trace_kmalloc_64).</summary>
        private static string Symbol(string thunk) => "__kdsl_" + thunk;

        /// <summary>What the calls name: the symbol when it stays, else the `.L` label beside it.</summary>
        private string Label(string thunk) => (Named ? "" : ".L") + Symbol(thunk);

        /// <summary>The thunk a relocation at <paramref name="offset"/> calls instead of its kernel function, or null.</summary>
        public string? Target(int offset) => _targets.TryGetValue(offset, out var t) ? Label(t) : null;

        /// <summary>The thunks' symbols to strip from the .ko after Kbuild: all of them unless they start a page of their own.</summary>
        public IEnumerable<string> StrippedSymbols => Named ? Enumerable.Empty<string>() : _thunks.Keys.Select(Symbol);

        /// <summary>The kernel symbols the thunks need.</summary>
        public IEnumerable<string> Imports => _thunks.Count == 0 ? Enumerable.Empty<string>()
            : _thunks.Values.Select(t => t.Callee).Append("kmalloc_caches").Distinct();

        /// <summary>
        /// The thunks for every constant-size kmalloc call of <paramref name="image"/>, to follow the
        /// <paramref name="coreTextBytes"/> bytes of the module's .text; null with the reason when a call's size is not a
        /// constant the code loads into RDX right before it.
        /// </summary>
        public static KmallocCacheThunks? Find(ModuleImage image, int coreTextBytes, out string? error)
        {
            error = null;
            var thunks = new KmallocCacheThunks();
            var functions = image.Symbols.Where(s => s.Section == Section.Text).ToList();
            foreach (var r in image.Relocations.Where(r => Callees.Contains(r.Target)))
            {
                var function = functions.FirstOrDefault(f => r.Offset >= f.Offset && r.Offset < f.Offset + f.Size);
                long? size = function is null ? null : SizeInRdx(image.Text, function, r.Offset);
                if (size is not long s || s <= 0 || s > 8192)
                {
                    error = $"the {r.Target} call at .text+0x{r.Offset:x} has no constant size in RDX, so kdsl ko cannot give it its kmalloc cache";
                    return null;
                }
                int index = KmallocIndex(s);
                // named after the cache, as /proc/slabinfo names it: kmalloc-64, kmalloc-96, ...
                long cache = index == 1 ? 96 : index == 2 ? 192 : 1L << index;
                string thunk = $"{r.Target}_kmalloc_{cache}";
                thunks._thunks[thunk] = (r.Target, index);
                thunks._targets[r.Offset] = thunk;
            }
            thunks.Named = !FitInPage(coreTextBytes, thunks._thunks.Count);
            return thunks;
        }

        /// <summary>Whether <paramref name="count"/> thunks after <paramref name="used"/> bytes of text end in the page those bytes end in.</summary>
        private static bool FitInPage(int used, int count)
        {
            if (count == 0 || used == 0) return true; // no thunks, or no function before them to size
            int start = (used + ThunkAlign - 1) & ~(ThunkAlign - 1);
            int end = start + ThunkAlign * (count - 1) + ThunkSize;
            int pageEnd = (used + PageSize - 1) & ~(PageSize - 1);
            return end <= pageEnd;
        }

        /// <summary>
        /// include/linux/slab.h's __kmalloc_index(size) (5.10 and 6.1 alike) with KMALLOC_MIN_SIZE 8: the 96- and
        /// 192-byte caches at 1 and 2, else the power of two that holds the size.
        /// </summary>
        public static int KmallocIndex(long size)
        {
            if (size <= KmallocMinSize) return KmallocShiftLow;
            if (size > 64 && size <= 96) return 1;
            if (size > 128 && size <= 192) return 2;
            int index = KmallocShiftLow;
            while ((1L << index) < size) index++;
            return index;
        }

        /// <summary>The thunks' assembly: GCC's load of kmalloc_caches[KMALLOC_NORMAL][index], then a jump to the callee.</summary>
        public void Emit(StringBuilder s)
        {
            if (_thunks.Count == 0) return;
            s.Append("\n\t.section .text,\"ax\",@progbits\n");
            s.Append("/* kmalloc(CONSTANT)'s cache: GCC loads kmalloc_caches[KMALLOC_NORMAL][index] into RDI at the call site;\n");
            s.Append("   KDsl's call site has `xor edi, edi` there, so its call comes here first (see KmallocCacheThunks.cs) */\n");
            if (Named) s.Append("\t.p2align 12, 0xcc /* past the last function's page, as KDsl's kallsyms sizes it */\n");
            foreach (var thunk in _thunks)
            {
                string name = Symbol(thunk.Key), callee = thunk.Value.Callee;
                int index = thunk.Value.Index;
                s.Append("\t.p2align 4\n\t.type ").Append(name).Append(", @function\n").Append(name).Append(":\n");
                if (!Named) s.Append(Label(thunk.Key)).Append(":\n");
                s.Append("\tmovq kmalloc_caches+").Append((8 * index).ToString(CultureInfo.InvariantCulture)).Append("(%rip), %rdi\n");
                s.Append("\tjmp ").Append(callee).Append('\n');
                s.Append("\t.size ").Append(name).Append(", .-").Append(name).Append('\n');
            }
        }

        /// <summary>The immediate the last instruction before <paramref name="call"/> that writes RDX loads, or null when that write is not a constant.</summary>
        private static long? SizeInRdx(byte[] text, ModuleSymbol function, int call)
        {
            var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(text, function.Offset, function.Size));
            decoder.IP = (ulong)function.Offset;
            long? size = null;
            while (decoder.IP < (ulong)call)
            {
                var i = decoder.Decode();
                if (i.Op0Kind != OpKind.Register || i.Op0Register.GetFullRegister() != Register.RDX) continue;
                size = i.Mnemonic == Mnemonic.Mov && i.Op1Kind is OpKind.Immediate32 or OpKind.Immediate32to64 or OpKind.Immediate64
                    ? (long)i.GetImmediate(1) : (long?)null;
            }
            return size;
        }
    }
}
