/* recursion with a 1000-byte frame and no printk on the way down: overflow in the module's own code */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int deep(int n)
{
	char buf[1000];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < 1000; i++)
		vp[i] = (char)n;
	if (n > 0)
		return deep(n - 1) + vp[n % 1000];
	return vp[0];
}
static int __init recurse_init(void)
{
	printk(KERN_INFO "recurse: start\n");
	printk(KERN_INFO "recurse: %d\n", deep(100));
	return 0;
}
static void __exit recurse_exit(void) {}
module_init(recurse_init);
module_exit(recurse_exit);
MODULE_LICENSE("GPL");
