/* grid_N.c: #define BUF N, then this file. A two-dimensional int array beside the char buffer, filled by nested
 * loops, and a row sum printed. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
static noinline int rec(int n)
{
	char buf[BUF];
	volatile int m[8][8];
	volatile char *vp = buf;
	int i, j, s = 0;
	for (i = 0; i < BUF; i++)
		vp[i] = (char)n;
	for (i = 0; i < 8; i++)
		for (j = 0; j < 8; j++)
			m[i][j] = n * i + j;
	for (j = 0; j < 8; j++)
		s += m[n % 8][j];
	printk(KERN_INFO "grid %d row %d\n", n, s);
	if (n > 0)
		return rec(n - 1) + vp[5] + m[1][2];
	return s;
}
static int __init grid_init(void)
{
	printk(KERN_INFO "grid done %d\n", rec(100));
	return 0;
}
static void __exit grid_exit(void) {}
module_init(grid_init);
module_exit(grid_exit);
MODULE_LICENSE("GPL");
