using System;

namespace KDsl.Image
{
    /// <summary>
    /// Bytes written as hexadecimal text, two digits a byte ("554889e5"): how the generator writes .text and .rodata
    /// into the C# it emits. One string literal a line parses far faster than one 0xNN literal a byte.
    /// </summary>
    public static class HexBytes
    {
        public static byte[] Parse(string hex)
        {
            if (hex is null) throw new ArgumentNullException(nameof(hex));
            if (hex.Length % 2 != 0) throw new FormatException("an odd number of hexadecimal digits");
            var bytes = new byte[hex.Length / 2];
            for (int i = 0; i < bytes.Length; i++)
                bytes[i] = (byte)(Digit(hex[2 * i]) << 4 | Digit(hex[2 * i + 1]));
            return bytes;
        }

        private static int Digit(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => throw new FormatException($"'{c}' is not a hexadecimal digit"),
        };
    }
}
