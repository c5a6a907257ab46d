namespace MMInterleaved.Evaluation;

/// <summary>
/// Mean intersection over union with the standard (mmsegmentation) definition: per class, intersection and union are
/// summed over the whole dataset, IoU = Σ intersection / Σ union, and mIoU averages over the classes present (union > 0:
/// in the prediction or the label of some image); a class absent from both counts nowhere. Pixel accuracy is the share
/// of labelled pixels predicted right. Pixels labelled <see cref="IgnoreIndex"/> are left out of everything.
/// </summary>
public sealed class MeanIoU
{
    private readonly long[] intersection, union, labelled;
    private long correct, total;

    /// <summary>An empty accumulator over <paramref name="classCount"/> classes (0 … classCount − 1).</summary>
    public MeanIoU(int classCount, int ignoreIndex = 255)
    {
        if (classCount < 1) throw new ArgumentException($"MeanIoU: classCount is {classCount}; it must be positive.", nameof(classCount));
        ClassCount = classCount;
        IgnoreIndex = ignoreIndex;
        intersection = new long[classCount];
        union = new long[classCount];
        labelled = new long[classCount];
    }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The label value that marks unlabelled pixels (255, as in ADE20K's reduced labels).</summary>
    public int IgnoreIndex { get; }

    /// <summary>Adds one image: predicted and label classes per pixel, the same length.</summary>
    public void Add(IReadOnlyList<int> predicted, IReadOnlyList<int> label)
    {
        if (predicted.Count != label.Count) throw new ArgumentException($"MeanIoU: {predicted.Count} predicted pixels for {label.Count} labelled ones; they must match.");
        var predictedArea = new long[ClassCount];
        var labelArea = new long[ClassCount];
        var hit = new long[ClassCount];
        for (int p = 0; p < label.Count; p++)
        {
            int l = label[p], q = predicted[p];
            if (l == IgnoreIndex) continue;
            if ((uint)l >= ClassCount) throw new ArgumentException($"MeanIoU: pixel {p} is labelled {l}; classes run 0–{ClassCount - 1} (or {IgnoreIndex} for unlabelled).");
            if ((uint)q >= ClassCount) throw new ArgumentException($"MeanIoU: pixel {p} is predicted {q}; classes run 0–{ClassCount - 1}.");
            labelArea[l]++;
            predictedArea[q]++;
            if (l == q) { hit[l]++; correct++; }
            total++;
        }
        for (int c = 0; c < ClassCount; c++)
        {
            intersection[c] += hit[c];
            union[c] += predictedArea[c] + labelArea[c] - hit[c];
            labelled[c] += labelArea[c];
        }
    }

    /// <summary>Adds everything another accumulator over the same classes has counted (per-image accumulators merge
    /// into a resample's, for bootstrap errors).</summary>
    public void Merge(MeanIoU other)
    {
        if (other.ClassCount != ClassCount) throw new ArgumentException($"MeanIoU: cannot merge {other.ClassCount} classes into {ClassCount}.", nameof(other));
        for (int c = 0; c < ClassCount; c++)
        {
            intersection[c] += other.intersection[c];
            union[c] += other.union[c];
            labelled[c] += other.labelled[c];
        }
        correct += other.correct;
        total += other.total;
    }

    /// <summary>IoU per class, NaN for a class with no union.</summary>
    public double[] ClassIoU() => Enumerable.Range(0, ClassCount).Select(c => union[c] == 0 ? double.NaN : (double)intersection[c] / union[c]).ToArray();

    /// <summary>Mean IoU over the classes present (NaN when no pixel was added).</summary>
    public double Value
    {
        get
        {
            var present = ClassIoU().Where(v => !double.IsNaN(v)).ToArray();
            return present.Length == 0 ? double.NaN : present.Average();
        }
    }

    /// <summary>Share of labelled pixels predicted right (NaN when none).</summary>
    public double PixelAccuracy => total == 0 ? double.NaN : (double)correct / total;

    /// <summary>Labelled pixels per class so far.</summary>
    public IReadOnlyList<long> LabelledPixels => labelled;
}
