using System.Text.Json.Nodes;
using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Language;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Tests.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Pipeline;

/// <summary>The pipeline bundle: HF-shaped folders, the processor, the one-line calls, devices and damaged files.</summary>
[Collection(TorchCollection.Name)]
public sealed class PipelineTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static readonly GridTask Task = GridTasks.Create("glyph-vqa", new GridTaskOptions(7, DataSplit.Validation, new GlyphSceneOptions(ImageSize: 32)));

    private static MMInterleavedPipeline Tiny(long seed = 3, Device? device = null)
    {
        var tokenizer = WordTokenizer.FromCorpus(Task.Take(200).SelectMany(d => d.Segments.OfType<TextSegment>().Select(t => t.Text)),
            ModelPresets.Tiny.Decoder.VocabSize, keepMostFrequent: true);
        manual_seed(seed);
        return new MMInterleavedPipeline(new MMInterleavedModel(ModelPresets.Tiny), tokenizer, device);
    }

    [Fact]
    public void A_saved_pipeline_reopens_to_identical_outputs_from_an_hf_shaped_folder()
    {
        var pipeline = Tiny();
        string path = folder.File("saved");
        pipeline.SavePretrained(path);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(path, "config.json")))!.AsObject();
        Assert.Equal("mm_interleaved", config["model_type"]!.GetValue<string>());
        Assert.Equal(ModelPresets.Tiny.NumImageTokens, config["resampler"]!["num_queries"]!.GetValue<int>());
        Assert.NotNull(config["cross_attention"]!["max_images_per_sequence"]);
        Assert.DoesNotContain(config, kv => kv.Key.Contains("path", StringComparison.Ordinal));
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(path, "tokenizer.json")))!["specialTokens"]!;
        Assert.Equal(ModelPresets.Tiny.Tokens.BeginOfImage, tokenizer["<|beginofimage|>"]!.GetValue<int>());
        Assert.Equal(ModelPresets.Tiny.Tokens.Image, tokenizer["<|image|>"]!.GetValue<int>());

        var opened = MMInterleavedPipeline.FromPretrained(path);
                Assert.Equal(ModelPresets.Tiny.ToJson(), opened.Config.ToJson());
        var documents = Task.Take(3).ToList();
        using var noGrad = no_grad();
        pipeline.Model.eval();
        opened.Model.eval();
        var batch = pipeline.Processor.Batch(documents);
        Assert.True(pipeline.Model.forward(batch).Logits.eq(opened.Model.forward(batch).Logits).all().item<bool>());
        Assert.Equal(pipeline.Generate(documents, dropTrailingTargetText: true), opened.Generate(documents, dropTrailingTargetText: true));
    }

    [Fact]
    public void Config_files_of_earlier_versions_still_open()
    {
        // the PascalCase config.json `mmi train` wrote before the pipeline, with the encoder path inside
        var legacy = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(ModelPresets.Tiny))!.AsObject();
        legacy["PretrainedEncoderPath"] = "data/encoders/small-encoder.safetensors";
        Assert.Equal(ModelPresets.Tiny.ToJson(), ModelConfig.FromJson(legacy.ToJsonString(), "old.json").ToJson());
        var unknown = Assert.Throws<InvalidDataException>(() => ModelConfig.FromJson("{\"model_type\": \"mm_interleaved\", \"num_image_tokenz\": 4}", "new.json"));
        Assert.Contains("new.json", unknown.Message);
        Assert.Contains("num_image_tokenz", unknown.Message);
    }

    [Fact]
    public void Damaged_files_are_named_in_one_line()
    {
        var pipeline = Tiny();
        string path = folder.File("damaged");
        pipeline.SavePretrained(path);
        string weights = Path.Combine(path, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 3)]);
        var truncated = Assert.Throws<InvalidDataException>(() => MMInterleavedPipeline.FromPretrained(path));
        Assert.Contains(weights, truncated.Message);
        Assert.DoesNotContain('\n', truncated.Message);
        File.WriteAllBytes(weights, bytes);

        string tokenizer = Path.Combine(path, "tokenizer.json");
        File.WriteAllText(tokenizer, "{\"kind\": \"mmi-word-tokenizer\", \"vocabSize\": 64, \"words\": [");
        var badTokenizer = Assert.Throws<InvalidDataException>(() => MMInterleavedPipeline.FromPretrained(path));
        Assert.Contains(tokenizer, badTokenizer.Message);

        File.WriteAllText(tokenizer, "{\"kind\": \"mmi-word-tokenizer\", \"vocabSize\": 64, \"specialTokens\": {\"<|image|>\": 5}, \"words\": []}");
        var wrongIds = Assert.Throws<InvalidDataException>(() => MMInterleavedPipeline.FromPretrained(path));
        Assert.Contains("<|image|>", wrongIds.Message);

        File.WriteAllText(Path.Combine(path, "config.json"), "{ not json");
        var badConfig = Assert.Throws<InvalidDataException>(() => MMInterleavedPipeline.FromPretrained(path));
        Assert.Contains("config.json", badConfig.Message);

        var none = Assert.Throws<FileNotFoundException>(() => MMInterleavedPipeline.FromPretrained(folder.Path));
        Assert.Contains("config.json", none.Message);
    }

    [Fact]
    public void The_processor_makes_prompts_targets_and_visibility_as_the_model_reads_them()
    {
        var pipeline = Tiny();
        var processor = pipeline.Processor;
        var documents = Task.Take(2).ToList();
        var training = processor.Batch(documents);
        var tokens = ModelPresets.Tiny.Tokens;
        Assert.All(Enumerable.Range(0, 2), r => Assert.Equal(tokens.Bos, training.InputIds[r, 0].item<long>()));
        Assert.Equal(2 * ModelPresets.Tiny.NumImageTokens, training.InputIds.eq(tokens.Image).sum().item<long>());
        // the loss counts exactly the answers and </s>: targets equal the model's own count
        long targets = processor.TextTargets(training).ne(-100).sum().item<long>();
        using (no_grad()) Assert.Equal(pipeline.Model.forward(training).TextTargets, targets);
        Assert.True(targets > 0);
        // prompts: left-padded, no answer, no </s>
        var prompts = processor.Prompts(documents, dropTrailingTargetText: true);
        Assert.Equal(1, prompts.AttentionMask[0, -1].item<long>());
        Assert.Equal(0, prompts.InputIds.eq(tokens.Eos).sum().item<long>());
        var visibility = processor.VisibilityMask(prompts);
        Assert.Equal([2, prompts.InputIds.shape[1], 1], visibility.shape);
        string answer = documents[0].Meta("answer")!;
        Assert.Equal(WordTokenizer.Normalize(answer), processor.Decode(processor.EncodeContinuation(answer)));
    }

    public static TheoryData<string> Devices() => TestDevices.All();

    [Theory]
    [MemberData(nameof(Devices))]
    public void One_line_calls_run_on_every_device(string name)
    {
        var device = TestDevices.Parse(name);
        var pipeline = Tiny(device: device);
        Assert.Equal(device.ToString(), pipeline.Model.parameters().First().device.ToString());
        var document = Task.Get(0);
        string generated = pipeline.Generate(document, new GenerationOptions { MaxNewTokens = 3 }, dropTrailingTargetText: true);
        Assert.NotNull(generated);
        var prompt = document with { Segments = document.Segments.Where(s => s is not TextSegment { Target: true }).ToList() };
        var scores = pipeline.ScoreOptions(prompt, ["red", "blue", "what is"]);
        Assert.Equal(3, scores.Length);
        Assert.All(scores, s => Assert.True(s < 0 && double.IsFinite(s)));
        // the same as the model's own scoring of the processor's ids (the pipeline only tokenizes and moves)
        Assert.Equal(pipeline.Model.ScoreOptions(pipeline.Processor.Prompts([prompt]).To(device), new[] { "red", "blue", "what is" }.Select(pipeline.Processor.EncodeContinuation).ToList()), scores);

        // sampling points of the last prompt token in every MMFS layer: [1, q, heads, images, levels, points, 2]
        long last = pipeline.Processor.Prompt(document).Ids.Length - 1;
        var samples = pipeline.SamplingPoints(document, [last]);
        var cross = ModelPresets.Tiny.CrossAttention;
        Assert.Equal(Enumerable.Range(0, ModelPresets.Tiny.Decoder.NumLayers).Count(cross.HasLayer), samples.Count);
        Assert.Equal([1, 1, cross.NumHeads, 1, cross.FeatureLevels.Length, cross.NumPoints, 2], samples[0].Locations!.shape);
        Assert.Equal(DeviceType.CPU, samples[0].Locations!.device_type);
        Assert.All(Model(pipeline).Decoder.CrossAttentionBlocks, b => Assert.Null(b.InspectPositions));

        var encoded = pipeline.EncodeImages(stack([document.Images.First().Load()]));
        Assert.Equal([1, ModelPresets.Tiny.NumImageTokens, ModelPresets.Tiny.Decoder.HiddenSize], encoded.VisualTokens.shape);
        Assert.Equal(4, encoded.MultiScaleFeatures.Length);
        Assert.Same(pipeline, pipeline.To(CPU));
        Assert.Equal(DeviceType.CPU, pipeline.Model.parameters().First().device_type);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void A_batch_on_a_device_keeps_its_host_geometry_and_trains_as_on_the_cpu(string name)
    {
        var device = TestDevices.Parse(name);
        var pipeline = Tiny();
        var batch = pipeline.Processor.Batch(Task.Take(2).ToList());
        var moved = batch.To(device);
        // the forward pass reads image counts, placeholders and targets from the CPU original, never from the device
        Assert.Same(batch, moved.OnHost());
        Assert.Same(batch, batch.OnHost());
        Assert.Equal(device.type, moved.InputIds.device_type);
        ModelOutput cpu, there;
        using (no_grad()) cpu = pipeline.Model.forward(batch);
        pipeline.To(device);
        using (no_grad()) there = pipeline.Model.forward(moved);
        Assert.Equal(cpu.TextTargets, there.TextTargets);
        Assert.Equal(cpu.Loss!.item<float>(), there.Loss!.to(CPU).item<float>(), 1e-4f);
        // a batch made on the device has no CPU original: OnHost copies it back
        var made = new InterleavedBatch(moved.InputIds, moved.AttentionMask, moved.Images);
        Assert.Equal(DeviceType.CPU, made.OnHost().InputIds.device_type);
        Assert.Equal(batch.InputIds.data<long>().ToArray(), made.OnHost().InputIds.data<long>().ToArray());
        pipeline.To(CPU);
    }

    private static MMInterleavedModel Model(MMInterleavedPipeline p) => p.Model;
}
