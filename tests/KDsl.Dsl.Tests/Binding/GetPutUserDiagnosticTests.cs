using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    /// <summary>
    /// get_user / put_user misuse is one located error each, as GCC stops on the kernel's macros: a second argument that
    /// is not a pointer to a simple variable, an object of a size the helpers do not have (uaccess.h's __get_user_bad(),
    /// a link error), a target that is not an lvalue. Sparse's __user is accepted and means nothing.
    /// </summary>
    [TestFixture]
    public class GetPutUserDiagnosticTests
    {
        private const string Handler = "struct pair { int a, b; };\nlong f(unsigned long arg) {\n    int v;\n    struct pair p;\n    ";

        private static string Source(string statement) => Support.Header + Handler + statement + "\n    return v;\n}\ninit { f(0); }\n";

        [Test]
        public void UserPointers_WithSparseAnnotations_Bind() =>
            Support.AssertDiagnostics(Source("if (get_user(v, (int __user *)arg)) return -14;\n    put_user(v + 1, (int __user *)(arg + 4));\n" +
                                             "    put_user((__force u8)v, (u8 __user *)arg);"));

        [Test]
        public void ANonPointer_IsReported() =>
            Support.AssertDiagnostics(Source("get_user(v, [arg]);"), "KDSL0105");

        [Test]
        public void AStruct_IsNotSupported() =>
            Support.AssertDiagnostics(Source("get_user(v, [(struct pair __user *)arg]);"), "KDSL0136");

        [Test]
        public void ANonLvalueTarget_IsReported() =>
            Support.AssertDiagnostics(Source("get_user([v + 1], (int __user *)arg);"), "KDSL0107");

        [Test]
        public void WrongArgumentCount_IsReported() =>
            Support.AssertDiagnostics(Source("[put_user(v)];"), "KDSL0104");
    }
}
