/* mutual_N.c: #define BUF N, then this file. Two functions recurse into each other with frames of different sizes
 * (BUF and BUF / 2 bytes), each printing its depth: which of the two, and which printk, meets the guard page. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline void ping(int n);
static noinline void pong(int n)
{
	char buf[BUF / 2];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF / 2; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "pong %d\n", n);
	if (n > 0)
		ping(n - 1);
	vp[0] = 0;
}
static noinline void ping(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "ping %d\n", n);
	if (n > 0)
		pong(n - 1);
	vp[0] = 0;
}
static int __init mutual_init(void)
{
	ping(100);
	return 0;
}
static void __exit mutual_exit(void) {}
module_init(mutual_init);
module_exit(mutual_exit);
MODULE_LICENSE("GPL");
