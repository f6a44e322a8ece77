using System;
using System.Collections.Concurrent;
using System.Threading;

namespace KDsl.Generator.Helpers
{
    /// <summary>
    /// Runs work on a thread with a large stack, reusing idle threads: the parser stops at 256 levels of nesting, but the
    /// binder, the code generator and the stack analysis recurse per level and per call as well, and a
    /// StackOverflowException would take the whole compiler process down. Starting a new 64 MiB thread
    /// per file cost about 0.5 ms of a 200-file build's second; a thread left idle for <see cref="IdleTimeout"/> ends,
    /// so a compiler server does not keep them.
    /// </summary>
    internal static class LargeStackThreads
    {
        public const int StackSize = 64 * 1024 * 1024;
        private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);
        private static readonly ConcurrentBag<Worker> Idle = new ConcurrentBag<Worker>();

        /// <summary>Runs <paramref name="work"/> on a large-stack thread and waits for it; its exception is returned, not thrown.</summary>
        public static T? Run<T>(Func<T?> work, out Exception? error)
            where T : class
        {
            while (true)
            {
                if (!Idle.TryTake(out Worker? worker)) worker = new Worker();
                if (!worker.TryRun(work, out T? result, out error)) continue; // it had just timed out: take another
                Idle.Add(worker);
                return result;
            }
        }

        private sealed class Worker
        {
            private readonly object _gate = new object();
            private readonly SemaphoreSlim _start = new SemaphoreSlim(0);
            private readonly ManualResetEventSlim _done = new ManualResetEventSlim(false);
            private Thread? _thread;
            private Action? _job;
            private bool _ended;

            public bool TryRun<T>(Func<T?> work, out T? result, out Exception? error)
                where T : class
            {
                T? value = null;
                Exception? caught = null;
                lock (_gate)
                {
                    if (_ended)
                    {
                        result = null;
                        error = null;
                        return false;
                    }
                    _job = () =>
                    {
                        try
                        {
                            value = work();
                        }
                        catch (Exception ex)
                        {
                            caught = ex;
                        }
                    };
                    _done.Reset();
                    if (_thread is null)
                    {
                        _thread = new Thread(Loop, StackSize) { IsBackground = true, Name = "KDsl compiler" };
                        _thread.Start();
                    }
                    // Released under the lock, so an idle timeout either sees this job or ends before it is handed over.
                    _start.Release();
                }
                _done.Wait();
                result = value;
                error = caught;
                return true;
            }

            private void Loop()
            {
                while (true)
                {
                    if (!_start.Wait(IdleTimeout))
                    {
                        lock (_gate)
                        {
                            // A job handed over just as the wait timed out is still run; otherwise the thread ends.
                            if (_start.CurrentCount == 0)
                            {
                                _ended = true;
                                return;
                            }
                        }
                        _start.Wait();
                    }
                    Action job = _job!;
                    _job = null;
                    job();
                    _done.Set();
                }
            }
        }
    }
}
