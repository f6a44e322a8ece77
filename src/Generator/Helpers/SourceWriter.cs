using System;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace KDsl.Generator.Helpers
{
    /// <summary>An indented text writer for generated C# (after dotnet/runtime's SourceWriter).</summary>
    internal sealed class SourceWriter
    {
        private const char IndentationChar = ' ';
        private const int CharsPerIndentation = 4;

        private readonly StringBuilder _sb = new StringBuilder();
        private int _indentation;

        public int Indentation
        {
            get => _indentation;
            set
            {
                if (value < 0) throw new ArgumentOutOfRangeException(nameof(value));
                _indentation = value;
            }
        }

        public void WriteLine(char value)
        {
            AddIndentation();
            _sb.Append(value);
            _sb.Append('\n');
        }

        public void WriteLine(string text)
        {
            if (_indentation == 0)
            {
                _sb.Append(text);
                _sb.Append('\n');
                return;
            }

            bool isFinalLine;
            int start = 0;
            do
            {
                int end = text.IndexOf('\n', start);
                isFinalLine = end < 0;
                string line = isFinalLine ? text.Substring(start) : text.Substring(start, end - start);
                if (line.Length > 0) AddIndentation();
                _sb.Append(line);
                _sb.Append('\n');
                start = end + 1;
            }
            while (!isFinalLine);
        }

        public void WriteLine() => _sb.Append('\n');

        /// <summary>Opens a block: writes "{" and indents.</summary>
        public void OpenBlock()
        {
            WriteLine('{');
            Indentation++;
        }

        /// <summary>Closes a block: unindents and writes "}" plus an optional suffix such as ";" or ",".</summary>
        public void CloseBlock(string suffix = "")
        {
            Indentation--;
            WriteLine("}" + suffix);
        }

        public SourceText ToSourceText() => SourceText.From(_sb.ToString(), Encoding.UTF8);

        public override string ToString() => _sb.ToString();

        private void AddIndentation() => _sb.Append(IndentationChar, CharsPerIndentation * _indentation);
    }
}
