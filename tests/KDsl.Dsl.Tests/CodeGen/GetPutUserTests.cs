using System.Collections.Generic;
using System.Linq;
using Iced.Intel;
using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// get_user and put_user compile as arch/x86/include/asm/uaccess.h's inline asm does: a call of __get_user_N with
    /// the address in RAX (value back in RDX, 0 or -EFAULT in EAX), of __put_user_N with the value in RAX and the address
    /// in RCX (result in ECX, RBX clobbered). The reference is GCC 12.2 by Kbuild on Debian's 6.1.0-56 headers:
    /// <code>
    /// noinline long gu_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
    /// {
    ///     int v;
    ///     if (get_user(v, (int __user *)arg))
    ///         return -EFAULT;
    ///     return v + cmd;         // mov %rdx,%rax; call __get_user_4; add %esi,%edx: cmd stays in ESI, no push, no sub
    /// }
    /// noinline long pu_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
    /// {
    ///     if (put_user(cmd * 2, (int __user *)arg))   // push %rbx; mov %rdx,%rcx; lea (%rsi,%rsi,1),%eax;
    ///         return -EFAULT;                         // call __put_user_4; ... pop %rbx
    ///     return 0;
    /// }
    /// noinline long gu_char(unsigned long arg)
    /// {
    ///     char c;
    ///     u8 u;
    ///     int r = get_user(c, (char __user *)arg);     // two calls of __get_user_1, the first result kept in ESI and
    ///     r |= get_user(u, (u8 __user *)arg + 1);      // c in ECX across the second: no push, no sub
    ///     return r ? r : c + u;
    /// }
    /// </code>
    /// </summary>
    [TestFixture]
    public class GetPutUserTests
    {
        private const string Source = @"module gu ""get_user and put_user"";
config { profile = linux-6.1; }
static long gu_ioctl(struct file *f, unsigned int cmd, unsigned long arg) {
    int v;
    if (get_user(v, (int __user *)arg))
        return -14;
    return v + cmd;
}
static long pu_ioctl(struct file *f, unsigned int cmd, unsigned long arg) {
    if (put_user(cmd * 2, (int __user *)arg))
        return -14;
    return 0;
}
static long gu_char(unsigned long arg) {
    char c;
    u8 u;
    int r = get_user(c, (char __user *)arg);
    r |= get_user(u, (u8 __user *)arg + 1);
    return r ? r : c + u;
}
static long dispatch(struct file *f, unsigned int cmd, unsigned long arg) {
    if (cmd == 0x6b01) return gu_ioctl(f, cmd, arg);
    if (cmd == 0x6b02) return pu_ioctl(f, cmd, arg);
    return gu_char(arg);
}
static const struct file_operations fops = { .unlocked_ioctl = dispatch };
static struct miscdevice dev = { .minor = MISC_DYNAMIC_MINOR, .name = ""gu"", .fops = &fops };
init { return misc_register(&dev); }
";

        private static CompileResult Compile()
        {
            var result = Compiler.Compile("gu.kdsl", Source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return result;
        }

        private static List<Instruction> Code(string function) => Decode(Compile().Image!, function);

        [TestCase("gu_ioctl", 8)]
        [TestCase("pu_ioctl", 16)]
        [TestCase("gu_char", 8)]
        public void Frame_IsGccs(string function, int frame) => Assert.That(FrameSize(Code(function)), Is.EqualTo(frame));

        [Test]
        public void PutUser_SavesRbx_WhichItsHelperClobbers()
        {
            var code = Code("pu_ioctl");
            Assert.That(code.Where(i => i.Mnemonic == Mnemonic.Push).Select(i => i.Op0Register), Is.EqualTo(new[] { Register.RBX }));
        }

        /// <summary>GCC's convention: the address in RAX before __get_user_N's call, in RCX before __put_user_N's.</summary>
        [TestCase("gu_ioctl", Register.RAX)]
        [TestCase("pu_ioctl", Register.RCX)]
        public void TheAddress_IsInTheHelpersRegister(string function, Register address)
        {
            var code = Code(function);
            int call = code.FindIndex(i => i.Mnemonic == Mnemonic.Call);
            var load = code.Take(call).Last(i => i.Op0Kind == OpKind.Register && (i.Op0Register == address));
            Assert.That((load.Mnemonic, load.Op1Kind, load.Op1Register), Is.EqualTo((Mnemonic.Mov, OpKind.Register, Register.RDX)).Or
                .EqualTo((Mnemonic.Mov, OpKind.Register, Register.RDI)), "arg, where the function keeps it");
        }

        /// <summary>
        /// The helpers are frameless leaves (arch/x86/lib/getuser.S, putuser.S): the analysis costs each its return
        /// address. The ioctl path holds 240 bytes at the handler's call on 6.1 (DriverHandlerTests); dispatch sibling-calls
        /// pu_ioctl (its 8 bytes are pu_ioctl's return address), whose push of RBX and return address are 16, and
        /// __put_user_4's return address 8.
        /// </summary>
        [Test]
        public void Analysis_CostsTheHelpersTheirReturnAddress()
        {
            var entry = Compile().Image!.Stack!.Entries.Single(e => e.Entry == "dispatch");
            Assert.That(entry.WorstCase, Is.EqualTo(240 + 16 + 8), entry.Path);
            Assert.That(entry.Path, Does.Contain("__put_user_4"));
        }
    }
}
