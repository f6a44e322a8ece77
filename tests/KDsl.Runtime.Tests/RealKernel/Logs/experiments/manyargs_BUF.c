/* manyargs_N.c: #define BUF N, then this file. A recursion of BUF-byte frames whose printk has seven arguments after
 * the format, two of them passed on the stack (the SysV ABI has six argument registers). */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline void rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "args %d %d %d %d %d %d %d\n", n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6);
	if (n > 0)
		rec(n - 1);
	vp[0] = 0;
}
static int __init manyargs_init(void)
{
	rec(100);
	return 0;
}
static void __exit manyargs_exit(void) {}
module_init(manyargs_init);
module_exit(manyargs_exit);
MODULE_LICENSE("GPL");
