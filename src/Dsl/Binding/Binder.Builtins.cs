using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>
    /// The kernel's fault-on-purpose vocabulary: BUG(), BUG_ON(cond), WARN_ON(cond) (include/asm-generic/bug.h,
    /// expanded by the code generator into a ud2 with a __bug_table entry), panic(fmt, ...) (a call of the kernel's
    /// panic), and call_ptr(addr), a call through a function pointer (KDsl has no function-pointer types); IS_ERR(p) and
    /// PTR_ERR(p) (include/linux/err.h), which read what kthread_run returns.
    /// </summary>
    public sealed partial class Binder
    {
        public const string BugName = "BUG";
        public const string BugOnName = "BUG_ON";
        public const string WarnOnName = "WARN_ON";
        /// <summary>int WARN(cond, fmt, ...): __warn_printk(fmt, ...) and a ud2 flagged BUGFLAG_NO_CUT_HERE when cond holds (5.10, 6.1).</summary>
        public const string WarnName = "WARN";
        private FunctionSymbol? _warnPrintk;
        public const string PanicName = "panic";
        public const string CallPtrName = "call_ptr";
        /// <summary>void *vmalloc(long size): the kernel's vmalloc, a call into the modelled kernel text (0 when out of memory).</summary>
        public const string VmallocName = "vmalloc";
        /// <summary>long kthread_run(threadfn, data): its thread functions are entry points of the stack analysis.</summary>
        public const string KthreadRunName = "kthread_run";
        /// <summary>include/linux/err.h: IS_ERR(p) is IS_ERR_VALUE((unsigned long)p), PTR_ERR(p) is (long)p.</summary>
        public const string IsErrName = "IS_ERR";
        public const string PtrErrName = "PTR_ERR";
        /// <summary>include/linux/err.h MAX_ERRNO: the top 4095 addresses are error codes (ERR_PTR).</summary>
        private const long MaxErrno = 4095;
        /// <summary>NUMA_NO_NODE (include/linux/numa.h): kthread_create's node.</summary>
        private const long NumaNoNode = -1;
        /// <summary>The namefmt kthread_run passes when threadfn is not a function of the file (a computed address).</summary>
        public const string KthreadDefaultName = "kthread";

        /// <summary>
        /// The kernel-memory and task builtins of the stack-model experiments: calls into the modelled kernel text, whose
        /// entry services do the work (the runtime's Kernel/Mm and Kernel/ThreadStacks.cs). name → (link name, return type, parameters).
        /// </summary>
        private static readonly (string Name, string Link, TypeSymbol Return, (string Name, TypeSymbol Type)[] Parameters)[] KernelBuiltins =
        {
            (VmallocName, "vmalloc", TypeSymbol.PointerTo(TypeSymbol.Void), new[] { ("size", TypeSymbol.Long) }),
            // void *kmalloc(size): physically contiguous, direct-mapped (whole pages; NULL when memory runs out).
            // A size computed at run time calls __kmalloc; a constant one another function (BindConstantKmalloc).
            ("kmalloc", "__kmalloc", TypeSymbol.PointerTo(TypeSymbol.Void), new[] { ("size", TypeSymbol.Long) }),
            // __kmalloc(size): kmalloc's out-of-line function, called directly as C code does to keep a constant size off
            // kmalloc_trace's path.
            ("__kmalloc", "__kmalloc", TypeSymbol.PointerTo(TypeSymbol.Void), new[] { ("size", TypeSymbol.Long) }),
            // void *kzalloc(size): include/linux/slab.h's kmalloc(size, flags | __GFP_ZERO), the same calls as kmalloc's
            // (BindKzalloc) with the zeroing flag
            (KzallocName, "__kmalloc", TypeSymbol.PointerTo(TypeSymbol.Void), new[] { ("size", TypeSymbol.Long) }),
            ("kfree", "kfree", TypeSymbol.Void, new[] { ("p", TypeSymbol.PointerTo(TypeSymbol.Void)) }),
            // void vfree(addr): gives a vmalloc area back; an address no area holds is the kernel's WARN.
            ("vfree", "vfree", TypeSymbol.Void, new[] { ("addr", TypeSymbol.PointerTo(TypeSymbol.Void)) }),
            // long __get_free_pages(order): 2^order contiguous pages' direct-map address, 0 when none is free.
            ("__get_free_pages", "__get_free_pages", TypeSymbol.Long, new[] { ("order", TypeSymbol.Long) }),
            ("free_pages", "free_pages", TypeSymbol.Void, new[] { ("addr", TypeSymbol.Long), ("order", TypeSymbol.Long) }),
            // long kthread_run(threadfn, data): include/linux/kthread.h's macro, kthread_create_on_node(threadfn, data,
            // NUMA_NO_NODE, namefmt) then wake_up_process unless IS_ERR (BindKthreadRun): the task_struct or ERR_PTR(-errno).
            // long sg_dma_sum(buf, len): sg_init_one(&sg, buf, len), then a device DMA-reads the entry and sums its bytes.
            ("sg_dma_sum", "sg_init_one", TypeSymbol.Long, new[] { ("buf", TypeSymbol.PointerTo(TypeSymbol.Void)), ("len", TypeSymbol.Long) }),
            (KthreadRunName, "kthread_create_on_node", TypeSymbol.Long, new[] { ("threadfn", TypeSymbol.Long), ("data", TypeSymbol.Long) }),
            // The string and memory functions (include/linux/string.h), the kernel's exported ones: memset, memcpy and
            // memmove of arch/x86/lib, lib/string.c's others. Leaf functions the kernel text runs as real code
            // (CodeGen/KernelStringFunctions); a module calls them, but for memset and memcpy of a constant size up to 8 KiB
            // and strcpy of a literal, which GCC expands in place and so does KDsl (CodeGen/InlinedStringCalls).
            ("memset", "memset", VoidPointer, new[] { ("s", VoidPointer), ("c", TypeSymbol.Int), ("n", TypeSymbol.ULong) }),
            ("memcpy", "memcpy", VoidPointer, new[] { ("dest", VoidPointer), ("src", VoidPointer), ("n", TypeSymbol.ULong) }),
            ("memmove", "memmove", VoidPointer, new[] { ("dest", VoidPointer), ("src", VoidPointer), ("n", TypeSymbol.ULong) }),
            ("strlen", "strlen", TypeSymbol.ULong, new[] { ("s", CharPointer) }),
            ("strcpy", "strcpy", CharPointer, new[] { ("dest", CharPointer), ("src", CharPointer) }),
            ("strncpy", "strncpy", CharPointer, new[] { ("dest", CharPointer), ("src", CharPointer), ("n", TypeSymbol.ULong) }),
            ("strscpy", "strscpy", TypeSymbol.Long, new[] { ("dest", CharPointer), ("src", CharPointer), ("count", TypeSymbol.ULong) }),
            // int misc_register(struct miscdevice *), void misc_deregister(...): drivers/char/misc.c; the device node /dev/NAME
            // a process opens (Binder.Drivers: the misc device's fops handlers are entry points of the stack analysis).
            ("misc_register", "misc_register", TypeSymbol.Int, new[] { ("misc", VoidPointer) }),
            ("misc_deregister", "misc_deregister", TypeSymbol.Void, new[] { ("misc", VoidPointer) }),
            // unsigned long copy_from_user(to, from, n) / copy_to_user(to, from, n): the bytes not copied (0 on success);
            // lib/usercopy.c's out-of-line _copy_from_user / _copy_to_user, which x86 calls (no INLINE_COPY_*_USER).
            (CopyFromUserName, "_copy_from_user", TypeSymbol.ULong, new[] { ("to", VoidPointer), ("from", VoidPointer), ("n", TypeSymbol.ULong) }),
            (CopyToUserName, "_copy_to_user", TypeSymbol.ULong, new[] { ("to", VoidPointer), ("from", VoidPointer), ("n", TypeSymbol.ULong) }),
            // void dump_stack(void): lib/dump_stack.c, the CPU/Hardware name lines and the call trace; the kernel goes on.
            ("dump_stack", "dump_stack", TypeSymbol.Void, new (string, TypeSymbol)[0]),
        };

        private static TypeSymbol VoidPointer => TypeSymbol.PointerTo(TypeSymbol.Void);
        private static TypeSymbol CharPointer => TypeSymbol.PointerTo(TypeSymbol.Char);

        private FunctionSymbol _panic = null!;
        private FunctionSymbol _kthreadCreateOnNode = null!;
        private FunctionSymbol _kmallocSlab = null!;
        private FunctionSymbol _kmallocLarge = null!;

        /// <summary>KMALLOC_MAX_CACHE_SIZE with SLUB (include/linux/slab.h: KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1): 8 KiB.</summary>
        private const long KmallocMaxCacheSize = 8192;
        /// <summary>GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS) since 4.15's renumbering, as GCC passes it.</summary>
        private const long GfpKernel = 0xcc0;
        /// <summary>__GFP_ZERO (___GFP_ZERO 0x100u in include/linux/gfp.h since 4.15): kzalloc's flags are 0xdc0.</summary>
        private const long GfpZero = 0x100;
        public const string KzallocName = "kzalloc";
        public const string SnprintfName = "snprintf";
        public const string MightSleepName = "might_sleep";
        public const string SprintfName = "sprintf";

        /// <summary>Which argument of a kernel function is a printk-style format: printk's and panic's first, snprintf's third, sprintf's second; -1 for none.</summary>
        private int FormatArgument(FunctionSymbol function) =>
            ReferenceEquals(function, _printk) || ReferenceEquals(function, _panic) ? 0
            : function.Kind == FunctionKind.Kernel && function.IsVariadic ? function.Parameters.Length - 1
            : -1;
        private readonly Dictionary<string, FunctionSymbol> _kmallocWithFlags = new Dictionary<string, FunctionSymbol>(System.StringComparer.Ordinal);

        /// <summary>
        /// The functions a file calls without declaring them, as a program for <paramref name="profile"/> sees them: printk,
        /// the fault builtins, the kernel-memory and task builtins, then the system calls (callable in a process block only).
        /// For editors (completion, hover).
        /// </summary>
        public static IReadOnlyList<FunctionSymbol> KernelFunctions(KernelProfile profile)
        {
            var text = new SourceText("", "");
            var binder = new Binder(text, new DiagnosticBag(text));
            binder.DeclareKernelFunctions(profile);
            var functions = new List<FunctionSymbol>();
            foreach (var symbol in binder.ProcessScope().AllSymbols())
                if (symbol is FunctionSymbol f) functions.Add(f);
            return functions;
        }

        private static ImmutableHashSet<string>? _predeclaredNames;

        /// <summary>
        /// Every name a binder declares before the file's own, for any profile, in a process block or not: the names a
        /// file may call without declaring them (the parser's <see cref="UndefinedCalls"/>).
        /// </summary>
        public static ImmutableHashSet<string> PredeclaredNames
        {
            get
            {
                if (_predeclaredNames != null) return _predeclaredNames;
                var names = new HashSet<string>(System.StringComparer.Ordinal);
                foreach (var profile in KernelProfile.All)
                {
                    var text = new SourceText("", "");
                    var binder = new Binder(text, new DiagnosticBag(text));
                    binder.DeclareKernelFunctions(profile);
                    names.UnionWith(binder.ProcessScope().AllNames());
                }
                return _predeclaredNames = names.ToImmutableHashSet(System.StringComparer.Ordinal);
            }
        }

        private void DeclareKernelFunctions(KernelProfile profile)
        {
            var fmt = new VariableSymbol("fmt", TypeSymbol.PointerTo(TypeSymbol.Char), VariableKind.Parameter, 0, default);
            _printk = new FunctionSymbol(PrintkName, TypeSymbol.Int, ImmutableArray.Create(fmt), FunctionKind.Kernel, default,
                isVariadic: true, linkName: profile.PrintkSymbol);
            _global.TryDeclare(PrintkName, _printk);
            DeclareBuiltins(profile);
        }

        private void DeclareBuiltins(KernelProfile profile)
        {
            var none = ImmutableArray<VariableSymbol>.Empty;
            var cond = ImmutableArray.Create(new VariableSymbol("condition", TypeSymbol.Long, VariableKind.Parameter, 0, default));
            var addr = ImmutableArray.Create(new VariableSymbol("addr", TypeSymbol.Long, VariableKind.Parameter, 0, default));
            var fmt = ImmutableArray.Create(new VariableSymbol("fmt", TypeSymbol.PointerTo(TypeSymbol.Char), VariableKind.Parameter, 0, default));
            _global.TryDeclare(BugName, new FunctionSymbol(BugName, TypeSymbol.Void, none, FunctionKind.Builtin, default));
            _global.TryDeclare(BugOnName, new FunctionSymbol(BugOnName, TypeSymbol.Void, cond, FunctionKind.Builtin, default));
            _global.TryDeclare(WarnOnName, new FunctionSymbol(WarnOnName, TypeSymbol.Int, cond, FunctionKind.Builtin, default));
            _global.TryDeclare(CallPtrName, new FunctionSymbol(CallPtrName, TypeSymbol.Void, addr, FunctionKind.Builtin, default));
            var ptr = ImmutableArray.Create(new VariableSymbol("ptr", TypeSymbol.Long, VariableKind.Parameter, 0, default));
            _global.TryDeclare(IsErrName, new FunctionSymbol(IsErrName, TypeSymbol.Int, ptr, FunctionKind.Builtin, default));
            _global.TryDeclare(PtrErrName, new FunctionSymbol(PtrErrName, TypeSymbol.Long, ptr, FunctionKind.Builtin, default));
            _panic = new FunctionSymbol(PanicName, TypeSymbol.Void, fmt, FunctionKind.Kernel, default, isVariadic: true, linkName: "panic");
            _global.TryDeclare(PanicName, _panic);
            DeclareUserCopyHelpers(profile);
            DeclareGetPutUser();
            DeclareKernelConstants();
            _global.TryDeclare("MISC_DYNAMIC_MINOR", new ConstantSymbol("MISC_DYNAMIC_MINOR", KernelRecords.MiscDynamicMinor, TypeSymbol.Int, default));
            foreach (var (name, link, returnType, parameters) in KernelBuiltins)
            {
                var symbols = ImmutableArray.CreateBuilder<VariableSymbol>();
                for (int i = 0; i < parameters.Length; i++)
                    symbols.Add(new VariableSymbol(parameters[i].Name, parameters[i].Type, VariableKind.Parameter, i, default));
                _global.TryDeclare(name, new FunctionSymbol(name, returnType, symbols.ToImmutable(), FunctionKind.Kernel, default, linkName: link));
            }
            // What kthread_run(threadfn, data) calls: kthread_create_on_node(threadfn, data, node, namefmt, ...), named
            // kthread_run for the stack analysis (its thread functions) and the code generator (the wake_up_process after it).
            _kthreadCreateOnNode = new FunctionSymbol(KthreadRunName, TypeSymbol.Long,
                Parameters(("threadfn", TypeSymbol.Long), ("data", TypeSymbol.Long), ("node", TypeSymbol.Int), ("namefmt", TypeSymbol.PointerTo(TypeSymbol.Char))),
                FunctionKind.Kernel, default, isVariadic: true, linkName: "kthread_create_on_node");
            // snprintf(buf, size, fmt, ...) and sprintf(buf, fmt, ...) where vsnprintf's stack was measured (5.10, 6.1)
            if (KernelFootprint.For(profile.Name) != null)
            {
                var chars = TypeSymbol.PointerTo(TypeSymbol.Char);
                _global.TryDeclare(SnprintfName, new FunctionSymbol(SnprintfName, TypeSymbol.Int,
                    Parameters(("buf", chars), ("size", TypeSymbol.ULong), ("fmt", chars)), FunctionKind.Kernel, default, isVariadic: true, linkName: SnprintfName));
                _global.TryDeclare(SprintfName, new FunctionSymbol(SprintfName, TypeSymbol.Int,
                    Parameters(("buf", chars), ("fmt", chars)), FunctionKind.Kernel, default, isVariadic: true, linkName: SprintfName));
            }
            if (KernelFootprint.For(profile.Name) != null && !profile.WarnSlowpath)
            {
                _global.TryDeclare(WarnName, new FunctionSymbol(WarnName, TypeSymbol.Int, Parameters(("condition", TypeSymbol.Long), ("fmt", TypeSymbol.PointerTo(TypeSymbol.Char))),
                    FunctionKind.Builtin, default, isVariadic: true));
                _warnPrintk = new FunctionSymbol("__warn_printk", TypeSymbol.Void, Parameters(("fmt", TypeSymbol.PointerTo(TypeSymbol.Char))),
                    FunctionKind.Kernel, default, isVariadic: true, linkName: "__warn_printk");
            }
            // might_sleep(): without CONFIG_DEBUG_ATOMIC_SLEEP a call of what might_resched() is on the profile
            _global.TryDeclare(MightSleepName, new FunctionSymbol(MightSleepName, TypeSymbol.Void, ImmutableArray<VariableSymbol>.Empty,
                FunctionKind.Kernel, default, linkName: profile.MightSleepSymbol));
            // What kmalloc() of a constant size calls (BindConstantKmalloc): not in scope, only reached through kmalloc.
            var voidPointer = TypeSymbol.PointerTo(TypeSymbol.Void);
            _kmallocSlab = new FunctionSymbol("kmalloc", voidPointer, Parameters(("cache", voidPointer), ("flags", TypeSymbol.Long), ("size", TypeSymbol.Long)),
                FunctionKind.Kernel, default, linkName: profile.ConstantKmallocSymbol);
            // kmalloc_large(size, flags) since 6.1; before, slab.h's inline kmalloc_large passes get_order(size) on to
            // kmalloc_order_trace(size, flags, order)
            var large = profile.LargeKmallocSymbol == "kmalloc_order_trace"
                ? Parameters(("size", TypeSymbol.Long), ("flags", TypeSymbol.Long), ("order", TypeSymbol.Long))
                : Parameters(("size", TypeSymbol.Long), ("flags", TypeSymbol.Long));
            _kmallocLarge = new FunctionSymbol("kmalloc", voidPointer, large, FunctionKind.Kernel, default, linkName: profile.LargeKmallocSymbol);
            // __kmalloc(size, flags), Linux's signature: what kmalloc, __kmalloc and kzalloc of a size computed at run time call
            foreach (var name in new[] { "kmalloc", "__kmalloc", KzallocName })
                _kmallocWithFlags[name] = new FunctionSymbol(name, voidPointer, Parameters(("size", TypeSymbol.Long), ("flags", TypeSymbol.Long)),
                    FunctionKind.Kernel, default, linkName: "__kmalloc");
        }

        private static ImmutableArray<VariableSymbol> Parameters(params (string Name, TypeSymbol Type)[] parameters)
        {
            var symbols = ImmutableArray.CreateBuilder<VariableSymbol>(parameters.Length);
            for (int i = 0; i < parameters.Length; i++)
                symbols.Add(new VariableSymbol(parameters[i].Name, parameters[i].Type, VariableKind.Parameter, i, default));
            return symbols.MoveToImmutable();
        }

        /// <summary>
        /// kmalloc(size) with a size known when compiling, as include/linux/slab.h's kmalloc() folds it
        /// (__builtin_constant_p): 0 is ZERO_SIZE_PTR with no call; above KMALLOC_MAX_CACHE_SIZE it is kmalloc_large(size,
        /// flags) (5.10: kmalloc_order_trace(size, flags, order)); else kmalloc_trace(kmalloc_caches[type][index], flags,
        /// size) (5.10: kmem_cache_alloc_trace). Each is another kernel path than __kmalloc's, which only a size computed
        /// at run time reaches. KDsl's kernel has no kmem_cache objects: the cache argument is 0.
        /// </summary>
        /// <summary>get_order(size): the smallest order whose 2^order pages hold size bytes (include/asm-generic/getorder.h).</summary>
        private static long GetOrder(long size)
        {
            long order = 0;
            while ((4096L << (int)order) < size && order < 63 - 12) order++;
            return order;
        }

        private BoundExpression BindConstantKmalloc(BoundLiteral size, TypeSymbol type, TextSpan span, long gfp = GfpKernel)
        {
            if (size.Value == 0) return new BoundLiteral(16, type, span); // ZERO_SIZE_PTR
            var flags = new BoundLiteral(gfp, TypeSymbol.Long, span);
            if ((ulong)size.Value > KmallocMaxCacheSize)
            {
                var arguments = ImmutableArray.CreateBuilder<BoundExpression>();
                arguments.Add(size);
                arguments.Add(flags);
                if (_kmallocLarge.Parameters.Length == 3) arguments.Add(new BoundLiteral(GetOrder(size.Value), TypeSymbol.Long, span));
                return new BoundCall(_kmallocLarge, arguments.ToImmutable(), span);
            }
            return new BoundCall(_kmallocSlab, ImmutableArray.Create<BoundExpression>(new BoundLiteral(0, _kmallocSlab.Parameters[0].Type, span), flags, size), span);
        }

        /// <summary>
        /// kzalloc(size): kmalloc with __GFP_ZERO. A constant size calls what kmalloc of it calls (kmalloc_trace,
        /// kmalloc_large; nothing for 0), with the flags 0xdc0; a size computed at run time calls __kmalloc(size, 0xdc0).
        /// </summary>
        private BoundExpression BindKzalloc(BoundExpression size, TypeSymbol type, TextSpan span, long gfp = GfpKernel) =>
            size is BoundLiteral literal
                ? BindConstantKmalloc(literal, type, span, gfp | GfpZero)
                : new BoundCall(_kmallocWithFlags[KzallocName], ImmutableArray.Create(size, new BoundLiteral(gfp | GfpZero, TypeSymbol.Long, span)), span);

        /// <summary>
        /// kmalloc(size) of a size computed at run time, or a direct __kmalloc(size): Linux's __kmalloc(size, flags) with
        /// GFP_KERNEL, so the same bytes run on the real kernel (`kdsl ko`).
        /// </summary>
        private BoundExpression BindRuntimeKmalloc(FunctionSymbol function, BoundExpression size, TextSpan span, long gfp = GfpKernel) =>
            new BoundCall(_kmallocWithFlags[function.Name], ImmutableArray.Create(size, new BoundLiteral(gfp, TypeSymbol.Long, span)), span);

        /// <summary>
        /// kthread_run(threadfn, data) as include/linux/kthread.h expands it: kthread_create(threadfn, data, namefmt), i.e.
        /// kthread_create_on_node(threadfn, data, NUMA_NO_NODE, namefmt), whose task the code generator then wakes with
        /// wake_up_process unless IS_ERR. The name (the thread's comm) is the thread function's, as KDsl has no namefmt
        /// argument; a computed address gets "kthread".
        /// </summary>
        private BoundExpression BindKthreadRun(BoundExpression threadfn, BoundExpression data, TextSpan span)
        {
            string name = threadfn is BoundFunctionAddress f ? f.Function.LinkName : KthreadDefaultName;
            var namefmt = new BoundStringLiteral(ImmutableArray.Create(System.Text.Encoding.UTF8.GetBytes(name)), span);
            return new BoundCall(_kthreadCreateOnNode, ImmutableArray.Create(threadfn, data, new BoundLiteral(NumaNoNode, TypeSymbol.Int, span), namefmt), span);
        }

        /// <summary>
        /// IS_ERR(p): IS_ERR_VALUE((unsigned long)p), (unsigned long)p >= (unsigned long)-MAX_ERRNO, an int 0 or 1;
        /// PTR_ERR(p): (long)p. No call: err.h's functions are inline.
        /// </summary>
        private static BoundExpression BindErrPointer(FunctionSymbol function, BoundExpression pointer, TextSpan span)
        {
            if (function.Name == PtrErrName) return pointer;
            return new BoundBinary(new BoundConversion(pointer, TypeSymbol.ULong, span), BoundBinaryOperator.GreaterOrEqual,
                new BoundLiteral(-MaxErrno, TypeSymbol.ULong, span), isUnsigned: true, TypeSymbol.Int, span);
        }

        /// <summary>
        /// WARN(cond, fmt, ...): the condition as BUG_ON's, and the call of __warn_printk(fmt, ...) the code makes when it
        /// holds (its format checked as printk's), as the builtin's second argument.
        /// </summary>
        private BoundExpression BindWarn(FunctionSymbol function, CallExpressionSyntax syntax, ImmutableArray<BoundExpression>.Builder arguments)
        {
            if (arguments.Count < 2)
            {
                _diagnostics.ReportWrongArgumentCount(syntax.Span, function.Name, 2, arguments.Count, true);
                return new BoundErrorExpression(syntax.Span);
            }
            CheckPrintk(syntax, arguments, 1);
            bool failed = false;
            var condition = arguments[0];
            if (!condition.Type.IsError && !condition.Type.IsScalar) _diagnostics.ReportConditionNotScalar(syntax.Arguments[0].Span, condition.Type);
            else if (!condition.Type.IsError) condition = Convert(condition, TypeSymbol.Long, isExplicit: true, syntax.Arguments[0].Span);
            failed |= condition.Type.IsError || !condition.Type.IsScalar;
            var printk = ImmutableArray.CreateBuilder<BoundExpression>(arguments.Count - 1);
            printk.Add(Convert(arguments[1], _warnPrintk!.Parameters[0].Type, isExplicit: false, syntax.Arguments[1].Span));
            for (int i = 2; i < arguments.Count; i++) printk.Add(Promote(arguments[i]));
            foreach (var a in printk) failed |= a.Type.IsError;
            if (failed) return new BoundErrorExpression(syntax.Span);
            var message = new BoundCall(_warnPrintk, printk.MoveToImmutable(), syntax.Span);
            return new BoundCall(function, ImmutableArray.Create(condition, (BoundExpression)message), syntax.Span);
        }

        /// <summary>
        /// BUG() takes nothing; BUG_ON, WARN_ON take a condition (an integer or a pointer, as `if` does); call_ptr
        /// takes an address (an integer or any pointer). The argument is passed on as a long.
        /// </summary>
        private BoundExpression BindBuiltinCall(FunctionSymbol function, CallExpressionSyntax syntax,
            ImmutableArray<BoundExpression>.Builder arguments)
        {
            if (function.Name == WarnName) return BindWarn(function, syntax, arguments);
            if (function.Name is GetUserName or PutUserName) return BindGetPutUser(function, syntax, arguments);
            int expected = function.Parameters.Length;
            if (arguments.Count != expected)
            {
                _diagnostics.ReportWrongArgumentCount(syntax.Span, function.Name, expected, arguments.Count, false);
                return new BoundErrorExpression(syntax.Span);
            }
            if (expected == 0) return new BoundCall(function, ImmutableArray<BoundExpression>.Empty, syntax.Span);

            var argument = arguments[0];
            if (argument.Type.IsError) return new BoundErrorExpression(syntax.Span);
            if (!argument.Type.IsScalar)
            {
                if (function.Name == CallPtrName)
                    _diagnostics.ReportCannotConvert(syntax.Arguments[0].Span, argument.Type, TypeSymbol.Long, "call_ptr takes an address");
                else if (function.Name is IsErrName or PtrErrName)
                    _diagnostics.ReportCannotConvert(syntax.Arguments[0].Span, argument.Type, TypeSymbol.Long, function.Name + " takes a pointer");
                else
                    _diagnostics.ReportConditionNotScalar(syntax.Arguments[0].Span, argument.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            var converted = Convert(argument, TypeSymbol.Long, isExplicit: true, syntax.Arguments[0].Span);
            if (converted.Type.IsError) return new BoundErrorExpression(syntax.Span);
            if (function.Name is IsErrName or PtrErrName) return BindErrPointer(function, converted, syntax.Span);
            return new BoundCall(function, ImmutableArray.Create(converted), syntax.Span);
        }
    }
}
