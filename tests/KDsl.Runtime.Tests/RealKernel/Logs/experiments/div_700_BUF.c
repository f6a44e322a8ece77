/* A division by zero at recursion depth 18 with 700-byte frames: how little stack the divide error's oops is left. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#define DEPTH 18 /* and 17, 19: div_700_N.c */
static noinline void rstack(int n)
{
	char buf[700];
	volatile char *vp = buf;
	volatile int d = DEPTH - n;
	int i;
	for (i = 0; i < 700; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "div_deep: level %d at %px\n", n, buf);
	if (n == DEPTH)
		vp[1] = 7 / d;
	else
		rstack(n + 1);
	vp[0] = 0;
}
static int __init div_deep_init(void) { rstack(0); return 0; }
static void __exit div_deep_exit(void) {}
module_init(div_deep_init);
module_exit(div_deep_exit);
MODULE_LICENSE("GPL");
