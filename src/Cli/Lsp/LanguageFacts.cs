using System.Collections.Generic;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// What an editor tells about the language's fixed vocabulary: each config key's meaning and values (docs/language.md's
    /// `config` section; LspTests checks every key here against the binder), and the items an expect block takes.
    /// </summary>
    internal static class LanguageFacts
    {
        public sealed class ConfigKey
        {
            public ConfigKey(string name, string meaning, params string[] values)
            {
                Name = name;
                Meaning = meaning;
                Values = values;
            }

            public string Name { get; }
            public string Meaning { get; }
            public IReadOnlyList<string> Values { get; }
        }

        public static IReadOnlyList<ConfigKey> ConfigKeys { get; } = new[]
        {
            new ConfigKey("profile", "The kernel KDsl reproduces: its code shape, printk's path and reports (default linux-6.1).",
                "linux-6.1", "linux-5.10", "linux-4.11"),
            new ConfigKey("thread_size", "THREAD_SIZE, the kernel stack of each task (default 16K).", "16K", "8K", "32K"),
            new ConfigKey("vmap_stack", "CONFIG_VMAP_STACK: on (default), vmalloc'd stacks with a guard page below; off, direct-mapped pages.", "on", "off"),
            new ConfigKey("stack_cache", "kernel/fork.c's per-CPU cache of 2 vmalloc'd stacks (default on).", "on", "off"),
            new ConfigKey("thread_info", "Where thread_info lives: in task_struct (default, x86 since 4.9) or at the stack's bottom, as before 4.9.", "task", "stack"),
            new ConfigKey("sched_stack_end_check", "CONFIG_SCHED_STACK_END_CHECK: schedule() panics on an overwritten STACK_END_MAGIC (default off).", "off", "on"),
            new ConfigKey("debug_sg", "CONFIG_DEBUG_SG: sg_set_buf BUG()s on a buffer outside the direct map (default off).", "off", "on"),
            new ConfigKey("hash_pointers", "%p prints a hash instead of the address (default off).", "off", "on"),
            new ConfigKey("panic_on_oops", "kernel.panic_on_oops (oops=panic): an oops panics the machine (default off).", "off", "on"),
            new ConfigKey("frame_warn", "CONFIG_FRAME_WARN: frames larger than this get KDSL1001; 0 disables it (default 2048).", "2048", "1024", "0"),
            new ConfigKey("mem", "The machine's RAM: 8M to 4G in whole 2M steps, K/M/G suffix or bytes (default 64M).", "64M", "128M", "1G"),
            new ConfigKey("severity", "`severity ID = VALUE;` sets one diagnostic's severity (KDSL0125, KDSL0126, KDSL0129, KDSL0130, KDSL0181, KDSL1001-1004).",
                "error", "warning", "info", "hidden", "none"),
        };

        public static ConfigKey? FindConfigKey(string name)
        {
            foreach (var key in ConfigKeys)
                if (key.Name == name) return key;
            return null;
        }

        /// <summary>An expect block's items, as completion offers them (snippet text, what it checks).</summary>
        public static IReadOnlyList<(string Label, string Insert, string Detail)> ExpectItems { get; } = new[]
        {
            ("printk", "printk \"$1\" count ${2:1};", "dmesg lines whose message contains the text (exactly N with count)"),
            ("printk line", "printk line \"$1\";", "a dmesg line whose whole message is the text"),
            ("printk match", "printk match \"$1\";", "dmesg lines matching a .NET regular expression"),
            ("oops", "oops ${1:stack_guard} in ${2:function};", "the run ends in an oops of this kind, RIP in the function"),
            ("oops depth", "oops ${1:stack_guard} in ${2:function} depth ${3:4};", "... with N frames of the function on the call trace"),
            ("stack max", "stack max ${1:12000};", "the task stack's high-water mark is at most N bytes"),
            ("no fault", "no fault;", "init returns and nothing oopses"),
            ("signal", "signal ${1:SIGBUS};", "the first process is killed by this signal"),
            ("exit", "exit ${1:0};", "the first process exits with this status"),
        };

        /// <summary>The top-level keywords and statements' keywords, as completion offers them.</summary>
        public static IReadOnlyList<string> Keywords { get; } = new[]
        {
            "module", "config", "const", "init", "exit", "later", "process", "scenario", "expect", "max_depth",
            "void", "char", "int", "long", "if", "else", "while", "do", "for", "break", "continue", "return", "sizeof",
        };
    }
}
