/* step5's recursion in a kernel thread: the thread's stack starts below ret_from_fork and kthread, not the syscall path */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/kthread.h>
#define BUF 1000 /* and 1600, 2300, 4096 */
static noinline void rstack(int n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;

	for (i = 0; i < BUF; i++)
		vp[i] = (char)i;
	printk(KERN_INFO "[%px] finished initialized buf.\n", buf);
	if (n > 0)
		rstack(n - 1);
}
static noinline int thread_fn(void *data)
{
	rstack(100);
	return 0;
}
static int __init kthread_step5_init(void)
{
	printk(KERN_INFO "kthread_step5 LOADED.\n");
	kthread_run(thread_fn, NULL, "kdsl_rstack");
	return 0;
}
static void __exit kthread_step5_exit(void) {}
module_init(kthread_step5_init);
module_exit(kthread_step5_exit);
MODULE_LICENSE("GPL");
