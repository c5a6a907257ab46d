using System.Text.Json;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Model;
using MMInterleaved.Vision;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Training;

/// <summary>
/// Pre-trains a model config's vision encoder (ViT + adapter) on glyph scenes with dense per-cell targets — the glyph and its
/// colour in every grid cell — as the paper starts from a pre-trained CLIP. A pilot found end-to-end training from scratch
/// never left the answer prior within an ablation budget, while a separately pre-trained encoder read small glyphs after a
/// few minutes (design/pilot-findings.md). The result is saved as a small safetensors file that the small preset loads frozen.
/// </summary>
public sealed class EncoderPretraining
{
    /// <summary>Glyph classes of the per-cell targets; class <c>KindNames.Length</c> is "empty".</summary>
    internal static readonly string[] KindNames = Enum.GetNames<GlyphKind>();
    /// <summary>Colour classes of the per-cell targets; class <c>ColourNames.Length</c> is "none".</summary>
    internal static readonly string[] ColourNames = GlyphPalette.Colors.Select(c => c.Name).ToArray();

    /// <summary>Encoder and head as one module (one parameter list, one checkpoint).</summary>
    public sealed class EncoderWithHead : nn.Module
    {
        [ComponentName(Name = "encoder")] private readonly ClipVisionAdapterModel encoder;
        [ComponentName(Name = "cell_head")] private readonly CellClassifierHead head;

        /// <summary>Builds both.</summary>
        public EncoderWithHead(ModelConfig config, int gridCells) : base("encoder_pretraining")
        {
            encoder = new ClipVisionAdapterModel(config.Vision, config.Adapter);
            head = new CellClassifierHead(config.Vision.HiddenSize, gridCells, KindNames.Length + 1, ColourNames.Length + 1);
            RegisterComponents();
        }

        /// <summary>The encoder.</summary>
        public ClipVisionAdapterModel Encoder => encoder;

        /// <summary>Cell logits for images in [0,1].</summary>
        public (Tensor Kinds, Tensor Colours) forward(Tensor images) => head.forward(encoder.forward(VisualTokenizer.Normalize(images)));
    }

    /// <summary>Images [B,3,S,S] in [0,1] with each cell's glyph class [B,n²] and colour class [B,n²], cells row-major.</summary>
    internal sealed record Batch(Tensor Images, Tensor Kinds, Tensor Colours);

    // Scenes i, i+1, … of one seed; the position is the next scene index.
    private sealed class SceneBatches(GlyphSceneOptions scene, long seed, int batchSize) : IBatchSource<Batch>
    {
        private long next;
        public Batch Next()
        {
            var batch = MakeBatch(scene, seed, next, batchSize);
            next += batchSize;
            return batch;
        }
        public string Position => JsonSerializer.Serialize(next);
        public void Restore(string position) => next = JsonSerializer.Deserialize<long>(position);
    }

    /// <summary>The settings.</summary>
    public EncoderPretrainingOptions Options { get; }
    /// <summary>Encoder with its head.</summary>
    public EncoderWithHead Network { get; }
    /// <summary>The trainer (subscribe for progress).</summary>
    public Trainer<object> Trainer { get; }
    private readonly GlyphSceneOptions scene;

    /// <summary>Builds the network and trainer.</summary>
    public EncoderPretraining(EncoderPretrainingOptions options)
    {
        Options = options;
        var config = ModelPresets.Resolve(options.Model);
        if (options.ImageSize is int size) config = (config with { Vision = config.Vision with { ImageSize = size } }).Validated();
        scene = SceneFor(options.Objective, config.Vision.ImageSize);
        manual_seed(options.Seed);
        Network = new EncoderWithHead(config, scene.GridSide);
        var training = new TrainingConfig
        {
            Steps = options.Steps, LearningRate = options.LearningRate, WarmupSteps = options.WarmupSteps, EvalEvery = options.EvalEvery,
            CheckpointEvery = options.EvalEvery, LogEvery = 10, Seed = options.Seed, Groups = [new("sampling_offsets", 0.1, 0.0)],
        };
        var source = new SceneBatches(scene, options.Seed, options.BatchSize);
        Trainer = new Trainer<object>(Network, training, source, b =>
        {
            var batch = (Batch)b;
            var (kinds, colours) = Network.forward(batch.Images);
            var loss = F.cross_entropy(kinds.flatten(0, 1), batch.Kinds.flatten()) + F.cross_entropy(colours.flatten(0, 1), batch.Colours.flatten());
            return new StepLoss(loss, batch.Images.shape[0]);
        }, options.RunFolder)
        {
            Evaluate = _ => Evaluate(options.EvalScenes),
            StopWhen = m => m["cell_glyph_accuracy"] >= options.TargetAccuracy,
        };
    }

