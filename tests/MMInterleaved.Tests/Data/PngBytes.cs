using System.Buffers.Binary;
using System.Text;

namespace MMInterleaved.Tests.Data;

/// <summary>Hand-made PNG files for reader tests.</summary>
public static class PngBytes
{
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>A PNG whose header claims width×height (8-bit RGB) followed by a token IDAT chunk: valid up to the
    /// pixel data, so only a decoder that reads the header first can reject it cheaply.</summary>
    public static byte[] HeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // bit depth 8, colour type RGB
        using var s = new MemoryStream();
        s.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(s, "IHDR", ihdr);
        Chunk(s, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(s, "IEND", []);
        return s.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var buffer = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        s.Write(buffer);
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        s.Write(typed);
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in typed) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, crc ^ 0xFFFFFFFFu);
        s.Write(buffer);
    }
}
