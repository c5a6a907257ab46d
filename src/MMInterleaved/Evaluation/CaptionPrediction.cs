namespace MMInterleaved.Evaluation;

/// <summary>One generated caption.</summary>
/// <param name="ImageId">Image id (the query's index in the evaluated list).</param>
/// <param name="Caption">The generated caption.</param>
public sealed record CaptionPrediction(long ImageId, string Caption);
