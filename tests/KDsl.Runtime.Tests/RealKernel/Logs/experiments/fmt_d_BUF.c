#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#define BUF 700 /* and 850, 1000 */
static noinline void rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "fmt_d: depth %d\n", n);
	if (n > 0)
		rec(n - 1);
	vp[0] = 0; /* buf lives on after the call: no tail call, as in step5 */
}
static int __init fmt_d_init(void) { rec(100); return 0; }
static void __exit fmt_d_exit(void) {}
module_init(fmt_d_init);
module_exit(fmt_d_exit);
MODULE_LICENSE("GPL");
