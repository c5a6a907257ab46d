using MMInterleaved.Data.Glyphs;
using MMInterleaved.Model;
using MMInterleaved.Training;
using MMInterleaved.Vision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Evaluation.Probes;

/// <summary>
/// Probes what a model's image tokenizer knows about each cell of a glyph scene (issue 17's diagnosis of blind
/// baselines): with the model frozen, a small classifier is fitted on features read at a <see cref="ProbeSite"/> to name
/// every cell's glyph and colour, and scored on held-out scenes. At the pooled sites one classifier serves every cell
/// (it sees the cell's own features); at the visual tokens each cell has its own head over all K tokens, since a
/// resampler's tokens are not tied to places. If the ViT tokens carry the cells and the visual tokens do not, the
/// resampler (or its training) loses them; if neither does, the encoder is the bottleneck.
/// </summary>
public static class FeatureProbe
{
    /// <summary>Scores one probe per site on <paramref name="model"/> (its weights stay untouched), scenes as the model's
    /// input size draws them with a <paramref name="gridSide"/>×<paramref name="gridSide"/> grid.</summary>
    public static IReadOnlyList<ProbeScore> Run(MMInterleavedModel model, IEnumerable<ProbeSite> sites, ProbeOptions options, int gridSide = 4)
    {
        options = options.Validated();
        var scene = new GlyphSceneOptions(ImageSize: model.Config.Vision.ImageSize, GridSide: gridSide);
        var scores = new List<ProbeScore>();
        bool training = model.training;
        model.eval();
        try
        {
            foreach (var site in sites)
            {
                using var scope = NewDisposeScope();
                var (trainX, trainKinds, trainColours) = Read(model, site, scene, options.Seed, options.TrainScenes);
                var (testX, testKinds, testColours) = Read(model, site, scene, options.Seed + 7919, options.TestScenes);
                scores.Add(Fit(site, trainX, trainKinds, trainColours, testX, testKinds, testColours, scene.GridSide * scene.GridSide, options));
            }
        }
        finally
        {
            model.train(training);
        }
        return scores;
    }

    // Features [N,cells,F] (pooled sites) or [N,F] (visual tokens), with glyph and colour classes [N,cells].
    private static (Tensor X, Tensor Kinds, Tensor Colours) Read(MMInterleavedModel model, ProbeSite site, GlyphSceneOptions scene, long seed, int count)
    {
        var device = model.parameters().First().device;
        var features = new List<Tensor>();
        var kinds = new List<Tensor>();
        var colours = new List<Tensor>();
        using var noGrad = no_grad();
        for (int start = 0; start < count; start += 64)
        {
            using var scope = NewDisposeScope();
            var batch = EncoderPretraining.MakeBatch(scene, seed, start, Math.Min(64, count - start));
            var images = batch.Images.to(device);
            var x = site switch
            {
                ProbeSite.VisualTokens => model.VisualTokenizer.forward(images).VisualTokens.flatten(1),
                ProbeSite.VitTokens => CellClassifierHead.PoolCells(CellClassifierHead.TokenMap(Encode(model, images)), scene.GridSide),
                ProbeSite.AdapterMap => CellClassifierHead.PoolCells(Encode(model, images).MultiScaleFeatures[2], scene.GridSide),
                _ => throw new ArgumentOutOfRangeException(nameof(site), site, "unknown probe site"),
            };
            features.Add(x.to(float32).cpu().MoveToOuterDisposeScope());
            kinds.Add(batch.Kinds.MoveToOuterDisposeScope());
            colours.Add(batch.Colours.MoveToOuterDisposeScope());
        }
        return (cat(features, 0), cat(kinds, 0), cat(colours, 0));
    }

    private static VisionEncoderOutput Encode(MMInterleavedModel model, Tensor images) =>
        model.VisualTokenizer.Encoder.forward(VisualTokenizer.Normalize(images));

    internal static ProbeScore Fit(ProbeSite site, Tensor trainX, Tensor trainKinds, Tensor trainColours, Tensor testX, Tensor testKinds, Tensor testColours,
        int cells, ProbeOptions options)
    {
        bool perCell = site != ProbeSite.VisualTokens;   // pooled sites: one head shared by the cells
        int width = (int)trainX.shape[^1];
        int kindClasses = EncoderPretraining.KindNames.Length + 1, colourClasses = EncoderPretraining.ColourNames.Length + 1;
        // standardise with the training split's statistics (the probe's learning rate then means the same at every site)
        var reduce = perCell ? new long[] { 0, 1 } : [0];
        var mean = trainX.mean(reduce, keepdim: true);
        var std = trainX.std(reduce, keepdim: true) + 1e-5;
        trainX = (trainX - mean) / std;
        testX = (testX - mean) / std;

        manual_seed(options.Seed);
        int outputs = (kindClasses + colourClasses) * (perCell ? 1 : cells);
        using var probe = options.Hidden == 0
            ? nn.Sequential(("linear", nn.Linear(width, outputs)))
            : nn.Sequential(("hidden", nn.Linear(width, options.Hidden)), ("gelu", nn.GELU()), ("linear", nn.Linear(options.Hidden, outputs)));
        using var optimizer = optim.AdamW(probe.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
        (Tensor Kinds, Tensor Colours) Logits(Tensor x)
        {
            var y = probe.forward(x).view(x.shape[0], cells, kindClasses + colourClasses);
            return (y.narrow(2, 0, kindClasses), y.narrow(2, kindClasses, colourClasses));
        }

        long n = trainX.shape[0];
        const int batch = 256;
        var order = new Generator((ulong)options.Seed);
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var permutation = randperm(n, generator: order);
            for (long start = 0; start < n; start += batch)
            {
                using var scope = NewDisposeScope();
                var index = permutation.narrow(0, start, Math.Min(batch, n - start));
                var (kinds, colours) = Logits(trainX.index_select(0, index));
                var loss = F.cross_entropy(kinds.flatten(0, 1), trainKinds.index_select(0, index).flatten())
                         + F.cross_entropy(colours.flatten(0, 1), trainColours.index_select(0, index).flatten());
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }

        using var noGrad = no_grad();
        var (testKindLogits, testColourLogits) = Logits(testX);
        double Accuracy(Tensor logits, Tensor labels) => logits.argmax(-1).eq(labels).to(float64).mean().item<double>();
        double Prior(Tensor train, Tensor test) => test.eq(train.flatten().mode().values).to(float64).mean().item<double>();
        return new ProbeScore(site, width, Accuracy(testKindLogits, testKinds), Accuracy(testColourLogits, testColours),
            Prior(trainKinds, testKinds), Prior(trainColours, testColours));
    }
}
