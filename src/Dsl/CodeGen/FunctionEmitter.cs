using System;
using System.Collections.Generic;
using Iced.Intel;
using KDsl.Binding;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Text;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Emits one function the way the kernel's GCC shapes it (see <see cref="FrameLayout"/>): ftrace NOP, optional
    /// frame pointer, callee-saved pushes, one sub rsp, parameters moved to their homes, the stack-protector canary
    /// from gs:0x28, the profile's INIT_STACK_ALL_ZERO rep stos, the body, one epilogue with the canary check.
    /// Expressions evaluate into RAX with RCX/RDX as helpers; a complex right operand is spilled to a temporary
    /// slot at the bottom of the frame (counted in a first pass).
    /// </summary>
    internal sealed partial class FunctionEmitter
    {
        private readonly BoundFunction _function;
        private readonly KernelProfile _profile;
        private readonly SourceText _source;
        private readonly StringTable _strings;
        private readonly FrameLayout _frame;
        private readonly CodeBuffer _code = new CodeBuffer();
        private readonly Stack<(CodeLabel Break, CodeLabel Continue)> _loops = new Stack<(CodeLabel, CodeLabel)>();
        private CodeLabel _epilogue = null!;
        private CodeLabel? _canaryFail;
        private readonly HashSet<BoundCall> _tailCalls;
        private int _temporariesInUse;
        private int _registerTemporariesInUse;
        private int _pushed; // bytes pushed for stack arguments, added to RSP-relative offsets
        /// <summary>The statements GCC moves to the cold part (<see cref="TextSections"/>), or null when it splits nothing off.</summary>
        private readonly ColdPart? _coldPart;
        /// <summary>The statement being emitted is in the cold part, and so is everything inside it.</summary>
        private bool _inColdStatement;

        private FunctionEmitter(BoundFunction function, KernelProfile profile, SourceText source, StringTable strings, int temporaries,
            int registerTemporaries, ColdPart? coldPart)
        {
            _coldPart = coldPart;
            _function = function;
            _profile = profile;
            _source = source;
            _strings = strings;
            _frame = new FrameLayout(function, profile, temporaries, registerTemporaries);
            _tailCalls = TailCalls.Find(function, profile);
        }

        /// <summary>The deepest number of spill temporaries the body needed.</summary>
        private int MaxTemporaries { get; set; }
        /// <summary>The most operands that waited in registers at once (<see cref="GprExtensions.OperandRegisters"/>).</summary>
        private int MaxRegisterTemporaries { get; set; }

        /// <summary>
        /// The function's code; with <paramref name="coldPart"/>, what GCC moves to NAME.cold is emitted apart
        /// (<see cref="FunctionCode.Cold"/>).
        /// </summary>
        public static (FunctionCode Code, FrameLayout Frame) Emit(BoundFunction function, KernelProfile profile, SourceText source, StringTable strings,
            ColdPart? coldPart = null)
        {
            // First pass only counts temporaries, so the frame is known before the prologue is written: the registers
            // the operands need are kept from the locals, and the rest can be homes.
            var probe = new FunctionEmitter(function, profile, source, new StringTable(), temporaries: 64, GprExtensions.OperandRegisters.Length, coldPart);
            probe.EmitFunction();
            var emitter = new FunctionEmitter(function, profile, source, strings, probe.MaxTemporaries, probe.MaxRegisterTemporaries, coldPart);
            emitter.EmitFunction();
            return (emitter._code.Encode(function.Symbol.LinkName, Line(source, function.Span)), emitter._frame);
        }

        private static int Line(SourceText source, TextSpan span) => source.GetLinePosition(span.Start).Line + 1;

        private Assembler A => _code.Asm;

        private void EmitFunction()
        {
            _epilogue = _code.NewLabel();
            if (_frame.CanaryOffset >= 0) _canaryFail = _code.NewLabel();
            _code.MarkLine(Line(_source, _function.Span));
            EmitPrologue();
            EmitStatement(_function.Body);
            if (_function.Symbol.Kind is FunctionKind.Init or FunctionKind.Process)
                A.xor(eax, eax); // module_init falls off the end: return 0
            // the exit block (epilogue, canary check) goes with the body unless every way to it is cold
            SwitchPart(_coldPart is { ExitCold: true });
            _code.Place(_epilogue);
            EmitEpilogue();
        }

        /// <summary>
        /// Continues in the cold part or in the body: the part left ends with a jmp to where the code goes on, as GCC's
        /// partitioning turns a fall-through across the parts into a jump.
        /// </summary>
        private void SwitchPart(bool cold)
        {
            if (_code.Cold == cold) return;
            var next = _code.NewLabel();
            A.jmp(next.Iced);
            _code.SetCold(cold);
            _code.Place(next);
        }

        /// <summary>A statement inside another (a branch, a loop body): after it, the code goes on in the enclosing one's part.</summary>
        private void EmitNested(BoundStatement statement)
        {
            EmitStatement(statement);
            SwitchPart(_inColdStatement);
        }

        private int Cfa => 8 + (_frame.FramePointer ? 8 : 0) + 8 * _frame.SavedRegisters.Length;

        private void EmitPrologue()
        {
            _code.SetCfa(8);
            _code.Bytes(_profile.FtraceNop);
            int cfa = 8;
            if (_frame.FramePointer)
            {
                A.push(rbp);
                _code.SetCfa(cfa += 8);
                A.mov(rbp, rsp);
            }
            // GCC pushes the register it handed out last first: r12, rbp, rbx for three
            for (int i = _frame.SavedRegisters.Length - 1; i >= 0; i--)
            {
                A.push(_frame.SavedRegisters[i].Q());
                _code.SetCfa(cfa += 8);
            }
            if (_frame.LocalSize > 0)
            {
                A.sub(rsp, _frame.LocalSize);
                _code.SetCfa(cfa + _frame.LocalSize);
            }

            var parameters = _function.Symbol.Parameters;
            for (int i = 0; i < parameters.Length && i < GprExtensions.ArgumentRegisters.Length; i++)
                StoreVariable(parameters[i], GprExtensions.ArgumentRegisters[i]);
            for (int i = GprExtensions.ArgumentRegisters.Length; i < parameters.Length; i++)
            {
                if (_frame.StaysInIncomingSlot(parameters[i])) continue;
                // Stack arguments sit above the return address: caller's RSP + 8 * (i - 6).
                A.mov(rax, __qword_ptr[rsp + (_frame.FrameSize + 8 * (i - GprExtensions.ArgumentRegisters.Length))]);
                StoreVariable(parameters[i], Gpr.Rax);
            }

            if (_frame.CanaryOffset >= 0)
            {
                _code.Bytes(0x65, 0x48, 0x8B, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00); // mov rax, gs:0x28
                A.mov(__qword_ptr[rsp + _frame.CanaryOffset], rax);
                A.xor(eax, eax);
            }

            if (_profile.InitStackAllZero)
                EmitInitStackAllZero();
            // the zeroing's start address, kept where the aggregate's address is needed after a call (FrameLayout)
            foreach (var pair in _frame.KeptAddressRegisters)
                A.lea(pair.Value.Q(), __[rsp + _frame.HomeOf(pair.Key).Offset]);
        }

        /// <summary>
        /// CONFIG_INIT_STACK_ALL_ZERO: the compiler zeroes every local array before the body runs, in the order they are
        /// declared (-ftrivial-auto-var-init puts each one's .DEFERRED_INIT at its declaration): grid_BUF.c's rec zeroes
        /// buf, declared first and placed above, then m (GCC 12 on the 6.1 headers), so a frame that reaches into the guard
        /// page faults on m with buf already written, over what the printk before it had left there.
        /// </summary>
        private void EmitInitStackAllZero()
        {
            var declared = new Dictionary<VariableSymbol, int>();
            for (int i = 0; i < _function.Locals.Length; i++) declared[_function.Locals[i]] = i;
            foreach (var (array, offset) in System.Linq.Enumerable.OrderBy(_frame.Arrays, a => declared[a.Variable]))
            {
                long size = array.Type.Size;
                A.xor(eax, eax);
                A.lea(rdi, __[rsp + offset]);
                if (size % 4 == 0)
                {
                    A.mov(ecx, (uint)(size / 4));
                    A.rep.stosd();
                }
                else
                {
                    A.mov(ecx, (uint)size);
                    A.rep.stosb();
                }
            }
        }

        private void EmitEpilogue()
        {
            if (_canaryFail is not null)
            {
                A.mov(rdx, __qword_ptr[rsp + _frame.CanaryOffset]);
                _code.Bytes(0x65, 0x48, 0x2B, 0x14, 0x25, 0x28, 0x00, 0x00, 0x00); // sub rdx, gs:0x28
                A.jne(_canaryFail.Iced);
            }
            TearDownFrame();
            A.ret();
            if (_canaryFail is not null)
            {
                _code.Place(_canaryFail);
                _code.SetCfa(Cfa + _frame.LocalSize);
                _code.CallSymbol("__stack_chk_fail");
            }
        }

        /// <summary>add rsp and the pops, the CFA row after each: the epilogue's, and a tail call's before its jmp.</summary>
        private void TearDownFrame()
        {
            int cfa = Cfa + _frame.LocalSize;
            if (_frame.LocalSize > 0)
            {
                A.add(rsp, _frame.LocalSize);
                _code.SetCfa(cfa -= _frame.LocalSize);
            }
            foreach (var r in _frame.SavedRegisters)
            {
                A.pop(r.Q());
                _code.SetCfa(cfa -= 8);
            }
            if (_frame.FramePointer)
            {
                A.pop(rbp);
                _code.SetCfa(cfa -= 8);
            }
        }

        /// <summary>
        /// A sibling call (<see cref="TailCalls"/>): the arguments are in their registers; check the canary (in R11, which
        /// no argument uses), tear the frame down and jmp, so the callee returns straight to this function's caller.
        /// </summary>
        private void EmitTailJump(string symbol)
        {
            if (_canaryFail is not null)
            {
                A.mov(r11, __qword_ptr[rsp + _frame.CanaryOffset]);
                _code.Bytes(0x65, 0x4C, 0x2B, 0x1C, 0x25, 0x28, 0x00, 0x00, 0x00); // sub r11, gs:0x28
                A.jne(_canaryFail.Iced);
            }
            TearDownFrame();
            _code.JumpSymbol(symbol);
            _code.SetCfa(Cfa + _frame.LocalSize + _pushed); // the code after it is on the other paths, in the frame
        }

        private void EmitStatement(BoundStatement statement)
        {
            // a block's statements run on in one part as long as they stay in it: no jmp back and forth between two
            bool enclosing = _inColdStatement;
            bool cold = enclosing || statement is not BoundLabelStatement && _coldPart?.Contains(statement) == true;
            SwitchPart(cold);
            _inColdStatement = cold;
            EmitStatementIn(statement);
            _inColdStatement = enclosing;
        }

        private void EmitStatementIn(BoundStatement statement)
        {
            if (statement is not BoundBlock)
                _code.MarkLine(Line(_source, statement.Span));
            switch (statement)
            {
                case BoundBlock b:
                    foreach (var s in b.Statements) EmitStatement(s);
                    break;
                case BoundVariableDeclaration d:
                    if (d.Initializer is not null && !_frame.IsArrayAlias(d.Variable, out _)) // an alias is its array's address: nothing to store
                    {
                        EmitExpression(d.Initializer);
                        StoreVariable(d.Variable, Gpr.Rax);
                    }
                    break;
                case BoundExpressionStatement e:
                    EmitEffect(e.Expression);
                    break;
                case BoundIf i:
                    EmitIf(i);
                    break;
                case BoundWhile w:
                    EmitWhile(w);
                    break;
                case BoundFor f:
                    EmitFor(f);
                    break;
                case BoundBreak:
                    A.jmp(_loops.Peek().Break.Iced);
                    break;
                case BoundContinue:
                    A.jmp(_loops.Peek().Continue.Iced);
                    break;
                case BoundReturn r:
                    if (r.Value is not null) EmitExpression(r.Value);
                    A.jmp(_epilogue.Iced);
                    break;
                case BoundSwitch sw:
                    EmitSwitch(sw);
                    break;
                case BoundLabelStatement l:
                    _code.Place(LabelOf(l.Label));
                    break;
                case BoundGoto g:
                    A.jmp(LabelOf(g.Label).Iced);
                    break;
                default:
                    throw new InvalidOperationException($"unexpected statement {statement.GetType().Name}");
            }
        }

        private void EmitIf(BoundIf node)
        {
            if (node.Else is null && !_inColdStatement && _coldPart?.Contains(node.Then) == true)
            {
                // GCC's shape for a branch to code that never runs: jcc straight to it in the cold part, jmp back
                // (the body falls through: the cold code is not between)
                var cold = _code.NewLabel();
                EmitBranch(node.Condition, jumpIfTrue: true, cold);
                _code.SetCold(true);
                _code.Place(cold);
                _inColdStatement = true;
                EmitStatementIn(node.Then);
                _inColdStatement = false;
                SwitchPart(false);
                return;
            }
            var elseLabel = _code.NewLabel();
            EmitBranch(node.Condition, jumpIfTrue: false, elseLabel);
            EmitNested(node.Then);
            if (node.Else is null)
            {
                _code.Place(elseLabel);
                return;
            }
            var end = _code.NewLabel();
            A.jmp(end.Iced);
            _code.Place(elseLabel);
            EmitNested(node.Else);
            _code.Place(end);
        }

        private void EmitWhile(BoundWhile node)
        {
            var top = _code.NewLabel();
            var check = _code.NewLabel();
            var end = _code.NewLabel();
            // GCC's loop shape: jump to the test at the bottom, body, test, branch back.
            if (!node.IsDoWhile) A.jmp(check.Iced);
            _code.Place(top);
            _loops.Push((end, check));
            EmitNested(node.Body);
            _loops.Pop();
            _code.Place(check);
            EmitBranch(node.Condition, jumpIfTrue: true, top);
            _code.Place(end);
        }

        private void EmitFor(BoundFor node)
        {
            if (node.Initializer is not null) EmitNested(node.Initializer);
            var top = _code.NewLabel();
            var step = _code.NewLabel();
            var check = _code.NewLabel();
            var end = _code.NewLabel();
            A.jmp(check.Iced);
            _code.Place(top);
            _loops.Push((end, step));
            EmitNested(node.Body);
            _loops.Pop();
            _code.Place(step);
            if (node.Step is not null) EmitEffect(node.Step);
            _code.Place(check);
            if (node.Condition is null) A.jmp(top.Iced);
            else EmitBranch(node.Condition, jumpIfTrue: true, top);
            _code.Place(end);
        }
    }
}
