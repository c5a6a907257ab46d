using System.Text.Json.Nodes;
using MMInterleaved.Diffusion;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Diffusion;

/// <summary>DDPM and DDIM against diffusers 0.20.0 (Fixtures/unet/schedulers*): tables, timesteps, add_noise and steps,
/// bit for bit (the step scalars are float32 as diffusers computes them).</summary>
[Collection(TorchCollection.Name)]
public sealed class SchedulerParityTests : IDisposable
{
    private readonly SafetensorsFixture io = new("unet/schedulers_io.safetensors");
    private readonly JsonObject json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.TestFixtures, "unet", "schedulers.json")))!.AsObject();
    private SchedulerConfig Given => SchedulerConfig.FromJson(json["config_given"]!.ToJsonString());

    public void Dispose() => io.Dispose();

    private static void AssertExact(Tensor expected, Tensor actual, string what) =>
        Assert.True(SafetensorsFixture.RelativeError(actual, expected) == 0, $"{what}: relative error {SafetensorsFixture.RelativeError(actual, expected):E2}");

    [Fact]
    public void The_tables_timesteps_and_add_noise_equal_diffusers()
    {
        var ddpm = new DDPMScheduler(Given);
        Assert.Equal(io["betas"].data<float>().ToArray(), ddpm.Betas);
        Assert.Equal(io["alphas_cumprod"].data<float>().ToArray(), ddpm.AlphasCumprod);
        var at = json["alphas_cumprod_at"]!;
        var times = at["timesteps"]!.AsArray().Select(t => t!.GetValue<int>()).ToArray();
        var values = at["values"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();
        Assert.Equal(values, times.Select(t => ddpm.AlphasCumprod[t]));

        ddpm.SetTimesteps(50);
        Assert.Equal(json["DDPMScheduler"]!["set_timesteps_50"]!.AsArray().Select(t => t!.GetValue<long>()), ddpm.Timesteps);
        var ddim = new DDIMScheduler(Given);
        ddim.SetTimesteps(50);
        Assert.Equal(json["DDIMScheduler"]!["set_timesteps_50"]!.AsArray().Select(t => t!.GetValue<long>()), ddim.Timesteps);
        Assert.Equal((float)json["DDIMScheduler"]!["final_alpha_cumprod"]!.GetValue<double>(), ddim.FinalAlphaCumprod);
        ddim.SetTimesteps(30);
        Assert.Equal(30, ddim.Timesteps.Length);   // 1000 % 30 ≠ 0 still gives 30 steps: 958 … 1
        Assert.Equal((958L, 925L, 1L), (ddim.Timesteps[0], ddim.Timesteps[1], ddim.Timesteps[^1]));

        using var scope = NewDisposeScope();
        AssertExact(io["add_noise.out"], ddpm.AddNoise(io["x0"], io["noise"], io["add_noise.timesteps"]), "add_noise");
    }

    [Fact]
    public void Ddim_and_ddpm_steps_equal_diffusers_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var ddim = new DDIMScheduler(Given);
        ddim.SetTimesteps(50);
        foreach (var t in new[] { 501L, 1L })
        {
            var step = ddim.Step(io["model_output"], t, io["sample"]);
            AssertExact(io[$"ddim.t{t}.prev_sample"], step.PrevSample, $"ddim t{t} prev");
            AssertExact(io[$"ddim.t{t}.pred_original_sample"], step.PredOriginalSample, $"ddim t{t} x0");
        }
        var full = new DDPMScheduler(Given);
        foreach (var (key, t) in new[] { ("t500", 500L), ("t0", 0L) })
        {
            var step = full.Step(io["model_output"], t, io["sample"], noise: key == "t0" ? null : io[$"ddpm.{key}.variance_noise"]);
            AssertExact(io[$"ddpm.{key}.prev_sample"], step.PrevSample, $"ddpm {key} prev");
            AssertExact(io[$"ddpm.{key}.pred_original_sample"], step.PredOriginalSample, $"ddpm {key} x0");
        }
        var fifty = new DDPMScheduler(Given);
        fifty.SetTimesteps(50);
        var n50 = fifty.Step(io["model_output"], 501, io["sample"], noise: io["ddpm.n50.t501.variance_noise"]);
        AssertExact(io["ddpm.n50.t501.prev_sample"], n50.PrevSample, "ddpm n50 prev");
        AssertExact(io["ddpm.n50.t501.pred_original_sample"], n50.PredOriginalSample, "ddpm n50 x0");
    }

    [Fact]
    public void Ddim_with_eta_zero_is_deterministic_and_configs_name_what_they_refuse()
    {
        using var scope = NewDisposeScope();
        var ddim = new DDIMScheduler(Given);
        ddim.SetTimesteps(10);
        var sample = randn(2, 3, 4, 4, dtype: float64);
        var output = randn(2, 3, 4, 4, dtype: float64);
        var a = ddim.Step(output, ddim.Timesteps[3], sample, new Generator(1)).PrevSample;
        var b = ddim.Step(output, ddim.Timesteps[3], sample, new Generator(2)).PrevSample;
        Assert.Equal(a.data<double>().ToArray(), b.data<double>().ToArray());
        Assert.Throws<InvalidOperationException>(() => new DDIMScheduler(Given).Step(output, 10, sample));

        // SD 2.1-base ships a PNDM file; MM-Interleaved reads it as DDPM: skip_prk_steps is ignored, as diffusers ignores it
        var sd = SchedulerConfig.FromJson("""{"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": false, "num_train_timesteps": 1000, "prediction_type": "epsilon", "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null}""");
        Assert.Equal(Given, sd);
        string Error(string text) => Assert.Throws<InvalidDataException>(() => SchedulerConfig.FromJson(text, "s.json")).Message;
        Assert.Contains("s.json: thresholding is true", Error("""{"thresholding": true}"""));
        Assert.Contains("beta_schedule is 'cosine'", Error("""{"beta_schedule": "cosine"}"""));
        Assert.Contains("unknown key 'beta_max'", Error("""{"beta_max": 1}"""));
    }

    [Fact]
    public void The_velocity_target_is_what_a_v_prediction_step_inverts_back_to_the_clean_sample()
    {
        using var scope = NewDisposeScope();
        var v = new DDPMScheduler(Given with { PredictionType = "v_prediction" });
        var timesteps = io["add_noise.timesteps"];
        var noisy = v.AddNoise(io["x0"], io["noise"], timesteps);
        var velocity = v.Velocity(io["x0"], io["noise"], timesteps);
        for (int b = 0; b < 3; b++)
        {
            long t = timesteps[b].item<long>();
            var step = v.Step(velocity.narrow(0, b, 1), t, noisy.narrow(0, b, 1), noise: zeros_like(noisy.narrow(0, b, 1)));
            // x̂₀ uses float32 scalars (as diffusers), the target float64 ones: equal to float32 precision
            Assert.True(SafetensorsFixture.RelativeError(step.PredOriginalSample, io["x0"].narrow(0, b, 1)) <= 1e-5, $"t = {t}");
        }
    }
}
