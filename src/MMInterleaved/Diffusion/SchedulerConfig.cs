using System.Text.Json.Nodes;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The config of diffusers' DDPM and DDIM schedulers (v0.20.0), with diffusers' <c>scheduler_config.json</c> keys. The
/// defaults are SD 2.1-base's file (which MM-Interleaved loads as a DDPMScheduler for training and sampling). Keys of
/// other schedulers (the PNDM file's <c>skip_prk_steps</c>) are ignored, as diffusers ignores them; machinery this
/// workbench does not build (thresholding, trained betas, learned variances) is refused naming the key.
/// </summary>
public sealed record SchedulerConfig
{
    /// <summary>Training steps T.</summary>
    public int NumTrainTimesteps { get; init; } = 1000;
    /// <summary>First β.</summary>
    public double BetaStart { get; init; } = 0.00085;
    /// <summary>Last β.</summary>
    public double BetaEnd { get; init; } = 0.012;
    /// <summary><c>linear</c> (β linear) or <c>scaled_linear</c> (√β linear, SD's).</summary>
    public string BetaSchedule { get; init; } = "scaled_linear";
    /// <summary><c>epsilon</c> (the noise, SD 2.1-base), <c>v_prediction</c> or <c>sample</c>.</summary>
    public string PredictionType { get; init; } = "epsilon";
    /// <summary>Clamp the predicted x̂₀ to ±<see cref="ClipSampleRange"/> (diffusers' class default is true; SD's file says false).</summary>
    public bool ClipSample { get; init; }
    /// <summary>Range of <see cref="ClipSample"/>.</summary>
    public double ClipSampleRange { get; init; } = 1.0;
    /// <summary>DDIM: ᾱ before the first step is 1 (true) or ᾱ₀ (false, SD's).</summary>
    public bool SetAlphaToOne { get; init; }
    /// <summary>Added to every inference timestep ("leading" spacing: 1 in SD, giving 981 … 1 for 50 steps).</summary>
    public int StepsOffset { get; init; } = 1;
    /// <summary><c>leading</c> (SD's, and the default when the file has no key), <c>trailing</c> or <c>linspace</c>.</summary>
    public string TimestepSpacing { get; init; } = "leading";

    /// <summary>
    /// The pixel-space schedule of DDPM (Ho et al. 2020; diffusers' <c>google/ddpm-cifar10-32</c>): β linear from 1e-4 to
    /// 0.02, x̂₀ clipped to ±1; terminal √ᾱ 0.006. SD's latent schedule (the defaults) keeps √ᾱ 0.068 at t = 999 and 0.12
    /// at t = 900: averaged over a 16-pixel glyph cell that is more signal than noise, so a 32 px model reads each cell's
    /// colour from its noisy input at every timestep, never needs its caption, and draws from pure noise as if blind
    /// (results/text-to-image). Prediction type and spacing keep the defaults.
    /// </summary>
    public static SchedulerConfig PixelSpace { get; } = new() { BetaStart = 1e-4, BetaEnd = 0.02, BetaSchedule = "linear", ClipSample = true };

    /// <summary>Checks the values; throws an ArgumentException naming the key.</summary>
    public SchedulerConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("scheduler config: " + message); }
        Require(NumTrainTimesteps > 1, $"num_train_timesteps is {NumTrainTimesteps}; it must be at least 2.");
        Require(BetaStart > 0 && BetaEnd >= BetaStart && BetaEnd < 1, $"beta_start ({BetaStart}) and beta_end ({BetaEnd}) must satisfy 0 < start ≤ end < 1.");
        Require(BetaSchedule is "linear" or "scaled_linear", $"beta_schedule is '{BetaSchedule}'; supported: linear, scaled_linear.");
        Require(PredictionType is "epsilon" or "v_prediction" or "sample", $"prediction_type is '{PredictionType}'; expected epsilon, v_prediction or sample.");
        Require(TimestepSpacing is "leading" or "trailing" or "linspace", $"timestep_spacing is '{TimestepSpacing}'; expected leading, trailing or linspace.");
        Require(StepsOffset >= 0 && ClipSampleRange > 0, "steps_offset must be non-negative and clip_sample_range positive.");
        return this;
    }

    // Keys selecting machinery that is not built: each must keep its default.
    private static readonly Dictionary<string, JsonNode?> MustBeDefault = new()
    {
        ["trained_betas"] = null, ["thresholding"] = false, ["variance_type"] = "fixed_small", ["rescale_betas_zero_snr"] = false,
    };

    // Keys that change nothing here: other schedulers' (PNDM's skip_prk_steps), or thresholding's parameters while it is off.
    private static readonly HashSet<string> Ignored = ["skip_prk_steps", "dynamic_thresholding_ratio", "sample_max_value"];

    /// <summary>Parses a diffusers scheduler config; <paramref name="source"/> names it in errors.</summary>
    public static SchedulerConfig FromJson(string json, string source = "scheduler_config.json")
    {
        var c = DiffusersConfig.Read(json, source, "a DDPM/DDIM scheduler", new SchedulerConfig(), MustBeDefault, Ignored, static (c, key, v) => key switch
        {
            "num_train_timesteps" => c with { NumTrainTimesteps = DiffusersConfig.Int(v) },
            "beta_start" => c with { BetaStart = DiffusersConfig.Double(v) },
            "beta_end" => c with { BetaEnd = DiffusersConfig.Double(v) },
            "beta_schedule" => c with { BetaSchedule = v.GetValue<string>() },
            "prediction_type" => c with { PredictionType = v.GetValue<string>() },
            "clip_sample" => c with { ClipSample = v.GetValue<bool>() },
            "clip_sample_range" => c with { ClipSampleRange = DiffusersConfig.Double(v) },
            "set_alpha_to_one" => c with { SetAlphaToOne = v.GetValue<bool>() },
            "steps_offset" => c with { StepsOffset = DiffusersConfig.Int(v) },
            "timestep_spacing" => c with { TimestepSpacing = v.GetValue<string>() },
            _ => null,
        });
        try { return c.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>The config in diffusers' keys.</summary>
    public string ToJson() => DiffusersConfig.Write(new JsonObject
    {
        ["num_train_timesteps"] = NumTrainTimesteps, ["beta_start"] = BetaStart, ["beta_end"] = BetaEnd, ["beta_schedule"] = BetaSchedule,
        ["prediction_type"] = PredictionType, ["clip_sample"] = ClipSample, ["clip_sample_range"] = ClipSampleRange,
        ["set_alpha_to_one"] = SetAlphaToOne, ["steps_offset"] = StepsOffset, ["timestep_spacing"] = TimestepSpacing,
    });
}
