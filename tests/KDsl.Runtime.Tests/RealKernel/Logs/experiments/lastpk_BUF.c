/* lastpk_N.c: #define BUF N, then this file. A printk on every tenth level only. */
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
	if (n % 10 == 0)
		printk(KERN_INFO "lastpk %d at %px\n", n, buf);
	if (n > 0)
		return rec(n - 1) + vp[5];
	return vp[1];
}
static int __init lastpk_init(void)
{
	printk(KERN_INFO "lastpk done %d\n", rec(100));
	return 0;
}
static void __exit lastpk_exit(void) {}
module_init(lastpk_init);
module_exit(lastpk_exit);
MODULE_LICENSE("GPL");
