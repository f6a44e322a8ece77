/* snp_N.c: #define BUF N, then this file. Each level formats a line into a 64-byte buffer with snprintf and prints
 * it with %s: vsnprintf runs twice a level, once from the module and once under printk. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	char line[64];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	snprintf(line, sizeof(line), "level %d of %d", n, 100);
	printk(KERN_INFO "snp: %s\n", line);
	if (n > 0)
		return rec(n - 1) + vp[3];
	return vp[1];
}
static int __init snp_init(void)
{
	printk(KERN_INFO "snp done %d\n", rec(100));
	return 0;
}
static void __exit snp_exit(void) {}
module_init(snp_init);
module_exit(snp_exit);
MODULE_LICENSE("GPL");
