namespace MMInterleaved.Benchmarks;

/// <summary>One variant of the image-decoder benchmark: medians of a training step (loss, backward, AdamW) and of sampling
/// one batch, in milliseconds, with every sample.</summary>
public sealed record ImageDecoderBenchRow(string Variant, double StepMs, double SamplingMs, double[] StepSamples, double[] SamplingSamples);
