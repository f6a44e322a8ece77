using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Iced.Intel;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// The sequence generator really produces every instruction family the differential run claims to compare
    /// (adc/sbb, the four rotates, the five string instructions with rep/repe/repne and std, the high-byte registers, the
    /// instructions of hand-placed code: inc/dec, the bit tests and scans, bswap, cmovcc, xchg/xadd/cmpxchg, cmpxchg8b/16b),
    /// so "0 divergences" covers them. Host-independent: the sequences are only assembled and decoded.
    /// </summary>
    [TestFixture]
    public class GeneratorCoverageTests
    {
        [Test]
        public void Sequences_IncludeEveryFamily()
        {
            var seen = new HashSet<string>();
            var layout = new DiffLayout(0x4000_0000);
            for (int seed = 0; seed < 400; seed++)
            {
                var rng = new Random(seed);
                var body = new SequenceGenerator(rng, layout).Generate(24);
                var a = new Assembler(64);
                foreach (var op in body) op(a);
                a.ret();
                var stream = new MemoryStream();
                a.Assemble(new StreamCodeWriter(stream), layout.Code);
                var decoder = Decoder.Create(64, stream.ToArray(), layout.Code);
                var formatter = new IntelFormatter();
                while (decoder.IP < layout.Code + (ulong)stream.Length)
                {
                    var ins = decoder.Decode();
                    var output = new StringOutput();
                    formatter.Format(ins, output);
                    string text = output.ToStringAndReset();
                    seen.Add(ins.Mnemonic.ToString().ToLowerInvariant());
                    if (ins.HasRepPrefix) seen.Add("rep");
                    if (ins.HasRepnePrefix) seen.Add("repne");
                    foreach (var r in new[] { "ah", "bh", "ch", "dh" })
                        if (System.Text.RegularExpressions.Regex.IsMatch(text, $"\\b{r}\\b")) seen.Add(r);
                }
            }
            string[] expected = { "adc", "sbb", "rol", "ror", "rcl", "rcr", "movsb", "movsq", "stosd", "lodsw", "cmpsb", "scasq", "rep", "repne", "std", "cld", "ah", "bh", "ch", "dh",
                "inc", "dec", "bt", "bts", "btr", "btc", "bsf", "bsr", "bswap", "xchg", "xadd", "cmpxchg", "cmpxchg8b", "cmpxchg16b", "cmc", "cbw", "cwde", "cdqe", "cwd" };
            Assert.That(seen, Is.SupersetOf(expected));
            Assert.That(seen.Count(m => m.StartsWith("cmov", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(8), "cmovcc on most conditions");
        }
    }
}
