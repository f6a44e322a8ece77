/* live_N.c: #define BUF N, then this file. A recursion whose result is 0 or the call's (x = 0; if (n) x = f();):
 * GCC keeps x in no register across the call, and n, a only across the printk. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long later(int n, long a)
{
	long x = 0;
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)a;
	printk(KERN_INFO "later %d %px\n", n, buf);
	if (n > 0)
		x = later(n - 1, a + 1);
	vp[5] = 0;
	return x + 7;
}
static int __init live_init(void)
{
	int k = 3;
	printk(KERN_INFO "live: %ld\n", later(200, k));
	return 0;
}
static void __exit live_exit(void) {}
module_init(live_init);
module_exit(live_exit);
MODULE_LICENSE("GPL");
