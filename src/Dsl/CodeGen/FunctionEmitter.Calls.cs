using System;
using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>Calls: the arguments into their registers and stack slots, then the call.</summary>
    internal sealed partial class FunctionEmitter
    {
        private void EmitCall(BoundCall call)
        {
            if (call.Function.Kind == Symbols.FunctionKind.Builtin)
            {
                EmitBuiltin(call);
                return;
            }
            var args = call.Arguments;
            int registerCount = Math.Min(args.Length, GprExtensions.ArgumentRegisters.Length);

            // Complex arguments first, the last one that goes in a register straight into it; each of the others waits
            // in an operand register, as a value waits in any free caller-saved register of GCC's (no stack slot), unless
            // a call comes after it or none is left: then in a temporary on the stack.
            int direct = -1;
            for (int i = 0; i < args.Length; i++)
                if (!IsSimpleArgument(args[i])) direct = i;
            if (direct >= registerCount) direct = -1;

            // A function pointer that takes more than a load is computed into RAX once only the argument registers remain to
            // be loaded (GCC's shape: mov 0x8(%rdi),%rax; xor %edi,%edi; call); when computing it could clobber an argument
            // already in its register, or it makes a call, it is computed first and waits in a temporary.
            int callee = -1;
            bool calleeLast = false;
            if (call.Callee is { } pointer && !IsSimple(pointer))
            {
                if (direct < 0 && !EvaluationOrder.HasCall(pointer)) calleeLast = true;
                else
                {
                    EmitExpression(pointer);
                    callee = AllocateTemporary();
                    A.mov(Temporary(callee), rax);
                }
            }

            var temps = new int[args.Length];
            var waiting = new List<(Gpr Target, Gpr Held)>();
            for (int i = 0; i < args.Length; i++)
            {
                temps[i] = -1;
                if (IsSimpleArgument(args[i]) || i == direct) continue;
                // a stack argument that calls nothing is computed where it is pushed, as GCC does (no slot of its own:
                // the held-out mixpk's printk of eight arguments, `push %rax` of -n and of the ?: string)
                if (i >= registerCount && !EvaluationOrder.HasCall(args[i])) continue;
                EmitExpression(args[i]);
                if (i < registerCount && !CallAfter(args, i, calleeLast ? call.Callee : null) && TryHoldOperand(out var held))
                {
                    A.mov(held.Q(), rax);
                    waiting.Add((GprExtensions.ArgumentRegisters[i], held));
                    continue;
                }
                temps[i] = AllocateTemporary();
                A.mov(Temporary(temps[i]), rax);
            }
            if (direct >= 0)
            {
                EmitExpression(args[direct]);
                var target = GprExtensions.ArgumentRegisters[direct];
                if (!waiting.Exists(w => w.Held == target)) A.mov(target.Q(), rax);
                else if (TryHoldOperand(out var held))
                {
                    A.mov(held.Q(), rax);
                    waiting.Add((target, held));
                }
                else
                {
                    temps[direct] = AllocateTemporary();
                    A.mov(Temporary(temps[direct]), rax);
                }
            }

            // Stack arguments are pushed right to left; each push moves every RSP-relative offset.
            int stackArgs = args.Length - registerCount;
            for (int i = args.Length - 1; i >= registerCount; i--)
            {
                if (temps[i] >= 0) A.mov(rax, Temporary(temps[i]));
                else if (IsSimpleArgument(args[i])) EmitSimpleArgument(Gpr.Rax, args[i]);
                else EmitExpression(args[i]);
                A.push(rax);
                _pushed += 8;
                _code.SetCfa(Cfa + _frame.LocalSize + _pushed);
            }

            if (calleeLast) EmitExpression(call.Callee!);
            MoveInParallel(waiting);
            _registerTemporariesInUse -= waiting.Count;
            for (int i = 0; i < registerCount; i++)
            {
                var reg = GprExtensions.ArgumentRegisters[i];
                if ((i == direct && temps[i] < 0) || waiting.Exists(w => w.Target == reg)) continue;
                if (temps[i] >= 0) A.mov(reg.Q(), Temporary(temps[i]));
                else EmitSimpleArgument(reg, args[i]);
            }
            for (int i = 0; i < args.Length; i++)
                if (temps[i] >= 0) FreeTemporary();

            if (call.Function.IsVariadic) A.xor(eax, eax); // AL = number of vector registers used
            if (_tailCalls.Contains(call) && stackArgs == 0 && _pushed == 0)
            {
                EmitTailJump(call.Function.Kind == Symbols.FunctionKind.Kernel ? KernelSymbol(call.Function) : call.Function.LinkName);
                return;
            }
            if (call.Callee is not null)
            {
                // an indirect call (with retpolines GCC calls __x86_indirect_thunk_rax, which leaves the same stack behind)
                if (callee >= 0)
                {
                    A.mov(rax, Temporary(callee));
                    FreeTemporary();
                }
                else if (!calleeLast) EmitSimple(Gpr.Rax, call.Callee);
                A.call(rax);
            }
            else if (call.Function.Kind == Symbols.FunctionKind.Syscall)
                EmitSyscall(call.Function);
            else if (InlinedStringCalls.IsInlined(call, out long bytes))
                EmitInlinedStringCall(call.Function.Name, bytes);
            else if (call.Function.Kind == Symbols.FunctionKind.Kernel)
                _code.CallSymbol(KernelSymbol(call.Function));
            else
                _code.CallSymbol(call.Function.LinkName);

            if (stackArgs > 0)
            {
                A.add(rsp, 8 * stackArgs);
                _pushed -= 8 * stackArgs;
                _code.SetCfa(Cfa + _frame.LocalSize + _pushed);
            }
            if (call.Function.Kind == Symbols.FunctionKind.Kernel && call.Function.Name == Binder.KthreadRunName) EmitKthreadRunWake();
            Normalize(Gpr.Rax, call.Type);
        }

        /// <summary>
        /// A string call GCC expands in place (<see cref="InlinedStringCalls"/>), its arguments in RDI, RSI, RDX: the
        /// kernel function's work without the call, rep stosb or rep movsb as memset_erms and memcpy_erms do it, RAX the
        /// destination; it touches no register but those and RCX.
        /// </summary>
        private void EmitInlinedStringCall(string function, long bytes)
        {
            if (function == "memset")
            {
                A.mov(al, sil);
                A.mov(rcx, rdx);
                A.mov(rdx, rdi);
                A.rep.stosb();
                A.mov(rax, rdx);
                return;
            }
            A.mov(rax, rdi);
            if (function == "strcpy") A.mov(ecx, (uint)bytes); // the literal and its NUL
            else A.mov(rcx, rdx);
            A.rep.movsb();
        }

        /// <summary>Takes the next free operand register (<see cref="GprExtensions.OperandRegisters"/>) for a value to wait in.</summary>
        private bool TryHoldOperand(out Gpr held)
        {
            var registers = _frame.RegisterTemporaries;
            held = default;
            if (_registerTemporariesInUse >= registers.Length) return false;
            held = registers[_registerTemporariesInUse++];
            if (_registerTemporariesInUse > MaxRegisterTemporaries) MaxRegisterTemporaries = _registerTemporariesInUse;
            return true;
        }

        /// <summary>Whether anything evaluated after argument <paramref name="i"/> makes a call (which clobbers every caller-saved register).</summary>
        private static bool CallAfter(System.Collections.Immutable.ImmutableArray<BoundExpression> args, int i, BoundExpression? calleeAfter)
        {
            for (int j = i + 1; j < args.Length; j++)
                if (!IsSimpleArgument(args[j]) && EvaluationOrder.HasCall(args[j])) return true;
            return calleeAfter is not null && EvaluationOrder.HasCall(calleeAfter);
        }

        /// <summary>
        /// Moves each waiting value into its argument register, all at once in effect: a register is written only once no
        /// other move still reads it, and a cycle (RSI to RDI while RDI goes to RSI) is broken with xchg.
        /// </summary>
        private void MoveInParallel(List<(Gpr Target, Gpr Held)> waiting)
        {
            var pending = waiting.FindAll(w => w.Target != w.Held);
            while (pending.Count > 0)
            {
                int free = pending.FindIndex(m => !pending.Exists(o => o.Held == m.Target));
                if (free >= 0)
                {
                    A.mov(pending[free].Target.Q(), pending[free].Held.Q());
                    pending.RemoveAt(free);
                    continue;
                }
                var (target, held) = pending[0];
                A.xchg(target.Q(), held.Q());
                pending.RemoveAt(0);
                // what was in target is now in held
                for (int k = 0; k < pending.Count; k++)
                    if (pending[k].Held == target) pending[k] = (pending[k].Target, held);
                pending.RemoveAll(m => m.Target == m.Held);
            }
        }

        /// <summary>
        /// An argument loaded straight into its register, with nothing clobbered: a simple expression, or a variable plus
        /// or minus a constant, which GCC computes with one lea (printk("%d %d", n, n + 1), rec(n - 1)) where a spill slot
        /// would make the frame bigger than GCC's.
        /// </summary>
        private static bool IsSimpleArgument(BoundExpression e) => IsSimple(e) || IsVariablePlusConstant(e, out _, out _);

        private static bool IsVariablePlusConstant(BoundExpression e, out BoundVariable variable, out int offset)
        {
            variable = null!;
            offset = 0;
            if (e is not BoundBinary { Operator: BoundBinaryOperator.Add or BoundBinaryOperator.Subtract, Left: BoundVariable v, Right: BoundLiteral k } b ||
                b.Type.Kind is not (TypeKind.Int or TypeKind.Long) || v.Type.Kind != b.Type.Kind)
                return false;
            long value = b.Operator == BoundBinaryOperator.Add ? k.Value : -k.Value;
            if (value < int.MinValue || value > int.MaxValue) return false;
            variable = v;
            offset = (int)value;
            return true;
        }

        /// <summary>
        /// Loads an argument (<see cref="IsSimpleArgument"/>) into <paramref name="target"/>. An int's sum is computed in 32
        /// bits, as GCC does (lea 0x1(%rbx),%edi): the callee reads only the low half of an int argument.
        /// </summary>
        private void EmitSimpleArgument(Gpr target, BoundExpression e)
        {
            if (!IsVariablePlusConstant(e, out var v, out int offset))
            {
                EmitSimple(target, e);
                return;
            }
            Gpr source = target;
            if (_frame.HomeOf(v.Variable).Register is Gpr home) source = home;
            else LoadVariable(target, v.Variable);
            if (e.Type.Kind == TypeKind.Int) A.lea(target.D(), __[source.Q() + offset]);
            else A.lea(target.Q(), __[source.Q() + offset]);
        }

        /// <summary>The kernel's name for a function the language knows by its C name (printk is _printk since 5.15).</summary>
        private string KernelSymbol(Symbols.FunctionSymbol function) =>
            function.Name == "printk" ? _profile.PrintkSymbol : function.LinkName;
    }
}
