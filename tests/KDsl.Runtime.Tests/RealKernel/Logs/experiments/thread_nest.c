/* Threads creating threads: which task runs when. init makes two `mid` threads; each mid makes two `leaf` threads.
 * Every line names who printed it, so the log's order is the CPU's order. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/kthread.h>
static noinline int leaf(void *data)
{
	printk(KERN_INFO "thread_nest: leaf %ld runs\n", (long)data);
	return 0;
}
static noinline int mid(void *data)
{
	long n = (long)data;
	printk(KERN_INFO "thread_nest: mid %ld runs\n", n);
	kthread_run(leaf, (void *)(n * 10 + 1), "kdsl_leaf");
	printk(KERN_INFO "thread_nest: mid %ld made child 1\n", n);
	kthread_run(leaf, (void *)(n * 10 + 2), "kdsl_leaf");
	printk(KERN_INFO "thread_nest: mid %ld made child 2\n", n);
	return 0;
}
static int __init thread_nest_init(void)
{
	kthread_run(mid, (void *)1L, "kdsl_mid");
	printk(KERN_INFO "thread_nest: init made mid 1\n");
	kthread_run(mid, (void *)2L, "kdsl_mid");
	printk(KERN_INFO "thread_nest: init made mid 2\n");
	return 0;
}
static void __exit thread_nest_exit(void) {}
module_init(thread_nest_init);
module_exit(thread_nest_exit);
MODULE_LICENSE("GPL");
