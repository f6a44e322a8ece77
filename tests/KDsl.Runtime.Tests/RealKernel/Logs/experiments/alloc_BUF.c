/* alloc_km_N.c, alloc_vm_N.c, alloc_gfp_N.c, alloc_kc_N.c, alloc_kl_N.c: #define BUF N and one of KMALLOC, VMALLOC,
 * KMALLOC_CONST, KMALLOC_LARGE (none: __get_free_pages), then this file.
 * Allocator calls at every level of a recursion of BUF-byte frames: with little stack left, the overflow lands in
 * the module's buffer fill or inside the allocator, depending on how deep the allocator's own path goes. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>
static volatile long size = 64;
static noinline void rstack(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
#if defined(KMALLOC)
	{ void *p = __kmalloc(size, GFP_KERNEL); vp[1] = (char)(long)p; kfree(p); }
#elif defined(KMALLOC_CONST)
	{ void *p = kmalloc(64, GFP_KERNEL); vp[1] = (char)(long)p; kfree(p); }
#elif defined(KMALLOC_LARGE)
	{ void *p = kmalloc(16384, GFP_KERNEL); vp[1] = (char)(long)p; kfree(p); }
#elif defined(VMALLOC)
	{ void *p = vmalloc(4096); vp[1] = (char)(long)p; }
#else
	{ unsigned long p = __get_free_pages(GFP_KERNEL, 0); vp[1] = (char)p; free_pages(p, 0); }
#endif
	if (n < 100)
		rstack(n + 1);
	vp[0] = 0;
}
static int __init alloc_init(void)
{
	printk(KERN_INFO "alloc: start\n");
	rstack(0);
	return 0;
}
static void __exit alloc_exit(void) {}
module_init(alloc_init);
module_exit(alloc_exit);
MODULE_LICENSE("GPL");
