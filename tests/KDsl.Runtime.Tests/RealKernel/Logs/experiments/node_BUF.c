/* node_N.c: #define BUF N, then this file. A chain of structs on the stack, each pointing to its caller's, its name a
 * string printed with %s from the frame. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
struct node {
	struct node *parent;
	int depth;
	char name[16];
	long data[BUF / 8];
};
static noinline long walk(struct node *parent, int depth)
{
	struct node nd;
	volatile long *vp = nd.data;
	int i;
	nd.parent = parent;
	nd.depth = depth;
	for (i = 0; i < 15; i++)
		nd.name[i] = 'a' + (depth + i) % 26;
	nd.name[15] = 0;
	for (i = 0; i < BUF / 8; i++)
		vp[i] = depth;
	printk(KERN_INFO "node %s depth %d parent %px\n", nd.name, nd.depth, nd.parent);
	if (depth > 0)
		return walk(&nd, depth - 1) + vp[1];
	return vp[0];
}
static int __init node_init(void)
{
	printk(KERN_INFO "node: %ld\n", walk(NULL, 100));
	return 0;
}
static void __exit node_exit(void) {}
module_init(node_init);
module_exit(node_exit);
MODULE_LICENSE("GPL");
