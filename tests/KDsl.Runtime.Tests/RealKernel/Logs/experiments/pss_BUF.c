/* pss_N.c: #define BUF N, then this file. step5's recursion whose printk names a module function with %pS and a
 * string with %s (kallsyms' module lookup on every line). */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline void rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "%s %d in %pS\n", "level", n, rec);
	if (n > 0)
		rec(n - 1);
	vp[0] = 0;
}
static int __init pss_init(void)
{
	rec(100);
	return 0;
}
static void __exit pss_exit(void) {}
module_init(pss_init);
module_exit(pss_exit);
MODULE_LICENSE("GPL");
