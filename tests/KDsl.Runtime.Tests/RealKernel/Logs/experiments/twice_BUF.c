/* twice_N.c: #define BUF N, then this file. Two printks a level, an unsigned long long accumulator passed down, and
 * an int array beside the char buffer. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline unsigned long long rec(int n, unsigned long long acc)
{
	char buf[BUF];
	int w[16];
	volatile char *vp = buf;
	volatile int *vw = w;
	int i;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	for (i = 0; i < 16; i++)
		vw[i] = n * i;
	printk(KERN_INFO "enter %d acc %llu\n", n, acc);
	acc = acc * 3 + vw[n % 16];
	printk(KERN_INFO "mid %d %llx\n", n, acc);
	if (n > 0)
		return rec(n - 1, acc) + vp[2];
	return acc;
}
static int __init twice_init(void)
{
	printk(KERN_INFO "twice: %llu\n", rec(100, 1));
	return 0;
}
static void __exit twice_exit(void) {}
module_init(twice_init);
module_exit(twice_exit);
MODULE_LICENSE("GPL");
