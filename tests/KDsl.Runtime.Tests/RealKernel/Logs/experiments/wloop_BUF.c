/* wloop_N.c: #define BUF N, then this file. The recursion called twice from a while loop, its results summed. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	long s = 0;
	int i, k = 0;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "wloop %d\n", n);
	if (n <= 0)
		return vp[1];
	while (k < 2) {
		s += rec(n - 1);
		k++;
	}
	return s + vp[4];
}
static int __init wloop_init(void)
{
	printk(KERN_INFO "wloop done %ld\n", rec(100));
	return 0;
}
static void __exit wloop_exit(void) {}
module_init(wloop_init);
module_exit(wloop_exit);
MODULE_LICENSE("GPL");
