/* ktrace: the kernel calls whose stack footprint KDsl models, made one after the other from a module's
 * init, so that trace.py can stop at each printk and single-step through it on the real kernel.
 * The formats are the seed experiment's (step5) and one with every common conversion. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>

static noinline void buffer_line(void)
{
	char buf[64];
	volatile char *vp = buf;
	int i;

	for (i = 0; i < sizeof(buf); i++)
		vp[i] = (char)i;
	printk(KERN_INFO "[%px] finished initialized buf.\n", buf);
}

static int __init ktrace_init(void)
{
	printk(KERN_INFO "step5 LOADED.\n");
	buffer_line();
	buffer_line();
	printk(KERN_INFO "ktrace %d %s %lu %x %c %p.\n", -42, "str", 123456789UL, 0xbeefU, 'c', (void *)ktrace_init);
	printk(KERN_INFO "ktrace done.\n");
	return 0;
}

static void __exit ktrace_exit(void)
{
}

module_init(ktrace_init);
module_exit(ktrace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KDsl kernel footprint tracer");
