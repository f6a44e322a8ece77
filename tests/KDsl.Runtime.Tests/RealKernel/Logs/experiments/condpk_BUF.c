/* condpk_N.c: #define BUF N, then this file. A printk on even levels only: GCC moves the printk's block to the
 * function's .cold part. */
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
	if ((n & 1) == 0)
		printk(KERN_INFO "condpk %d\n", n);
	if (n > 0)
		return rec(n - 1) + vp[7];
	return vp[3];
}
static int __init condpk_init(void)
{
	printk(KERN_INFO "condpk done %d\n", rec(100));
	return 0;
}
static void __exit condpk_exit(void) {}
module_init(condpk_init);
module_exit(condpk_exit);
MODULE_LICENSE("GPL");
