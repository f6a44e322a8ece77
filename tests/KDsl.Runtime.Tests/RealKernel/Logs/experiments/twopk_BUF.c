/* twopk_N.c: #define BUF N, then this file. Two printks a level: one on entry, one after the fill loop. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	printk(KERN_INFO "twopk enter %d\n", n);
	for (i = 0; i < BUF; i++)
		vp[i] = (char)(n + i);
	printk(KERN_INFO "twopk %d at %px\n", n, buf);
	if (n > 0)
		return rec(n - 1) + vp[7];
	return vp[3];
}
static int __init twopk_init(void)
{
	printk(KERN_INFO "twopk done %d\n", rec(100));
	return 0;
}
static void __exit twopk_exit(void) {}
module_init(twopk_init);
module_exit(twopk_exit);
MODULE_LICENSE("GPL");
