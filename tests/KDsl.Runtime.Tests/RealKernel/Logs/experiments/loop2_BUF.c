/* loop2_N.c: #define BUF N, then this file. Each level calls the next twice from a loop (a binary recursion, depth
 * first), the loop counter live across the call. */
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
	printk(KERN_INFO "loop2 %d\n", n);
	if (n <= 0)
		return vp[1];
	for (i = 0; i < 2; i++)
		sum += rec(n - 1) + i;
	return sum + vp[2];
}
static int __init loop2_init(void)
{
	printk(KERN_INFO "loop2: %ld\n", rec(100));
	return 0;
}
static void __exit loop2_exit(void) {}
module_init(loop2_init);
module_exit(loop2_exit);
MODULE_LICENSE("GPL");
