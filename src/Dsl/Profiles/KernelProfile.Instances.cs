namespace KDsl.Profiles
{
    public sealed partial class KernelProfile
    {
        /// <summary>The seed's kernel: Fedora 25's 4.11.12 under VirtualBox (shared/seeds/000).</summary>
        public static KernelProfile Linux411 { get; } = new KernelProfile
        {
            Name = "linux-4.11",
            Release = "4.11.12-200.fc25.x86_64",
            Version = "#1",
            HardwareName = "innotek GmbH VirtualBox/VirtualBox, BIOS VirtualBox 12/01/2006",
            Cpu = 1,
            InsmodPid = 7220,
            FramePointer = true,
            InitStackAllZero = false,
            FtraceNop = new byte[] { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
            PrintkSymbol = "printk",
            GuardPage = GuardPageStyle.Classic,
            DieFlags = " SMP",
            CodePrologueBytes = 43,
            LegacyOopsLayout = true,
            TaskStackMarkers = false,
            RandomOopsId = true,
            HasPkru = false,
            PrintsPanicEndMarker = true,
            TaintLetters = "PFSRMBUDAWCIOELK",
            Cr0 = 0x80050033,
            Cr4 = 0x406e0,
            Dr6 = 0xfffe0ff0,
            DirectMapBase = 0xffff880000000000,
            VmallocBase = 0xffffc90000000000,
            StackInUseAtInitCall = 848,
        };

        /// <summary>Debian 11's 5.10.0-46 under QEMU (shared/reference/real-kernel/logs-5.10).</summary>
        public static KernelProfile Linux510 { get; } = new KernelProfile
        {
            Name = "linux-5.10",
            Release = "5.10.0-46-amd64",
            Version = "#1 Debian 5.10.262-1",
            HardwareName = "QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
            Cpu = 0,
            InsmodPid = 86,
            FramePointer = false,
            InitStackAllZero = false,
            FtraceNop = new byte[] { 0x66, 0x66, 0x66, 0x66, 0x90 },
            PrintkSymbol = "printk",
            GuardPage = GuardPageStyle.Classic,
            DieFlags = " SMP NOPTI",
            CodePrologueBytes = 42,
            LegacyOopsLayout = false,
            TaskStackMarkers = false,
            RandomOopsId = true,
            HasPkru = true,
            PrintsPanicEndMarker = false,
            TaintLetters = "PFSRMBUDAWCIOELKXT",
            Cr0 = 0x80050033,
            Cr4 = 0x750ef0,
            Dr6 = 0xffff0ff0,
            DirectMapBase = 0xffff888000000000,
            VmallocBase = 0xffffc90000000000,
            StackInUseAtInitCall = 512,
        };

        /// <summary>Debian 12's 6.1.0-56 under QEMU (shared/reference/real-kernel/logs-6.1), the default.</summary>
        public static KernelProfile Linux61 { get; } = new KernelProfile
        {
            Name = "linux-6.1",
            Release = "6.1.0-56-amd64",
            Version = "#1  Debian 6.1.192-2",
            HardwareName = "QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
            Cpu = 0,
            InsmodPid = 98,
            FramePointer = false,
            InitStackAllZero = true,
            FtraceNop = new byte[] { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
            PrintkSymbol = "_printk",
            GuardPage = GuardPageStyle.Named,
            DieFlags = " PREEMPT SMP NOPTI",
            CodePrologueBytes = 42,
            LegacyOopsLayout = false,
            TaskStackMarkers = true,
            RandomOopsId = false,
            HasPkru = true,
            PrintsPanicEndMarker = true,
            TaintLetters = "PFSRMBUDAWCIOELKXTN",
            Cr0 = 0x80050033,
            Cr4 = 0x751ef0,
            Dr6 = 0xffff0ff0,
            DirectMapBase = 0xffff888000000000,
            VmallocBase = 0xffffc90000000000,
            StackInUseAtInitCall = 544,
        };
    }
}
