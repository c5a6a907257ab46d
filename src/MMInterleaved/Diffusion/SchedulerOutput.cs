using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>One denoising step: the sample at the previous timestep and the x̂₀ the step predicted.</summary>
public sealed record SchedulerOutput(Tensor PrevSample, Tensor PredOriginalSample);
