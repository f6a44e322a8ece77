#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#define BUF 750 /* and 1000, 1100 */
static noinline void rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "%s: level %d of %d\n", "rec", n, 100);
	if (n > 0)
		rec(n - 1);
	vp[0] = 0; /* buf lives on after the call: no tail call, as in step5 */
}
static int __init fmt_s_init(void) { rec(100); return 0; }
static void __exit fmt_s_exit(void) {}
module_init(fmt_s_init);
module_exit(fmt_s_exit);
MODULE_LICENSE("GPL");
