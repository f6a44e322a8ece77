/* A null dereference at recursion depth 18 with 700-byte frames (a size chosen after the oops path was recorded, to check it): how little stack the oops path is left. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#define DEPTH 18 /* and 16, 17, 19: deref_700_N.c */
static noinline void rstack(int n)
{
	char buf[700];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < 700; i++)
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
