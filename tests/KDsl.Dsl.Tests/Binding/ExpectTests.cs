using System.Linq;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    public class ExpectTests
    {
        [Test]
        public void Items_WithLines()
        {
            var program = Support.BindClean(@"module m ""d"";
void f(void) { }
init { f(); }
exit { }
expect {
    printk ""hello"";
    printk ""a"" ""b"" count 0;
    oops stack_guard;
    oops stack_guard in init;
    oops stack_guard in exit;

    no fault;
}
");
            Assert.That(program.Expectations, Is.EqualTo(new[]
            {
                new Expectation(ExpectationKind.Printk, "hello", -1, null, 6),
                new Expectation(ExpectationKind.Printk, "ab", 0, null, 7),
                new Expectation(ExpectationKind.Oops, "stack_guard", -1, null, 8),
                new Expectation(ExpectationKind.Oops, "stack_guard", -1, "m_init", 9),
                new Expectation(ExpectationKind.Oops, "stack_guard", -1, "m_exit", 10),
                new Expectation(ExpectationKind.NoFault, "", -1, null, 12),
            }));
        }

        [Test]
        public void UnknownOopsKind_IsError()
        {
            Support.AssertDiagnostics(Support.InInit("") + "expect { oops [triple_fault]; }\n", "KDSL0180");
        }

        [Test]
        public void UnknownFunction_IsWarning()
        {
            var program = Compiler.Bind("t.kdsl", Support.InInit("") + "expect { oops stack_guard in vprintk_store; }\n", null, out var diagnostics);
            Assert.That(diagnostics.Single().Id, Is.EqualTo("KDSL0181"));
            Assert.That(diagnostics.Single().Severity, Is.EqualTo(KDsl.Diagnostics.DiagnosticSeverity.Warning));
            Assert.That(program!.Expectations.Single().Function, Is.EqualTo("vprintk_store"));
        }

        [Test]
        public void AKernelStringFunction_IsNoUnknownFunction()
        {
            // the kernel text runs memset_erms as real code: a fault can be in it (examples/memset-overflow.kdsl)
            var program = Compiler.Bind("t.kdsl", Support.InInit("") + "expect { oops page_fault in memset_erms; }\n", null, out var diagnostics);
            Assert.That(diagnostics, Is.Empty);
            Assert.That(program!.Expectations.Single().Function, Is.EqualTo("memset_erms"));
        }

        [Test]
        public void MissingPieces_AreSyntaxErrors()
        {
            Support.AssertDiagnostics(Support.InInit("") + "expect { printk [count] 3; printk \"x\" count [;] no [;] }\n", "KDSL0008", "KDSL0008", "KDSL0008");
        }

        [Test]
        public void DuplicateExpect_IsError()
        {
            Support.AssertDiagnostics(Support.InInit("") + "expect { no fault; }\n[expect] { no fault; }\n", "KDSL0147");
        }
    }
}
