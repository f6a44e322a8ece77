/* thirdpk_N.c: #define BUF N, then this file. step5's recursion in a kernel thread with a printk on every third
 * level only: GCC splits rec, the printk's block going to rec.cold, the recursion staying in rec. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/kthread.h>
static noinline void rec(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;

	for (i = 0; i < BUF; i++)
		vp[i] = (char)i;
	if (n % 3 == 0)
		printk(KERN_INFO "third %d\n", n);
	if (n > 0)
		rec(n - 1);
	vp[1] = 0;
}
static noinline int thread_fn(void *data)
{
	rec(100);
	return 0;
}
static int __init thirdpk_init(void)
{
	printk(KERN_INFO "thirdpk LOADED.\n");
	kthread_run(thread_fn, NULL, "kdsl_rstack");
	return 0;
}
static void __exit thirdpk_exit(void) {}
module_init(thirdpk_init);
module_exit(thirdpk_exit);
MODULE_LICENSE("GPL");
