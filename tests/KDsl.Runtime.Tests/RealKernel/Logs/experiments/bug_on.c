#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/bug.h>
static noinline int check(int value)
{
	if (WARN_ON(value > 10))
		printk(KERN_INFO "bug_on: value %d is too large, clamping\n", value);
	BUG_ON(value < 0);
	return value;
}
static int __init bug_on_init(void)
{
	check(42);
	printk(KERN_INFO "bug_on: still running after the warning\n");
	check(-1);
	printk(KERN_INFO "bug_on: not reached\n");
	return 0;
}
static void __exit bug_on_exit(void) {}
module_init(bug_on_init);
module_exit(bug_on_exit);
MODULE_LICENSE("GPL");
