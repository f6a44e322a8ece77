/* A null dereference at recursion depth 11 with 1000-byte frames: how little stack the oops path is left. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#define DEPTH 11 /* and 12, 13, 14: deref_deep_N.c */
static noinline void rstack(int n)
{
	char buf[1000];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < 1000; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "deref_deep: level %d at %px\n", n, buf);
	if (n == DEPTH)
		*(volatile int *)0 = 1;
	else
		rstack(n + 1);
	vp[0] = 0;
}
static int __init deref_deep_init(void) { rstack(0); return 0; }
static void __exit deref_deep_exit(void) {}
module_init(deref_deep_init);
module_exit(deref_deep_exit);
MODULE_LICENSE("GPL");
