using System.Text.Json.Serialization;
using System.Text.Json.Nodes;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The configuration of a diffusers <c>UNet2DConditionModel</c> (v0.20.0), with diffusers' <c>config.json</c> keys. Only the
/// architecture MM-Interleaved's image decoder uses is built: positional time embedding, cross-attention down/up blocks and
/// plain ones, the cross-attention mid block, the default (additive) time conditioning. A config that asks for anything
/// else (class embeddings, dual cross-attention, scale-shift, …) is refused naming the key. The defaults are SD 2.1-base's.
/// </summary>
public sealed record UNet2DConditionConfig
{
    /// <summary>Side the model was trained at (informational; any side works).</summary>
    public int SampleSize { get; init; } = 64;
    /// <summary>Channels of the noisy sample (4 latent channels; 3 for pixel space).</summary>
    public int InChannels { get; init; } = 4;
    /// <summary>Channels of the prediction.</summary>
    public int OutChannels { get; init; } = 4;
    /// <summary>Sinusoid order [cos | sin] (true) or [sin | cos].</summary>
    public bool FlipSinToCos { get; init; } = true;
    /// <summary>diffusers' <c>freq_shift</c>: the frequency denominator is half − shift.</summary>
    public double FreqShift { get; init; }
    /// <summary><c>CrossAttnDownBlock2D</c> or <c>DownBlock2D</c> per level.</summary>
    public IReadOnlyList<string> DownBlockTypes { get; init; } = [CrossAttnDown, CrossAttnDown, CrossAttnDown, PlainDown];
    /// <summary><c>UpBlock2D</c> or <c>CrossAttnUpBlock2D</c> per level (the down types reversed).</summary>
    public IReadOnlyList<string> UpBlockTypes { get; init; } = [PlainUp, CrossAttnUp, CrossAttnUp, CrossAttnUp];
    /// <summary>Channels C per level.</summary>
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [320, 640, 1280, 1280];
    /// <summary>Resnets per down block (up blocks have one more).</summary>
    public int LayersPerBlock { get; init; } = 2;
    /// <summary>Padding of the stride-2 down-sampling convolutions.</summary>
    public int DownsamplePadding { get; init; } = 1;
    /// <summary>Output scale of the mid block's resnets.</summary>
    public double MidBlockScaleFactor { get; init; } = 1;
    /// <summary>GroupNorm groups of the resnets, the transformers and conv_norm_out.</summary>
    public int NormNumGroups { get; init; } = 32;
    /// <summary>GroupNorm eps of the resnets and conv_norm_out (the transformers' GroupNorm always uses 1e-6).</summary>
    public double NormEps { get; init; } = 1e-5;
    /// <summary>Width of <c>encoder_hidden_states</c>.</summary>
    public int CrossAttentionDim { get; init; } = 1024;
    /// <summary>diffusers' <c>attention_head_dim</c>, which in v0.20 is the number of HEADS per level (diffusers issue
    /// 2011); head width = C / heads. The mid block uses the last entry.</summary>
    public IReadOnlyList<int> AttentionHeads { get; init; } = [5, 10, 20, 20];
    /// <summary>Linear proj_in/proj_out in the transformers (SD 2.x) or 1×1 convolutions (SD 1.x).</summary>
    public bool UseLinearProjection { get; init; } = true;
    /// <summary>Upcast attention scores to float32 (no effect in float32 and float64 computation).</summary>
    public bool UpcastAttention { get; init; }
    /// <summary>Kernel of conv_in (odd).</summary>
    public int ConvInKernel { get; init; } = 3;
    /// <summary>Kernel of conv_out (odd).</summary>
    public int ConvOutKernel { get; init; } = 3;

    /// <summary>Block type names.</summary>
    public const string CrossAttnDown = "CrossAttnDownBlock2D", PlainDown = "DownBlock2D", CrossAttnUp = "CrossAttnUpBlock2D", PlainUp = "UpBlock2D",
        MidCrossAttn = "UNetMidBlock2DCrossAttn";

    /// <summary>Width of the sinusoidal embedding (C0) and of the time embedding (4·C0).</summary>
    [JsonIgnore] public int TimeProjectionDim => BlockOutChannels[0];
    /// <summary>Width of the time embedding every resnet reads.</summary>
    [JsonIgnore] public int TimeEmbeddingDim => 4 * BlockOutChannels[0];
    /// <summary>Up-samplers on the way up (all up blocks but the last).</summary>
    [JsonIgnore] public int NumUpsamplers => BlockOutChannels.Count - 1;

