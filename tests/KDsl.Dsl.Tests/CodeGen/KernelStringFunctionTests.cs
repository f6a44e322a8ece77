using System.Linq;
using KDsl.CodeGen;
using KDsl.Profiles;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// The kernel text's string functions are the real ones: where the recorded runs of Debian's 5.10 and 6.1 kernels
    /// executed an instruction of memset_erms, memcpy_erms, strlen, strncpy, memmove, snprintf or sprintf, KDsl's copy has the same bytes at the same
    /// offset (so a fault prints the real function+offset),
    /// </summary>
    [TestFixture]
    public class KernelStringFunctionTests
    {
        [TestCase("linux-6.1", "memset_erms")]
        [TestCase("linux-6.1", "memcpy_erms")]
        [TestCase("linux-6.1", "strlen")]
        [TestCase("linux-6.1", "strncpy")]
        [TestCase("linux-6.1", "memmove")]
        [TestCase("linux-5.10", "memset_erms")]
        [TestCase("linux-5.10", "memcpy_erms")]
        [TestCase("linux-5.10", "strlen")]
        [TestCase("linux-5.10", "strncpy")]
        [TestCase("linux-5.10", "memmove")]
        [TestCase("linux-6.1", "snprintf")]
        [TestCase("linux-6.1", "sprintf")]
        [TestCase("linux-5.10", "snprintf")]
        [TestCase("linux-5.10", "sprintf")]
        public void TheCopyHasTheRecordedBytes(string profileName, string function)
        {
            var profile = KernelProfile.Find(profileName)!;
            var footprint = KernelFootprint.For(profileName)!;
            var real = footprint.Symbols.Single(s => s.Name == function);
            var text = KernelTextCompiler.Compile(profile);
            // the recorded function is laid first, KDsl's copy under the same name after it
            var copy = text.Symbols.Last(s => s.Name == function);
            Assert.That(copy.Offset, Is.Not.EqualTo((int)(real.Address - KernelProfile.KernelTextBase)));
            Assert.That(copy.Size, Is.EqualTo(real.Size), "kallsyms size");
            int compared = 0;
            foreach (var insn in footprint.Instructions.Where(i => i.Address >= real.Address && i.Address < real.Address + (ulong)real.Size)
                         .OrderBy(i => i.Address))
            {
                int offset = (int)(insn.Address - real.Address);
                // snprintf's call of vsnprintf reaches KDsl's vsnprintf: all but its displacement
                if (insn.Bytes[0] == 0xE8)
                {
                    Assert.That(text.Text[copy.Offset + offset], Is.EqualTo(0xE8), $"{function}+0x{offset:x}");
                    continue;
                }
                Assert.That(text.Text.Skip(copy.Offset + offset).Take(insn.Bytes.Length), Is.EqualTo(insn.Bytes), $"{function}+0x{offset:x}");
                compared++;
            }
            Assert.That(compared, Is.GreaterThanOrEqualTo(4));
        }
    }
}
