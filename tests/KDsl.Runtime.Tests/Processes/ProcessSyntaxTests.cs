using System.Linq;
using Iced.Intel;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>The language side: `process` blocks, system calls compiled to `syscall`, the init rule, the new expectations.</summary>
    [TestFixture]
    public class ProcessSyntaxTests
    {
        [Test]
        public void Syscall_CompilesToTheSyscallInstruction_WithR10AndTheNumber()
        {
            var image = ProcessRun.Image("s.kdsl", "module s \"s\";\nprocess s { char *p = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); exit(0); }\n");
            var symbol = image.Symbols.Single(x => x.Name == ModuleImage.ProcessSymbolPrefix + "s");
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(image.Text, symbol.Offset, symbol.Size));
            var code = decoder.Select(i => i).TakeWhile(_ => true).ToList();
            var text = code.Select(i => i.ToString()).ToList();
            Assert.That(text, Has.Some.EqualTo("mov r10,rcx"));
            Assert.That(text, Has.Some.EqualTo("mov eax,9"));
            Assert.That(text, Has.Some.EqualTo("mov eax,3Ch"));
            Assert.That(code.Count(i => i.Mnemonic == Mnemonic.Syscall), Is.EqualTo(2));
            Assert.That(image.ProcessNames, Is.EqualTo(new[] { "s" }));
            Assert.That(image.HasInit, Is.False);
        }

        [Test]
        public void NeitherInitNorProcess_IsStillMissingInit()
        {
            var result = Compiler.Compile("m.kdsl", "module m \"m\";\n");
            Assert.That(result.Diagnostics.Select(d => d.Id), Has.Member("KDSL0143"));
        }

        [Test]
        public void SystemCalls_AreNotBuiltinsOfAModuleWithoutProcesses()
        {
            var result = Compiler.Compile("m.kdsl", "module m \"m\";\ninit { close(3); }\n");
            Assert.That(result.Image, Is.Null);
            Assert.That(result.Diagnostics.Select(d => d.Id), Has.Member("KDSL0101"));
        }

        [Test]
        public void UnknownSignalInExpect_IsReported()
        {
            var result = Compiler.Compile("m.kdsl", "module m \"m\";\nprocess p { exit(0); }\nexpect { signal SIGFOO; exit 0; }\n");
            Assert.That(result.Diagnostics.Any(d => d.ToString().Contains("unknown signal 'SIGFOO'")), Is.True, string.Join("\n", result.Diagnostics));
        }

        [Test]
        public void ExitBlockAndExitCall_BothParse()
        {
            var result = Compiler.Compile("m.kdsl", "module m \"m\";\ninit { }\nexit { }\nprocess p { exit(3); }\nexpect { exit 3; no fault; }\n");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            Assert.That(result.Image!.Expectations.Select(e => e.ToString()), Is.EqualTo(new[] { "exit 3", "no fault" }));
            var run = Machine.Run(result.Image!);
            Assert.That(ExpectationCheck.Check(result.Image!.Expectations, run), Is.Empty);
        }

        [Test]
        public void SignalExpectation_Mismatch_IsReported()
        {
            var image = ProcessRun.Image("m.kdsl", "module m \"m\";\nprocess p { char *q = (char *)16; q[0] = 1; }\nexpect { signal SIGBUS; signal SIGSEGV SEGV_MAPERR at 0x10; signal SIGSEGV at 0x20; exit 139; }\n");
            var failures = ExpectationCheck.Check(image.Expectations, Machine.Run(image));
            Assert.That(failures.Select(f => f.Expectation.ToString()), Is.EqualTo(new[] { "signal SIGBUS", "signal SIGSEGV at 0x20" }));
        }
    }
}

namespace KDsl.Runtime.Tests.Processes
{
    [TestFixture]
    public class KernelSyscallTests
    {
        [Test]
        public void SyscallFromInit_IsAnInvalidOpcodeOopsInTheCaller()
        {
            var image = ProcessRun.Image("k.kdsl", "module k \"k\";\nvoid quit() { exit(1); }\ninit { quit(); }\nprocess p { exit(0); }\n");
            var run = Machine.Run(image);
            Assert.That(run.Oops?.Kind, Is.EqualTo("invalid_opcode"));
            Assert.That(run.Oops?.Function, Is.EqualTo("quit"));
            Assert.That(run.Processes.Single().ExitStatus, Is.EqualTo(0), "the system goes on: the process still runs");
        }
    }
}
