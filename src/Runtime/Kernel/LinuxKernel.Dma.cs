using KDsl.Runtime.Cpu;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// DMA through a scatterlist built on a buffer (seed 002): sg_init_one(&amp;sg, buf, len) → sg_set_buf →
    /// sg_set_page(sg, virt_to_page(buf), …), and a simulated device that reads sg_phys(sg) by DMA. virt_to_page is
    /// arithmetic on the direct map, so a vmalloc'd (VMAP) stack buffer gives a page that is not the buffer's: the
    /// device reads the wrong bytes. CONFIG_DEBUG_SG catches it first with BUG_ON(!virt_addr_valid(buf)).
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>
        /// The most the simulated device reads from one entry (sg->length is an unsigned int; KDsl stops at 64 KiB, so a
        /// guest calling it in a loop stays bounded by the instruction budget).
        /// </summary>
        private const ulong MaxDmaLength = 64UL << 10;
        /// <summary>What a device reads from a bus address no memory answers: all ones (a master abort).</summary>
        private const byte MasterAbort = 0xff;

        /// <summary>
        /// sg_init_one's body service, RIP just after it on the BUG_ON's ud2: with CONFIG_DEBUG_SG and an address outside
        /// the direct map the ud2 runs (kernel BUG at include/linux/scatterlist.h); otherwise the CPU steps over it and
        /// the device's byte sum of what it read at __pa(buf) comes back in RAX.
        /// </summary>
        private void SgInitOne(ulong buf, ulong length)
        {
            if (Config.DebugSg && !VirtAddrValid(buf)) return;
            Cpu.Rip += 2; // over the ud2
            ulong pa = unchecked(buf - Profile.DirectMapBase); // __pa(): x - PAGE_OFFSET below __START_KERNEL_map
            ulong sum = 0;
            ulong count = length < MaxDmaLength ? length : MaxDmaLength;
            for (ulong i = 0; i < count; i++)
            {
                ulong at = unchecked(pa + i);
                sum += at < Memory.Size ? Memory.ReadU8(at) : MasterAbort;
            }
            Cpu[Reg.Rax] = sum;
        }

        /// <summary>x86-64 __virt_addr_valid for the direct map: the address maps RAM through PAGE_OFFSET.</summary>
        private bool VirtAddrValid(ulong address) =>
            address >= Profile.DirectMapBase && address - Profile.DirectMapBase < Memory.Size;
    }
}
