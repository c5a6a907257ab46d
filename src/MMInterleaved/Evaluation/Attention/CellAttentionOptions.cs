using MMInterleaved.Data;

namespace MMInterleaved.Evaluation.Attention;

/// <summary>How <see cref="CellAttention"/> measures where a trained model's MMFS layers look.</summary>
public sealed record CellAttentionOptions
{
    /// <summary>Questions about a named cell (glyph_at_cell and color_at_cell, half each), one per image.</summary>
    public int Questions { get; init; } = 500;
    /// <summary>The split the questions come from: Test, as final numbers are (Validation for development).</summary>
    public DataSplit Split { get; init; } = DataSplit.Test;
    /// <summary>Seed of the question stream (the glyph-vqa task's seed).</summary>
    public long Seed { get; init; }
    /// <summary>Cells per grid side, as the model was trained (`mmi train --grid`).</summary>
    public int GridSide { get; init; } = 4;

    /// <summary>These options, or an error naming the bad field.</summary>
    public CellAttentionOptions Validated()
    {
        if (Questions < 1) throw new ArgumentException($"Questions is {Questions}; it must be positive.");
        if (Split == DataSplit.Train) throw new ArgumentException("Split is Train; measure on held-out questions (Test, or Validation).");
        if (GridSide is < 2 or > 16) throw new ArgumentException($"GridSide is {GridSide}; it must be in 2…16 (a one-cell grid has no cell to pick).");
        return this;
    }
}
