/* mset_N.c: #define BUF N, then this file. The level's buffer filled with memset, not a loop, and read back at an
 * index the level decides. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/string.h>
static noinline int rec(int n)
{
	char buf[BUF];
	memset(buf, n, sizeof(buf));
	printk(KERN_INFO "mset %d %d\n", n, buf[n % BUF]);
	if (n > 0)
		return rec(n - 1) + buf[5];
	return buf[1];
}
static int __init mset_init(void)
{
	printk(KERN_INFO "mset done %d\n", rec(100));
	return 0;
}
static void __exit mset_exit(void) {}
module_init(mset_init);
module_exit(mset_exit);
MODULE_LICENSE("GPL");
