using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The reference's <c>PerceiverResampler</c> (mm_interleaved/models/decoders/perceiver.py): NumQueries learned
/// queries (<c>queries</c>, [1, Q, H]) read encoder states through a BLIP-2 Q-Former (<c>blip2qformer</c>), turning
/// a variable number of input tokens into a fixed number of output tokens.
/// </summary>
public sealed class PerceiverResampler : nn.Module
{
    [ComponentName(Name = "queries")] private readonly Parameter queries;
    [ComponentName(Name = "blip2qformer")] private readonly Blip2QFormer qformer;

    /// <summary>The configuration this module was built with.</summary>
    public ResamplerConfig Config { get; }

    /// <summary>The Q-Former.</summary>
    public Blip2QFormer QFormer => qformer;

    /// <summary>The learned queries [1, NumQueries, HiddenSize].</summary>
    public Parameter Queries => queries;

    /// <summary>Builds the module: HF init for the Q-Former, queries N(0, QueryInitStd).</summary>
    public PerceiverResampler(ResamplerConfig config, string name = "perceiver_resampler") : base(name)
    {
        Config = config.Validated();
        qformer = new Blip2QFormer(Config);
        queries = nn.Parameter(zeros(1, Config.NumQueries, Config.HiddenSize));
        RegisterComponents();
        ResetParameters();
    }

    /// <summary>Re-draws every parameter as at construction.</summary>
    public void ResetParameters()
    {
        qformer.ResetParameters();
        using var noGrad = no_grad();
        queries.normal_(0, Config.QueryInitStd);
    }

    /// <summary>
    /// encoderHiddenStates [B, K, E]; encoderAttentionMask [B, K] (1 = attend, 0 = padding; null = all).
    /// Returns [B, NumQueries, HiddenSize]. The [1, Q, H] queries are passed unexpanded, as in the reference
    /// (see <see cref="Blip2QFormer.forward"/> for what that means for dropout).
    /// </summary>
    public Tensor forward(Tensor encoderHiddenStates, Tensor? encoderAttentionMask = null) =>
        qformer.forward(queries, encoderHiddenStates, encoderAttentionMask);
}
