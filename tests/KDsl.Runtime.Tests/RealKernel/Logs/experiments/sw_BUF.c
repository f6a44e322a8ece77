/* sw_N.c: #define BUF N, then this file. A switch on the level picks the printk; the recursion goes on after it. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	switch (n % 4) {
	case 0:
		printk(KERN_INFO "zero %d\n", n);
		break;
	case 1:
		printk(KERN_INFO "one %d %s\n", n, "x");
		break;
	case 2:
		printk(KERN_INFO "two %x\n", n);
		break;
	default:
		printk(KERN_INFO "other %d %d\n", n, n / 4);
	}
	if (n > 0)
		return rec(n - 1) + vp[3];
	return 0;
}
static int __init sw_init(void)
{
	printk(KERN_INFO "sw: %d\n", rec(100));
	return 0;
}
static void __exit sw_exit(void) {}
module_init(sw_init);
module_exit(sw_exit);
MODULE_LICENSE("GPL");
