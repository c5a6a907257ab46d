using MMInterleaved.Ops;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The ViT-Adapter injector (adapter_modules.py <c>Injector</c>): the ViT patch tokens attend, by 3-level deformable
/// attention, over the SPM tokens, and the result is added through a per-channel layer scale:
/// x ← x + γ·MSDeformAttn(LN_q(x), LN_f(c)). γ starts at InitValues (0 in the reference), so at initialisation the
/// injector is the identity.
/// </summary>
public sealed class AdapterInjector : nn.Module
{
    [ComponentName(Name = "query_norm")] private readonly LayerNorm queryNorm;
    [ComponentName(Name = "feat_norm")] private readonly LayerNorm featNorm;
    [ComponentName(Name = "attn")] private readonly MSDeformAttn attn;
    [ComponentName(Name = "gamma")] private readonly Parameter gamma;

    /// <summary>Builds the injector for token width <paramref name="width"/>.</summary>
    public AdapterInjector(int width, AdapterConfig config, string name = "injector") : base(name)
    {
        queryNorm = nn.LayerNorm(width, eps: config.NormEps);
        featNorm = nn.LayerNorm(width, eps: config.NormEps);
        attn = new MSDeformAttn(new MSDeformAttnOptions(width, NumLevels: 3, NumHeads: config.DeformHeads, NumPoints: config.DeformPoints, Ratio: config.DeformRatio));
        gamma = nn.Parameter(full(width, config.InitValues));
        RegisterComponents();
    }

    /// <summary>The deformable attention, for initialisation and inspection.</summary>
    public MSDeformAttn Attention => attn;

    /// <summary>x [B, G², W] (queries); c [B, Σ SPM tokens, W] (features). Returns the updated x.</summary>
    internal Tensor forward(Tensor x, Tensor c, AdapterDeformInputs deform)
    {
        Tensor attended = attn.forward(queryNorm.forward(x), deform.InjectorReference, featNorm.forward(c),
            deform.InjectorShapes, deform.InjectorStarts);
        return x + gamma * attended;
    }
}
