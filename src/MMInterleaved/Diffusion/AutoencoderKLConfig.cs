using System.Text.Json.Serialization;
using System.Text.Json.Nodes;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The configuration of diffusers' <c>AutoencoderKL</c> (v0.20.0) with its <c>config.json</c> keys; the defaults are
/// SD 2.1's VAE (4 latent channels, ×8 down-sampling, scaling factor 0.18215). Every GroupNorm of the VAE uses eps 1e-6.
/// </summary>
public sealed record AutoencoderKLConfig
{
    /// <summary>Image channels in.</summary>
    public int InChannels { get; init; } = 3;
    /// <summary>Image channels out.</summary>
    public int OutChannels { get; init; } = 3;
    /// <summary>Latent channels.</summary>
    public int LatentChannels { get; init; } = 4;
    /// <summary>Channels per level.</summary>
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [128, 256, 512, 512];
    /// <summary>Resnets per encoder block (decoder blocks have one more).</summary>
    public int LayersPerBlock { get; init; } = 2;
    /// <summary>GroupNorm groups.</summary>
    public int NormNumGroups { get; init; } = 32;
    /// <summary>Side the model was trained at (informational).</summary>
    public int SampleSize { get; init; } = 768;
    /// <summary>Latents are multiplied by this after encoding and divided before decoding (by the pipelines, not by
    /// <see cref="AutoencoderKL.Encode"/>/<see cref="AutoencoderKL.Decode"/>).</summary>
    public double ScalingFactor { get; init; } = 0.18215;

    /// <summary>Block type names.</summary>
    public const string DownBlock = "DownEncoderBlock2D", UpBlock = "UpDecoderBlock2D";

    /// <summary>Image side over latent side.</summary>
    [JsonIgnore] public int DownsamplingFactor => 1 << (BlockOutChannels.Count - 1);

    /// <summary>Checks the values; throws an ArgumentException naming the key.</summary>
    public AutoencoderKLConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("AutoencoderKL config: " + message); }
        Require(BlockOutChannels.Count > 0 && BlockOutChannels.All(c => c > 0 && c % NormNumGroups == 0),
            $"block_out_channels ({string.Join(", ", BlockOutChannels)}) must be positive multiples of norm_num_groups ({NormNumGroups}).");
        Require(InChannels > 0 && OutChannels > 0 && LatentChannels > 0 && LayersPerBlock > 0 && NormNumGroups > 0 && ScalingFactor > 0,
            "in_channels, out_channels, latent_channels, layers_per_block, norm_num_groups and scaling_factor must be positive.");
        return this;
    }

    private static readonly Dictionary<string, JsonNode?> MustBeDefault = new() { ["act_fn"] = "silu" };
    // force_upcast only says whether fp16 pipelines upcast the VAE; this workbench decodes in float32 or wider anyway
    private static readonly HashSet<string> Ignored = ["force_upcast"];

    /// <summary>Parses a diffusers VAE <c>config.json</c>; errors name <paramref name="source"/> and the key.</summary>
    public static AutoencoderKLConfig FromJson(string json, string source = "config.json")
    {
        var c = DiffusersConfig.Read(json, source, nameof(AutoencoderKL), new AutoencoderKLConfig(), MustBeDefault, Ignored, (c, key, v) => key switch
        {
            "in_channels" => c with { InChannels = DiffusersConfig.Int(v) },
            "out_channels" => c with { OutChannels = DiffusersConfig.Int(v) },
            "latent_channels" => c with { LatentChannels = DiffusersConfig.Int(v) },
            "block_out_channels" => c with { BlockOutChannels = DiffusersConfig.Ints(v) },
            "layers_per_block" => c with { LayersPerBlock = DiffusersConfig.Int(v) },
            "norm_num_groups" => c with { NormNumGroups = DiffusersConfig.Int(v) },
            "sample_size" => c with { SampleSize = DiffusersConfig.Int(v) },
            "scaling_factor" => c with { ScalingFactor = DiffusersConfig.Double(v) },
            "down_block_types" => DiffusersConfig.Strings(v).All(t => t == DownBlock) ? c : throw new InvalidDataException($"{source}: down_block_types must all be {DownBlock}."),
            "up_block_types" => DiffusersConfig.Strings(v).All(t => t == UpBlock) ? c : throw new InvalidDataException($"{source}: up_block_types must all be {UpBlock}."),
            _ => null,
        });
        try { return c.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>Reads a diffusers VAE config file.</summary>
    public static AutoencoderKLConfig Load(string path) =>
        File.Exists(path) ? FromJson(File.ReadAllText(path), path) : throw new FileNotFoundException($"{path}: VAE config not found.", path);

    /// <summary>The config as diffusers writes it.</summary>
    public string ToJson() => DiffusersConfig.Write(new JsonObject
    {
        ["_class_name"] = nameof(AutoencoderKL), ["_diffusers_version"] = "0.20.0", ["act_fn"] = "silu",
        ["block_out_channels"] = DiffusersConfig.Array(BlockOutChannels), ["down_block_types"] = DiffusersConfig.Array(BlockOutChannels.Select(_ => DownBlock)),
        ["in_channels"] = InChannels, ["latent_channels"] = LatentChannels, ["layers_per_block"] = LayersPerBlock, ["norm_num_groups"] = NormNumGroups,
        ["out_channels"] = OutChannels, ["sample_size"] = SampleSize, ["scaling_factor"] = ScalingFactor,
        ["up_block_types"] = DiffusersConfig.Array(BlockOutChannels.Select(_ => UpBlock)),
    });
}
