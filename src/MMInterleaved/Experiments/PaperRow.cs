namespace MMInterleaved.Experiments;

/// <summary>The paper's numbers for one variant (typed from the paper, labelled as the paper's everywhere they appear).</summary>
/// <param name="Variant">The variant they belong to.</param>
/// <param name="Setting">The paper's description of the row.</param>
/// <param name="Caption">COCO caption CIDEr.</param>
/// <param name="OkVqa">OK-VQA accuracy.</param>
/// <param name="TextVqa">TextVQA accuracy.</param>
public sealed record PaperRow(string Variant, string Setting, double? Caption, double? OkVqa, double? TextVqa);
