using Iced.Intel;

namespace KDsl.Runtime.Cpu.Decoding
{
    /// <summary>Feeds Iced's decoder from host memory without copying; returns -1 at the limit.</summary>
    internal sealed unsafe class PointerCodeReader : CodeReader
    {
        private byte* _p;
        private int _pos;
        private int _limit;

        public void Reset(byte* p, int position, int limit)
        {
            _p = p;
            _pos = position;
            _limit = limit;
        }

        public int Position => _pos;

        public override int ReadByte()
        {
            if (_pos >= _limit) return -1;
            return _p[_pos++];
        }
    }
}
