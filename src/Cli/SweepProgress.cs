using System.IO;

namespace KDsl.Cli
{
    /// <summary>
    /// A sweep's progress on stderr. On a terminal one line is redrawn in place ("[3/20] BUF=256") and erased at the
    /// end; when stderr is redirected nothing is drawn, so a log file holds only the plain final line.
    /// </summary>
    internal sealed class SweepProgress
    {
        private readonly TextWriter _error;
        private readonly bool _terminal;
        private bool _drawn;

        public SweepProgress(TextWriter error, bool terminal)
        {
            _error = error;
            _terminal = terminal;
        }

        /// <summary>Value <paramref name="index"/> (0-based) of <paramref name="total"/> is about to run.</summary>
        public void Step(int index, int total, string what)
        {
            if (!_terminal) return;
            // \r back to column 0, ESC[K erases the previous, possibly longer, line.
            _error.Write($"\r\u001b[K[{index + 1}/{total}] {what}");
            _error.Flush();
            _drawn = true;
        }

        /// <summary>Erases the progress line before something else is printed to stderr (a compile error).</summary>
        public void Interrupt()
        {
            if (!_drawn) return;
            _error.Write("\r\u001b[K");
            _drawn = false;
        }

        public void Done(string summary)
        {
            Interrupt();
            _error.WriteLine(summary);
        }
    }
}
