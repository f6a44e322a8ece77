namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// What the oops path copies of the faulting context into its frames, as this machine has it: the faulting address
    /// (pt_regs' ip), the faulting function's kallsyms start and end (find_kallsyms_symbol's bestval and nextval, which
    /// %pS leaves in registers that sprintf's varargs save), and an address in the faulting module's data (its name, its
    /// ORC tables: no text). The recorded writes name such words by these (reduce.py's Fault).
    /// </summary>
    public readonly record struct OopsFault(ulong Ip, ulong SymbolStart, ulong SymbolEnd, ulong ModuleData);
}
