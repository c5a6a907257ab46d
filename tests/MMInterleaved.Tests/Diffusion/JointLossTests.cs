using MMInterleaved.Data;
using MMInterleaved.Data.Files;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Diffusion;
using MMInterleaved.Model;
using MMInterleaved.Tests.Data;
using MMInterleaved.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Diffusion;

/// <summary>The image decoder inside MMInterleavedModel: contexts, the joint loss L_txt + λ·L_img, names and config.</summary>
[Collection(TorchCollection.Name)]
public sealed class JointLossTests
{
    private static ModelConfig TinyWithDecoder(DecoderMmfsImages which = DecoderMmfsImages.Previous) =>
        ModelPresets.Tiny with { ImageDecoder = ImageDecoderPresets.For("tiny", ModelPresets.Tiny) with { MmfsImages = which } };

    private static readonly SpecialTokens T = ModelPresets.Tiny.Tokens;

    private static long[] Image() => [T.BeginOfImage, .. Enumerable.Repeat((long)T.Image, ModelPresets.Tiny.NumImageTokens)];

    // row 0: <s> 10 11 [img] 12 [img] 13 <s> 14 [img]; row 1: <s> [img] 15 16
    private static InterleavedBatch Batch()
    {
        long[] row0 = [T.Bos, 10, 11, .. Image(), 12, .. Image(), 13, T.Bos, 14, .. Image()];
        long[] row1 = [T.Bos, .. Image(), 15, 16];
        long width = row0.Length;
        var ids = row0.Concat(row1).Concat(Enumerable.Repeat((long)T.Pad, (int)(width - row1.Length))).ToArray();
        var mask = Enumerable.Repeat(1L, row0.Length).Concat(Enumerable.Repeat(1L, row1.Length)).Concat(Enumerable.Repeat(0L, (int)(width - row1.Length))).ToArray();
        var g = new Generator(4);
        return new InterleavedBatch(tensor(ids).view(2, width), tensor(mask).view(2, width), rand([4, 3, 32, 32], generator: g));
    }

    [Fact]
    public void Contexts_end_at_the_images_own_begin_of_image_and_mmfs_reads_only_earlier_images_of_the_segment()
    {
        var batch = Batch();
        var images = ImageContext.Of(batch.InputIds.data<long>().ToArray(), 2, batch.InputIds.shape[1], T);
        Assert.Equal(4, images.Count);
        int k = ModelPresets.Tiny.NumImageTokens;
        Assert.Equal([new ImageContext(0, 0, 3), new ImageContext(0, 0, 5 + k), new ImageContext(0, 7 + 2 * k, 9 + 2 * k), new ImageContext(1, 0, 1)], images);
        Assert.All(images, c => Assert.Equal(T.BeginOfImage, batch.InputIds[c.Row, c.BeginOfImage].item<long>()));
        Assert.Equal([true, true, true, false], images.Select(c => c.HasCondition));   // <s><BoI> alone gets no image loss
        Assert.Equal([[], [0], [], []], ImageContext.MmfsSources(images, DecoderMmfsImages.Previous));
        Assert.Equal([[], [0], [], []], ImageContext.MmfsSources(images, DecoderMmfsImages.AllPrevious));
        var three = images.Take(2).Append(new ImageContext(0, 0, 40)).ToList();
        Assert.Equal([[], [0], [1]], ImageContext.MmfsSources(three, DecoderMmfsImages.Previous));
        Assert.Equal([[], [0], [0, 1]], ImageContext.MmfsSources(three, DecoderMmfsImages.AllPrevious));
    }

