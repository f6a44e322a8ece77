/* Two kthread_run calls in a row from init: does the second thread get the first one's (cached) stack? And when does
 * each thread run relative to its creator (init's lines)? */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/kthread.h>
#include <linux/sched/task_stack.h>
static noinline int thread_fn(void *data)
{
	printk(KERN_INFO "two_threads: thread %ld runs\n", (long)data);
	return 0;
}
static int __init two_threads_init(void)
{
	printk(KERN_INFO "two_threads: creating thread 1\n");
	kthread_run(thread_fn, (void *)1L, "kdsl_t1");
	printk(KERN_INFO "two_threads: creating thread 2\n");
	kthread_run(thread_fn, (void *)2L, "kdsl_t2");
	printk(KERN_INFO "two_threads: init returns\n");
	return 0;
}
static void __exit two_threads_exit(void) {}
module_init(two_threads_init);
module_exit(two_threads_exit);
MODULE_LICENSE("GPL");
