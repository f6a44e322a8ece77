/* ifpk_N.c: #define BUF N, then this file. Odd levels print two numbers, even levels one. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)(n ^ i);
	if (n & 1)
		printk(KERN_INFO "ifpk odd %d %d\n", n, vp[3]);
	else
		printk(KERN_INFO "ifpk even %d\n", n);
	if (n > 0)
		return rec(n - 1) + vp[6];
	return vp[2];
}
static int __init ifpk_init(void)
{
	printk(KERN_INFO "ifpk done %d\n", rec(100));
	return 0;
}
static void __exit ifpk_exit(void) {}
module_init(ifpk_init);
module_exit(ifpk_exit);
MODULE_LICENSE("GPL");
