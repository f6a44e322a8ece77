/* KDsl twin: examples/stack-protector.kdsl. Writing past a 16-byte local buffer over the canary. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline void overrun(int n)
{
	char buf[16];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < n; i++)
		vp[i] = 'A';
	printk(KERN_INFO "stack_protector: wrote %d bytes into a 16-byte buffer\n", n);
}
static int __init stack_protector_init(void)
{
	overrun(16);
	overrun(24);
	printk(KERN_INFO "stack_protector: not reached\n");
	return 0;
}
static void __exit stack_protector_exit(void) {}
module_init(stack_protector_init);
module_exit(stack_protector_exit);
MODULE_LICENSE("GPL");
