/* mixpk_N.c: #define BUF N, then this file. A printk of many conversions: characters, unsigned, long hex, widths. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = 'A' + n % 26;
	printk(KERN_INFO "mixpk %c%c %u %lx |%5d|%-5d| %s\n", vp[0], vp[1], (unsigned int)n * 3u, (unsigned long)n << 20, n, -n, n % 2 ? "odd" : "even");
	if (n > 0)
		return rec(n - 1) + vp[8];
	return vp[2];
}
static int __init mixpk_init(void)
{
	printk(KERN_INFO "mixpk done %d\n", rec(100));
	return 0;
}
static void __exit mixpk_exit(void) {}
module_init(mixpk_init);
module_exit(mixpk_exit);
MODULE_LICENSE("GPL");
