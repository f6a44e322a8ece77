#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#define BUF 700
static noinline void rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "tailrec: depth %d\n", n);
	if (n > 0)
		rec(n - 1);
}
static int __init tailrec_init(void) { rec(100); return 0; }
static void __exit tailrec_exit(void) {}
module_init(tailrec_init);
module_exit(tailrec_exit);
MODULE_LICENSE("GPL");
