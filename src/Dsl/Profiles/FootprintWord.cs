using System;
using System.Collections.Generic;

namespace KDsl.Profiles
{
    /// <summary>What a recorded stack word or register is, and so how a machine with another layout rebuilds it.</summary>
    public enum FootprintWordKind
    {
        /// <summary>A value kept as it was: data, or kernel text ("t…": the text is at the real addresses).</summary>
        Value,
        /// <summary>"minit": the module's init function.</summary>
        ModuleInit,
        /// <summary>"m": the recording module's own code: the replaying run writes its own.</summary>
        ModuleCode,
        /// <summary>"m.section+off": an address in one of the recording module's sections.</summary>
        ModuleSection,
        /// <summary>"s-off": an address on the task stack, off bytes below its top.</summary>
        BelowStackTop,
        /// <summary>"c-off" / "c+off": an address on the task stack, relative to the printk caller's RSP.</summary>
        FromCaller,
        /// <summary>"ip", "ip-2a": on the oops path, the faulting instruction's address (a copy of pt_regs' ip), or an
        /// offset from it (show_opcodes' copy from ip - 42).</summary>
        FaultIp,
        /// <summary>"ipsym": on the oops path, the start of the faulting function's kallsyms symbol (find_kallsyms_symbol's bestval).</summary>
        FaultSymbolStart,
        /// <summary>"ipnext": on the oops path, the end of the faulting function's kallsyms symbol (its nextval: the next
        /// symbol, or the end of the module's text).</summary>
        FaultSymbolEnd,
        /// <summary>"e-off": on the oops path, a copy of the interrupted register pt_regs holds off bytes below the
        /// entry's RSP (the register dump's printks copy them).</summary>
        EntryWord,
        /// <summary>"mdata": on the oops path, an address in the faulting module's data (its struct module, its ORC
        /// tables, its strings): no text in any layout.</summary>
        ModuleData,
    }

    /// <summary>
    /// One recorded word (reduce.py's tokens, the same in the init's words and registers, the kthread words and a
    /// printk's residue and writes): its kind, and the value, offset or signed delta that goes with it.
    /// </summary>
    public readonly struct FootprintWord
    {
        private FootprintWord(FootprintWordKind kind, ulong value, string? section = null)
        {
            Kind = kind;
            Value = value;
            Section = section;
        }

        public FootprintWordKind Kind { get; }
        /// <summary>The value; for BelowStackTop the offset below the top; for FromCaller and FaultIp the delta (two's
        /// complement); for ModuleSection the offset in the section; for EntryWord the offset below the entry's RSP.</summary>
        public ulong Value { get; }
        public string? Section { get; }

        public static FootprintWord Parse(string token)
        {
            if (token == "minit") return new FootprintWord(FootprintWordKind.ModuleInit, 0);
            if (token == "m") return new FootprintWord(FootprintWordKind.ModuleCode, 0);
            if (token == "ipsym") return new FootprintWord(FootprintWordKind.FaultSymbolStart, 0);
            if (token == "ipnext") return new FootprintWord(FootprintWordKind.FaultSymbolEnd, 0);
            if (token == "mdata") return new FootprintWord(FootprintWordKind.ModuleData, 0);
            if (token == "ip") return new FootprintWord(FootprintWordKind.FaultIp, 0);
            if (token.StartsWith("ip-", StringComparison.Ordinal)) return new FootprintWord(FootprintWordKind.FaultIp, unchecked(0 - KernelFootprint.Hex(token.Substring(3))));
            if (token.StartsWith("ip+", StringComparison.Ordinal)) return new FootprintWord(FootprintWordKind.FaultIp, KernelFootprint.Hex(token.Substring(3)));
            if (token.StartsWith("e-", StringComparison.Ordinal)) return new FootprintWord(FootprintWordKind.EntryWord, KernelFootprint.Hex(token.Substring(2)));
            if (token[0] == 't') return new FootprintWord(FootprintWordKind.Value, KernelFootprint.Hex(token.Substring(1)));
            if (token.StartsWith("s-", StringComparison.Ordinal)) return new FootprintWord(FootprintWordKind.BelowStackTop, KernelFootprint.Hex(token.Substring(2)));
            if (token.StartsWith("c-", StringComparison.Ordinal)) return new FootprintWord(FootprintWordKind.FromCaller, unchecked(0 - KernelFootprint.Hex(token.Substring(2))));
            if (token.StartsWith("c+", StringComparison.Ordinal)) return new FootprintWord(FootprintWordKind.FromCaller, KernelFootprint.Hex(token.Substring(2)));
            if (token[0] == 'm')
            {
                int plus = token.LastIndexOf('+');
                return new FootprintWord(FootprintWordKind.ModuleSection, KernelFootprint.Hex(token.Substring(plus + 1)), token.Substring(1, plus - 1));
            }
            return new FootprintWord(FootprintWordKind.Value, KernelFootprint.Hex(token));
        }
    }

    /// <summary>
    /// After <see cref="Step"/> instructions of a recorded printk, the word <see cref="Below"/> bytes below its caller's
    /// RSP became <see cref="Value"/> (a <see cref="RecordedPath.Residue"/> value). Only changes from or to a text
    /// address are kept: the others do not change what an oops's stack scan prints.
    /// </summary>
    public readonly struct RecordedWrite
    {
        public RecordedWrite(int step, int below, string value)
        {
            Step = step;
            Below = below;
            Value = value;
        }

        public int Step { get; }
        public int Below { get; }
        public string Value { get; }
    }
}
