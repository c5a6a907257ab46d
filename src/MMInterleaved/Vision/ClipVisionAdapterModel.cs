using TorchSharp;
using TorchSharp.PyBridge;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The reference's <c>CLIPVisionAdapterModel</c>: CLIP ViT + ViT-Adapter under the child <c>vision_model</c>, so
/// its state-dict keys are those of HF <c>CLIPVisionModel</c> (minus <c>post_layernorm</c>) plus <c>adapter_*</c>
/// (reference-state-dict.md §2.1–2.2). Within the full model the prefix is <c>visual_tokenizer.encoder.</c>.
/// </summary>
public sealed class ClipVisionAdapterModel : nn.Module<Tensor, VisionEncoderOutput>
{
    [ComponentName(Name = "vision_model")] private readonly ClipVisionTransformerAdapter visionModel;

    /// <summary>Builds the encoder; <paramref name="adapter"/> defaults to the reference's adapter settings.</summary>
    public ClipVisionAdapterModel(VisionEncoderConfig config, AdapterConfig? adapter = null, string name = "CLIPVisionAdapterModel") : base(name)
    {
        visionModel = new ClipVisionTransformerAdapter(config, adapter ?? new AdapterConfig());
        RegisterComponents();
    }

    /// <summary>The module under <c>vision_model.</c>.</summary>
    public ClipVisionTransformerAdapter VisionModel => visionModel;

    /// <summary>The vision tower's configuration.</summary>
    public VisionEncoderConfig Config => visionModel.Config;

    /// <summary>The adapter's configuration.</summary>
    public AdapterConfig Adapter => visionModel.Adapter;

    /// <summary>
    /// pixelValues [B, NumChannels, ImageSize, ImageSize], already normalised with the CLIP mean/std by the caller.
    /// Returns [CLS; final patch tokens] and the 4-level feature pyramid.
    /// </summary>
    public override VisionEncoderOutput forward(Tensor pixelValues) => visionModel.forward(pixelValues);

    /// <summary>The reference's <c>freeze_vit</c>: every parameter under <c>vision_model</c> whose name does not start
    /// with "adapter" stops requiring grad. Gradients still flow through the frozen layers into the injectors.</summary>
    public void FreezeVit()
    {
        foreach (var (name, parameter) in visionModel.named_parameters())
            if (!name.StartsWith("adapter", StringComparison.Ordinal))
                parameter.requires_grad = false;
    }

    /// <summary>Writes every parameter and persistent buffer (full key names) to a safetensors file.</summary>
    public void SaveToSafetensors(string path) => Safetensors.SaveStateDict(path, state_dict());

    /// <summary>
    /// Loads a safetensors file strictly: after dropping <paramref name="prefix"/> (e.g.
    /// "visual_tokenizer.encoder." for a full MM-Interleaved checkpoint; keys without it are then ignored), its keys
    /// must be exactly this model's parameter and persistent-buffer names with the same shapes. Values are copied in
    /// place (converted to each tensor's dtype). Throws an InvalidDataException naming the file and the missing,
    /// unexpected or mis-shaped keys; nothing is copied then.
    /// </summary>
    public void LoadFromSafetensors(string path, string prefix = "") => Runtime.StateDictFile.Load(this, path, nameof(ClipVisionAdapterModel), prefix);
}
