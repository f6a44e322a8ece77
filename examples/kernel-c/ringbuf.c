// SPDX-License-Identifier: GPL-2.0
/*
 * ringbuf: a misc device that keeps the last RB_SLOTS messages pushed to it.
 * ioctl RB_IOC_PUSH copies a struct rb_msg from user space into a stack buffer
 * and stores a copy; read returns the newest message; RB_IOC_COUNT puts the
 * number kept; RB_IOC_RESET drops them. One opener at a time.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define RB_SLOTS	8
#define RB_MSG_MAX	64

#define RB_IOC_RESET	_IO('r', 1)
#define RB_IOC_COUNT	_IOR('r', 2, int)
#define RB_IOC_PUSH	_IOW('r', 3, struct rb_msg)

struct rb_msg {
	u32 len;
	char text[RB_MSG_MAX];
};

struct rb_state {
	struct rb_msg *slots[RB_SLOTS];
	unsigned int head;
	unsigned int count;
	unsigned long pushes;
};

static struct rb_state *rb;
static int rb_opened;

static int rb_push(struct rb_state *s, const struct rb_msg *m)
{
	struct rb_msg *copy;
	int err;

	if (m->len > RB_MSG_MAX) {
		err = -EINVAL;
		goto out;
	}
	copy = kmalloc(sizeof(*copy), GFP_KERNEL);
	if (!copy) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(copy, m, sizeof(*copy));
	kfree(s->slots[s->head]);
	s->slots[s->head] = copy;
	s->head = (s->head + 1) % RB_SLOTS;
	if (s->count < RB_SLOTS)
		s->count++;
	s->pushes++;
	err = 0;
out:
	return err;
}

static void rb_reset(struct rb_state *s)
{
	int i;

	for (i = 0; i < RB_SLOTS; i++) {
		kfree(s->slots[i]);
		s->slots[i] = NULL;
	}
	s->head = s->count = 0;
}

static long rb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rb_state *s = file->private_data;
	struct rb_msg msg;

	switch (cmd) {
	case RB_IOC_RESET:
		rb_reset(s);
		return 0;
	case RB_IOC_COUNT:
		return put_user(s->count, (int __user *)arg);
	case RB_IOC_PUSH:
		if (copy_from_user(&msg, (void __user *)arg, sizeof(msg)))
			return -EFAULT;
		return rb_push(s, &msg);
	default:
		return -ENOTTY;
	}
}

static ssize_t rb_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct rb_state *s = file->private_data;
	struct rb_msg *m;

	if (!s->count)
		return 0;
	m = s->slots[(s->head + RB_SLOTS - 1) % RB_SLOTS];
	if (len > m->len)
		len = m->len;
	if (copy_to_user(buf, m->text, len))
		return -EFAULT;
	return len;
}

static int rb_open(struct inode *inode, struct file *file)
{
	if (rb_opened)
		return -EBUSY;
	rb_opened = 1;
	file->private_data = rb;
	return 0;
}

static int rb_release(struct inode *inode, struct file *file)
{
	rb_opened = 0;
	return 0;
}

static const struct file_operations rb_fops = {
	.owner		= THIS_MODULE,
	.open		= rb_open,
	.release	= rb_release,
	.read		= rb_read,
	.unlocked_ioctl	= rb_ioctl,
};

static struct miscdevice rb_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ringbuf",
	.fops	= &rb_fops,
};

static int __init rb_init(void)
{
	int err;

	rb = kzalloc(sizeof(*rb), GFP_KERNEL);
	if (!rb)
		return -ENOMEM;
	err = misc_register(&rb_dev);
	if (err)
		goto free_state;
	pr_info("ringbuf: registered, %d slots\n", RB_SLOTS);
	return 0;

free_state:
	kfree(rb);
	return err;
}

static void __exit rb_exit(void)
{
	misc_deregister(&rb_dev);
	rb_reset(rb);
	kfree(rb);
}

module_init(rb_init);
module_exit(rb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("keeps the last messages pushed to /dev/ringbuf");
