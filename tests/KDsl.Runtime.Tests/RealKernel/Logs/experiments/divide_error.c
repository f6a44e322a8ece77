#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int ratio(int a, int b) { return a / b; }
static int __init divide_error_init(void)
{
	volatile int zero = 0;
	printk(KERN_INFO "divide_error: 7 / 2 = %d\n", ratio(7, 2));
	printk(KERN_INFO "divide_error: 7 / 0 = %d\n", ratio(7, zero));
	return 0;
}
static void __exit divide_error_exit(void) {}
module_init(divide_error_init);
module_exit(divide_error_exit);
MODULE_LICENSE("GPL");
