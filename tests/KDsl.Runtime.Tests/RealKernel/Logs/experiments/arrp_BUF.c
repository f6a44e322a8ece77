/* arrp_N.c: #define BUF N, then this file. A local array of string pointers beside the buffer, one printed a level. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	const char *names[4] = { "north", "east", "south", "west" };
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "arrp %d %s\n", n, names[n % 4]);
	if (n > 0)
		return rec(n - 1) + vp[9];
	return vp[2];
}
static int __init arrp_init(void)
{
	printk(KERN_INFO "arrp done %d\n", rec(100));
	return 0;
}
static void __exit arrp_exit(void) {}
module_init(arrp_init);
module_exit(arrp_exit);
MODULE_LICENSE("GPL");
