/* shortarr_N.c: #define BUF N, then this file. A short array of BUF / 2 elements beside nothing else, its sum printed. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	short vals[BUF / 2];
	volatile short *vp = vals;
	int i;
	for (i = 0; i < BUF / 2; i++)
		vp[i] = (short)(n * i);
	printk(KERN_INFO "shortarr %d %d\n", n, vp[3] + vp[7]);
	if (n > 0)
		return rec(n - 1) + vp[5];
	return vp[1];
}
static int __init shortarr_init(void)
{
	printk(KERN_INFO "shortarr done %d\n", rec(100));
	return 0;
}
static void __exit shortarr_exit(void) {}
module_init(shortarr_init);
module_exit(shortarr_exit);
MODULE_LICENSE("GPL");
