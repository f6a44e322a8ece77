#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline void poke(long *p) { *(volatile long *)p = 1; }
static int __init null_deref_init(void)
{
	printk(KERN_INFO "null_deref: writing through NULL\n");
	poke((long *)0);
	printk(KERN_INFO "null_deref: not reached\n");
	return 0;
}
static void __exit null_deref_exit(void) {}
module_init(null_deref_init);
module_exit(null_deref_exit);
MODULE_LICENSE("GPL");
