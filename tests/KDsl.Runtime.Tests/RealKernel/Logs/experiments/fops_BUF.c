/* fops_N.c: #define BUF N, then this file. Two functions recurse into each other through a table of function
 * pointers the init fills (so GCC cannot see the callee): BUF and BUF / 2 byte frames. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
typedef long (*step_t)(int n);
static step_t steps[2];
static noinline long step_a(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "a %d\n", n);
	if (n > 0)
		return steps[n & 1](n - 1) + vp[2];
	return vp[0];
}
static noinline long step_b(int n)
{
	char buf[BUF / 2];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF / 2; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "b %d\n", n);
	if (n > 0)
		return steps[n & 1](n - 1) + vp[3];
	return vp[0];
}
static int __init fops_init(void)
{
	steps[0] = step_a;
	steps[1] = step_b;
	printk(KERN_INFO "fops: %ld\n", step_a(100));
	return 0;
}
static void __exit fops_exit(void) {}
module_init(fops_init);
module_exit(fops_exit);
MODULE_LICENSE("GPL");
