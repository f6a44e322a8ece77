/* A BUG_ON at recursion depth 18 (19: bug_700_19.c) with 700-byte frames: how little stack the BUG's oops path is left. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/bug.h>
#define DEPTH 18 /* and 17, 19: bug_700_N.c */
static noinline void rstack(int n)
{
	char buf[700];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < 700; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "bug_deep: level %d at %px\n", n, buf);
	BUG_ON(n == DEPTH);
	rstack(n + 1);
	vp[0] = 0;
}
static int __init bug_deep_init(void) { rstack(0); return 0; }
static void __exit bug_deep_exit(void) {}
module_init(bug_deep_init);
module_exit(bug_deep_exit);
MODULE_LICENSE("GPL");
