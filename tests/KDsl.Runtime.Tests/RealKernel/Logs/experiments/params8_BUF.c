/* params8_N.c: #define BUF N, then this file. A recursion of eight parameters (two passed on the stack), each
 * level computing the next level's arguments from its own. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long rec(int n, long a, long b, long c, long d, long e, long f, long g)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)(n + g);
	printk(KERN_INFO "p8 %d %ld %ld\n", n, a + b + c, d ^ e ^ f ^ g);
	if (n > 0)
		return rec(n - 1, b, c, d, e, f, g, a + 1) + vp[1];
	return vp[0];
}
static int __init params8_init(void)
{
	printk(KERN_INFO "p8: %ld\n", rec(100, 1, 2, 3, 4, 5, 6, 7));
	return 0;
}
static void __exit params8_exit(void) {}
module_init(params8_init);
module_exit(params8_exit);
MODULE_LICENSE("GPL");
