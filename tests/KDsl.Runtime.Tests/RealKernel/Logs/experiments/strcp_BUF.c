/* strcp_N.c: #define BUF N, then this file. A name copied into the level's buffer with strcpy and printed with the
 * level. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/string.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 32; i < BUF; i++)
		vp[i] = (char)n;
	strcpy(buf, "strcp level");
	printk(KERN_INFO "%s %d\n", buf, n);
	if (n > 0)
		return rec(n - 1) + vp[40];
	return vp[33];
}
static int __init strcp_init(void)
{
	printk(KERN_INFO "strcp done %d\n", rec(100));
	return 0;
}
static void __exit strcp_exit(void) {}
module_init(strcp_init);
module_exit(strcp_exit);
MODULE_LICENSE("GPL");
