namespace MMInterleaved.Data.Real;

/// <summary>An unsigned-byte IDX array (the MNIST file format): its dimensions and its row-major data.</summary>
public sealed record IdxArray(int[] Shape, byte[] Data)
{
    /// <summary>Size of dimension 0 (the item count).</summary>
    public int Length => Shape.Length > 0 ? Shape[0] : 0;
}
