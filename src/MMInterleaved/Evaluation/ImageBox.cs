namespace MMInterleaved.Evaluation;

/// <summary>
/// An axis-aligned box in image pixels, (X1, Y1) the top-left and (X2, Y2) the bottom-right corner. Single precision,
/// because MM-Interleaved's grounding evaluation computes boxes and IoU in float32 tensors, and an IoU right at 0.5
/// can fall either side depending on the precision.
/// </summary>
/// <param name="X1">Left edge.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
public readonly record struct ImageBox(float X1, float Y1, float X2, float Y2)
{
    /// <summary>Largest coordinate of the 0…999 grid on which MM-Interleaved writes boxes.</summary>
    public const int GridMax = 999;

    /// <summary>
    /// A box given on the 0…999 grid scaled to a <paramref name="width"/> × <paramref name="height"/> image as the
    /// reference does: each coordinate divided by 999, then x multiplied by the width and y by the height.
    /// </summary>
    public static ImageBox FromGrid(float x1, float y1, float x2, float y2, int width, int height) =>
        new(x1 / GridMax * width, y1 / GridMax * height, x2 / GridMax * width, y2 / GridMax * height);

    /// <summary>(X2 − X1) · (Y2 − Y1), as torchvision's <c>box_area</c> (negative for an inverted box).</summary>
    public float Area => (X2 - X1) * (Y2 - Y1);

    /// <summary>
    /// Intersection over union, as torchvision's <c>box_iou</c>: the intersection's sides are clamped at 0; two empty
    /// boxes give NaN (0 / 0), which is below any threshold.
    /// </summary>
    public float Iou(ImageBox other)
    {
        float width = Math.Max(Math.Min(X2, other.X2) - Math.Max(X1, other.X1), 0f);
        float height = Math.Max(Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1), 0f);
        float intersection = width * height;
        float union = Area + other.Area - intersection;
        return intersection / union;
    }
}
