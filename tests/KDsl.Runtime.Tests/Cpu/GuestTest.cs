using System;
using Iced.Intel;
using KDsl.Runtime.Cpu;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Cpu
{
    /// <summary>A CPU test on a fresh <see cref="GuestFixture"/> each: code assembled into it runs to the hlt appended to it.</summary>
    public abstract class GuestTest
    {
        private protected GuestFixture _g = null!;

        [SetUp]
        public void SetUpGuest() => _g = new GuestFixture();

        [TearDown]
        public void TearDownGuest() => _g.Dispose();

        /// <summary>Runs <paramref name="body"/> and a hlt after it.</summary>
        private protected StopReason Run(Action<Assembler> body) => _g.Run(a => { body(a); a.hlt(); });

        /// <summary>Runs <paramref name="body"/>, which must reach the hlt after it without an exception.</summary>
        private protected void RunOk(Action<Assembler> body) =>
            Assert.That(Run(body), Is.EqualTo(StopReason.Halt), () => _g.Cpu.LastException.ToString());
    }
}
