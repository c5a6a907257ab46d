namespace MMInterleaved.Diffusion;

/// <summary>How the image decoder samples: scheduler, steps, classifier-free guidance scale (active above 1) and seed.
/// The defaults are the reference's inference config (DDPM, 30 steps, scale 7.5); its evaluation uses 250 steps and 3.5.</summary>
public sealed record ImageSamplingOptions
{
    /// <summary><c>ddpm</c> (the reference's) or <c>ddim</c>.</summary>
    public string Scheduler { get; init; } = "ddpm";
    /// <summary>Denoising steps.</summary>
    public int Steps { get; init; } = 30;
    /// <summary>ε = ε_u + s·(ε_c − ε_u); 1 or less turns guidance off (one UNet half per step).</summary>
    public double GuidanceScale { get; init; } = 7.5;
    /// <summary>DDIM's η (0: deterministic given the starting noise).</summary>
    public double Eta { get; init; }
    /// <summary>Seed of the starting noise and of DDPM's step noise (candidate k of a prompt uses seed + k).</summary>
    public long Seed { get; init; }

    /// <summary>Checks the values; throws an ArgumentException naming the field.</summary>
    public ImageSamplingOptions Validated()
    {
        if (Scheduler is not ("ddpm" or "ddim")) throw new ArgumentException($"ImageSamplingOptions: Scheduler is '{Scheduler}'; expected ddpm or ddim.");
        if (Steps < 1) throw new ArgumentException($"ImageSamplingOptions: Steps is {Steps}; it must be positive.");
        if (Eta < 0) throw new ArgumentException($"ImageSamplingOptions: Eta is {Eta}; it must be non-negative.");
        return this;
    }
}
