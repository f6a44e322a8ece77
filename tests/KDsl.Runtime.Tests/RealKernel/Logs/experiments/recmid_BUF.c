/* recmid_N.c: #define BUF N, then this file. A printk on the way down and another on the way up. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i, r = 0;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "recmid down %d\n", n);
	if (n > 0)
		r = rec(n - 1);
	printk(KERN_INFO "recmid up %d %d\n", n, r);
	return r + vp[4];
}
static int __init recmid_init(void)
{
	printk(KERN_INFO "recmid done %d\n", rec(100));
	return 0;
}
static void __exit recmid_exit(void) {}
module_init(recmid_init);
module_exit(recmid_exit);
MODULE_LICENSE("GPL");
