/* pstar_N.c: #define BUF N, then this file. The level's buffer printed with a precision taken from an argument
 * (%.*s), a few bytes of it a level. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = 'a' + (i + n) % 26;
	printk(KERN_INFO "pstar %d %.*s\n", n, n % 12, buf);
	if (n > 0)
		return rec(n - 1) + vp[6];
	return vp[2];
}
static int __init pstar_init(void)
{
	printk(KERN_INFO "pstar done %d\n", rec(100));
	return 0;
}
static void __exit pstar_exit(void) {}
module_init(pstar_init);
module_exit(pstar_exit);
MODULE_LICENSE("GPL");
