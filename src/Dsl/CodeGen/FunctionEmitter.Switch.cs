using System.Collections.Generic;
using KDsl.Binding;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>switch and goto: compares and jumps.</summary>
    internal sealed partial class FunctionEmitter
    {
        private readonly Dictionary<BoundLabel, CodeLabel> _labels = new Dictionary<BoundLabel, CodeLabel>();

        private CodeLabel LabelOf(BoundLabel label)
        {
            if (!_labels.TryGetValue(label, out var code)) _labels[label] = code = _code.NewLabel();
            return code;
        }

        /// <summary>
        /// A compare and a conditional jump per case, then a jump to the default (or past the body), then the body.
        /// No jump table: the kernels KDsl models with retpolines (5.10, 6.1) build with -fno-jump-tables
        /// (arch/x86/Makefile, CONFIG_RETPOLINE), so GCC compiles every switch to compares there too.
        /// </summary>
        private void EmitSwitch(BoundSwitch node)
        {
            var end = _code.NewLabel();
            EmitExpression(node.Value);
            bool wide = node.Value.Type.Size == 8;
            foreach (var (value, label) in node.Cases)
            {
                if (value >= int.MinValue && value <= int.MaxValue)
                {
                    if (wide) A.cmp(rax, (int)value);
                    else A.cmp(eax, (int)value);
                }
                else
                {
                    A.mov(rcx, value);
                    A.cmp(rax, rcx);
                }
                A.je(LabelOf(label).Iced);
            }
            A.jmp((node.Default is null ? end : LabelOf(node.Default)).Iced);
            _loops.Push((end, _loops.Count > 0 ? _loops.Peek().Continue : end));
            EmitNested(node.Body);
            _loops.Pop();
            _code.Place(end);
        }
    }
}
