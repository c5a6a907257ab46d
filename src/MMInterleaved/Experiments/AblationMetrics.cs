namespace MMInterleaved.Experiments;

/// <summary>
/// The metric names of the ablation results and how they map onto the paper's columns: the official VQA accuracy in percent
/// on held-out glyph questions (one question per image, the default question mix), and the official caption metrics.
/// </summary>
public static class AblationMetrics
{
    /// <summary>Reading the glyph in a named cell (<c>glyph_at_cell</c>): the TextVQA column's analogue.</summary>
    public const string Reading = "vqa_reading";
    /// <summary>Colour of a named cell, counts and comparisons: the OK-VQA column's analogue.</summary>
    public const string Attributes = "vqa_attributes";
    /// <summary>Coarse questions about the whole scene (how many colours, which colour dominates, is there a kind): what a
    /// handful of visual tokens can carry, against the fine questions above that name a cell.</summary>
    public const string Coarse = "vqa_coarse";
    /// <summary>All questions.</summary>
    public const string Overall = "vqa_overall";
    /// <summary>Questions about an earlier image of a multi-image document (Table 8's multi-image effect).</summary>
    public const string MultiImage = "vqa_multi_image";
    /// <summary>CIDEr-D (×100, as papers print it) of row-by-row detail captions: the COCO-caption column's analogue.</summary>
    public const string Caption = "caption_cider";
    /// <summary>BLEU-4 (×100) of the same captions.</summary>
    public const string CaptionBleu4 = "caption_bleu4";

    /// <summary>Share (%) of MMFS layer <paramref name="layer"/>'s image attention inside the cell a question names
    /// (<see cref="Evaluation.Attention.CellAttention"/>: cell questions of the score split, at the answering token).</summary>
    public static string AttentionAsked(int layer) => $"attention_asked_l{layer}";
    /// <summary>The position-matched control of <see cref="AttentionAsked"/>: the share the same cell gets when another is asked.</summary>
    public static string AttentionControl(int layer) => $"attention_control_l{layer}";
    /// <summary>Whether <paramref name="metric"/> is one of the attention shares (not a column of the accuracy table).</summary>
    public static bool IsAttention(string metric) => metric.StartsWith("attention_", StringComparison.Ordinal);

    /// <summary>Column headings.</summary>
    public static IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        [Reading] = "reading a cell (≈ TextVQA)",
        [Attributes] = "colour, count, compare (≈ OK-VQA)",
        [Coarse] = "whole scene (coarse)",
        [Overall] = "all questions",
        [MultiImage] = "earlier image (multi-image)",
        [Caption] = "detail caption CIDEr (≈ COCO caption)",
        [CaptionBleu4] = "detail caption BLEU-4",
    };

    /// <summary>Which paper column a metric sits beside (null: none).</summary>
    public static string? PaperColumn(string metric) => metric switch
    {
        Reading => "TextVQA",
        Attributes => "OK-VQA",
        Caption => "Caption",
        _ => null,
    };
}
