/* gptr_N.c: #define BUF N, then this file. Each level stores its buffer's address in a global before printing. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static char *last;
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	last = buf;
	printk(KERN_INFO "gptr %d %d\n", n, last[1]);
	if (n > 0)
		return rec(n - 1) + vp[3];
	return vp[2];
}
static int __init gptr_init(void)
{
	printk(KERN_INFO "gptr done %d\n", rec(100));
	return 0;
}
static void __exit gptr_exit(void) {}
module_init(gptr_init);
module_exit(gptr_exit);
MODULE_LICENSE("GPL");
