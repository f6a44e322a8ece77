using System.Linq;
using KDsl.Binding;
using KDsl.Symbols;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    public class TypingTests
    {
        private static readonly TypeSymbol CharPtr = TypeSymbol.PointerTo(TypeSymbol.Char);
        private static readonly TypeSymbol IntPtr = TypeSymbol.PointerTo(TypeSymbol.Int);
        private static readonly TypeSymbol LongPtr = TypeSymbol.PointerTo(TypeSymbol.Long);

        /// <summary>Binds `init { declarations; expression; }` and returns the bound expression of the last statement.</summary>
        private static BoundExpression Expr(string declarations, string expression)
        {
            var program = Support.BindClean(Support.InInit(declarations + "\n" + expression + ";"));
            return ((BoundExpressionStatement)Support.Init(program).Body.Statements.Last()).Expression;
        }

        private static T As<T>(BoundExpression e) where T : BoundExpression
        {
            Assert.That(e, Is.TypeOf<T>());
            return (T)e;
        }

        [Test]
        public void CharPlusChar_PromotesBothToInt()
        {
            var b = As<BoundBinary>(Expr("char a; char b;", "a + b"));
            Assert.That(b.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(As<BoundConversion>(b.Left).Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(As<BoundConversion>(b.Right).Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(As<BoundVariable>(((BoundConversion)b.Left).Operand).Type, Is.EqualTo(TypeSymbol.Char));
        }

        [Test]
        public void IntTimesLong_ConvertsIntToLong()
        {
            var b = As<BoundBinary>(Expr("int i; long l;", "i * l"));
            Assert.That(b.Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(b.Operator, Is.EqualTo(BoundBinaryOperator.Multiply));
            Assert.That(As<BoundConversion>(b.Left).Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(As<BoundVariable>(b.Right).Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(b.IsUnsigned, Is.False);
        }

        [Test]
        public void IntPlusIntLiteral_NoConversion()
        {
            var b = As<BoundBinary>(Expr("int i;", "i + 1"));
            Assert.That(b.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(As<BoundLiteral>(b.Right).Type, Is.EqualTo(TypeSymbol.Int));
        }

        [Test]
        public void PointerPlusLiteral_ScaledByElementSize()
        {
            var b = As<BoundBinary>(Expr("long *p;", "p + 3"));
            Assert.That(b.Type, Is.EqualTo(LongPtr));
            Assert.That(b.Operator, Is.EqualTo(BoundBinaryOperator.Add));
            var offset = As<BoundLiteral>(b.Right);
            Assert.That(offset.Value, Is.EqualTo(24));
            Assert.That(offset.Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void IntegerPlusPointer_PointerGoesLeft()
        {
            var b = As<BoundBinary>(Expr("int *p;", "2 + p"));
            Assert.That(b.Type, Is.EqualTo(IntPtr));
            Assert.That(As<BoundVariable>(b.Left).Type, Is.EqualTo(IntPtr));
            Assert.That(As<BoundLiteral>(b.Right).Value, Is.EqualTo(8));
        }

        [Test]
        public void PointerMinusVariable_MultipliesByElementSize()
        {
            var b = As<BoundBinary>(Expr("int *p; int i;", "p - i"));
            Assert.That(b.Operator, Is.EqualTo(BoundBinaryOperator.Subtract));
            var scaled = As<BoundBinary>(b.Right);
            Assert.That(scaled.Operator, Is.EqualTo(BoundBinaryOperator.Multiply));
            Assert.That(scaled.Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(As<BoundConversion>(scaled.Left).Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(As<BoundLiteral>(scaled.Right).Value, Is.EqualTo(4));
        }

        [Test]
        public void CharPointerPlusVariable_NotMultiplied()
        {
            var b = As<BoundBinary>(Expr("char *p; long n;", "p + n"));
            Assert.That(As<BoundVariable>(b.Right).Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void PointerMinusPointer_IsLongDividedBySize()
        {
            var div = As<BoundBinary>(Expr("long *p; long *q;", "p - q"));
            Assert.That(div.Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(div.Operator, Is.EqualTo(BoundBinaryOperator.Divide));
            Assert.That(As<BoundLiteral>(div.Right).Value, Is.EqualTo(8));
            var sub = As<BoundBinary>(div.Left);
            Assert.That(sub.Operator, Is.EqualTo(BoundBinaryOperator.Subtract));
            Assert.That(As<BoundConversion>(sub.Left).Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(As<BoundConversion>(sub.Right).Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void CharPointerDifference_NotDivided()
        {
            var sub = As<BoundBinary>(Expr("char *p; char *q;", "p - q"));
            Assert.That(sub.Operator, Is.EqualTo(BoundBinaryOperator.Subtract));
            Assert.That(sub.Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void Comparison_YieldsInt_PointerComparisonUnsigned()
        {
            var ints = As<BoundBinary>(Expr("long a; long b;", "a < b"));
            Assert.That(ints.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(ints.Left.Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(ints.IsUnsigned, Is.False);
            var ptrs = As<BoundBinary>(Expr("char *p; char *q;", "p >= q"));
            Assert.That(ptrs.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(ptrs.IsUnsigned, Is.True);
            var nul = As<BoundBinary>(Expr("char *p;", "p == 0"));
            Assert.That(nul.IsUnsigned, Is.True);
            Assert.That(As<BoundConversion>(nul.Right).Type, Is.EqualTo(CharPtr));
        }

        [Test]
        public void Index_IsDereferenceOfScaledAdd()
        {
            var d = As<BoundDereference>(Expr("int *p; int i;", "p[i]"));
            Assert.That(d.Type, Is.EqualTo(TypeSymbol.Int));
            var add = As<BoundBinary>(d.Pointer);
            Assert.That(add.Type, Is.EqualTo(IntPtr));
            Assert.That(As<BoundBinary>(add.Right).Operator, Is.EqualTo(BoundBinaryOperator.Multiply));

            var constant = As<BoundDereference>(Expr("long *p;", "p[2]"));
            Assert.That(As<BoundLiteral>(As<BoundBinary>(constant.Pointer).Right).Value, Is.EqualTo(16));
        }

        [Test]
        public void ArrayAsValue_DecaysToAddressOfArrayVariable()
        {
            var assignment = As<BoundAssignment>(Expr("int arr[8]; int *p;", "p = arr"));
            var decay = As<BoundAddressOf>(assignment.Value);
            Assert.That(decay.Type, Is.EqualTo(IntPtr));
            Assert.That(As<BoundArrayVariable>(decay.Operand).Type, Is.EqualTo(TypeSymbol.ArrayOf(TypeSymbol.Int, 8)));
        }

        [Test]
        public void AddressOf_VariableAndArray()
        {
            var a = As<BoundAddressOf>(Expr("long x;", "&x"));
            Assert.That(a.Type, Is.EqualTo(LongPtr));
            Assert.That(a.Operand, Is.TypeOf<BoundVariable>());
            var arr = As<BoundAddressOf>(Expr("char buf[16];", "&buf"));
            Assert.That(arr.Type, Is.EqualTo(TypeSymbol.PointerTo(TypeSymbol.ArrayOf(TypeSymbol.Char, 16))));
            var elem = As<BoundAddressOf>(Expr("char buf[16];", "&buf[3]"));
            Assert.That(elem.Type, Is.EqualTo(CharPtr));
            Assert.That(elem.Operand, Is.TypeOf<BoundDereference>());
        }

        [Test]
        public void Dereference_HasPointeeType()
        {
            var d = As<BoundDereference>(Expr("char **pp;", "*pp"));
            Assert.That(d.Type, Is.EqualTo(CharPtr));
        }

        [Test]
        public void Assignment_ConvertsValueToTargetType()
        {
            var a = As<BoundAssignment>(Expr("char c; long l;", "c = l"));
            Assert.That(a.Type, Is.EqualTo(TypeSymbol.Char));
            Assert.That(a.CompoundOperator, Is.Null);
            Assert.That(As<BoundConversion>(a.Value).Type, Is.EqualTo(TypeSymbol.Char));
        }

        [Test]
        public void CompoundAssignment_ValueInOperationType()
        {
            var c = As<BoundAssignment>(Expr("char c;", "c += 1"));
            Assert.That(c.CompoundOperator, Is.EqualTo(BoundBinaryOperator.Add));
            Assert.That(As<BoundLiteral>(c.Value).Type, Is.EqualTo(TypeSymbol.Int));

            var l = As<BoundAssignment>(Expr("long l; int i;", "l -= i"));
            Assert.That(l.CompoundOperator, Is.EqualTo(BoundBinaryOperator.Subtract));
            Assert.That(As<BoundConversion>(l.Value).Type, Is.EqualTo(TypeSymbol.Long));

            var i = As<BoundAssignment>(Expr("int i; long l;", "i *= l"));
            Assert.That(i.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(i.Value.Type, Is.EqualTo(TypeSymbol.Long));

            var shift = As<BoundAssignment>(Expr("int i; long l;", "i <<= l"));
            Assert.That(shift.CompoundOperator, Is.EqualTo(BoundBinaryOperator.ShiftLeft));
            Assert.That(shift.Value.Type, Is.EqualTo(TypeSymbol.Int));
        }

        [Test]
        public void PointerCompoundAssignment_ScalesValue()
        {
            var a = As<BoundAssignment>(Expr("int *p;", "p += 2"));
            Assert.That(a.CompoundOperator, Is.EqualTo(BoundBinaryOperator.Add));
            Assert.That(As<BoundLiteral>(a.Value).Value, Is.EqualTo(8));
            Assert.That(a.Value.Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void Increment_DeltaScaledForPointers()
        {
            var i = As<BoundIncrement>(Expr("int i;", "i++"));
            Assert.That((i.Delta, i.IsPrefix), Is.EqualTo((1L, false)));
            var p = As<BoundIncrement>(Expr("long *p;", "--p"));
            Assert.That((p.Delta, p.IsPrefix), Is.EqualTo((-8L, true)));
            var d = As<BoundIncrement>(Expr("char *p;", "(*p)--"));
            Assert.That(d.Delta, Is.EqualTo(-1));
            Assert.That(d.Target, Is.TypeOf<BoundDereference>());
        }

        [Test]
        public void Logical_IsBoundLogicalInt()
        {
            var l = As<BoundLogical>(Expr("char *p; long n;", "p && n || 0"));
            Assert.That(l.IsAnd, Is.False);
            Assert.That(l.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(As<BoundLogical>(l.Left).IsAnd, Is.True);
        }

        [Test]
        public void UnaryOperators()
        {
            var neg = As<BoundUnary>(Expr("char c;", "-c"));
            Assert.That(neg.Operator, Is.EqualTo(BoundUnaryOperator.Negate));
            Assert.That(neg.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(neg.Operand, Is.TypeOf<BoundConversion>());
            var not = As<BoundUnary>(Expr("char *p;", "!p"));
            Assert.That(not.Operator, Is.EqualTo(BoundUnaryOperator.LogicalNot));
            Assert.That(not.Type, Is.EqualTo(TypeSymbol.Int));
            var inv = As<BoundUnary>(Expr("long l;", "~l"));
            Assert.That(inv.Type, Is.EqualTo(TypeSymbol.Long));
        }

        // C11 6.4.4.1: the first type of the literal's list that holds the value; a hexadecimal or octal one tries each
        // width's unsigned type too, a decimal one only with a u suffix.
        [TestCase("2147483647", 2147483647L, "int")]
        [TestCase("2147483648", 2147483648L, "long")]
        [TestCase("4294967295", 4294967295L, "long")]
        [TestCase("0xffffffff", 4294967295L, "unsigned int")]
        [TestCase("0x80000000", 2147483648L, "unsigned int")]
        [TestCase("020000000000", 2147483648L, "unsigned int")]
        [TestCase("0x7fffffff", 2147483647L, "int")]
        [TestCase("1L", 1L, "long")]
        [TestCase("1u", 1L, "unsigned int")]
        [TestCase("1UL", 1L, "unsigned long")]
        [TestCase("0xfful", 255L, "unsigned long")]
        [TestCase("4294967296u", 4294967296L, "unsigned long")]
        [TestCase("'a'", 97L, "int")]
        [TestCase("0xffff888000000000", unchecked((long)0xffff888000000000), "unsigned long")]
        public void IntegerLiteral_Types(string literal, long value, string type)
        {
            var l = As<BoundLiteral>(Expr("", literal));
            Assert.That(l.Value, Is.EqualTo(value));
            Assert.That(l.Type.ToString(), Is.EqualTo(type));
        }

        [Test]
        public void Casts()
        {
            var narrowed = As<BoundLiteral>(Expr("", "(char)300"));
            Assert.That((narrowed.Value, narrowed.Type), Is.EqualTo((44L, TypeSymbol.Char)));
            var toPointer = As<BoundConversion>(Expr("long addr;", "(char *)addr"));
            Assert.That(toPointer.Type, Is.EqualTo(CharPtr));
            Assert.That(toPointer.Operand, Is.TypeOf<BoundVariable>());
            // int -> pointer goes through long
            var fromInt = As<BoundConversion>(Expr("int x;", "(long *)x"));
            Assert.That(As<BoundConversion>(fromInt.Operand).Type, Is.EqualTo(TypeSymbol.Long));
            // pointer -> int goes through long
            var toInt = As<BoundConversion>(Expr("char *p;", "(int)p"));
            Assert.That(toInt.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(As<BoundConversion>(toInt.Operand).Type, Is.EqualTo(TypeSymbol.Long));
            var ptrToPtr = As<BoundConversion>(Expr("char *p;", "(long *)p"));
            Assert.That(ptrToPtr.Type, Is.EqualTo(LongPtr));
        }

        [Test]
        public void NullPointerConstant_ConvertsImplicitly()
        {
            var program = Support.BindClean(Support.InInit("char *p = 0;"));
            var decl = (BoundVariableDeclaration)Support.Init(program).Body.Statements[0];
            var conversion = As<BoundConversion>(decl.Initializer!);
            Assert.That(conversion.Type, Is.EqualTo(CharPtr));
            Assert.That(As<BoundLiteral>(conversion.Operand).Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void VoidPointer_ConvertsImplicitly()
        {
            Support.BindClean(Support.InInit("char *p; void *v = p; long *q = v;"));
        }

        [Test]
        public void VariadicArguments_PromotedToAtLeastInt()
        {
            var call = As<BoundCall>(Expr("char c; long l; char *p;", "printk(\"%c %ld %p\\n\", c, l, p)"));
            Assert.That(call.Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(call.Arguments.Select(a => a.Type.ToString()), Is.EqualTo(new[] { "char *", "int", "long", "char *" }));
            Assert.That(call.Arguments[1], Is.TypeOf<BoundConversion>());
        }

        [Test]
        public void Call_ArgumentsConvertedToParameterTypes()
        {
            var program = Support.BindClean(Support.Header + "long f(long a, char c) { return a + c; }\ninit { int i = 1; f(i, i); }\n");
            var call = (BoundCall)((BoundExpressionStatement)Support.Init(program).Body.Statements[1]).Expression;
            Assert.That(call.Arguments.Select(a => a.Type), Is.EqualTo(new[] { TypeSymbol.Long, TypeSymbol.Char }));
            Assert.That(call.Arguments.All(a => a is BoundConversion), Is.True);
            var ret = (BoundReturn)program.Functions[0].Body.Statements[0];
            Assert.That(ret.Value!.Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void Return_ConvertedToReturnType_InitReturnWithoutValueIsZero()
        {
            var program = Support.BindClean(Support.Header + "long f(void) { return 1; }\ninit { if (f()) return; return 5; }\n");
            var ret = (BoundReturn)program.Functions[0].Body.Statements[0];
            Assert.That(As<BoundLiteral>(ret.Value!).Type, Is.EqualTo(TypeSymbol.Long));
            var init = Support.Init(program);
            var bare = (BoundReturn)((BoundIf)init.Body.Statements[0]).Then;
            Assert.That(As<BoundLiteral>(bare.Value!).Value, Is.EqualTo(0));
            Assert.That(bare.Value!.Type, Is.EqualTo(TypeSymbol.Int));
        }

        [Test]
        public void Sizeof_TypesAndArrays()
        {
            Assert.That(As<BoundLiteral>(Expr("char buf[100];", "sizeof buf")).Value, Is.EqualTo(100));
            Assert.That(As<BoundLiteral>(Expr("long arr[3];", "sizeof(arr)")).Value, Is.EqualTo(24));
            Assert.That(As<BoundLiteral>(Expr("", "sizeof(char *)")).Value, Is.EqualTo(8));
            Assert.That(As<BoundLiteral>(Expr("", "sizeof(int)")).Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void Declarators_StarsBelongToEachName()
        {
            var program = Support.BindClean(Support.InInit("int *p, q, **r;"));
            Assert.That(Support.Init(program).Locals.Select(l => l.Type.ToString()), Is.EqualTo(new[] { "int *", "int", "int * *" }));
        }

        [Test]
        public void Shadowing_InInnerScope_IsAllowedAndDistinct()
        {
            var program = Support.BindClean(Support.InInit("int i = 1; { long i = 2; i = 3; } for (int i = 0; i < 1; i++) { } i = 4;"));
            var init = Support.Init(program);
            Assert.That(init.Locals.Select(l => l.Type.ToString()), Is.EqualTo(new[] { "int", "long", "int" }));
            var inner = (BoundAssignment)((BoundExpressionStatement)((BoundBlock)init.Body.Statements[1]).Statements[1]).Expression;
            Assert.That(((BoundVariable)inner.Target).Variable, Is.SameAs(init.Locals[1]));
            var outer = (BoundAssignment)((BoundExpressionStatement)init.Body.Statements[3]).Expression;
            Assert.That(((BoundVariable)outer.Target).Variable, Is.SameAs(init.Locals[0]));
        }

        [Test]
        public void FunctionsCanBeCalledBeforeTheirDefinition()
        {
            var program = Support.BindClean(Support.Header + "init { later(2); }\nint later(int x) { return x; }\n");
            Assert.That(program.Functions.Select(f => f.Symbol.Name), Is.EqualTo(new[] { "later", "init" }));
        }
    }
}
