using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>
/// diffusers' <c>UNet2DConditionModel</c> (v0.20.0) with its parameter names: time embedding → conv_in → down blocks
/// (collecting the skip features) → mid block → (additional residuals, the MMFS hook) → up blocks → conv_norm_out, SiLU,
/// conv_out. Predicts the noise (or v) of a noisy sample at a timestep, given the context tokens.
/// </summary>
public sealed class UNet2DConditionModel : nn.Module
{
    [ComponentName(Name = "time_embedding")] private readonly TimestepEmbedding timeEmbedding;
    [ComponentName(Name = "conv_in")] private readonly Conv2d convIn;
    [ComponentName(Name = "down_blocks")] private readonly ModuleList<UNetDownBlock> downBlocks;
    [ComponentName(Name = "mid_block")] private readonly UNetMidBlock2DCrossAttn midBlock;
    [ComponentName(Name = "up_blocks")] private readonly ModuleList<UNetUpBlock> upBlocks;
    [ComponentName(Name = "conv_norm_out")] private readonly GroupNorm convNormOut;
    [ComponentName(Name = "conv_out")] private readonly Conv2d convOut;

    /// <summary>Builds the network of <paramref name="config"/> (PyTorch's default initialisation; GroupNorms at 1 and 0).</summary>
    public UNet2DConditionModel(UNet2DConditionConfig? config = null, string name = "unet") : base(name)
    {
        Config = (config ?? new UNet2DConditionConfig()).Validated();
        var c = Config.BlockOutChannels;
        timeEmbedding = new TimestepEmbedding(Config.TimeProjectionDim, Config.TimeEmbeddingDim);
        convIn = DiffusionLayers.Conv(Config.InChannels, c[0], Config.ConvInKernel);
        downBlocks = new ModuleList<UNetDownBlock>(Enumerable.Range(0, c.Count).Select(i => new UNetDownBlock(Config, i, i == 0 ? c[0] : c[i - 1])).ToArray());
        midBlock = new UNetMidBlock2DCrossAttn(Config);
        upBlocks = new ModuleList<UNetUpBlock>(Enumerable.Range(0, c.Count).Select(i => new UNetUpBlock(Config, i)).ToArray());
        convNormOut = DiffusionLayers.GroupNorm(Config.NormNumGroups, c[0], Config.NormEps);
        convOut = DiffusionLayers.Conv(c[0], Config.OutChannels, Config.ConvOutKernel);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public UNet2DConditionConfig Config { get; }

    /// <summary>File names of a diffusers model folder.</summary>
    public const string ConfigFile = "config.json", WeightsFile = "diffusion_pytorch_model.safetensors";

    /// <summary>Opens a diffusers UNet folder (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>), loading
    /// every weight strictly.</summary>
    public static UNet2DConditionModel FromPretrained(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such UNet folder.");
        var model = new UNet2DConditionModel(UNet2DConditionConfig.Load(Path.Combine(folder, ConfigFile)));
        Runtime.StateDictFile.Load(model, Path.Combine(folder, WeightsFile), nameof(UNet2DConditionModel));
        return model;
    }

    /// <summary>Writes the folder <see cref="FromPretrained"/> reads.</summary>
    public void SavePretrained(string folder)
    {
        Directory.CreateDirectory(folder);
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), Config.ToJson());
        Runtime.AtomicFile.Write(Path.Combine(folder, WeightsFile), temporary =>
            TorchSharp.PyBridge.Safetensors.SaveStateDict(temporary, state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous())));
    }

    /// <summary>Skip features the down path hands to the up path (conv_in's output included).</summary>
    public int SkipCount => 1 + downBlocks.Sum(b => b.SkipCount);

    /// <summary>
    /// The predicted noise for <paramref name="sample"/> [B, C, H, W] at <paramref name="timestep"/> ([B] or a scalar,
    /// broadcast) given <paramref name="encoderHiddenStates"/> [B, M, cross_attention_dim]. With both residual arguments
    /// (diffusers' ControlNet path), they are added to the skip features and to the mid-block output before the up path.
    /// </summary>
    public Tensor forward(Tensor sample, Tensor timestep, Tensor encoderHiddenStates,
        IReadOnlyList<Tensor>? downBlockAdditionalResiduals = null, Tensor? midBlockAdditionalResidual = null) =>
        Denoise(sample, TimeProjection(timestep, sample.shape[0]), encoderHiddenStates, downBlockAdditionalResiduals, midBlockAdditionalResidual);

    /// <summary>The sinusoidal time projection diffusers feeds <c>time_embedding</c> (float32 [B, C0]).</summary>
    public Tensor TimeProjection(Tensor timestep, long batch)
    {
        var t = timestep.dim() == 0 ? timestep.expand(batch) : timestep;
        if (t.shape[0] != batch) throw new ArgumentException($"timestep has {t.shape[0]} entries for a batch of {batch}.");
        return TimestepEmbedding.Sinusoid(t, Config.TimeProjectionDim, Config.FlipSinToCos, Config.FreqShift);
    }

    /// <summary>
    /// <see cref="forward"/> from a given time projection (what <see cref="TimeProjection"/> returns), with an optional
    /// <paramref name="hook"/> after the mid block (MMFSNet) and <paramref name="tap"/>, which hears the named
    /// intermediates (<c>emb</c>, <c>down_res.NN</c>, <c>mid_out</c>) as diffusers' fixtures name them; a tapped tensor is
    /// valid during the call only (clone it to keep it).
    /// </summary>
    public Tensor Denoise(Tensor sample, Tensor timeProjection, Tensor encoderHiddenStates,
        IReadOnlyList<Tensor>? downBlockAdditionalResiduals = null, Tensor? midBlockAdditionalResidual = null,
        UNetSkipHook? hook = null, Action<string, Tensor>? tap = null)
    {
        if (sample.dim() != 4 || sample.shape[1] != Config.InChannels)
            throw new ArgumentException($"sample is [{string.Join(", ", sample.shape)}]; expected [B, {Config.InChannels}, H, W].");
        if (encoderHiddenStates.dim() != 3 || encoderHiddenStates.shape[^1] != Config.CrossAttentionDim || encoderHiddenStates.shape[0] != sample.shape[0])
            throw new ArgumentException($"encoder_hidden_states is [{string.Join(", ", encoderHiddenStates.shape)}]; expected [{sample.shape[0]}, M, {Config.CrossAttentionDim}].");
        if ((downBlockAdditionalResiduals is null) != (midBlockAdditionalResidual is null))
            throw new ArgumentException("give both downBlockAdditionalResiduals and midBlockAdditionalResidual (diffusers' ControlNet path) or neither; the adapter path is not built.");
        using var scope = NewDisposeScope();
        long factor = 1L << Config.NumUpsamplers;
        bool forwardUpsampleSize = sample.shape[2] % factor != 0 || sample.shape[3] % factor != 0;

        var emb = timeEmbedding.forward(timeProjection.to(sample.dtype));
        tap?.Invoke("emb", emb);
        var h = convIn.forward(sample);
        var skips = new List<Tensor> { h };
        foreach (var block in downBlocks) h = block.forward(h, emb, encoderHiddenStates, skips);
        if (downBlockAdditionalResiduals is not null)
        {
            if (downBlockAdditionalResiduals.Count != skips.Count)
                throw new ArgumentException($"downBlockAdditionalResiduals has {downBlockAdditionalResiduals.Count} tensors; the UNet has {skips.Count} skip features.");
            skips = skips.Zip(downBlockAdditionalResiduals, (s, r) => s + r).ToList();
        }
        for (int i = 0; i < skips.Count; i++) tap?.Invoke($"down_res.{i:00}", skips[i]);
        h = midBlock.forward(h, emb, encoderHiddenStates);
        if (midBlockAdditionalResidual is not null) h = h + midBlockAdditionalResidual;
        tap?.Invoke("mid_out", h);
        if (hook is not null)
        {
            var (mid, hooked) = hook(h, skips);
            if (hooked.Count != skips.Count) throw new InvalidOperationException($"the skip hook returned {hooked.Count} skips for {skips.Count}.");
            (h, skips) = (mid, hooked.ToList());
        }
        for (int i = 0; i < upBlocks.Count; i++)
        {
            var block = upBlocks[i];
            bool last = i == upBlocks.Count - 1;
            (long, long)? size = !last && forwardUpsampleSize ? (skips[^(block.SkipCount + 1)].shape[2], skips[^(block.SkipCount + 1)].shape[3]) : null;
            h = block.forward(h, skips, emb, encoderHiddenStates, size);
        }
        var output = convOut.forward(F.silu(convNormOut.forward(h)));
        return output.MoveToOuterDisposeScope();
    }
}
