using System.Linq;
using KDsl.Binding;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    /// <summary>
    /// What a driver written as kernel C needs to compile unchanged (issue 18: examples/kernel-c/ringbuf.c and its .kdsl).
    /// Expected values from the 6.1 headers as GCC 12 builds them (Kbuild, objdump of functions returning each value):
    /// <code>
    /// #include &lt;linux/fs.h&gt;
    /// noinline long file_size(void) { return sizeof(struct file); }                    // 0xe8
    /// noinline long file_pd(void) { return offsetof(struct file, private_data); }      // 0xc8
    /// noinline long file_fop(void) { return offsetof(struct file, f_op); }             // 0x28
    /// noinline long file_flags(void) { return offsetof(struct file, f_flags); }        // 0x40
    /// noinline long file_mode(void) { return offsetof(struct file, f_mode); }          // 0x44
    /// noinline long file_pos(void) { return offsetof(struct file, f_pos); }            // 0x68
    /// noinline long file_inode_off(void) { return offsetof(struct file, f_inode); }    // 0x20
    /// noinline long gfp(void) { return GFP_KERNEL; }                                   // 0xcc0
    /// </code>
    /// and ringbuf.c's rb_ioctl, whose switch compares cmd with 0x40447203 (_IOW('r', 3, struct rb_msg), 68 bytes),
    /// 0x80047202 (_IOR('r', 2, int)) and 0x7201 (_IO('r', 1)). Error numbers: include/uapi/asm-generic/errno-base.h.
    /// </summary>
    [TestFixture]
    public class KernelCTests
    {
        private static long[] Values(string declarations, params string[] expressions)
        {
            var program = Support.BindClean(Support.Header + declarations + "\ninit { printk(\"" +
                string.Concat(Enumerable.Repeat("%ld ", expressions.Length)) + "\\n\", " + string.Join(", ", expressions) + "); }\n");
            var args = ((BoundCall)((BoundExpressionStatement)Support.Init(program).Body.Statements[0]).Expression).Arguments;
            return args.Skip(1).Select(a => a is BoundConversion c ? ((BoundLiteral)c.Operand).Value : ((BoundLiteral)a).Value).ToArray();
        }

        [Test]
        public void StructFile_HasGccsLayout() =>
            Assert.That(Values("", "sizeof(struct file)", "offsetof(struct file, private_data)", "offsetof(struct file, f_op)",
                "offsetof(struct file, f_flags)", "offsetof(struct file, f_mode)", "offsetof(struct file, f_pos)", "offsetof(struct file, f_inode)"),
                Is.EqualTo(new long[] { 0xe8, 0xc8, 0x28, 0x40, 0x44, 0x68, 0x20 }));

        [Test]
        public void IoctlNumbers_AreTheMacros() =>
            Assert.That(Values("struct rb_msg { u32 len; char text[64]; };\n#define RB_IOC_PUSH _IOW('r', 3, struct rb_msg)",
                "_IO('r', 1)", "_IOR('r', 2, int)", "RB_IOC_PUSH", "_IOWR('k', 0xff, long)"),
                Is.EqualTo(new long[] { 0x7201, 0x80047202, 0x40447203, 0xc0086bff }));

        [Test]
        public void HeaderConstants_HaveTheirValues() =>
            Assert.That(Values("", "EPERM", "ENOMEM", "EFAULT", "EBUSY", "EINVAL", "ENOTTY", "ENOSYS", "EOPNOTSUPP", "GFP_KERNEL", "GFP_ATOMIC", "NULL"),
                Is.EqualTo(new long[] { 1, 12, 14, 16, 22, 25, 38, 95, 0xcc0, 0xa20, 0 }));

        /// <summary>pr_info(fmt, ...) is printk(KERN_INFO fmt, ...): the format gains "\001" "6".</summary>
        [Test]
        public void PrInfo_IsPrintkAtKernInfo()
        {
            var program = Support.BindClean(Support.InInit("pr_info(\"ready %d\\n\", 8);\npr_err(\"bad\\n\");"));
            var calls = Support.Init(program).Body.Statements.Select(s => (BoundCall)((BoundExpressionStatement)s).Expression).ToList();
            Assert.That(calls.Select(c => c.Function.Name), Is.EqualTo(new[] { "printk", "printk" }));
            Assert.That(calls.Select(c => System.Text.Encoding.UTF8.GetString(((BoundStringLiteral)c.Arguments[0]).Bytes.ToArray())),
                Is.EqualTo(new[] { "\u00016ready %d\n", "\u00013bad\n" }));
        }

        /// <summary>kmalloc(size, GFP_KERNEL) is the call KDsl's kmalloc(size) makes: the same bytes.</summary>
        [Test]
        public void KmallocWithGfpKernel_IsKmalloc()
        {
            string Source(string call) => "module m \"m\";\nconfig { profile = linux-6.1; }\nvoid *get(long n) { return CALL; }\ninit { get(100); }\n".Replace("CALL", call);
            var withFlags = Compiler.Compile("m.kdsl", Source("kmalloc(n, GFP_KERNEL)"));
            var without = Compiler.Compile("m.kdsl", Source("kmalloc(n)"));
            Assert.That(withFlags.Image!.Text, Is.EqualTo(without.Image!.Text));
            var zeroed = Compiler.Compile("m.kdsl", Source("kzalloc(64, GFP_KERNEL)"));
            Assert.That(zeroed.Image!.Text, Is.EqualTo(Compiler.Compile("m.kdsl", Source("kzalloc(64)")).Image!.Text));
        }

        /// <summary>
        /// module_init(fn) / module_exit(fn) are the init and exit blocks calling fn; MODULE_LICENSE and friends are skipped;
        /// __init and __exit may follow the type, as kernel C writes them; __user and __force are nothing.
        /// </summary>
        [Test]
        public void ModuleMacros_AndSectionAttributes_Compile()
        {
            var result = Compiler.Compile("m.kdsl", "module m \"m\";\n#include <linux/module.h>\n" +
                "static int __init my_init(void) { pr_info(\"up\\n\"); return 0; }\n" +
                "static void __exit my_exit(void) { }\n" +
                "static long peek(const char __user *p) { return (__force long)p; }\n" +
                "module_init(my_init);\nmodule_exit(my_exit);\nMODULE_LICENSE(\"GPL\");\nMODULE_AUTHOR(\"me\");\nMODULE_DESCRIPTION(\"a\" \"b\");\n");
            Assert.That(result.Diagnostics.Where(d => d.IsError), Is.Empty, string.Join("\n", result.Diagnostics));
            var run = result.Image!;
            Assert.That(run.Symbols.Select(s => s.Name), Does.Contain("my_init").And.Contain("m_init").And.Contain("m_exit"));
        }

        [Test]
        public void IoctlMacro_WithARuntimeNumber_IsNotSupported() =>
            Support.AssertDiagnostics(Support.InInit("int n = 3;\nlong c = _IO('r', [n]);"), "KDSL0136");
    }
}
