namespace MMInterleaved.Data.Tasks;

/// <summary>How <c>glyph-caption</c> words its captions.</summary>
public enum GridCaptionStyle
{
    /// <summary>One of five phrasings per document, all five as references (<see cref="GridText.Captions"/>); a 4×4 grid's
    /// captions run to 100–150 words.</summary>
    Varied,

    /// <summary>One compact phrasing, row by row ("row 1: red seven, blue cross, …. row 2: …"), the only reference
    /// (<see cref="GridText.RowCaption"/>): every cell's colour and glyph in about 60 tokens on a 4×4 grid, so a whole
    /// detail caption fits the small preset's training window. The detail-captioning ablation uses it.</summary>
    Rows,
}
