using System.Linq;
using Iced.Intel;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// GCC's tail recursion elimination, measured on GCC 12 building these functions as a module against the 6.1
    /// headers (make -C /usr/src/linux-headers-6.1.0-56-amd64 M=... modules; objdump -d of the .o):
    /// <code>
    /// static noinline int add_n(int n) { if (n == 0) return 0; return n + add_n(n - 1); }   // loop, no push
    /// static noinline int via_local(int n) { int r; if (n == 0) return 0; r = via_local(n - 1); return r + 1; } // loop
    /// static noinline int with_printk(int n) { printk("d %d\n", n); if (n == 0) return 0; return 1 + with_printk(n - 1); }
    ///                                           // loop, push rbp; push rbx (n and the accumulator live across printk)
    /// static noinline int two_params(int a, int b) { if (a == 0) return b; return 2 + two_params(b, a - 1); } // loop
    /// static noinline int mixed(int n) { if (n == 0) return 0; if (n &amp; 1) return n * mixed(n - 1); return n + mixed(n - 1); } // loop
    /// static noinline int xor_a(int n) { if (n == 0) return 0; return n ^ xor_a(n - 1); }  // calls itself, push rbx
    /// static noinline int deep(int n) { ... volatile char *vp = buf; ... return deep(n - 1) + vp[n % 1000]; } // calls (recurse.c)
    /// static noinline int buf_dead(int n) { char buf[64]; snprintf(buf, ...); printk("%s\n", buf); ... return 1 + buf_dead(n - 1); } // calls
    /// </code>
    /// and 4.11 (frame pointers, -fno-optimize-sibling-calls) keeps every call.
    /// </summary>
    [TestFixture]
    public class TailRecursionTests
    {
        private const string Source = @"module t ""t"";
config { profile = PROFILE; }
int add_n(int n) { if (n == 0) return 0; return n + add_n(n - 1); }
int via_local(int n) { int r; if (n == 0) return 0; r = via_local(n - 1); return r + 1; }
int with_printk(int n) { printk(""d %d\n"", n); if (n == 0) return 0; return 1 + with_printk(n - 1); }
int two_params(int a, int b) { if (a == 0) return b; return 2 + two_params(b, a - 1); }
int mixed(int n) { if (n == 0) return 0; if (n & 1) return n * mixed(n - 1); return n + mixed(n - 1); }
int xor_a(int n) { if (n == 0) return 0; return n ^ xor_a(n - 1); }
int deep(int n) { char buf[1000]; char *vp = buf; for (int i = 0; i < 1000; i++) vp[i] = (char)n; if (n > 0) return deep(n - 1) + vp[n % 1000]; return vp[0]; }
int escapes(int n) { char buf[64]; buf[0] = n; printk(""%s\n"", buf); if (n == 0) return 0; return 1 + escapes(n - 1); }
init { add_n(3); via_local(3); with_printk(3); two_params(3, 3); mixed(3); xor_a(3); deep(3); escapes(3); }
";

        private static (int Calls, int Pushes) Shape(string profile, string function)
        {
            var result = Compiler.Compile("t.kdsl", Source.Replace("PROFILE", profile));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var image = result.Image!;
            var symbol = image.Symbols.Single(s => s.Name == function && s.Section == Section.Text);
            var code = Step5CodeShapeTests.Decode(image, function);
            int calls = code.Count(i => i.Mnemonic is Mnemonic.Call or Mnemonic.Jmp && i.Op0Kind == OpKind.NearBranch64 && i.NearBranch64 == (ulong)symbol.Offset);
            // callee-saved pushes: RBP counts unless it is the frame pointer (push %rbp; mov %rsp,%rbp)
            var body = code.TakeWhile(i => i.Mnemonic != Mnemonic.Ret).ToList();
            bool framePointer = body.Any(i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.RBP && i.Op1Register == Register.RSP);
            int pushes = body.Count(i => i.Mnemonic == Mnemonic.Push) - (framePointer ? 1 : 0);
            return (calls, pushes);
        }

        [TestCase("linux-6.1", "add_n", 0, 0)]
        [TestCase("linux-6.1", "via_local", 0, 0)]
        [TestCase("linux-6.1", "with_printk", 0, 2)]
        [TestCase("linux-6.1", "two_params", 0, 0)]
        [TestCase("linux-6.1", "mixed", 0, 0)]
        [TestCase("linux-6.1", "xor_a", 1, 1)]
        [TestCase("linux-6.1", "deep", 1, 2)]
        [TestCase("linux-6.1", "escapes", 1, 1)]
        [TestCase("linux-5.10", "add_n", 0, 0)]
        [TestCase("linux-5.10", "with_printk", 0, 2)]
        [TestCase("linux-4.11", "add_n", 1, 1)]
        public void RecursionKeptOrEliminated_AsGcc(string profile, string function, int selfCalls, int pushes) =>
            Assert.That(Shape(profile, function), Is.EqualTo((selfCalls, pushes)));

        [Test]
        public void AnEliminatedRecursion_CostsOneFrame()
        {
            var result = Compiler.Compile("t.kdsl", Source.Replace("PROFILE", "linux-6.1"));
            Assert.That(result.Diagnostics.Where(d => d.Id == "KDSL1003").Select(d => d.Message),
                Has.None.Contains("add_n").And.None.Contains("with_printk"));
            var entry = result.Image!.Stack!.Entries.Single(e => e.Entry == "t_init");
            Assert.That(entry.Unbounded, Is.False);
        }
    }
}
