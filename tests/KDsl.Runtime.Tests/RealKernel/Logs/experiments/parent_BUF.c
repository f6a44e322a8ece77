/* parent_N.c: #define BUF N, then this file. Each level passes its own buffer down; the callee reads its parent's. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long rec(int n, const char *parent)
{
	char buf[BUF];
	int i;
	for (i = 0; i < BUF; i++)
		buf[i] = (char)(n + (parent ? parent[i] : 0));
	printk(KERN_INFO "parent %d first %d\n", n, parent ? parent[0] : -1);
	if (n > 0)
		return rec(n - 1, buf) + buf[n % 7];
	return buf[0];
}
static int __init parent_init(void)
{
	printk(KERN_INFO "parent: %ld\n", rec(100, NULL));
	return 0;
}
static void __exit parent_exit(void) {}
module_init(parent_init);
module_exit(parent_exit);
MODULE_LICENSE("GPL");
