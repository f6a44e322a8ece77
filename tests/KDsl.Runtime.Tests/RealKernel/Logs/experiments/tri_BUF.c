/* tri_N.c: #define BUF N, then this file. A dispatcher picks one of three functions by n % 3 (a switch whose cases
 * are calls in tail position); each has a buffer of its own size, prints, and calls the dispatcher for n - 1. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline void rec(int n);
static noinline void big(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "tri big %d\n", n);
	rec(n - 1);
	vp[0] = 0;
}
static noinline void mid(int n)
{
	char buf[BUF / 2];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF / 2; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "tri mid %d\n", n);
	rec(n - 1);
	vp[0] = 0;
}
static noinline void small(int n)
{
	char buf[BUF / 4];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF / 4; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "tri small %d\n", n);
	rec(n - 1);
	vp[0] = 0;
}
static noinline void rec(int n)
{
	if (n <= 0)
		return;
	switch (n % 3) {
	case 0:
		big(n);
		break;
	case 1:
		mid(n);
		break;
	default:
		small(n);
		break;
	}
}
static int __init tri_init(void)
{
	printk(KERN_INFO "tri: start\n");
	rec(100);
	return 0;
}
static void __exit tri_exit(void) {}
module_init(tri_init);
module_exit(tri_exit);
MODULE_LICENSE("GPL");
