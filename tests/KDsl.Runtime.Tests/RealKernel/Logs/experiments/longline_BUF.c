/* longline_N.c: #define BUF N, then this file. step5's recursion whose printk writes a 150-character line: a long
 * string argument and the level (the console path copies and prints every character); the
 * buffer is written after the call too, so the recursive call is no tail call. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static const char *filler =
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static noinline void rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)i;
	printk(KERN_INFO "%s level %d\n", filler, n);
	if (n > 0)
		rec(n - 1);
	vp[0] = 0;
}
static int __init longline_init(void)
{
	rec(100);
	return 0;
}
static void __exit longline_exit(void) {}
module_init(longline_init);
module_exit(longline_exit);
MODULE_LICENSE("GPL");
