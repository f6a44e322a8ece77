using System;
using System.IO;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>Runs `kdsl ARGS` in-process and captures what it writes.</summary>
    internal static class CliRunner
    {
        private static readonly object Gate = new object();

        public static string Example(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "examples", name);

        public static (int Exit, string Out, string Err) Run(params string[] args)
        {
            lock (Gate)
            {
                var oldOut = Console.Out;
                var oldErr = Console.Error;
                var output = new StringWriter();
                var error = new StringWriter();
                try
                {
                    Console.SetOut(output);
                    Console.SetError(error);
                    int exit = Program.Invoke(args);
                    return (exit, output.ToString(), error.ToString());
                }
                finally
                {
                    Console.SetOut(oldOut);
                    Console.SetError(oldErr);
                }
            }
        }
    }
}
