/* derefx_N.c: #define DEPTH N, then this file. deref_700's NULL write at depth DEPTH, with a leaf helper the init calls
 * (a loop storing to a global, no call), defined before the recursion. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static int ticks, count = 3;
static noinline void tick(int a)
{
	int i;
	for (i = 0; i < a; i++)
		WRITE_ONCE(ticks, i);
}
static noinline void rstack(int n)
{
	char buf[700];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < 700; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "derefx: level %d at %px\n", n, buf);
	if (n == DEPTH)
		*(volatile int *)0 = 1;
	else
		rstack(n + 1);
	vp[0] = 0;
}
static int __init derefx_init(void) { tick(READ_ONCE(count)); rstack(0); return 0; }
static void __exit derefx_exit(void) {}
module_init(derefx_init);
module_exit(derefx_exit);
MODULE_LICENSE("GPL");
