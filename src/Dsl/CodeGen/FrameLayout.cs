using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Profiles;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>Where a variable lives: a register, or a slot/array at RSP + Offset once the prologue has run.</summary>
    internal readonly struct Home
    {
        public Home(Gpr? register, int offset)
        {
            Register = register;
            Offset = offset;
        }

        public Gpr? Register { get; }
        public int Offset { get; }
    }

    /// <summary>
    /// A function's frame as the kernel's GCC lays it out (the kernel builds with 8-byte stack alignment):
    /// return address, [saved RBP], pushed callee-saved registers, then from the stack pointer upwards:
    /// spill temporaries, scalar slots, the stack variables (arrays, structs, locals whose address is taken) packed
    /// downwards from the stack-protector canary in GCC's order (<see cref="StackProtectorOrder"/>), and the canary.
    /// step5's rstack under linux-6.1 is therefore push rbx; sub rsp, BUF+8, buf at RSP: BUF + 24 bytes a level.
    /// </summary>
    internal sealed class FrameLayout
    {
        private readonly Dictionary<VariableSymbol, Home> _homes = new Dictionary<VariableSymbol, Home>();

        public FrameLayout(BoundFunction function, KernelProfile profile, int temporaries, int registerTemporaries)
        {
            var liveness = Liveness.Analyze(function);
            _liveness = liveness;
            FramePointer = profile.FramePointer;
            _calleeSaved = FramePointer ? GprExtensions.CalleeSaved : GprExtensions.CalleeSavedWithoutFramePointer;
            // put_user's helper clobbers RBX: saved whatever else is, and no value's home (GCC 12: push %rbx in a
            // handler that only calls put_user)
            if (liveness.ClobbersRbx) _calleeSaved = System.Array.FindAll(_calleeSaved, r => r != Gpr.Rbx);
            Temporaries = temporaries;

            var scalars = new List<VariableSymbol>(function.Symbol.Parameters);
            var arrays = new List<VariableSymbol>();
            _aliases = ArrayAliases.Find(function);
            foreach (var local in function.Locals)
                if (!_aliases.ContainsKey(local)) (local.Type.IsAggregate ? arrays : scalars).Add(local);

            RegisterTemporaries = GprExtensions.OperandRegisters.AsSpanCount(registerTemporaries);
            var free = FreeArgumentRegisters(liveness, profile, arrays.Count > 0);
            var parameters = function.Symbol.Parameters;
            // Registers are coloured in declaration order: a variable takes the first register of its kind that no
            // variable live at the same time (Liveness.Interfere) holds, so values whose lives do not overlap share one.
            var slotted = new List<VariableSymbol>();
            // the variables coloured so far, by register: a candidate register is checked against its own holders only
            var colored = new Dictionary<Gpr, List<VariableSymbol>>();
            bool Available(Gpr r, VariableSymbol v)
            {
                if (colored.TryGetValue(r, out var holders))
                    foreach (var w in holders)
                        if (liveness.Interfere(v, w)) return false;
                return true;
            }
            Gpr? First(Gpr[] registers, VariableSymbol v)
            {
                foreach (var r in registers)
                    if (Available(r, v)) return r;
                return null;
            }
            int calleeSaved = 0;
            void Color(IEnumerable<VariableSymbol> order)
            {
                _homes.Clear();
                colored.Clear();
                slotted.Clear();
                calleeSaved = 0;
                foreach (var v in order)
                {
                    Gpr? home = liveness.IsAddressTaken(v) ? null
                        : liveness.LivesAcrossCall(v) ? First(_calleeSaved, v)
                        : First(GprExtensions.ScratchHomes, v) ?? TakeFree(free, v, parameters, Available) ?? First(_calleeSaved, v);
                    if (home is not Gpr register)
                    {
                        slotted.Add(v);
                        continue;
                    }
                    _homes[v] = new Home(register, 0);
                    if (!colored.TryGetValue(register, out var holders)) colored[register] = holders = new List<VariableSymbol>();
                    holders.Add(v);
                    calleeSaved = System.Math.Max(calleeSaved, System.Array.IndexOf(_calleeSaved, register) + 1);
                }
            }
            Color(scalars);
            if (slotted.Exists(v => !liveness.IsAddressTaken(v) && liveness.LivesAcrossCall(v)))
                Color(ByPriority(scalars, liveness));
            foreach (var a in KeptAddresses(arrays, _aliases, liveness, profile))
                if (calleeSaved < _calleeSaved.Length) _keptAddresses[a] = _calleeSaved[calleeSaved++];
            SavedRegisters = _calleeSaved.AsSpanCount(calleeSaved);
            if (liveness.ClobbersRbx) SavedRegisters = System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Prepend(SavedRegisters, Gpr.Rbx));

            // Spill slots at the bottom; above them the stack variables as GCC's expand_used_vars places them, packed
            // downwards from the canary; the canary on top.
            int offset = temporaries * 8;
            var stackObjects = new List<VariableSymbol>(arrays);
            var incoming = new List<VariableSymbol>();
            foreach (var v in slotted)
            {
                if (liveness.IsAddressTaken(v))
                {
                    stackObjects.Add(v);
                    continue;
                }
                if (InIncomingSlot(v))
                {
                    incoming.Add(v);
                    continue;
                }
                _homes[v] = new Home(null, offset);
                offset += 8;
            }
            var placed = StackProtectorOrder(stackObjects, function.Locals);
            int top = 0; // bytes below the canary, growing down
            var below = new Dictionary<VariableSymbol, int>();
            foreach (var v in placed)
            {
                int align = System.Math.Max(1, System.Math.Min(8, v.Type.Alignment));
                top = (int)((top + v.Type.Size + align - 1) / align * align);
                below[v] = top;
            }
            int region = Align8(top);
            foreach (var v in placed)
            {
                int start = offset + region - below[v];
                _homes[v] = new Home(null, start);
                if (v.Type.IsAggregate) Arrays.Add((v, start));
            }
            Arrays.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            offset += region;
            // -fstack-protector-strong guards a function with an array, or a local whose address is taken
            if (placed.Count > 0)
            {
                CanaryOffset = offset;
                offset += 8;
            }
            LocalSize = offset;
            foreach (var v in incoming)
                _homes[v] = new Home(null, FrameSize + 8 * (v.ParameterIndex - GprExtensions.ArgumentRegisters.Length));
        }

        /// <summary>
        /// A parameter passed on the stack that gets no register stays where the caller put it: GCC's register
        /// allocator knows the incoming slot as its memory (REG_EQUIV) and spends no spill slot of the frame on it.
        /// params8_BUF.c's rec(n, a, b, c, d, e, f, g) against the 6.1 headers reads f from 0x368(%rsp) at each use.
        /// </summary>
        private static bool InIncomingSlot(VariableSymbol v) =>
            v.Kind == VariableKind.Parameter && v.ParameterIndex >= GprExtensions.ArgumentRegisters.Length;

        /// <summary>
        /// The colouring order when the callee-saved registers do not go round (declaration order left a value that
        /// lives across a call without one): as GCC's allocator colours by priority, the variables used most first; of
        /// equal use, those with a home of their own (a stack parameter's incoming slot) last, since leaving one of them
        /// out of a register costs no spill slot, then in declaration order. params8_BUF.c's rec keeps n, a, b, c, d and g
        /// (used three times: the fill, the printk, the call) in the six registers, leaves f in its incoming slot and
        /// spills e: push of six, sub $0x330 for 800 bytes of buffer (GCC 12, tools/gcc-frames).
        /// </summary>
        private static List<VariableSymbol> ByPriority(List<VariableSymbol> scalars, Liveness liveness)
        {
            var ordered = new List<VariableSymbol>(scalars);
            var declared = new Dictionary<VariableSymbol, int>();
            for (int i = 0; i < scalars.Count; i++) declared[scalars[i]] = i;
            ordered.Sort((a, b) =>
            {
                int c = liveness.Uses(b).CompareTo(liveness.Uses(a));
                if (c == 0) c = InIncomingSlot(a).CompareTo(InIncomingSlot(b));
                if (c == 0) c = declared[a].CompareTo(declared[b]);
                return c;
            });
            return ordered;
        }

        /// <summary>
        /// The order in which GCC gives stack variables their place, from the canary downwards (cfgexpand.c with
        /// -fstack-protector-strong): character arrays first, so an overrun of one meets the canary; then other arrays
        /// and records holding one; then the rest (records, locals whose address is taken). Within each, larger first,
        /// and of equal sizes the later declared. Measured on GCC 12 against the 6.1 headers: char a[16], b[64] put b
        /// against the canary; int v[4], char s[16] put s there; char a[5], b[5], c[5] pack at RSP+1, +6, +0xb.
        /// </summary>
        private static List<VariableSymbol> StackProtectorOrder(List<VariableSymbol> objects, System.Collections.Immutable.ImmutableArray<VariableSymbol> locals)
        {
            int Phase(VariableSymbol v) => v.Type switch
            {
                { Kind: TypeKind.Array, Element.Kind: TypeKind.Char } => 0,
                { Kind: TypeKind.Array } => 1,
                { Kind: TypeKind.Record } t when HasArray(t) => 1,
                _ => 2,
            };
            var ordered = new List<VariableSymbol>(objects);
            ordered.Sort((a, b) =>
            {
                int c = Phase(a).CompareTo(Phase(b));
                if (c == 0) c = b.Type.Size.CompareTo(a.Type.Size);
                if (c == 0) c = locals.IndexOf(b).CompareTo(locals.IndexOf(a));
                return c;
            });
            return ordered;
        }

        private static bool HasArray(TypeSymbol type) => type.Kind switch
        {
            TypeKind.Array => true,
            TypeKind.Record => System.Linq.Enumerable.Any(type.Record!.Fields, f => HasArray(f.Type)),
            _ => false,
        };

        public bool FramePointer { get; }
        public int Temporaries { get; }
        /// <summary>The operand registers the body's expressions need (<see cref="GprExtensions.OperandRegisters"/>).</summary>
        public Gpr[] RegisterTemporaries { get; }
        /// <summary>The callee-saved registers the function uses, in allocation order (pushed last first, as GCC pushes them).</summary>
        public Gpr[] SavedRegisters { get; }

        private readonly Gpr[] _calleeSaved;
        /// <summary>Bytes the prologue's sub rsp reserves.</summary>
        public int LocalSize { get; }
        /// <summary>RSP-relative offset of the canary, or -1 without arrays or address-taken locals (no stack protector then).</summary>
        public int CanaryOffset { get; } = -1;
        public List<(VariableSymbol Variable, int Offset)> Arrays { get; } = new List<(VariableSymbol, int)>();

        /// <summary>Bytes from the caller's stack pointer before the call to RSP after the prologue.</summary>
        public int FrameSize => 8 + (FramePointer ? 8 : 0) + 8 * SavedRegisters.Length + LocalSize;

        public Home HomeOf(VariableSymbol v) => _homes[v];

        /// <summary>Whether the stack parameter <paramref name="v"/> lives in its incoming slot (<see cref="InIncomingSlot"/>): the prologue leaves it there.</summary>
        public bool StaysInIncomingSlot(VariableSymbol v) => _homes.TryGetValue(v, out var home) && home.Register is null &&
            InIncomingSlot(v) && home.Offset == FrameSize + 8 * (v.ParameterIndex - GprExtensions.ArgumentRegisters.Length);

        private readonly Liveness _liveness;

        /// <summary>
        /// The registers to load again after <paramref name="call"/> returns, with the constant each variable held when it
        /// was made (<see cref="LiveVariables.ReloadsAfter"/>): only caller-saved homes, which the call may have changed.
        /// </summary>
        public IEnumerable<(Gpr Register, long Value)> ReloadsAfter(BoundCall call)
        {
            foreach (var (v, value) in _liveness.ReloadsAfter(call))
                if (_homes.TryGetValue(v, out var home) && home.Register is Gpr r && System.Array.IndexOf(_calleeSaved, r) < 0)
                    yield return (r, value);
        }

        /// <summary>The variables with a stack slot, and the canary, lowest first, named for <paramref name="function"/>.</summary>
        public List<Image.FrameVariable> StackVariables(string function)
        {
            var variables = new List<Image.FrameVariable>();
            foreach (var pair in _homes)
            {
                if (pair.Value.Register is not null) continue;
                bool array = pair.Key.Type.Kind == TypeKind.Array;
                variables.Add(new Image.FrameVariable(function, pair.Key.Name, pair.Value.Offset, array ? pair.Key.Type.Size : 8, array));
            }
            if (CanaryOffset >= 0) variables.Add(new Image.FrameVariable(function, Image.FrameVariable.CanaryName, CanaryOffset, 8, false));
            variables.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            return variables;
        }

        private readonly Dictionary<VariableSymbol, ArrayAlias> _aliases;

        /// <summary>Whether <paramref name="v"/> only ever holds a local aggregate's address (<see cref="ArrayAliases"/>): it has no home.</summary>
        public bool IsArrayAlias(VariableSymbol v, out ArrayAlias alias) => _aliases.TryGetValue(v, out alias);

        /// <summary>The callee-saved register that holds <paramref name="aggregate"/>'s address from the prologue on, if any.</summary>
        public Gpr? AddressRegister(VariableSymbol aggregate) => _keptAddresses.TryGetValue(aggregate, out var r) ? r : null;

        /// <summary>Each aggregate whose address a register holds, with the register (<see cref="KeptAddresses"/>).</summary>
        public IEnumerable<KeyValuePair<VariableSymbol, Gpr>> KeptAddressRegisters => _keptAddresses;

        private readonly Dictionary<VariableSymbol, Gpr> _keptAddresses = new Dictionary<VariableSymbol, Gpr>();

        /// <summary>
        /// The aggregates whose address GCC keeps in a callee-saved register across calls. A pointer to one indexed by a
        /// variable after a call of another function (vp[n % 16] after a printk) keeps it in every profile: twice_BUF.c's
        /// rec and the same shape in KeptAddressTests push one register more than without that read, against the 6.1 and
        /// the 5.10 headers; after the function's call of itself only (recurse's deep: return deep(n - 1) + vp[n % 1000])
        /// GCC computes the element's address from RSP again against the 5.10 headers (push rbx; sub $0x3f0, as for
        /// vp[n &amp; 511] or vp[m % 1000]), and keeps it against the 6.1 headers, where it is the zeroing's start (below).
        /// With CONFIG_INIT_STACK_ALL_ZERO (6.1) also an aggregate whose own address is
        /// used as a value after a call (passed or stored: walk(&amp;nd, ...), sink(buf, ...)): the zeroing rep stos's
        /// start address is a value of its own, which GCC keeps rather than computing it again; against the 5.10 headers
        /// (CONFIG_INIT_STACK_NONE) or with -ftrivial-auto-var-init=uninitialized it is an lea at the use. Measured with
        /// GCC 12 (tools/gcc-frames; the C and the frames in KeptAddressTests). Not kept: an aggregate of 8 bytes or less
        /// (one movq zeroes it), a member's address (&amp;s.b[2]: an lea), an element at a constant offset (vp[2]: off
        /// RSP), the array indexed directly (buf[n % 1000]: off RSP).
        /// </summary>
        private static List<VariableSymbol> KeptAddresses(List<VariableSymbol> aggregates, Dictionary<VariableSymbol, ArrayAlias> aliases,
            Liveness liveness, KernelProfile profile)
        {
            bool zeroed = profile.InitStackAllZero;
            var kept = new List<VariableSymbol>();
            foreach (var a in aggregates)
            {
                bool zeroedStart = zeroed && a.Type.Size > 8;
                bool needed = zeroedStart && liveness.AddressUsedAfterCall(a);
                foreach (var pair in aliases)
                    needed |= pair.Value.Array == a && (liveness.IndexedByVariableAfterCall(pair.Key, selfCalls: zeroed) ||
                        zeroedStart && pair.Value.Offset == 0 && liveness.AddressUsedAfterCall(pair.Key));
                if (needed) kept.Add(a);
            }
            return kept;
        }

        public int TemporaryOffset(int index) => index * 8;

        /// <summary>
        /// Argument registers a local that lives across no call can have, as GCC uses every caller-saved register in a
        /// function before it pushes a callee-saved one (a leaf's loop counter, a parameter only read before the first
        /// call): those above the most any call of the function loads (a built-in or system call may load them all),
        /// not RCX and RDX (expressions evaluate in them), not an operand register the body needs, and not RDI where
        /// CONFIG_INIT_STACK_ALL_ZERO's rep stos runs after the parameters are in their homes.
        /// </summary>
        private List<Gpr> FreeArgumentRegisters(Liveness liveness, KernelProfile profile, bool hasArrays)
        {
            var free = new List<Gpr>();
            var arguments = GprExtensions.ArgumentRegisters;
            for (int i = liveness.MaxRegisterArguments; i < arguments.Length; i++)
            {
                var r = arguments[i];
                if (r is Gpr.Rcx or Gpr.Rdx || System.Array.IndexOf(RegisterTemporaries, r) >= 0) continue;
                if (r == Gpr.Rdi && hasArrays && profile.InitStackAllZero) continue;
                free.Add(r);
            }
            return free;
        }

        /// <summary>
        /// A free register for <paramref name="v"/> that no variable live with it holds: a parameter's own, where it
        /// arrived (no move), or one no later parameter arrives in (the prologue moves them in order); any for another local.
        /// </summary>
        private static Gpr? TakeFree(List<Gpr> free, VariableSymbol v, System.Collections.Immutable.ImmutableArray<VariableSymbol> parameters,
            System.Func<Gpr, VariableSymbol, bool> available)
        {
            var arguments = GprExtensions.ArgumentRegisters;
            int index = v.Kind == VariableKind.Parameter ? v.ParameterIndex : -1;
            if (index >= 0 && index < arguments.Length && free.Contains(arguments[index]) && available(arguments[index], v)) return arguments[index];
            foreach (var r in free)
            {
                int arrivesFor = System.Array.IndexOf(arguments, r);
                if ((index < 0 || arrivesFor <= index || arrivesFor >= parameters.Length) && available(r, v)) return r;
            }
            return null;
        }

        private static int Align8(long size) => (int)((size + 7) & ~7L);
    }

    internal static class ArrayExtensions
    {
        public static Gpr[] AsSpanCount(this Gpr[] source, int count)
        {
            var result = new Gpr[count];
            System.Array.Copy(source, result, count);
            return result;
        }
    }
}