    /// <summary>Cells per side of <see cref="EncoderObjective.ScatteredGlyphs"/>' lattice.</summary>
    public const int ScatterLattice = 6;

    /// <summary>The training scenes of an objective: 4×4 scenes, or one glyph per image (a one-cell grid) of the height a
    /// glyph has in a 4×4 scene of the same size, free to sit anywhere (jitter 1).</summary>
    public static GlyphSceneOptions SceneFor(EncoderObjective objective, int imageSize)
    {
        var grid = new GlyphSceneOptions(ImageSize: imageSize);
        return objective switch
        {
            EncoderObjective.CellLabels => grid,
            EncoderObjective.IsolatedGlyphs => grid with { GridSide = 1, GlyphScale = grid.GlyphScale / grid.GridSide, Jitter = 1 },
            EncoderObjective.ScatteredGlyphs => grid with { GridSide = ScatterLattice, GlyphScale = grid.GlyphScale * ScatterLattice / grid.GridSide, Jitter = 1, FillProbability = 0.3 },
            _ => throw new ArgumentException($"EncoderPretrainingOptions: Objective {objective} is not an objective ({string.Join(", ", Enum.GetNames<EncoderObjective>())})."),
        };
    }

    /// <summary>Held-out per-cell accuracy over the cells holding a glyph (with <see cref="EncoderObjective.IsolatedGlyphs"/>, the one glyph's): glyph kind, colour, and kind on cells holding a digit.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(int scenes)
    {
        Network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            long right = 0, rightColour = 0, total = 0, digits = 0, rightDigits = 0;
            for (long start = 0; start < scenes; start += 64)
            {
                // held-out scenes: a different seed stream than training
                var batch = MakeBatch(scene, Options.Seed + 7919, start, (int)Math.Min(64, scenes - start));
                var (kinds, colours) = Network.forward(batch.Images);
                // over the cells that hold a glyph (every cell of a 4×4 training scene; a sparse lattice's empty cells are easy)
                var filled = batch.Kinds.ne(KindNames.Length);
                var kindHit = kinds.argmax(-1).eq(batch.Kinds) & filled;
                right += kindHit.sum().item<long>();
                rightColour += (colours.argmax(-1).eq(batch.Colours) & filled).sum().item<long>();
                total += filled.sum().item<long>();
                var isDigit = batch.Kinds.lt(10);
                digits += isDigit.sum().item<long>();
                rightDigits += (kindHit & isDigit).sum().item<long>();
            }
            return new Dictionary<string, double>
            {
                ["cell_glyph_accuracy"] = (double)right / total,
                ["cell_colour_accuracy"] = (double)rightColour / total,
                ["cell_digit_accuracy"] = digits == 0 ? 0 : (double)rightDigits / digits,
            };
        }
        finally
        {
            Network.train();
        }
    }

    /// <summary>Trains, saves the encoder to <see cref="EncoderPretrainingOptions.OutFile"/>, returns the final metrics.</summary>
    public IReadOnlyDictionary<string, double> Run()
    {
        Trainer.Run();
        var metrics = Evaluate(Options.EvalScenes * 4);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(Options.OutFile));
        if (folder is not null) Directory.CreateDirectory(folder);
        string temp = Options.OutFile + ".tmp";
        Network.Encoder.SaveToSafetensors(temp);
        File.Move(temp, Options.OutFile, overwrite: true);
        return metrics;
    }

    /// <summary>Scenes <paramref name="start"/> … of <paramref name="seed"/> with their per-cell targets.</summary>
    internal static Batch MakeBatch(GlyphSceneOptions options, long seed, long start, int count)
    {
        int cells = options.GridSide * options.GridSide;
        var images = new Tensor[count];
        var kinds = new long[count * cells];
        var colours = new long[count * cells];
        for (int b = 0; b < count; b++)
        {
            var s = GlyphScene.Sample(options, seed, start + b);
            images[b] = s.Render();
            Array.Fill(kinds, KindNames.Length, b * cells, cells);        // "empty"
            Array.Fill(colours, ColourNames.Length, b * cells, cells);   // "none"
            foreach (var glyph in s.Glyphs)
            {
                int at = b * cells + glyph.Row * options.GridSide + glyph.Column;
                kinds[at] = (int)glyph.Kind;
                colours[at] = Array.IndexOf(ColourNames, glyph.Color.Name);
            }
        }
        return new Batch(stack(images), tensor(kinds).view(count, cells), tensor(colours).view(count, cells));
    }
}