    /// <summary>Checks the structure (diffusers' own checks and what GroupNorm and the heads need); throws an
    /// ArgumentException naming the key.</summary>
    public UNet2DConditionConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("UNet2DConditionModel config: " + message); }
        int n = BlockOutChannels.Count;
        Require(n > 0, "block_out_channels is empty.");
        Require(DownBlockTypes.Count == n && UpBlockTypes.Count == n && AttentionHeads.Count == n,
            $"block_out_channels ({n}), down_block_types ({DownBlockTypes.Count}), up_block_types ({UpBlockTypes.Count}) and attention_head_dim ({AttentionHeads.Count}) must have one entry per level.");
        Require(DownBlockTypes.All(t => t is CrossAttnDown or PlainDown), $"down_block_types are {string.Join(", ", DownBlockTypes)}; supported: {CrossAttnDown}, {PlainDown}.");
        Require(UpBlockTypes.All(t => t is CrossAttnUp or PlainUp), $"up_block_types are {string.Join(", ", UpBlockTypes)}; supported: {CrossAttnUp}, {PlainUp}.");
        for (int i = 0; i < n; i++)
            Require((DownBlockTypes[i] == CrossAttnDown) == (UpBlockTypes[n - 1 - i] == CrossAttnUp),
                $"up_block_types[{n - 1 - i}] is {UpBlockTypes[n - 1 - i]} but down_block_types[{i}] is {DownBlockTypes[i]}: the up path mirrors the down path.");
        Require(InChannels > 0 && OutChannels > 0 && LayersPerBlock > 0 && CrossAttentionDim > 0 && NormNumGroups > 0 && NormEps > 0,
            "in_channels, out_channels, layers_per_block, cross_attention_dim, norm_num_groups and norm_eps must be positive.");
        Require(ConvInKernel % 2 == 1 && ConvOutKernel % 2 == 1, $"conv_in_kernel ({ConvInKernel}) and conv_out_kernel ({ConvOutKernel}) must be odd.");
        for (int i = 0; i < n; i++)
        {
            int c = BlockOutChannels[i];
            Require(c > 0 && c % NormNumGroups == 0, $"block_out_channels[{i}] is {c}; it must be a positive multiple of norm_num_groups ({NormNumGroups}).");
            Require(AttentionHeads[i] > 0 && c % AttentionHeads[i] == 0, $"attention_head_dim[{i}] (heads) is {AttentionHeads[i]}; it must divide block_out_channels[{i}] ({c}).");
        }
        Require(BlockOutChannels[^1] % AttentionHeads[^1] == 0, "the mid block's heads must divide the last block_out_channels.");
        foreach (var (resnet, width) in UpResnetInputWidths())
            Require(width % NormNumGroups == 0, $"the input of {resnet} is {width} channels wide (hidden + skip); it must be a multiple of norm_num_groups ({NormNumGroups}).");
        return this;
    }

    /// <summary>Input width of every up-block resnet (previous output or C, plus the skip it concatenates), by name.</summary>
    public IEnumerable<(string Resnet, int Width)> UpResnetInputWidths()
    {
        int n = BlockOutChannels.Count, output = BlockOutChannels[^1];
        for (int i = 0; i < n; i++)
        {
            int previous = output;
            output = BlockOutChannels[n - 1 - i];
            int input = BlockOutChannels[Math.Max(n - 2 - i, 0)];
            for (int j = 0; j <= LayersPerBlock; j++)
                yield return ($"up_blocks.{i}.resnets.{j}", (j == 0 ? previous : output) + (j == LayersPerBlock ? input : output));
        }
    }

    // Keys of diffusers 0.20's config that select machinery this model does not build: each must keep its default.
    private static readonly Dictionary<string, JsonNode?> MustBeDefault = new()
    {
        ["center_input_sample"] = false, ["mid_block_type"] = MidCrossAttn, ["only_cross_attention"] = false, ["dual_cross_attention"] = false,
        ["transformer_layers_per_block"] = 1, ["num_attention_heads"] = null, ["encoder_hid_dim"] = null, ["encoder_hid_dim_type"] = null,
        ["class_embed_type"] = null, ["addition_embed_type"] = null, ["num_class_embeds"] = null, ["resnet_time_scale_shift"] = "default",
        ["resnet_skip_time_act"] = false, ["resnet_out_scale_factor"] = 1.0, ["time_embedding_type"] = "positional", ["time_embedding_dim"] = null,
        ["time_embedding_act_fn"] = null, ["timestep_post_act"] = null, ["time_cond_proj_dim"] = null, ["projection_class_embeddings_input_dim"] = null,
        ["class_embeddings_concat"] = false, ["mid_block_only_cross_attention"] = null, ["cross_attention_norm"] = null, ["act_fn"] = "silu",
        ["attention_type"] = "default", ["dropout"] = 0.0,
    };

    // Keys that only describe other machinery's sizes when that machinery is off (or are bookkeeping).
    private static readonly HashSet<string> Ignored = ["addition_embed_type_num_heads", "addition_time_embed_dim"];

    /// <summary>Parses a diffusers <c>config.json</c>; <paramref name="source"/> names it in errors (one line, naming the key).</summary>
    public static UNet2DConditionConfig FromJson(string json, string source = "config.json")
    {
        var c = DiffusersConfig.Read(json, source, nameof(UNet2DConditionModel), new UNet2DConditionConfig(), MustBeDefault, Ignored, static (c, key, v) => key switch
        {
            "sample_size" => c with { SampleSize = DiffusersConfig.Int(v) },
            "in_channels" => c with { InChannels = DiffusersConfig.Int(v) },
            "out_channels" => c with { OutChannels = DiffusersConfig.Int(v) },
            "flip_sin_to_cos" => c with { FlipSinToCos = v.GetValue<bool>() },
            "freq_shift" => c with { FreqShift = DiffusersConfig.Double(v) },
            "down_block_types" => c with { DownBlockTypes = DiffusersConfig.Strings(v) },
            "up_block_types" => c with { UpBlockTypes = DiffusersConfig.Strings(v) },
            "block_out_channels" => c with { BlockOutChannels = DiffusersConfig.Ints(v) },
            "layers_per_block" => c with { LayersPerBlock = DiffusersConfig.Int(v) },
            "downsample_padding" => c with { DownsamplePadding = DiffusersConfig.Int(v) },
            "mid_block_scale_factor" => c with { MidBlockScaleFactor = DiffusersConfig.Double(v) },
            "norm_num_groups" => c with { NormNumGroups = DiffusersConfig.Int(v) },
            "norm_eps" => c with { NormEps = DiffusersConfig.Double(v) },
            "cross_attention_dim" => c with { CrossAttentionDim = DiffusersConfig.Int(v) },
            // an int means the same count at every level (diffusers broadcasts it)
            "attention_head_dim" => c with { AttentionHeads = v is JsonArray ? DiffusersConfig.Ints(v) : [DiffusersConfig.Int(v)] },
            "use_linear_projection" => c with { UseLinearProjection = v.GetValue<bool>() },
            "upcast_attention" => c with { UpcastAttention = v.GetValue<bool>() },
            "conv_in_kernel" => c with { ConvInKernel = DiffusersConfig.Int(v) },
            "conv_out_kernel" => c with { ConvOutKernel = DiffusersConfig.Int(v) },
            _ => null,
        });
        if (c.AttentionHeads.Count == 1 && c.BlockOutChannels.Count > 1)
            c = c with { AttentionHeads = Enumerable.Repeat(c.AttentionHeads[0], c.BlockOutChannels.Count).ToArray() };
        try { return c.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>Reads a diffusers config file.</summary>
    public static UNet2DConditionConfig Load(string path) =>
        File.Exists(path) ? FromJson(File.ReadAllText(path), path) : throw new FileNotFoundException($"{path}: UNet config not found.", path);

    /// <summary>The config as diffusers writes it (the keys this model reads, plus <c>_class_name</c>).</summary>
    public string ToJson() => DiffusersConfig.Write(new JsonObject
    {
        ["_class_name"] = nameof(UNet2DConditionModel), ["_diffusers_version"] = "0.20.0",
        ["act_fn"] = "silu", ["attention_head_dim"] = DiffusersConfig.Array(AttentionHeads), ["block_out_channels"] = DiffusersConfig.Array(BlockOutChannels),
        ["conv_in_kernel"] = ConvInKernel, ["conv_out_kernel"] = ConvOutKernel, ["cross_attention_dim"] = CrossAttentionDim,
        ["down_block_types"] = DiffusersConfig.Array(DownBlockTypes), ["downsample_padding"] = DownsamplePadding,
        ["flip_sin_to_cos"] = FlipSinToCos, ["freq_shift"] = FreqShift, ["in_channels"] = InChannels, ["layers_per_block"] = LayersPerBlock,
        ["mid_block_scale_factor"] = MidBlockScaleFactor, ["mid_block_type"] = MidCrossAttn, ["norm_eps"] = NormEps, ["norm_num_groups"] = NormNumGroups,
        ["out_channels"] = OutChannels, ["sample_size"] = SampleSize, ["up_block_types"] = DiffusersConfig.Array(UpBlockTypes),
        ["upcast_attention"] = UpcastAttention, ["use_linear_projection"] = UseLinearProjection,
    });
}
