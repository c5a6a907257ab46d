using MMInterleaved.Evaluation.Inception;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public class FidInceptionV3Tests
{
    // torchvision documents inception_v3 at 27,161,264 parameters (1000 classes, with the auxiliary head). pytorch-fid's
    // network drops the head (conv0 98,304 + 256 BN, conv1 2,457,600 + 1,536 BN, fc 769,000 = 3,326,696) and has 1008
    // classes (+8 × 2049 = 16,392): 23,850,960. The FID patches change pooling only.
    private const long PytorchFidParameters = 27_161_264 - 3_326_696 + 16_392;

    [Fact]
    public void The_network_has_torchvision_names_and_exactly_pytorch_fids_parameter_count()
    {
        using var net = new FidInceptionV3();
        long total = net.parameters().Sum(p => p.numel());
        Assert.Equal(PytorchFidParameters, total);
        var state = net.state_dict();
        Assert.Equal([32L, 3, 3, 3], state["Conv2d_1a_3x3.conv.weight"].shape);
        Assert.Equal([192L, 2048, 1, 1], state["Mixed_7c.branch_pool.conv.weight"].shape);
        Assert.Equal([160L, 160, 1, 7], state["Mixed_6c.branch7x7_2.conv.weight"].shape);
        Assert.Equal([384L, 384, 3, 1], state["Mixed_7b.branch3x3dbl_3b.conv.weight"].shape);
        Assert.Equal([1008L, 2048], state["fc.weight"].shape);
        Assert.Contains("Mixed_5b.branch5x5_1.bn.running_var", state.Keys);
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("AuxLogits", StringComparison.Ordinal) || k.Contains(".bias") && k.Contains(".conv."));
    }

    [Fact]
    public void The_pool_branches_average_without_the_padding_as_tensorflow_does()
    {
        using var ones = torch.ones(1, 1, 4, 4);
        using var average = InceptionPooling.Pool3x3(ones, max: false);
        Assert.Equal(1.0, average.max().item<float>(), 6);   // torch's default would give 4/9 in the corners
        Assert.Equal(1.0, average.min().item<float>(), 6);
        using var ramp = torch.arange(16f).reshape(1, 1, 4, 4);
        using var max = InceptionPooling.Pool3x3(ramp, max: true);
        Assert.Equal(5f, max[0, 0, 0, 0].item<float>());
        Assert.Equal(15f, max[0, 0, 3, 3].item<float>());
    }

    [Fact]
    public void Features_are_2048_wide_per_image_from_any_size_and_do_not_depend_on_the_batch()
    {
        manual_seed(3);
        using var net = new FidInceptionV3();
        using var images = torch.rand(3, 3, 32, 32);
        using var together = net.Features(images, batchSize: 3);
        using var alone = net.Features(images.narrow(0, 1, 1), batchSize: 1);
        Assert.Equal([3L, FidInceptionV3.FeatureSize], together.shape);
        Assert.Equal(float64, together.dtype);
        Assert.True(torch.allclose(together[1], alone[0], rtol: 1e-5, atol: 1e-6));
        Assert.True((together >= 0).all().item<bool>());          // after ReLU and an average
        Assert.False(torch.allclose(together[0], together[2]));
    }

    [Theory]
    [InlineData(".pth")]
    [InlineData(".safetensors")]
    public void Weights_load_by_name_from_a_pickled_or_safetensors_state_dict_without_num_batches_tracked(string ext)
    {
        string folder = Directory.CreateTempSubdirectory("inception").FullName;
        try
        {
            manual_seed(5);
            using var source = new FidInceptionV3();
            var state = source.state_dict().Where(kv => !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            using (no_grad()) state["Mixed_6e.branch1x1.bn.running_mean"].fill_(0.25f);
            string path = Path.Combine(folder, FidInceptionV3.WeightsFileName + ext);
            if (ext == ".pth")
            {
                using var stream = File.Create(path);
                PyTorchPickler.PickleStateDict(stream, state);
            }
            else Safetensors.SaveStateDict(path, state);
            using var loaded = FidInceptionV3.Load(path);
            var own = loaded.state_dict();
            Assert.Equal(0.25f, own["Mixed_6e.branch1x1.bn.running_mean"][7].item<float>());
            Assert.True(own["Mixed_7c.branch3x3_2a.conv.weight"].allclose(state["Mixed_7c.branch3x3_2a.conv.weight"], 0, 0));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void A_state_dict_of_another_network_is_refused_naming_the_file_and_a_key()
    {
        string folder = Directory.CreateTempSubdirectory("inception").FullName;
        try
        {
            string path = Path.Combine(folder, "other.safetensors");
            using var w = torch.zeros(4, 4);
            Safetensors.SaveStateDict(path, new Dictionary<string, Tensor> { ["encoder.weight"] = w });
            var e = Assert.Throws<InvalidDataException>(() => FidInceptionV3.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("encoder.weight", e.Message);
            Assert.DoesNotContain("\n", e.Message);
            Assert.Throws<FileNotFoundException>(() => FidInceptionV3.Load(Path.Combine(folder, "absent.pth")));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
