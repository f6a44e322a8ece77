/* accsum_N.c: #define BUF N, then this file. A recursion whose result is added to after the call
 * (return n + sum(n - 1)): GCC's tail recursion elimination turns it into a loop with an accumulator, so it
 * runs in one frame, where the same recursion keeping its calls would overflow within about 20 levels. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long sum(long n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "accsum: depth %ld\n", n);
	if (n == 0)
		return vp[0];
	return n + sum(n - 1);
}
static int __init accsum_init(void)
{
	printk(KERN_INFO "accsum: %ld\n", sum(100));
	return 0;
}
static void __exit accsum_exit(void) {}
module_init(accsum_init);
module_exit(accsum_exit);
MODULE_LICENSE("GPL");
