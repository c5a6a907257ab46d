using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Vision;

[Collection(TorchCollection.Name)]
public class VisionTrainingTests
{
    private static Dictionary<string, Tensor?> GradientsAfterBackward(MMInterleaved.Vision.ClipVisionAdapterModel model)
    {
        var output = model.forward(TinyVision.Images(2, 21));
        var loss = output.LastHiddenState.pow(2).mean();
        foreach (var level in output.MultiScaleFeatures) loss = loss + level.pow(2).mean();
        loss.backward();
        return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
    }

    private static bool NonZero(Tensor? grad) => grad is not null && grad.abs().max().item<float>() > 0;

    [Fact]
    public void Gradients_reach_the_adapter_and_the_vit()
    {
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(20);
        var grads = GradientsAfterBackward(model);
        const string v = "vision_model.";
        foreach (var key in new[]
                 {
                     "adapter_level_embed", "adapter_spm.stem.0.weight", "adapter_spm.fc1.bias", "adapter_up.weight",
                     "adapter_interactions.0.injector.gamma", "adapter_interactions.3.injector.gamma",
                     "adapter_interactions.0.extractor.attn.value_proj.weight", "adapter_interactions.0.extractor.attn.sampling_offsets.weight",
                     "adapter_interactions.1.extractor.ffn.dwconv.dwconv.weight", "adapter_interactions.3.extra_extractors.1.ffn.fc2.weight",
                     "embeddings.patch_embedding.weight", "encoder.layers.0.self_attn.q_proj.weight",
                 })
            Assert.True(NonZero(grads[v + key]), key);
    }

    [Fact]
    public void FreezeVit_freezes_exactly_the_clip_parameters_and_the_injectors_still_learn()
    {
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(22);
        model.FreezeVit();
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.requires_grad == name.StartsWith("vision_model.adapter", StringComparison.Ordinal), name);

        var grads = GradientsAfterBackward(model);
        foreach (var (name, grad) in grads.Where(g => !g.Key.StartsWith("vision_model.adapter", StringComparison.Ordinal)))
            Assert.True(grad is null, name);
        // Block 0's gamma only reaches the outputs through the frozen CLIP layers of the later stages.
        Assert.True(NonZero(grads["vision_model.adapter_interactions.0.injector.gamma"]));
        Assert.True(NonZero(grads["vision_model.adapter_spm.stem.0.weight"]));
    }
}
