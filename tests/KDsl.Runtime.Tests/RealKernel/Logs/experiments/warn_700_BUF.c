/* A WARN_ON at recursion depth 18 with 700-byte frames: how little stack the warning's report is left. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/bug.h>
#define DEPTH 18 /* and 17, 19: warn_700_N.c */
static noinline void rstack(int n)
{
	char buf[700];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < 700; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "warn_deep: level %d at %px\n", n, buf);
	WARN_ON(n == DEPTH);
	if (n < DEPTH)
		rstack(n + 1);
	vp[0] = 0;
}
static int __init warn_deep_init(void) { rstack(0); printk(KERN_INFO "warn_deep: init returns\n"); return 0; }
static void __exit warn_deep_exit(void) {}
module_init(warn_deep_init);
module_exit(warn_deep_exit);
MODULE_LICENSE("GPL");
