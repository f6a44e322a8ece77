using System.Text;
using KDsl.Binding;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>
    /// The fault builtins, expanded as the kernel's macros expand them (include/asm-generic/bug.h,
    /// arch/x86/include/asm/bug.h):
    /// BUG() is a ud2 with a __bug_table entry (file, line); BUG_ON(c) branches over it; WARN_ON(c) evaluates to !!c and,
    /// when true, runs a ud2 whose entry carries BUGFLAG_WARNING (x86 since 4.16) or, on 4.11, calls
    /// warn_slowpath_null(__FILE__, __LINE__); WARN(c, fmt, ...) calls __warn_printk(fmt, ...) first and flags its ud2
    /// BUGFLAG_NO_CUT_HERE; call_ptr(addr) is an indirect call (with retpolines the thunk leaves
    /// the same stack behind: the return address into the caller, then a jump to the target).
    /// </summary>
    internal sealed partial class FunctionEmitter
    {
        private void EmitBuiltin(BoundCall call)
        {
            int line = Line(_source, call.Span);
            switch (call.Function.Name)
            {
                case Binder.BugName:
                    _code.Ud2Bug(line, warning: false);
                    break;
                case Binder.BugOnName:
                {
                    var skip = _code.NewLabel();
                    EmitExpression(call.Arguments[0]);
                    A.test(rax, rax);
                    A.je(skip.Iced);
                    _code.Ud2Bug(line, warning: false);
                    _code.Place(skip);
                    break;
                }
                case Binder.WarnOnName:
                    EmitWarnValue(call.Arguments[0], () => EmitWarn(line));
                    break;
                case Binder.WarnName:
                    // __WARN_printf: __warn_printk(fmt, ...), then a ud2 whose entry says the cut-here line is printed
                    EmitWarnValue(call.Arguments[0], () =>
                    {
                        EmitExpression(call.Arguments[1]);
                        _code.Ud2Bug(line, warning: true, noCutHere: true);
                    });
                    break;
                case Binder.CallPtrName:
                    EmitExpression(call.Arguments[0]);
                    A.call(rax);
                    break;
                case Binder.GetUserName:
                    EmitGetUser(call);
                    break;
                case Binder.PutUserName:
                    EmitPutUser(call);
                    break;
            }
        }

        /// <summary>
        /// The rest of include/linux/kthread.h's kthread_run once kthread_create_on_node returned __k in RAX:
        /// <c>if (!IS_ERR(__k)) wake_up_process(__k);</c> and the macro's value is __k, kept in a temporary across the call.
        /// IS_ERR is (unsigned long)__k >= -MAX_ERRNO, i.e. above -4096 (GCC: cmp $0xfffffffffffff000,%rax; ja).
        /// </summary>
        private void EmitKthreadRunWake()
        {
            var error = _code.NewLabel();
            A.cmp(rax, -4096);
            A.ja(error.Iced);
            int task = AllocateTemporary();
            A.mov(Temporary(task), rax);
            A.mov(rdi, rax);
            _code.CallSymbol("wake_up_process");
            A.mov(rax, Temporary(task));
            FreeTemporary();
            _code.Place(error);
        }

        /// <summary>WARN_ON's and WARN's value, !!condition in EAX, with the report made when the condition holds.</summary>
        private void EmitWarnValue(BoundExpression condition, System.Action report)
        {
            var zero = _code.NewLabel();
            var end = _code.NewLabel();
            EmitExpression(condition);
            A.test(rax, rax);
            A.je(zero.Iced);
            report();
            A.mov(eax, 1);
            A.jmp(end.Iced);
            _code.Place(zero);
            A.xor(eax, eax);
            _code.Place(end);
        }

        /// <summary>__WARN(): a flagged ud2 where the kernel reports WARN through report_bug, else warn_slowpath_null.</summary>
        private void EmitWarn(int line)
        {
            if (!_profile.WarnSlowpath)
            {
                _code.Ud2Bug(line, warning: true);
                return;
            }
            _code.MovSymbolAddress(Gpr.Rdi, _strings.Add(System.Collections.Immutable.ImmutableArray.Create(Encoding.UTF8.GetBytes(_source.Path))));
            A.mov(esi, (uint)line);
            _code.CallSymbol("warn_slowpath_null");
        }
    }
}
