using NUnit.Framework;

namespace KDsl.Dsl.Tests.Analysis
{
    /// <summary>The stack report reads as `kdsl check` reports it, not as its type name.</summary>
    [TestFixture]
    public class StackReportTextTests
    {
        [Test]
        public void Step5_ListsTheFrameAndTheOverflow()
        {
            string source = "module step5 \"s\";\nconfig { profile = linux-6.1; }\nconst BUF = 4096;\n" +
                "void rstack(int n) {\n char buf[BUF];\n for (int i = 0; i < BUF; i++) buf[i] = 0;\n" +
                " printk(\"[%px] finished initialized buf.\\n\", buf);\n if (n > 0) rstack(n - 1);\n}\ninit { rstack(100); }\n";
            var image = Compiler.Compile("step5.kdsl", source).Image!;
            string text = image.Stack!.ToString();
            // rstack's frame on 6.1: push rbx; sub $0x1008,%rsp (real-kernel/README), the overflow at the fourth level
            Assert.That(text, Does.Contain("rstack: frame 4120 bytes"));
            Assert.That(text, Does.Contain("init: worst case").And.Contain("overflows: rstack at depth 4"));
            Assert.That(text, Does.Not.Contain("KDsl.Analysis"));
        }
    }
}
