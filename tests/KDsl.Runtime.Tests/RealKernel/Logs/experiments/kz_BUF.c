/* kz_N.c: #define BUF N, then this file. A kzalloc'd block at every level, freed after the call returns. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/slab.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	char *p;
	int i, r;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	p = kzalloc(128, GFP_KERNEL);
	printk(KERN_INFO "kz %d %d\n", n, p ? p[5] : -1);
	r = n > 0 ? rec(n - 1) + vp[4] : vp[2];
	kfree(p);
	return r;
}
static int __init kz_init(void)
{
	printk(KERN_INFO "kz done %d\n", rec(100));
	return 0;
}
static void __exit kz_exit(void) {}
module_init(kz_init);
module_exit(kz_exit);
MODULE_LICENSE("GPL");
