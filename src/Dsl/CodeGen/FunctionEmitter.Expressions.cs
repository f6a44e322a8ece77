using System;
using KDsl.Binding;
using KDsl.Symbols;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    internal sealed partial class FunctionEmitter
    {
        /// <summary>Evaluates an expression into RAX, normalised: a value of type T is kept sign-extended to 64 bits.</summary>
        private void EmitExpression(BoundExpression e)
        {
            switch (e)
            {
                case BoundLiteral or BoundStringLiteral or BoundFunctionAddress or BoundGlobalAddress or BoundVariable or BoundAddressOf { Operand: BoundVariable or BoundArrayVariable }:
                    EmitSimple(Gpr.Rax, e);
                    break;
                case BoundConversion c:
                    EmitExpression(c.Operand);
                    Normalize(Gpr.Rax, c.Type);
                    break;
                case BoundAddressOf { Operand: BoundDereference d }:
                    EmitExpression(d.Pointer);
                    break;
                case BoundDereference d when TryLocalAddress(d.Pointer, out var local):
                    Load(Gpr.Rax, local, d.Type);
                    break;
                case BoundDereference d:
                    EmitExpression(d.Pointer);
                    Load(Gpr.Rax, Gpr.Rax, d.Type);
                    break;
                case BoundUnary u:
                    EmitUnary(u);
                    break;
                case BoundBinary b:
                    EmitBinary(b);
                    break;
                case BoundLogical l:
                    EmitBooleanValue(l);
                    break;
                case BoundAssignment a:
                    EmitAssignment(a);
                    break;
                case BoundIncrement i:
                    EmitIncrement(i);
                    break;
                case BoundCall c:
                    EmitCall(c);
                    // a variable that held a known constant when the call was made is that constant again (GCC's SSA
                    // value is the constant): loaded, not kept in a callee-saved register
                    foreach (var (register, value) in _frame.ReloadsAfter(c))
                        A.mov(register.Q(), value);
                    break;
                case BoundConditional c:
                {
                    var whenFalse = _code.NewLabel();
                    var end = _code.NewLabel();
                    EmitBranch(c.Condition, jumpIfTrue: false, whenFalse);
                    EmitExpression(c.WhenTrue);
                    A.jmp(end.Iced);
                    _code.Place(whenFalse);
                    EmitExpression(c.WhenFalse);
                    _code.Place(end);
                    break;
                }
                case BoundSequence s:
                    EmitEffect(s.Left);
                    EmitExpression(s.Right);
                    break;
                default:
                    throw new InvalidOperationException($"unexpected expression {e.GetType().Name}");
            }
        }

        /// <summary>Values that load into any register without touching another: constants, variables, addresses of locals.</summary>
        private static bool IsSimple(BoundExpression e) => e switch
        {
            BoundLiteral or BoundStringLiteral or BoundFunctionAddress or BoundGlobalAddress or BoundVariable => true,
            BoundAddressOf { Operand: BoundVariable or BoundArrayVariable } => true,
            BoundConversion c => IsSimple(c.Operand),
            _ => false,
        };

        private void EmitSimple(Gpr target, BoundExpression e)
        {
            switch (e)
            {
                case BoundLiteral l:
                    if (l.Value == 0) A.xor(target.D(), target.D());
                    else if (l.Value > 0 && l.Value <= uint.MaxValue) A.mov(target.D(), (uint)l.Value);
                    else A.mov(target.Q(), l.Value);
                    break;
                case BoundStringLiteral s:
                    _code.MovSymbolAddress(target, _strings.Add(s.Bytes));
                    break;
                case BoundFunctionAddress f:
                    _code.MovSymbolAddress(target, f.Function.LinkName);
                    break;
                case BoundGlobalAddress g:
                    _code.MovSymbolAddress(target, g.Global.LinkName);
                    break;
                case BoundVariable v:
                    LoadVariable(target, v.Variable);
                    break;
                case BoundAddressOf { Operand: BoundVariable v }:
                    A.lea(target.Q(), __[rsp + (_frame.HomeOf(v.Variable).Offset + _pushed)]);
                    break;
                case BoundAddressOf { Operand: BoundArrayVariable a }:
                    if (_frame.AddressRegister(a.Variable) is Gpr kept) A.mov(target.Q(), kept.Q());
                    else A.lea(target.Q(), __[rsp + (_frame.HomeOf(a.Variable).Offset + _pushed)]);
                    break;
                case BoundConversion c:
                    EmitSimple(target, c.Operand);
                    Normalize(target, c.Type);
                    break;
                default:
                    throw new InvalidOperationException($"not a simple expression: {e.GetType().Name}");
            }
        }

        /// <summary>
        /// Re-establishes the invariant after an operation in 64 bits: truncate to the type, then sign-extend a signed type
        /// and zero-extend an unsigned one (as its loads do); a _Bool becomes 0 or 1 (C's conversion: value != 0).
        /// </summary>
        private void Normalize(Gpr r, TypeSymbol type)
        {
            switch (type.Kind)
            {
                case TypeKind.Bool:
                    A.test(r.Q(), r.Q());
                    A.setne(r.B());
                    A.movzx(r.D(), r.B());
                    break;
                case TypeKind.Char:
                    if (type.IsUnsigned) A.movzx(r.D(), r.B());
                    else A.movsx(r.Q(), r.B());
                    break;
                case TypeKind.Short:
                    if (type.IsUnsigned) A.movzx(r.D(), r.W());
                    else A.movsx(r.Q(), r.W());
                    break;
                case TypeKind.Int:
                    if (type.IsUnsigned) A.mov(r.D(), r.D());
                    else A.movsxd(r.Q(), r.D());
                    break;
            }
        }

        private void Load(Gpr target, Gpr address, TypeSymbol type) => Load(target, __[address.Q()], type);

        /// <summary>Loads a value of the type from memory, extended to 64 bits by its signedness (a _Bool byte is 0 or 1 already).</summary>
        private void Load(Gpr target, Iced.Intel.AssemblerMemoryOperand memory, TypeSymbol type)
        {
            switch (type.Kind)
            {
                case TypeKind.Bool:
                    A.movzx(target.D(), __byte_ptr[memory]);
                    break;
                case TypeKind.Char:
                    if (type.IsUnsigned) A.movzx(target.D(), __byte_ptr[memory]);
                    else A.movsx(target.Q(), __byte_ptr[memory]);
                    break;
                case TypeKind.Short:
                    if (type.IsUnsigned) A.movzx(target.D(), __word_ptr[memory]);
                    else A.movsx(target.Q(), __word_ptr[memory]);
                    break;
                case TypeKind.Int:
                    if (type.IsUnsigned) A.mov(target.D(), __dword_ptr[memory]);
                    else A.movsxd(target.Q(), __dword_ptr[memory]);
                    break;
                default:
                    A.mov(target.Q(), __qword_ptr[memory]);
                    break;
            }
        }

        /// <summary>Stores the low bytes of a register, as many as the type has.</summary>
        private void Store(Iced.Intel.AssemblerMemoryOperand memory, Gpr value, TypeSymbol type)
        {
            switch (type.Size)
            {
                case 1:
                    A.mov(__byte_ptr[memory], value.B());
                    break;
                case 2:
                    A.mov(__word_ptr[memory], value.W());
                    break;
                case 4:
                    A.mov(__dword_ptr[memory], value.D());
                    break;
                default:
                    A.mov(__qword_ptr[memory], value.Q());
                    break;
            }
        }

        /// <summary>
        /// An element of a local array addressed in one operand, as GCC addresses buf[i]: [rsp + index*scale + offset]
        /// with the index a variable in a register (its value is kept sign-extended, so int-to-long is free) or a constant.
        /// </summary>
        private bool TryLocalAddress(BoundExpression pointer, out Iced.Intel.AssemblerMemoryOperand memory)
        {
            memory = default;
            if (pointer is BoundAddressOf { Operand: BoundArrayVariable whole })
            {
                memory = __[rsp + (_frame.HomeOf(whole.Variable).Offset + _pushed)];
                return true;
            }
            if (pointer is not BoundBinary { Operator: BoundBinaryOperator.Add, Left: BoundAddressOf { Operand: BoundArrayVariable array } } add)
                return false;
            long offset = _frame.HomeOf(array.Variable).Offset + _pushed;
            var index = add.Right;
            int scale = 1;
            if (index is BoundBinary { Operator: BoundBinaryOperator.Multiply, Right: BoundLiteral { Value: 2 or 4 or 8 } factor } product)
            {
                scale = (int)factor.Value;
                index = product.Left;
            }
            while (index is BoundConversion { Type.Size: 8 } widen) index = widen.Operand;
            if (index is BoundLiteral constant && scale == 1 && offset + constant.Value is >= int.MinValue and <= int.MaxValue)
            {
                memory = __[rsp + (int)(offset + constant.Value)];
                return true;
            }
            if (index is BoundVariable { Variable: var v } && !_frame.IsArrayAlias(v, out _) && _frame.HomeOf(v).Register is Gpr r && offset <= int.MaxValue)
            {
                memory = __[rsp + r.Q() * scale + (int)offset];
                return true;
            }
            return false;
        }

        private void Store(Gpr address, Gpr value, TypeSymbol type) => Store(__[address.Q()], value, type);

        private void LoadVariable(Gpr target, VariableSymbol v)
        {
            if (_frame.IsArrayAlias(v, out var alias))
            {
                if (_frame.AddressRegister(alias.Array) is Gpr kept) A.lea(target.Q(), __[kept.Q() + (int)alias.Offset]);
                else A.lea(target.Q(), __[rsp + (int)(_frame.HomeOf(alias.Array).Offset + alias.Offset + _pushed)]);
                return;
            }
            var home = _frame.HomeOf(v);
            if (home.Register is Gpr r)
            {
                if (r != target) A.mov(target.Q(), r.Q());
            }
            else Load(target, __[rsp + (home.Offset + _pushed)], v.Type); // its own width: a local whose address is taken may have 4 bytes
        }

        /// <summary>Stores a (normalised) register into a variable's home, normalising to the variable's type.</summary>
        private void StoreVariable(VariableSymbol v, Gpr value)
        {
            var home = _frame.HomeOf(v);
            if (home.Register is Gpr r)
            {
                if (r != value) A.mov(r.Q(), value.Q());
                Normalize(r, v.Type);
            }
            else
            {
                Normalize(value, v.Type);
                Store(__[rsp + (home.Offset + _pushed)], value, v.Type);
            }
        }

        private void EmitUnary(BoundUnary u)
        {
            EmitExpression(u.Operand);
            switch (u.Operator)
            {
                case BoundUnaryOperator.Negate:
                    A.neg(rax);
                    Normalize(Gpr.Rax, u.Type);
                    break;
                case BoundUnaryOperator.BitwiseNot:
                    A.not(rax);
                    Normalize(Gpr.Rax, u.Type);
                    break;
                case BoundUnaryOperator.LogicalNot:
                    A.test(rax, rax);
                    A.sete(al);
                    A.movzx(eax, al);
                    break;
            }
        }

        private void EmitBinary(BoundBinary b)
        {
            if (IsComparison(b.Operator))
            {
                EmitOperands(b.Left, b.Right);
                A.cmp(rax, rcx);
                SetCondition(b.Operator, b.IsUnsigned);
                A.movzx(eax, al);
                return;
            }
            EmitOperands(b.Left, b.Right);
            ApplyOperator(b.Operator, b.IsUnsigned, b.Type);
        }

        /// <summary>RAX = RAX op RCX in the given type (may clobber RDX), normalised.</summary>
        private void ApplyOperator(BoundBinaryOperator op, bool isUnsigned, TypeSymbol type)
        {
            bool is32 = type.Kind is TypeKind.Int or TypeKind.Char;
            switch (op)
            {
                case BoundBinaryOperator.Add: A.add(rax, rcx); break;
                case BoundBinaryOperator.Subtract: A.sub(rax, rcx); break;
                case BoundBinaryOperator.Multiply: A.imul(rax, rcx); break;
                case BoundBinaryOperator.BitwiseAnd: A.and(rax, rcx); break;
                case BoundBinaryOperator.BitwiseOr: A.or(rax, rcx); break;
                case BoundBinaryOperator.BitwiseXor: A.xor(rax, rcx); break;
                case BoundBinaryOperator.ShiftLeft: A.shl(rax, cl); break;
                case BoundBinaryOperator.ShiftRight:
                    if (isUnsigned) A.shr(rax, cl);
                    else A.sar(rax, cl);
                    break;
                case BoundBinaryOperator.Divide:
                case BoundBinaryOperator.Remainder:
                    if (isUnsigned && is32)
                    {
                        A.xor(edx, edx);
                        A.div(ecx);
                    }
                    else if (isUnsigned)
                    {
                        A.xor(edx, edx);
                        A.div(rcx);
                    }
                    else if (is32)
                    {
                        A.cdq();
                        A.idiv(ecx);
                    }
                    else
                    {
                        A.cqo();
                        A.idiv(rcx);
                    }
                    if (op == BoundBinaryOperator.Remainder) A.mov(rax, rdx);
                    break;
                default:
                    throw new InvalidOperationException($"unexpected operator {op}");
            }
            Normalize(Gpr.Rax, type);
        }

        private static bool IsComparison(BoundBinaryOperator op) =>
            op is BoundBinaryOperator.Equal or BoundBinaryOperator.NotEqual or BoundBinaryOperator.Less or
                BoundBinaryOperator.LessOrEqual or BoundBinaryOperator.Greater or BoundBinaryOperator.GreaterOrEqual;

        private void SetCondition(BoundBinaryOperator op, bool isUnsigned)
        {
            switch (op)
            {
                case BoundBinaryOperator.Equal: A.sete(al); break;
                case BoundBinaryOperator.NotEqual: A.setne(al); break;
                case BoundBinaryOperator.Less: if (isUnsigned) A.setb(al); else A.setl(al); break;
                case BoundBinaryOperator.LessOrEqual: if (isUnsigned) A.setbe(al); else A.setle(al); break;
                case BoundBinaryOperator.Greater: if (isUnsigned) A.seta(al); else A.setg(al); break;
                default: if (isUnsigned) A.setae(al); else A.setge(al); break;
            }
        }

        /// <summary>Jumps to target when the condition's truth equals jumpIfTrue; falls through otherwise.</summary>
        private void EmitBranch(BoundExpression condition, bool jumpIfTrue, CodeLabel target)
        {
            switch (condition)
            {
                case BoundBinary b when IsComparison(b.Operator):
                    if (b.Right is BoundLiteral lit && lit.Value >= int.MinValue && lit.Value <= int.MaxValue)
                    {
                        EmitExpression(b.Left);
                        A.cmp(rax, (int)lit.Value);
                    }
                    else
                    {
                        EmitOperands(b.Left, b.Right);
                        A.cmp(rax, rcx);
                    }
                    Jump(jumpIfTrue ? b.Operator : Negate(b.Operator), b.IsUnsigned, target);
                    break;
                case BoundLogical l when l.IsAnd == jumpIfTrue:
                {
                    // a && b jumping when true (or a || b jumping when false): both must agree.
                    var skip = _code.NewLabel();
                    EmitBranch(l.Left, !jumpIfTrue, skip);
                    EmitBranch(l.Right, jumpIfTrue, target);
                    _code.Place(skip);
                    break;
                }
                case BoundLogical l:
                    EmitBranch(l.Left, jumpIfTrue, target);
                    EmitBranch(l.Right, jumpIfTrue, target);
                    break;
                case BoundUnary { Operator: BoundUnaryOperator.LogicalNot } u:
                    EmitBranch(u.Operand, !jumpIfTrue, target);
                    break;
                case BoundLiteral constant:
                    if ((constant.Value != 0) == jumpIfTrue) A.jmp(target.Iced);
                    break;
                default:
                    EmitExpression(condition);
                    A.test(rax, rax);
                    if (jumpIfTrue) A.jne(target.Iced);
                    else A.je(target.Iced);
                    break;
            }
        }

        private static BoundBinaryOperator Negate(BoundBinaryOperator op) => op switch
        {
            BoundBinaryOperator.Equal => BoundBinaryOperator.NotEqual,
            BoundBinaryOperator.NotEqual => BoundBinaryOperator.Equal,
            BoundBinaryOperator.Less => BoundBinaryOperator.GreaterOrEqual,
            BoundBinaryOperator.LessOrEqual => BoundBinaryOperator.Greater,
            BoundBinaryOperator.Greater => BoundBinaryOperator.LessOrEqual,
            _ => BoundBinaryOperator.Less,
        };

        private void Jump(BoundBinaryOperator op, bool isUnsigned, CodeLabel target)
        {
            var l = target.Iced;
            switch (op)
            {
                case BoundBinaryOperator.Equal: A.je(l); break;
                case BoundBinaryOperator.NotEqual: A.jne(l); break;
                case BoundBinaryOperator.Less: if (isUnsigned) A.jb(l); else A.jl(l); break;
                case BoundBinaryOperator.LessOrEqual: if (isUnsigned) A.jbe(l); else A.jle(l); break;
                case BoundBinaryOperator.Greater: if (isUnsigned) A.ja(l); else A.jg(l); break;
                default: if (isUnsigned) A.jae(l); else A.jge(l); break;
            }
        }

        private void EmitBooleanValue(BoundExpression condition)
        {
            var isFalse = _code.NewLabel();
            var end = _code.NewLabel();
            EmitBranch(condition, jumpIfTrue: false, isFalse);
            A.mov(eax, 1);
            A.jmp(end.Iced);
            _code.Place(isFalse);
            A.xor(eax, eax);
            _code.Place(end);
        }
    }
}
