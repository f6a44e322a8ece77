/* accxor_N.c: #define BUF N, then this file. A recursion whose result is combined after the call
 * with a bitwise operator (return n ^ sum(n - 1)), which GCC does not accumulate: the calls stay and the
 * stack overflows, where accsum_N.c with + runs in one frame. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline long sum(long n)
{
	char buf[BUF];
	volatile char *vp = buf;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	printk(KERN_INFO "accxor: depth %ld\n", n);
	if (n == 0)
		return vp[0];
	return n ^ sum(n - 1);
}
static int __init accxor_init(void)
{
	printk(KERN_INFO "accxor: %ld\n", sum(100));
	return 0;
}
static void __exit accxor_exit(void) {}
module_init(accxor_init);
module_exit(accxor_exit);
MODULE_LICENSE("GPL");
