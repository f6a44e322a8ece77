/* sum3_N.c: #define BUF N, then this file. Each level sums three calls of the next from a counted loop (GCC 12 -O2
 * keeps this loop: unrolled it would grow), the counter live across the calls; only the first descent runs deep. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	long sum = 0;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "sum3 %d\n", n);
	if (n <= 0)
		return vp[1];
	for (i = 0; i < 3; i++)
		sum += rec(n - 1) * (i + 1);
	return sum + vp[2];
}
static int __init sum3_init(void)
{
	printk(KERN_INFO "sum3: %ld\n", rec(100));
	return 0;
}
static void __exit sum3_exit(void) {}
module_init(sum3_init);
module_exit(sum3_exit);
MODULE_LICENSE("GPL");
