namespace MMInterleaved.Evaluation;

/// <summary>How <see cref="GlyphSegmenter.Train"/> fits a segmenter to real renders: Adam at
/// <paramref name="LearningRate"/> for <paramref name="Steps"/> steps of <paramref name="BatchSize"/> fresh scenes,
/// drawn from a stream of <paramref name="Seed"/> disjoint from the tasks' streams, with a network
/// <paramref name="Width"/> channels wide at full resolution.</summary>
public sealed record SegmenterTrainingOptions(int Steps = 800, int BatchSize = 16, double LearningRate = 3e-3, long Seed = 0, int Width = 16)
{
    /// <summary>Throws an ArgumentException naming a field that is out of range.</summary>
    public SegmenterTrainingOptions Validated()
    {
        if (Steps < 1) throw new ArgumentException($"SegmenterTrainingOptions: Steps is {Steps}; it must be positive.");
        if (BatchSize < 1) throw new ArgumentException($"SegmenterTrainingOptions: BatchSize is {BatchSize}; it must be positive.");
        if (!(LearningRate > 0)) throw new ArgumentException($"SegmenterTrainingOptions: LearningRate is {LearningRate}; it must be positive.");
        if (Width < 1) throw new ArgumentException($"SegmenterTrainingOptions: Width is {Width}; it must be positive.");
        return this;
    }
}
