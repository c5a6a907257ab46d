using System.Buffers.Binary;
using System.IO.Compression;

namespace MMInterleaved.Data.Real;

/// <summary>
/// Reads and writes IDX files (magic 0x00 0x00 type ndims, then ndims big-endian int32 sizes, then the data), plain or
/// gzip-compressed (detected from the gzip magic bytes, not the file name). Only unsigned bytes (type 0x08), the
/// type of MNIST and Fashion-MNIST, are supported.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads a file; malformed content throws <see cref="DataFormatException"/> naming the file.</summary>
    public static IdxArray Read(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        byte[] bytes;
        try
        {
            bytes = raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b ? Gunzip(raw) : raw;
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, null, $"the gzip stream is corrupt ({e.Message}).", e);
        }
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new DataFormatException(path, null, "not an IDX file (it must start with two zero bytes, a type byte and a dimension count).");
        if (bytes[2] != UnsignedByte)
            throw new DataFormatException(path, null, $"IDX data type 0x{bytes[2]:x2} is not supported; only unsigned bytes (0x08) are.");
        int dims = bytes[3];
        if (dims == 0 || bytes.Length < 4 + 4 * dims)
            throw new DataFormatException(path, null, $"the header declares {dims} dimensions but the file is {bytes.Length} bytes long.");
        var shape = new int[dims];
        long total = 1;
        for (int d = 0; d < dims; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (shape[d] < 0) throw new DataFormatException(path, null, $"dimension {d} has negative size {shape[d]}.");
            total *= shape[d];
        }
        int offset = 4 + 4 * dims;
        if (bytes.Length - offset != total)
            throw new DataFormatException(path, null, $"the header declares [{string.Join(",", shape)}] = {total} bytes of data but the file holds {bytes.Length - offset}.");
        return new IdxArray(shape, bytes[offset..]);
    }

    /// <summary>Writes an unsigned-byte IDX file, gzip-compressed when <paramref name="gzip"/> (tests make tiny
    /// Fashion-MNIST stand-ins with it).</summary>
    public static void Write(string path, int[] shape, byte[] data, bool gzip = true)
    {
        long total = shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Length is 0 or > 255 || shape.Any(s => s < 0) || total != data.Length)
            throw new ArgumentException($"IdxFile.Write: shape [{string.Join(",", shape)}] does not match {data.Length} data bytes.");
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = UnsignedByte;
        bytes[3] = (byte)shape.Length;
        for (int d = 0; d < shape.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), shape[d]);
        data.CopyTo(bytes, 4 + 4 * shape.Length);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Optimal);
        zip.Write(bytes);
    }

    private static byte[] Gunzip(byte[] raw)
    {
        using var input = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
