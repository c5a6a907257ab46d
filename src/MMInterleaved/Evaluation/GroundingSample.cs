namespace MMInterleaved.Evaluation;

/// <summary>One referring-expression grounding example to score.</summary>
/// <param name="Prediction">The model's output text, expected to hold <c>(x1,y1)(x2,y2)</c> on the 0…999 grid.</param>
/// <param name="Truth">The ground-truth box in pixels (<see cref="ImageBox.FromGrid"/> converts one given on the grid, as
/// MM-Interleaved's annotations give it).</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
public sealed record GroundingSample(string Prediction, ImageBox Truth, int Width, int Height);
