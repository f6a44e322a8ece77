using Iced.Intel;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// The string instructions (movs, stos, lods, cmps, scas at every width), alone or with rep/repe/repne, with the
    /// direction flag clear or set: RSI and RDI are pointed into the data area through RBX and RCX gets a small count
    /// first, and cld follows a std so the host returns with DF clear as the ABI requires. cmps/scas define all six
    /// flags when at least one element was compared (RCX is at least 1 for the rep forms); the others touch none.
    /// </summary>
    internal sealed partial class SequenceGenerator
    {
        private void EmitStringOp()
        {
            string op = new[] { "Movs", "Stos", "Lods", "Cmps", "Scas" }[_rng.Next(5)];
            int size = new[] { 8, 16, 32, 64 }[_rng.Next(4)];
            int rep = _rng.Next(3); // 0: none, 1: rep/repe, 2: repne (cmps/scas only; rep for the others)
            bool down = _rng.Next(3) == 0;
            int count = _rng.Next(1, 17);
            int span = count * size / 8;
            // Up: [rbx + start, + span); down: (start - span, start]; both inside RBX's -0x100..+0x1ff window.
            int Start() => down ? _rng.Next(span, 0x180) : _rng.Next(-0x80, 0x180 - span);
            Add(Instruction.Create(Code.Lea_r64_m, Register.RSI, Operand(Register.RBX, Register.None, 1, Start())));
            Add(Instruction.Create(Code.Lea_r64_m, Register.RDI, Operand(Register.RBX, Register.None, 1, Start())));
            Add(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, count));
            if (down) Add(Instruction.Create(Code.Std));

            bool compares = op is "Cmps" or "Scas";
            var repKind = rep == 0 ? RepPrefixKind.None : rep == 2 && compares ? RepPrefixKind.Repne : RepPrefixKind.Repe;
            Add(StringInstruction(op, size, repKind));
            if (down) Add(Instruction.Create(Code.Cld));
            if (compares) _defined |= FlagBits.All;
        }

        /// <summary>Iced's string-instruction factories (64-bit addressing; rep is encoded as the F3 prefix, repne F2).</summary>
        private static Instruction StringInstruction(string op, int size, RepPrefixKind rep) => (op, size) switch
        {
            ("Movs", 8) => Instruction.CreateMovsb(64, Register.None, rep),
            ("Movs", 16) => Instruction.CreateMovsw(64, Register.None, rep),
            ("Movs", 32) => Instruction.CreateMovsd(64, Register.None, rep),
            ("Movs", _) => Instruction.CreateMovsq(64, Register.None, rep),
            ("Stos", 8) => Instruction.CreateStosb(64, rep),
            ("Stos", 16) => Instruction.CreateStosw(64, rep),
            ("Stos", 32) => Instruction.CreateStosd(64, rep),
            ("Stos", _) => Instruction.CreateStosq(64, rep),
            ("Lods", 8) => Instruction.CreateLodsb(64, Register.None, rep),
            ("Lods", 16) => Instruction.CreateLodsw(64, Register.None, rep),
            ("Lods", 32) => Instruction.CreateLodsd(64, Register.None, rep),
            ("Lods", _) => Instruction.CreateLodsq(64, Register.None, rep),
            ("Cmps", 8) => Instruction.CreateCmpsb(64, Register.None, rep),
            ("Cmps", 16) => Instruction.CreateCmpsw(64, Register.None, rep),
            ("Cmps", 32) => Instruction.CreateCmpsd(64, Register.None, rep),
            ("Cmps", _) => Instruction.CreateCmpsq(64, Register.None, rep),
            ("Scas", 8) => Instruction.CreateScasb(64, rep),
            ("Scas", 16) => Instruction.CreateScasw(64, rep),
            ("Scas", 32) => Instruction.CreateScasd(64, rep),
            _ => Instruction.CreateScasq(64, rep),
        };
    }
}