    [Theory]
    [InlineData(DecoderMmfsImages.Previous)]
    [InlineData(DecoderMmfsImages.AllPrevious)]
    public void The_joint_loss_is_text_plus_lambda_image_and_trains_every_part(DecoderMmfsImages which)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var model = new MMInterleavedModel(TinyWithDecoder(which));
        manual_seed(3);
        var output = model.forward(Batch());
        Assert.NotNull(output.ImageLoss);
        float image = output.ImageLoss!.item<float>(), total = output.Loss!.item<float>();
        Assert.True(image > 0 && float.IsFinite(image));
        output.Loss!.backward();
        var grads = model.named_parameters().Where(p => p.parameter.grad is not null && p.parameter.grad.abs().sum().item<float>() > 0).Select(p => p.name).ToList();
        Assert.Contains(grads, n => n.StartsWith("context_feat_proj.", StringComparison.Ordinal));
        Assert.Contains(grads, n => n.StartsWith("image_decoder.perceiver_resampler.", StringComparison.Ordinal));
        Assert.Contains(grads, n => n.StartsWith("image_decoder.decoder.unet.", StringComparison.Ordinal));
        Assert.Contains(grads, n => n.StartsWith("mm_decoder.", StringComparison.Ordinal));   // the image loss reaches the language model
        Assert.True(total > 10 * image * 0.999);   // L = L_txt + 10·L_img with L_txt > 0
    }

    [Fact]
    public void A_decoder_config_round_trips_and_a_comprehension_config_is_unchanged()
    {
        Assert.DoesNotContain("image_decoder", ModelPresets.Tiny.ToJson());
        var config = TinyWithDecoder(DecoderMmfsImages.AllPrevious);
        string json = config.ToJson();
        Assert.Contains("\"image_decoder\"", json);
        Assert.Equal(json, ModelConfig.FromJson(json).ToJson());
        var bad = config with { ImageDecoder = config.ImageDecoder! with { Resampler = config.ImageDecoder.Resampler with { EncoderHiddenSize = 7 } } };
        Assert.Contains("EncoderHiddenSize is 7", Assert.Throws<ArgumentException>(() => bad.Validated()).Message);
        using var model = new MMInterleavedModel(config);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("image_decoder.decoder.unet.conv_in.weight", names);
        Assert.Contains("image_decoder.decoder.mmfs_module.mmfs_mid_block.conv.weight", names);
        Assert.Contains("context_feat_proj.weight", names);
        Assert.DoesNotContain(names, n => n.StartsWith("image_decoder.decoder.vae.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_context_condition_control_feeds_the_masked_context_tokens_cut_or_padded_to_the_query_count()
    {
        using var scope = NewDisposeScope();
        var config = TinyWithDecoder().ImageDecoder! with { ConditionSource = ConditionSource.Context };
        using var decoder = new ImageDecoder(config);
        long q = config.Resampler.NumQueries, e = config.Resampler.EncoderHiddenSize;
        var context = randn(2, q + 3, e);
        var mask = ones(2, q + 3, dtype: int64);
        mask[1, 2] = 0;
        var condition = decoder.Condition(context, mask);
        Assert.Equal([2, q, e], condition.shape);
        Assert.True(condition[0].eq(context[0].narrow(0, 0, q)).all().item<bool>());
        Assert.Equal(0, condition[1, 2].abs().sum().item<float>());
        var shorter = decoder.Condition(context.narrow(1, 0, 2), mask.narrow(1, 0, 2));
        Assert.Equal([2, q, e], shorter.shape);
        Assert.Equal(0, shorter.narrow(1, 2, q - 2).abs().sum().item<float>());
        var json = (ModelPresets.Tiny with { ImageDecoder = config }).ToJson();
        Assert.Contains("\"condition_source\": \"Context\"", json);
        Assert.Equal(ConditionSource.Context, ModelConfig.FromJson(json).ImageDecoder!.ConditionSource);
        var narrow = config with { UNet = config.UNet with { CrossAttentionDim = 32 }, Resampler = config.Resampler with { HiddenSize = 32 } };
        Assert.Contains("CrossAttentionDim is 32", Assert.Throws<ArgumentException>(() => narrow.Validated()).Message);
    }

    [Fact]
    public void A_text_to_image_run_gets_the_presets_decoder_logs_both_loss_terms_and_trains_the_unet_at_its_own_rate()
    {
        using var single = new SingleThread();
        using var folder = new TempFolder();
        var args = new TrainingArgs
        {
            Model = "tiny", Task = "glyph-text-to-image", GridSide = 3, BatchSize = 2, EvalExamples = 0,
            Optimization = new TrainingConfig { Steps = 2, WarmupSteps = 0, LogEvery = 1, CheckpointEvery = 0 },
        };
        var run = TrainingRun.Create(folder.File("t2i"), args);
        Assert.NotNull(run.Model.ImageDecoder);
        var unet = run.Trainer.Groups.Single(g => g.Label == "image_decoder.decoder.");
        Assert.Equal(args.Optimization.LearningRate * TrainingConfig.DefaultUNetScale, unet.LearningRate, 12);
        Assert.All(unet.Parameters, p => Assert.StartsWith("image_decoder.decoder.", p.Name));
        Assert.DoesNotContain(run.Trainer.Groups.Where(g => g.Label.StartsWith("default", StringComparison.Ordinal)).SelectMany(g => g.Parameters),
            p => p.Name.StartsWith("image_decoder.decoder.unet.", StringComparison.Ordinal));
        var result = run.Run();
        var extra = result.History[^1].Extra;
        Assert.True(extra["loss_img"] > 0 && extra["loss_txt"] > 0);
        Assert.Equal(result.LastLoss, extra["loss_txt"] + 10 * extra["loss_img"], 4);
        Assert.Contains("\"loss_img\"", File.ReadAllText(Path.Combine(folder.File("t2i"), "metrics.jsonl")));
        // every text-to-image image has its caption before it, so the logged diffusion targets are the step's images
        var stream = run.Pipeline.Processor.TrainingStream(i => run.TrainSource.Get(i), args.BatchSize, args.WindowLength(run.Pipeline.Config.NumImageTokens));
        stream.Next();
        Assert.Equal(stream.Next()!.Images.shape[0], extra["image_targets"]);

        // a config file without a decoder cannot train a generation task
        string plain = folder.File("plain.json");
        File.WriteAllText(plain, ModelPresets.Tiny.ToJson());
        var error = Assert.Throws<ArgumentException>(() => TrainingRun.Create(folder.File("bad"), args with { Model = plain }));
        Assert.Contains("image_decoder", error.Message);
    }

    [Fact]
    public void A_joint_loss_run_resumed_from_its_folder_alone_ends_with_byte_identical_weights()
    {
        using var single = new SingleThread();
        using var folder = new TempFolder();
        // text before each image, so every image has a condition and an image loss
        var task = GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 6, Scene: new GlyphSceneOptions(ImageSize: 32)));
        var documents = DocumentSources.Take(task, 20).Select(d => d with { Segments = [new TextSegment("a grid of glyphs", Target: false), .. d.Segments] }).ToList();
        string file = folder.File("docs.jsonl");
        DocumentFile.Write(file, documents);
        var args = new TrainingArgs
        {
            Model = "tiny", DataFile = file, BatchSize = 2, MaxLength = 48, EvalExamples = 0,
            Optimization = new TrainingConfig { Steps = 4, WarmupSteps = 1, LogEvery = 1, CheckpointEvery = 2 },
        };
        var config = TinyWithDecoder();
        var full = TrainingRun.Create(folder.File("full"), args, config);
        var result = full.Run();
        Assert.All(result.History, p => Assert.True(double.IsFinite(p.Loss)));

        var interrupted = TrainingRun.Create(folder.File("cut"), args, config);
        using var cancel = new CancellationTokenSource();
        interrupted.Trainer.Progress += p => { if (p.Step == 2) cancel.Cancel(); };
        Assert.True(interrupted.Run(cancel.Token).Interrupted);
        var resumed = TrainingRun.Resume(folder.File("cut"));
        Assert.NotNull(resumed.Model.ImageDecoder);
        Assert.Equal(4, resumed.Run().Step);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder.File("full"), "model.safetensors")), File.ReadAllBytes(Path.Combine(folder.File("cut"), "model.safetensors")));
    }

    [Fact]
    public void A_batch_with_a_noise_seed_draws_the_same_image_loss_whatever_the_global_generator_did()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(2);
        using var model = new MMInterleavedModel(TinyWithDecoder());
        var seeded = Batch() with { NoiseSeed = 42 };
        manual_seed(100);
        float a = model.forward(seeded).ImageLoss!.item<float>();
        manual_seed(200);
        float b = model.forward(seeded).ImageLoss!.item<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, model.forward(seeded with { NoiseSeed = 43 }).ImageLoss!.item<float>());
        manual_seed(100);
        float c = model.forward(Batch()).ImageLoss!.item<float>();
        manual_seed(200);
        Assert.NotEqual(c, model.forward(Batch()).ImageLoss!.item<float>());   // unseeded: the global generator decides
    }
}
