using System.Text;
using KDsl.Profiles;

namespace KDsl.Runtime.Kernel.Oops
{
    /// <summary>
    /// tainted_mask bits (include/linux/panic.h TAINT_*). Bit i is the letter profile.TaintLetters[i]; a profile only
    /// prints as many columns as its kernel has flags.
    /// </summary>
    public static class Taint
    {
        public const int ProprietaryModule = 0;   // P / G
        public const int ForcedModule = 1;        // F
        public const int CpuOutOfSpec = 2;        // S
        public const int ForcedRmmod = 3;         // R
        public const int MachineCheck = 4;        // M
        public const int BadPage = 5;             // B
        public const int User = 6;                // U
        public const int Die = 7;                 // D: set by oops_end, so a second oops shows it
        public const int OverriddenAcpiTable = 8; // A
        public const int Warn = 9;                // W
        public const int Crap = 10;               // C (staging)
        public const int FirmwareWorkaround = 11; // I
        public const int OotModule = 12;          // O
        public const int UnsignedModule = 13;     // E
        public const int SoftLockup = 14;         // L
        public const int Livepatch = 15;          // K
        public const int Aux = 16;                // X
        public const int Randstruct = 17;         // T
        public const int Test = 18;               // N

        public static ulong Bit(int flag) => 1UL << flag;

        /// <summary>
        /// print_tainted(): "Not tainted", or "Tainted: " and one column per flag the profile's kernel has: the letter
        /// when set, else 'G' for P and a blank for the rest (so the string keeps its trailing blanks).
        /// </summary>
        public static string PrintTainted(KernelProfile profile, ulong mask)
        {
            if (mask == 0)
                return "Not tainted";
            var sb = new StringBuilder("Tainted: ");
            string letters = profile.TaintLetters;
            for (int i = 0; i < letters.Length; i++)
            {
                bool set = (mask & Bit(i)) != 0;
                sb.Append(set ? letters[i] : (i == ProprietaryModule ? 'G' : ' '));
            }
            return sb.ToString();
        }
    }
}
