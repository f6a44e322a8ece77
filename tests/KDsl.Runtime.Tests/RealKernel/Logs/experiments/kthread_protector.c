/* stack_protector's overrun in a kernel thread: the canary check panics from the thread's stack (held-out check of
 * the recorded panic path and of when kthread_run's thread runs). */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/kthread.h>
static noinline void overrun(int n)
{
	char buf[16];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < n; i++)
		vp[i] = 'A';
	printk(KERN_INFO "kthread_protector: wrote %d bytes into a 16-byte buffer\n", n);
}
static noinline int thread_fn(void *data)
{
	overrun(16);
	overrun(32);
	printk(KERN_INFO "kthread_protector: not reached\n");
	return 0;
}
static int __init kthread_protector_init(void)
{
	printk(KERN_INFO "kthread_protector: starting the thread\n");
	kthread_run(thread_fn, NULL, "thread_fn");
	printk(KERN_INFO "kthread_protector: init returns\n");
	return 0;
}
static void __exit kthread_protector_exit(void) {}
module_init(kthread_protector_init);
module_exit(kthread_protector_exit);
MODULE_LICENSE("GPL");
