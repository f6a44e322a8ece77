/* manyloc_N.c: #define BUF N, then this file. Eight values computed before the recursive call and used after it:
 * more than the callee-saved registers hold, so some live in the frame. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	long a = n * 3, b = n * 5, c = n * 7, d = n * 11, e = n * 13, f = n * 17, g = n * 19, h = n * 23;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)(a + i);
	printk(KERN_INFO "manyloc %d\n", n);
	if (n > 0)
		return rec(n - 1) + a * vp[1] + b * vp[2] + c * vp[3] + d * vp[4] + e * vp[5] + f * vp[6] + g * vp[7] + h * vp[8];
	return a + b + c + d + e + f + g + h;
}
static int __init manyloc_init(void)
{
	printk(KERN_INFO "manyloc done %ld\n", rec(100));
	return 0;
}
static void __exit manyloc_exit(void) {}
module_init(manyloc_init);
module_exit(manyloc_exit);
MODULE_LICENSE("GPL");
