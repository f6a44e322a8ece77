using System.Text;
using KDsl.Profiles;

namespace KDsl.Runtime.Kernel.Oops
{
    /// <summary>enum module_state, as far as module_flags shows it.</summary>
    public enum ModuleState { Live, Coming, Going }

    /// <summary>One entry of "Modules linked in:": the name and its module_flags() text, e.g. ("step5", "(OE+)").</summary>
    public sealed record LoadedModule(string Name, string Flags)
    {
        /// <summary>
        /// module_flags(): when the module has taints or is loading/unloading, "(" + its taint letters in
        /// taint_flags order + "-" (going) / "+" (coming, i.e. still in its init) + ")"; otherwise nothing.
        /// <paramref name="moduleTaints"/> uses the <see cref="Taint"/> bits (e.g. OotModule | UnsignedModule).
        /// </summary>
        public static LoadedModule Create(KernelProfile profile, string name, ulong moduleTaints, ModuleState state)
        {
            if (moduleTaints == 0 && state == ModuleState.Live)
                return new LoadedModule(name, "");
            var sb = new StringBuilder("(");
            string letters = profile.TaintLetters;
            for (int i = 0; i < letters.Length; i++)
                if ((moduleTaints & Taint.Bit(i)) != 0)
                    sb.Append(letters[i]);
            if (state == ModuleState.Going) sb.Append('-');
            if (state == ModuleState.Coming) sb.Append('+');
            sb.Append(')');
            return new LoadedModule(name, sb.ToString());
        }
    }
}
