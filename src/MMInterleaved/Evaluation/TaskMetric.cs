namespace MMInterleaved.Evaluation;

/// <summary>The official metric a held-out set is scored with, chosen by its documents' metadata
/// (<see cref="TaskEvaluator.MetricOf"/>).</summary>
public enum TaskMetric
{
    /// <summary>BLEU and CIDEr-D against <c>captions</c> (pycocoevalcap).</summary>
    Captions,
    /// <summary>IoU ≥ 0.5 accuracy against a <c>box</c>.</summary>
    Grounding,
    /// <summary>VQA accuracy against <c>answers</c> (or one <c>answer</c>).</summary>
    Vqa,
    /// <summary>Text-to-image: the colour of every filled cell of the <c>layout</c>, read from the generated image.</summary>
    CellColors,
    /// <summary>Segmentation-to-image: mIoU of the generated image's segmentation against the input map (documents with
    /// <c>classes</c> metadata), with the cell colours.</summary>
    Segmentation,
    /// <summary>Storytelling: generated frames of a story (documents with <c>frame_layouts</c> metadata) read cell by
    /// cell, changed and unchanged cells apart, with image–image similarity.</summary>
    Story,
}
