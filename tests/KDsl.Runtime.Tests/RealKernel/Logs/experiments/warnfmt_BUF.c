/* warnfmt_N.c: #define DEPTH N (16, 18), then this file. A WARN with a message at recursion depth DEPTH (700-byte frames):
 * __warn_printk's line, then the WARNING report, with the stack that is left; the recursion goes on after it. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline void rstack(int n)
{
	char buf[700];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < 700; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "warnfmt: level %d\n", n);
	WARN(n == DEPTH, "warnfmt at %d\n", n);
	if (n < DEPTH + 1)
		rstack(n + 1);
	vp[0] = 0;
}
static int __init warnfmt_init(void) { rstack(0); return 0; }
static void __exit warnfmt_exit(void) {}
module_init(warnfmt_init);
module_exit(warnfmt_exit);
MODULE_LICENSE("GPL");
