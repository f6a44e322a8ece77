/* cprop_N.c: #define BUF N, then this file. Every call passes k = 3 (init's, and the recursion passing it on):
 * GCC's ipa-cp makes scaled.constprop.0 with k a constant, so it keeps only n and a across the calls. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long scaled(int n, int k, long a)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "scaled %d %px\n", n * k, buf);
	if (n > 0)
		scaled(n - 1, k, a + 1);
	vp[2] = (char)(k + a);
	return 0;
}
static int __init cprop_init(void)
{
	scaled(200, 3, 1);
	return 0;
}
static void __exit cprop_exit(void) {}
module_init(cprop_init);
module_exit(cprop_exit);
MODULE_LICENSE("GPL");
