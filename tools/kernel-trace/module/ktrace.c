/* ktrace: the kernel calls whose stack footprint KDsl models, made one after the other from a module's
 * init, so that trace.py can stop at each printk and single-step through it on the real kernel.
 * The formats are the seed experiment's (step5), one with every common conversion, and each common conversion
 * alone and in pairs, and one from a kernel thread it starts (trace.sh traces all 19 calls), and between the last two
 * the allocator calls an experiment can make (trace.sh traces those too).
 * With panic_path=1 it only calls __stack_chk_fail, as a module whose canary was overwritten does: trace.sh's panic
 * mode steps panic() from there to show_stack (the panic path's footprint). With oops_path=1 to 5 it faults as a buggy
 * module does (a NULL write, BUG(), a division by zero, a non-canonical load, a WARN_ON): trace.sh's oops modes step
 * the exception's entry and its report from there through the call trace's first entry (the oops paths' footprint). */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>

static noinline void buffer_line(void)
{
	char buf[64];
	volatile char *vp = buf;
	int i;

	for (i = 0; i < sizeof(buf); i++)
		vp[i] = (char)i;
	printk(KERN_INFO "[%px] finished initialized buf.\n", buf);
}

/* A kernel thread's function: its printk shows the stack kthread_run's thread starts with (ret_from_fork, kthread). */
static noinline int ktrace_thread(void *data)
{
	printk(KERN_INFO "ktrace thread.\n");
	return 0;
}

/* The oops path's fault, 64 bytes of NOPs into the function, so the Code: line's bytes around it are readable (a
 * fault near the start of a module's text, where the bytes before it are unmapped, takes another, nested, fault in
 * show_opcodes: the common case is the readable one). */
static noinline void null_write(void)
{
	asm volatile(".skip 64, 0x90");
	*(volatile int *)0 = 1;
}

/* The other oops paths' faults, the same way: a BUG() (ud2 with a bug table entry), a division by zero, and a
 * load through a non-canonical address (#GP). */
static noinline void bug_here(void)
{
	asm volatile(".skip 64, 0x90");
	BUG();
}

static volatile int zero;
static noinline int divide(int x)
{
	asm volatile(".skip 64, 0x90");
	return x / zero;
}

static noinline int non_canonical(void)
{
	asm volatile(".skip 64, 0x90");
	return *(volatile int *)0x8000000000000000UL;
}

/* A WARN_ON: the warning's report, after which the function goes on. */
static noinline void warn_here(void)
{
	asm volatile(".skip 64, 0x90");
	WARN_ON(1);
}

/* The allocator calls an experiment makes (KDsl's kmalloc, kfree, vmalloc, __get_free_pages, free_pages builtins),
 * each once: trace.py single-steps each from its entry to its return, as it does printk. The size is not a
 * constant, so GCC calls __kmalloc (a constant size inlines kmalloc into kmalloc_trace). The store after the last
 * call keeps it from being a tail call, whose return would not come back to the module. */
static volatile long alloc_size = 64;
static volatile unsigned long sink;

/* kmalloc() with a constant size, as most C code calls it: GCC folds kmalloc() into a call of kmalloc_trace (6.1) or
 * kmem_cache_alloc_trace (5.10) with the size's kmalloc cache, and above KMALLOC_MAX_CACHE_SIZE (8 KiB) into
 * kmalloc_large (6.1) or kmalloc_order_trace (5.10): other paths than __kmalloc's. Their kfree() is not traced. */
static noinline void constant_kmalloc_calls(void)
{
	void *p;

	cond_resched();
	p = kmalloc(64, GFP_KERNEL);
	sink = (unsigned long)p;
	kfree(p);
	cond_resched();
	p = kmalloc(16384, GFP_KERNEL);
	sink = (unsigned long)p;
	kfree(p);
}
static noinline void allocator_calls(void)
{
	void *p;
	unsigned long page;

	/* Each call sleeps where its path may (might_sleep: __cond_resched). The stepping of the calls before leaves a
	 * timer tick pending, which marks the task for rescheduling as soon as it runs: without the cond_resched() just
	 * before, the traced call would schedule away, which a run at full speed rarely does. */
	/* A first round, untraced, warms the caches (a new slab for vmalloc's vmap_area, the per-CPU page lists), so that
	 * the traced calls take the fast path most calls take: a recursion that allocates at every level dies on one. */
	p = __kmalloc(alloc_size, GFP_KERNEL);
	kfree(p);
	p = vmalloc(4096);
	sink = (unsigned long)p;
	vfree(p);
	page = __get_free_pages(GFP_KERNEL, 0);
	free_pages(page, 0);
	constant_kmalloc_calls();
	cond_resched();
	p = __kmalloc(alloc_size, GFP_KERNEL);
	cond_resched();
	kfree(p);
	cond_resched();
	p = vmalloc(4096);
	sink = (unsigned long)p;
	vfree(p);
	cond_resched();
	page = __get_free_pages(GFP_KERNEL, 0);
	cond_resched();
	free_pages(page, 0);
	sink = page;
	constant_kmalloc_calls();
}

extern void __stack_chk_fail(void);
static int panic_path;
module_param(panic_path, int, 0);
static int oops_path; /* 1: NULL write (#PF), 2: BUG() (#UD), 3: divide by zero (#DE), 4: non-canonical load (#GP), 5: WARN_ON (#UD) */
module_param(oops_path, int, 0);

static int __init ktrace_init(void)
{
	if (panic_path) {
		__stack_chk_fail();
		return 0;
	}
	switch (oops_path) {
	case 1: null_write(); return 0;
	case 2: bug_here(); return 0;
	case 3: return divide(7);
	case 4: return non_canonical();
	case 5: warn_here(); return 0;
	}
	printk(KERN_INFO "step5 LOADED.\n");
	buffer_line();
	buffer_line();
	printk(KERN_INFO "ktrace %d %s %lu %x %c %p.\n", -42, "str", 123456789UL, 0xbeefU, 'c', (void *)ktrace_init);
	printk(KERN_INFO "ktrace done.\n");
	/* One conversion each, and common pairs: vsnprintf's helpers (number, string, pointer...) differ in depth. */
	printk(KERN_INFO "ktrace depth %d\n", 7);
	printk(KERN_INFO "ktrace %s\n", "name");
	printk(KERN_INFO "ktrace %lu bytes\n", 4096UL);
	printk(KERN_INFO "ktrace %x\n", 0xbeefU);
	printk(KERN_INFO "ktrace %p\n", (void *)ktrace_init);
	printk(KERN_INFO "ktrace %pS\n", (void *)ktrace_init);
	printk(KERN_INFO "ktrace %s: depth %d\n", __func__, 7);
	printk(KERN_INFO "ktrace %d %d\n", 7, 4096);
	printk(KERN_INFO "ktrace %c\n", 'c');
	/* The common two-conversion orders: vsnprintf's first helper decides where a printk with little stack dies. */
	printk(KERN_INFO "ktrace %d at %px\n", 7, (void *)ktrace_init);
	printk(KERN_INFO "ktrace %px %d\n", (void *)ktrace_init, 7);
	printk(KERN_INFO "ktrace %d %s\n", 7, "name");
	printk(KERN_INFO "ktrace %s %s\n", "name", "name");
	allocator_calls();
	kthread_run(ktrace_thread, NULL, "ktrace");
	return 0;
}

static void __exit ktrace_exit(void)
{
}

module_init(ktrace_init);
module_exit(ktrace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KDsl kernel footprint tracer");
