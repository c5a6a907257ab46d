namespace MMInterleaved.Training;

/// <summary>What <see cref="EncoderPretraining"/> trains the vision encoder to tell.</summary>
public enum EncoderObjective
{
    /// <summary>The glyph and colour of every cell of 4×4 glyph scenes, from features pooled per cell: the committed
    /// <c>small-encoder.safetensors</c>. Its labels are the cell questions' answers, so an ablation on it measures cell
    /// indexing more than access to detail (issue 17); kept as the labelled variant.</summary>
    CellLabels,

    /// <summary>One glyph anywhere in an otherwise empty image, at the size a glyph has in a 4×4 scene, its kind and
    /// colour read from features pooled over the whole image: the encoder never sees a grid scene or a cell label.</summary>
    IsolatedGlyphs,

    /// <summary>Glyphs scattered over a 6×6 lattice (three cells in ten filled, each glyph free to sit anywhere in its
    /// lattice cell), at the size a glyph has in a 4×4 scene, each lattice cell's glyph and colour (or "empty") read from
    /// features pooled over it: detection-like, localised supervision, but never the 4×4 grid the questions name, whose
    /// cells do not line up with the lattice's.</summary>
    ScatteredGlyphs,
}
