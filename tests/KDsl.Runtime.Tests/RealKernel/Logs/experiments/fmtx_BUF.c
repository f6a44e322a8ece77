/* fmtx_N.c: #define BUF N, then this file. step5's recursion with a printk of many conversions (hex, unsigned long
 * long, char, short, zero-padded, left-justified string), one argument on the stack. */
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
	printk(KERN_INFO "x %lx u %llu c %c h %hx pad %08x s %-6s|\n", (long)n * 0x10001, (unsigned long long)n * 1000003,
	       'a' + n % 26, n, n, "ab");
	if (n > 0)
		rec(n - 1);
	vp[0] = 0;
}
static int __init fmtx_init(void)
{
	rec(100);
	return 0;
}
static void __exit fmtx_exit(void) {}
module_init(fmtx_init);
module_exit(fmtx_exit);
MODULE_LICENSE("GPL");
