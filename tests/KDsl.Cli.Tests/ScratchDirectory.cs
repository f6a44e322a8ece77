using System;
using System.IO;
using KDsl.Profiles;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// A test class's own directory under the system's temporary one, new for each test and removed after it, and the
    /// linux-6.1 headers package the build tests need (they are skipped where it is not installed; .ci/run installs it).
    /// </summary>
    public abstract class ScratchDirectory
    {
        protected static readonly string Headers61 = $"/usr/src/linux-headers-{KernelProfile.Linux61.Release}";
        /// <summary>This test's directory (created by whoever writes into it first).</summary>
        protected string Dir { get; private set; } = "";

        [SetUp]
        public void CreateScratch() => Dir = Path.Combine(Path.GetTempPath(), $"kdsl-{GetType().Name}-" + Guid.NewGuid().ToString("N"));

        [TearDown]
        public void RemoveScratch()
        {
            if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
        }

        protected static void RequireHeaders61()
        {
            if (!File.Exists(Path.Combine(Headers61, "Module.symvers")))
                Assert.Ignore($"{Headers61} is not installed (apt-get install linux-headers-{KernelProfile.Linux61.Release})");
        }
    }
}
