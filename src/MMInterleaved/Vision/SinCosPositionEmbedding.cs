using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>
/// Fixed sine-cosine position embeddings as the reference builds them (MAE's <c>get_2d_sincos_pos_embed</c>): the first
/// half of the channels encodes the row, the second half the column, each as [sin(p·ω), cos(p·ω)] with
/// ω_i = 10000^(−i/(D/4)); resized bicubically (align_corners false) to other grid sides as <c>get_abs_pos</c> does.
/// </summary>
public static class SinCosPositionEmbedding
{
    /// <summary>1-D embedding [positions.Length, dim] of the given positions.</summary>
    public static Tensor Build1D(int dim, Tensor positions)
    {
        if (dim % 2 != 0) throw new ArgumentException($"sin-cos embedding width must be even; got {dim}.");
        var omega = 1.0 / pow(10000.0, arange(dim / 2, dtype: float64) / (dim / 2.0));
        var angles = positions.to(float64).reshape(-1, 1) * omega.view(1, -1);
        return cat([angles.sin(), angles.cos()], 1).to(float32);
    }

    /// <summary>2-D embedding [side², dim] (row-major), with a leading zero row when <paramref name="clsToken"/>.</summary>
    public static Tensor Build2D(int dim, int side, bool clsToken = false)
    {
        if (dim % 4 != 0) throw new ArgumentException($"2-D sin-cos embedding width must be a multiple of 4; got {dim}.");
        var rows = arange(side, dtype: float64).view(-1, 1).expand(side, side).reshape(-1);
        var cols = arange(side, dtype: float64).view(1, -1).expand(side, side).reshape(-1);
        var embedding = cat([Build1D(dim / 2, rows), Build1D(dim / 2, cols)], 1);
        return clsToken ? cat([zeros(1, dim), embedding], 0) : embedding;
    }

    /// <summary>Resizes a square grid embedding [side², D] to [target², D] (bicubic); unchanged when the sides match.</summary>
    public static Tensor ResizeGrid(Tensor grid, int targetSide) => ResizeGrid(grid, targetSide, targetSide);

    /// <summary>Resizes a square grid embedding [side², D] to [height·width, D] (row-major), bicubically in float32 as
    /// the reference's <c>get_abs_pos</c> does; unchanged when the grid already has that shape.</summary>
    public static Tensor ResizeGrid(Tensor grid, int height, int width)
    {
        int side = (int)Math.Round(Math.Sqrt(grid.shape[0]));
        if (side * side != grid.shape[0]) throw new ArgumentException($"grid embedding has {grid.shape[0]} rows, not a square number.");
        if (side == height && side == width) return grid;
        var map = grid.to(float32).reshape(1, side, side, -1).permute(0, 3, 1, 2);
        var resized = F.interpolate(map, [height, width], mode: InterpolationMode.Bicubic, align_corners: false);
        return resized.permute(0, 2, 3, 1).reshape((long)height * width, -1).to(grid.dtype);
    }
}
