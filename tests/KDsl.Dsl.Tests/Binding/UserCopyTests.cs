using System.Linq;
using KDsl.Binding;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    /// <summary>
    /// copy_from_user / copy_to_user as include/linux/uaccess.h and thread_info.h's check_copy_size expand them. The C,
    /// built with GCC 12 by Kbuild on Debian's 6.1 headers:
    /// <code>
    /// noinline long demo_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
    /// {
    ///     char buf[64];
    ///     unsigned long len;
    ///     if (copy_from_user(&amp;len, (void __user *)arg, sizeof(len)))   // constant size: _copy_from_user alone
    ///         return -EFAULT;
    ///     if (copy_from_user(buf, (void __user *)(arg + 8), len))      // cmp $0x40,%r12; ja → __copy_overflow(64, len),
    ///         return -EFAULT;                                          // else __check_object_size(buf, len, 0), _copy_from_user
    ///     return buf[0];
    /// }
    /// noinline long copy_into(char *dst, unsigned long arg, unsigned long len)
    /// {
    ///     return copy_from_user(dst, (void __user *)arg, len);         // dst's size unknown: __check_object_size, _copy_from_user
    /// }
    /// </code>
    /// </summary>
    [TestFixture]
    public class UserCopyTests
    {
        private static BoundExpression Copy(string declarations, string call, string profile = "linux-6.1")
        {
            var program = Support.BindClean($"module t \"test\";\nconfig {{ profile = {profile}; }}\n" +
                $"long f(char *dst, unsigned long arg, unsigned long len) {{ {declarations} return {call}; }}\ninit {{ }}\n");
            var body = program.Functions.Single(fn => fn.Symbol.Name == "f").Body;
            var ret = (BoundReturn)body.Statements.Last();
            var e = ret.Value!;
            while (e is BoundConversion c) e = c.Operand;
            return e;
        }

        private static string Callee(BoundExpression e) => ((BoundCall)e).Function.LinkName;

        [Test]
        public void ConstantSize_IsTheCopyAlone()
        {
            var e = Copy("unsigned long n;", "copy_from_user(&n, (void *)arg, sizeof(n))");
            Assert.That(Callee(e), Is.EqualTo("_copy_from_user"));
        }

        [Test]
        public void KnownObject_RunTimeSize_ComparesWithItsSize_ThenChecksAndCopies()
        {
            var e = (BoundConditional)Copy("char buf[64];", "copy_from_user(buf, (void *)arg, len)");
            var compare = (BoundBinary)e.Condition;
            Assert.That((compare.Operator, ((BoundLiteral)compare.Right).Value), Is.EqualTo((BoundBinaryOperator.Greater, 64L)));
            var overflow = (BoundSequence)e.WhenTrue;
            var warn = (BoundCall)overflow.Left;
            Assert.That((warn.Function.LinkName, ((BoundLiteral)warn.Arguments[0]).Value), Is.EqualTo(("__copy_overflow", 64L)));
            var copy = (BoundSequence)e.WhenFalse;
            Assert.That((Callee(copy.Left), Callee(copy.Right)), Is.EqualTo(("__check_object_size", "_copy_from_user")));
        }

        [Test]
        public void UnknownObject_ChecksAndCopies()
        {
            var e = (BoundSequence)Copy("", "copy_from_user(dst, (void *)arg, len)");
            Assert.That((Callee(e.Left), Callee(e.Right)), Is.EqualTo(("__check_object_size", "_copy_from_user")));
            Assert.That(((BoundLiteral)((BoundCall)e.Left).Arguments[2]).Value, Is.EqualTo(0), "to_user false for copy_from_user");
        }

        [Test]
        public void CopyToUser_ChecksItsSource()
        {
            var e = (BoundConditional)Copy("char buf[16];", "copy_to_user((void *)arg, buf, len)");
            var copy = (BoundSequence)e.WhenFalse;
            var check = (BoundCall)copy.Left;
            Assert.That((((BoundLiteral)((BoundBinary)e.Condition).Right).Value, ((BoundLiteral)check.Arguments[2]).Value, Callee(copy.Right)),
                Is.EqualTo((16L, 1L, "_copy_to_user")));
        }

        /// <summary>5.10's copy_overflow is a WARN inline in the caller: not modelled, the object check and the copy remain.</summary>
        [Test]
        public void Linux510_HasNoCopyOverflowCall() =>
            Assert.That(Copy("char buf[64];", "copy_from_user(buf, (void *)arg, len)", "linux-5.10"), Is.TypeOf<BoundSequence>());

        /// <summary>
        /// A constant size larger than the object is GCC's compile-time error: __bad_copy_to's
        /// __compiletime_error("copy destination size is too small") (__bad_copy_from's "copy source size is too small").
        /// </summary>
        [Test]
        public void ConstantSizeTooLarge_IsAnError()
        {
            Support.BindAll(Support.Header + "init { char buf[8]; copy_from_user(buf, (void *)0x1000, 16); copy_to_user((void *)0x1000, buf, 9); }\n",
                out var diagnostics);
            Assert.That(diagnostics.Where(d => d.Id == "KDSL0152").Select(d => d.Message), Is.EqualTo(new[]
            {
                "call to '__bad_copy_to' declared with attribute error: copy destination size is too small (8 < 16)",
                "call to '__bad_copy_from' declared with attribute error: copy source size is too small (8 < 9)",
            }));
        }

        [Test]
        public void SideEffects_InARunTimeCheckedCopy_AreNotSupported()
        {
            Support.BindAll(Support.Header + "init { char buf[8]; long n = 4; copy_from_user(buf, (void *)0x1000, n++); }\n", out var diagnostics);
            Assert.That(diagnostics.Select(d => d.Id), Has.Member("KDSL0136"));
        }
    }
}
