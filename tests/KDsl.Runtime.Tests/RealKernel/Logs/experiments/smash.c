/* smash.c: a char array declared before an int array, overrun by 4 bytes. GCC's stack protector puts the char array
 * against the canary (character arrays first), so the overrun reaches the canary, not count[]: the canary check
 * before the tail-called printk panics. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline void smash(int n)
{
	char name[16];
	int count[4];
	volatile char *vp = name;
	volatile int *vc = count;
	int i;
	vc[0] = n;
	for (i = 0; i < n; i++)
		vp[i] = 'A';
	printk(KERN_INFO "smash: wrote %d, count %d\n", n, vc[0]);
}
static volatile int length = 20;
static int __init smash_init(void)
{
	printk(KERN_INFO "smash: start\n");
	smash(length);
	return 0;
}
static void __exit smash_exit(void) {}
module_init(smash_init);
module_exit(smash_exit);
MODULE_LICENSE("GPL");
