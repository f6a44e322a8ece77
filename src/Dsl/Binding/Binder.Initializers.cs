using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>
    /// Initializers of arrays and structs (C11 6.7.9): `= { 1, 2 }`, designators `.member =` and `[index] =`, nested lists,
    /// a string literal for a char array. The initializer becomes a list of scalar stores at byte offsets of the object;
    /// a static object turns them into its initial bytes (<see cref="GlobalData"/>), a local into stores the function
    /// runs where the declaration is, the rest of the object zeroed as C requires.
    /// </summary>
    public sealed partial class Binder
    {
        /// <summary>One scalar of an initialized object: a value of Type at Offset bytes.</summary>
        private readonly struct InitializedScalar
        {
            public InitializedScalar(long offset, TypeSymbol type, BoundExpression value)
            {
                Offset = offset;
                Type = type;
                Value = value;
            }

            public long Offset { get; }
            public TypeSymbol Type { get; }
            public BoundExpression Value { get; }
        }

        /// <summary>The length an unsized array `T x[] = init` gets: the string's with its NUL, or the list's highest index + 1.</summary>
        private long InferredLength(TypeSymbol element, ExpressionSyntax initializer)
        {
            if (initializer is StringExpressionSyntax s && element.Kind == TypeKind.Char) return s.Bytes.Length + 1;
            if (initializer is not InitializerListSyntax list) return -1;
            long next = 0, length = 0;
            foreach (var item in list.Items)
            {
                if (item.Designators.Length > 0 && item.Designators[0].Index is { } index && ConstantIndex(index) is long at) next = at;
                next++;
                if (next > length) length = next;
            }
            return length;
        }

        private long? ConstantIndex(ExpressionSyntax syntax)
        {
            var value = BindExpression(syntax);
            if (value is BoundLiteral { Type.IsInteger: true } literal) return literal.Value;
            if (!value.Type.IsError) _diagnostics.ReportConstantExpected(syntax.Span);
            return null;
        }

        /// <summary>Every scalar the initializer sets, in source order (a later one for the same bytes wins, as in C).</summary>
        private List<InitializedScalar> BindInitializer(TypeSymbol type, ExpressionSyntax initializer)
        {
            var scalars = new List<InitializedScalar>();
            Initialize(type, 0, initializer, scalars);
            return scalars;
        }

        private void Initialize(TypeSymbol type, long offset, ExpressionSyntax initializer, List<InitializedScalar> scalars)
        {
            if (type.IsError) return;
            if (initializer is InitializerListSyntax list)
            {
                if (type.Kind == TypeKind.Array) InitializeArray(type, offset, list, scalars);
                else if (type.Kind == TypeKind.Record) InitializeRecord(type, offset, list, scalars);
                else if (list.Items.Length == 0) scalars.Add(new InitializedScalar(offset, type, new BoundLiteral(0, type, list.Span)));
                else
                {
                    // `int x = { 5 };` is allowed (C11 6.7.9p11); more than one value is not
                    if (list.Items.Length > 1 || list.Items[0].Designators.Length > 0)
                        _diagnostics.ReportInvalidInitializer(list.Span, "excess elements in scalar initializer");
                    Initialize(type, offset, list.Items[0].Value, scalars);
                }
                return;
            }
            if (type.Kind == TypeKind.Array && type.Element!.Kind == TypeKind.Char && initializer is StringExpressionSyntax s)
            {
                if (s.Bytes.Length > type.Length)
                    _diagnostics.ReportInvalidInitializer(s.Span, $"initializer-string for array of 'char' is too long ({s.Bytes.Length} bytes for {type.Length})");
                for (int i = 0; i < type.Length && i < s.Bytes.Length; i++)
                    scalars.Add(new InitializedScalar(offset + i, type.Element, new BoundLiteral(type.Element.Truncate(s.Bytes[i]), type.Element, s.Span)));
                if (s.Bytes.Length < type.Length) // the NUL, and zeros after it
                    scalars.Add(new InitializedScalar(offset + s.Bytes.Length, type.Element, new BoundLiteral(0, type.Element, s.Span)));
                return;
            }
            if (type.IsAggregate)
            {
                BindCore(initializer);
                if (type.Kind == TypeKind.Array) _diagnostics.ReportArrayInitializer(initializer.Span);
                else _diagnostics.ReportNotSupported(initializer.Span, "initializing a struct or union from another (copying one whole)");
                return;
            }
            var value = BindExpression(initializer);
            if (value.Type.IsError) return;
            scalars.Add(new InitializedScalar(offset, type, Convert(value, type, isExplicit: false, initializer.Span)));
        }

        private void InitializeArray(TypeSymbol type, long offset, InitializerListSyntax list, List<InitializedScalar> scalars)
        {
            var element = type.Element!;
            long next = 0;
            bool excessReported = false;
            foreach (var item in list.Items)
            {
                var designators = item.Designators;
                if (designators.Length > 0)
                {
                    if (designators[0].Index is null)
                    {
                        _diagnostics.ReportInvalidInitializer(designators[0].Span, $"field name not in record or union initializer");
                        continue;
                    }
                    if (ConstantIndex(designators[0].Index!) is not long at) continue;
                    if (at < 0 || at >= type.Length)
                    {
                        _diagnostics.ReportInvalidInitializer(designators[0].Span, $"array index in initializer exceeds array bounds ({at} of {type.Length})");
                        continue;
                    }
                    next = at;
                }
                if (next >= type.Length)
                {
                    if (!excessReported) _diagnostics.ReportInvalidInitializer(item.Span, $"excess elements in array initializer (the array has {type.Length})");
                    excessReported = true;
                    continue;
                }
                InitializeDesignated(element, offset + next * element.Size, designators, 1, item.Value, scalars);
                next++;
            }
        }

        private void InitializeRecord(TypeSymbol type, long offset, InitializerListSyntax list, List<InitializedScalar> scalars)
        {
            var record = type.Record!;
            var fields = record.Fields;
            int next = 0;
            bool excessReported = false;
            foreach (var item in list.Items)
            {
                var designators = item.Designators;
                if (designators.Length > 0)
                {
                    var member = designators[0].Member;
                    if (member is null)
                    {
                        _diagnostics.ReportInvalidInitializer(designators[0].Span, $"array index in non-array initializer");
                        continue;
                    }
                    if (member.IsMissing) continue;
                    int index = IndexOfField(fields, member.Text);
                    if (index < 0)
                    {
                        // reported, and the next undesignated value still goes where it would have (fuzz seed 2026, input 9342)
                        _diagnostics.ReportNoSuchMember(member.Span, record.ToString(), member.Text);
                        continue;
                    }
                    next = index;
                }
                // a union takes one value, for its first member unless designated
                if (next >= fields.Count || (record.IsUnion && designators.Length == 0 && next > 0))
                {
                    if (!excessReported) _diagnostics.ReportInvalidInitializer(item.Span, $"excess elements in {(record.IsUnion ? "union" : "struct")} initializer");
                    excessReported = true;
                    continue;
                }
                var field = fields[next];
                InitializeDesignated(field.Type, offset + field.Offset, designators, 1, item.Value, scalars);
                next++;
            }
        }

        private static int IndexOfField(IReadOnlyList<FieldSymbol> fields, string name)
        {
            for (int i = 0; i < fields.Count; i++)
                if (fields[i].Name == name) return i;
            return -1;
        }

        /// <summary>The rest of a designator chain (`.a.b[2] = v`): each one picks a member or element of the object before it.</summary>
        private void InitializeDesignated(TypeSymbol type, long offset, ImmutableArray<DesignatorSyntax> designators, int from,
            ExpressionSyntax value, List<InitializedScalar> scalars)
        {
            if (from >= designators.Length)
            {
                if (type.IsAggregate && value is not InitializerListSyntax && !(type.Kind == TypeKind.Array && value is StringExpressionSyntax))
                {
                    // C lets braces be left out around an element's own members; KDsl wants them
                    BindCore(value);
                    _diagnostics.ReportNotSupported(value.Span, $"an initializer without braces for a {type} element (write '{{ ... }}' around it)");
                    return;
                }
                Initialize(type, offset, value, scalars);
                return;
            }
            var designator = designators[from];
            if (designator.Member is { } member && type.Kind == TypeKind.Record)
            {
                if (member.IsMissing) return;
                var field = type.Record!.Find(member.Text);
                if (field is null)
                {
                    _diagnostics.ReportNoSuchMember(member.Span, type.Record.ToString(), member.Text);
                    return;
                }
                InitializeDesignated(field.Type, offset + field.Offset, designators, from + 1, value, scalars);
                return;
            }
            if (designator.Index is { } index && type.Kind == TypeKind.Array)
            {
                if (ConstantIndex(index) is not long at) return;
                if (at < 0 || at >= type.Length)
                {
                    _diagnostics.ReportInvalidInitializer(designator.Span, $"array index in initializer exceeds array bounds ({at} of {type.Length})");
                    return;
                }
                InitializeDesignated(type.Element!, offset + at * type.Element!.Size, designators, from + 1, value, scalars);
                return;
            }
            _diagnostics.ReportInvalidInitializer(designator.Span, designator.Member is null ? "array index in non-array initializer" : "field name not in record or union initializer");
        }

        // --- static objects -------------------------------------------------------------------------------------------

        /// <summary>
        /// A static object's initial contents: each scalar must be a constant (C11 6.7.9p4): an integer, a string literal,
        /// the address of a static object or function, plus a constant offset.
        /// </summary>
        private GlobalData BindStaticData(TypeSymbol type, List<InitializedScalar> scalars)
        {
            // Made at the first byte that is not zero: an object with no initializer, or an all-zero one, goes to .bss
            // and has no bytes (a `static char big[1 << 30];` costs the compiler no gigabyte).
            byte[]? bytes = null;
            var pointers = new SortedDictionary<long, DataPointer>();
            foreach (var scalar in scalars)
            {
                var value = scalar.Value;
                if (value.Type.IsError) continue;
                // a constant converted to a pointer (`void *p = 0;`, `(char *)0x10`) is that constant
                while (value is BoundConversion { Operand: BoundLiteral or BoundConversion } c && c.Type.IsPointer) value = c.Operand;
                if (value is BoundLiteral literal)
                {
                    pointers.Remove(scalar.Offset);
                    long v = literal.Value;
                    if (v != 0) bytes ??= new byte[type.Size];
                    if (bytes != null)
                        for (int i = 0; i < scalar.Type.Size; i++) bytes[scalar.Offset + i] = (byte)(v >> (8 * i));
                    continue;
                }
                if (scalar.Type.Size == 8 && TryConstantAddress(value, out string? symbol, out var text, out long addend))
                {
                    if (bytes != null)
                        for (int i = 0; i < 8; i++) bytes[scalar.Offset + i] = 0;
                    pointers[scalar.Offset] = new DataPointer((int)scalar.Offset, symbol, text, addend, scalar.Type);
                    continue;
                }
                _diagnostics.ReportInvalidInitializer(value.Span, "initializer element is not constant");
            }
            var pointerList = ImmutableArray.CreateRange(pointers.Values);
            if (bytes is null && !pointerList.IsEmpty) bytes = new byte[type.Size]; // .data: the pointers' bytes are zeros the loader fills
            return new GlobalData(bytes is null ? ImmutableArray<byte>.Empty : ImmutableArray.Create(bytes), pointerList);
        }

        /// <summary>An address known at link time: a string literal, a function, a static object, or one of those plus a constant.</summary>
        private static bool TryConstantAddress(BoundExpression e, out string? symbol, out ImmutableArray<byte> text, out long addend)
        {
            symbol = null;
            text = default;
            addend = 0;
            while (true)
            {
                switch (e)
                {
                    case BoundConversion c when c.Type.Size == 8:
                        e = c.Operand;
                        continue;
                    case BoundAddressOf { Operand: BoundDereference d }:
                        e = d.Pointer;
                        continue;
                    case BoundBinary { Operator: BoundBinaryOperator.Add or BoundBinaryOperator.Subtract, Right: BoundLiteral k } b when b.Type.IsPointer:
                        addend += b.Operator == BoundBinaryOperator.Add ? k.Value : -k.Value;
                        e = b.Left;
                        continue;
                    case BoundStringLiteral s:
                        text = s.Bytes;
                        return true;
                    case BoundFunctionAddress f:
                        symbol = f.Function.LinkName;
                        return true;
                    case BoundGlobalAddress g:
                        symbol = g.Global.LinkName;
                        return true;
                    default:
                        return false;
                }
            }
        }

        // --- locals ----------------------------------------------------------------------------------------------------

        /// <summary>The most bytes of an initialized local KDsl zeroes with stores (GCC would use rep stos beyond this).</summary>
        private const long MaxZeroedBytes = 1024;

        /// <summary>
        /// A local aggregate's initializer as statements: the bytes no initializer names zeroed first (C11 6.7.9p21), then
        /// each scalar stored, in source order.
        /// </summary>
        private void LowerLocalInitializer(VariableSymbol variable, ExpressionSyntax syntax, List<InitializedScalar> scalars, List<BoundStatement> result)
        {
            var type = variable.Type;
            var covered = new bool[type.Size];
            foreach (var s in scalars)
                for (long i = 0; i < s.Type.Size; i++) covered[s.Offset + i] = true;
            var gaps = new List<(long Offset, TypeSymbol Type)>();
            for (long at = 0; at < type.Size;)
            {
                if (covered[at])
                {
                    at++;
                    continue;
                }
                // the widest naturally aligned store that stays inside the gap (the slot is 8-byte aligned)
                var store = TypeSymbol.Long;
                foreach (var candidate in new[] { TypeSymbol.Long, TypeSymbol.Int, TypeSymbol.Short, TypeSymbol.Char })
                {
                    store = candidate;
                    long size = candidate.Size;
                    if (at % size != 0 || at + size > type.Size) continue;
                    bool free = true;
                    for (long i = at; i < at + size; i++) free &= !covered[i];
                    if (free) break;
                }
                gaps.Add((at, store));
                for (long i = 0; i < store.Size; i++) covered[at + i] = true;
            }
            long zeroed = 0;
            foreach (var g in gaps) zeroed += g.Type.Size;
            if (zeroed > MaxZeroedBytes)
            {
                _diagnostics.ReportNotSupported(syntax.Span, $"an initializer that leaves {zeroed} bytes of a local to zero (KDsl zeroes at most {MaxZeroedBytes}; initialize it in a loop)");
                return;
            }
            var span = syntax.Span;
            foreach (var (offset, store) in gaps)
                result.Add(Store(variable, offset, store, new BoundLiteral(0, store, span), span));
            foreach (var s in scalars)
                if (!s.Value.Type.IsError) result.Add(Store(variable, s.Offset, s.Type, s.Value, span));
        }

        /// <summary>*(T *)((char *)&amp;variable + offset) = value: a store into a local aggregate's slot.</summary>
        private static BoundStatement Store(VariableSymbol variable, long offset, TypeSymbol type, BoundExpression value, TextSpan span)
        {
            var pointer = TypeSymbol.PointerTo(type);
            BoundExpression address = new BoundAddressOf(new BoundArrayVariable(variable, span), pointer, span);
            if (offset != 0) address = new BoundBinary(address, BoundBinaryOperator.Add, new BoundLiteral(offset, TypeSymbol.Long, span), false, pointer, span);
            var target = new BoundDereference(address, type, span);
            return new BoundExpressionStatement(new BoundAssignment(target, null, false, value, span), span);
        }
    }
}
