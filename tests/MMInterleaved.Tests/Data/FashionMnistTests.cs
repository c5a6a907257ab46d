using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Real;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data;

[Collection(TorchCollection.Name)]
public class FashionMnistTests
{
    /// <summary>A stand-in for the four Fashion-MNIST files: 12×12 items, a filled rectangle each (its size varies
    /// with the index), labels cycling through the classes.</summary>
    private static void WriteTinyFashionMnist(string folder, int train = 24, int test = 12, int side = 12)
    {
        foreach (var (prefix, n) in new[] { ("train", train), ("t10k", test) })
        {
            var pixels = new byte[n * side * side];
            for (int i = 0; i < n; i++)
            {
                int w = 3 + i % 7, h = 4 + i % 5;
                for (int y = 2; y < 2 + h; y++)
                    for (int x = 2; x < 2 + w; x++)
                        pixels[i * side * side + y * side + x] = (byte)(120 + 10 * (i % 13));
            }
            IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), [n, side, side], pixels);
            IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), [n], Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray());
        }
    }

    [Fact]
    public void Reads_generated_idx_gzip_files()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempFolder();
        WriteTinyFashionMnist(dir.Path);
        var train = FashionMnist.Load(dir.Path, train: true);
        Assert.Equal((24, 12, 12), (train.Count, train.Rows, train.Columns));
        Assert.Equal(3, train.Labels[3]);
        Assert.Equal(130, train.Image(1)[2 * 12 + 2]);
        Assert.Equal(0, train.Image(1)[0]);
        Assert.Equal(new long[] { 1, 12, 12 }, train.ImageTensor(0).shape);
        Assert.Equal(12, FashionMnist.Load(dir.Path, train: false).Count);
        Assert.Equal("boot", FashionMnist.ClassNames[9]);

        IdxFile.Write(dir.File("plain"), [2, 3], [1, 2, 3, 4, 5, 6], gzip: false);
        Assert.Equal([2, 3], IdxFile.Read(dir.File("plain")).Shape);
    }

    [Fact]
    public void Malformed_idx_files_name_the_file()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("bad"), [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(dir.File("bad")));
        Assert.Contains("bad: IDX data type 0x0d is not supported", e.Message);
        File.WriteAllBytes(dir.File("short"), [0, 0, 8, 1, 0, 0, 0, 5, 1, 2]);
        Assert.Contains("declares [5] = 5 bytes of data but the file holds 2", Assert.Throws<DataFormatException>(() => IdxFile.Read(dir.File("short"))).Message);
        File.WriteAllBytes(dir.File("nonsense"), "hello"u8.ToArray());
        Assert.Contains("not an IDX file", Assert.Throws<DataFormatException>(() => IdxFile.Read(dir.File("nonsense"))).Message);
    }

    [Fact]
    public void Missing_files_give_the_install_hint()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(dir.Path, train: true));
        Assert.Contains("train-images-idx3-ubyte.gz is missing", e.Message);
        Assert.Contains(OptionalData.FashionMnistHint, e.Message);
        if (OptionalData.FindFashionMnist() is null) // only checkable where the real files are absent
        {
            Assert.Equal(OptionalData.FashionMnistHint, Assert.Throws<FileNotFoundException>(() => FashionMnist.FindFolder()).Message);
            Assert.Contains(OptionalData.FashionMnistHint, Assert.Throws<FileNotFoundException>(() => GridTasks.Create("fashion-vqa")).Message);
        }
    }

    [Fact]
    public void Composited_scenes_place_tinted_items_whose_pixels_lie_in_their_boxes()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempFolder();
        WriteTinyFashionMnist(dir.Path);
        var data = FashionMnist.Load(dir.Path, train: true);
        var options = new GlyphSceneOptions(ImageSize: 96, GridSide: 3, GlyphScale: 0.8) { ScaleJitter = 0.05 };
        var sampler = new FashionGridSampler(data, 0, data.Count, options);
        var scene = (FashionGridScene)sampler.Sample(SeededRandom.For(1, 2));
        Assert.Equal(9, scene.Items.Count);
        Assert.Equal("item", scene.ItemNoun);
        Assert.All(scene.Items, i => Assert.Equal(FashionMnist.ClassNames[data.Labels[scene.Placed[scene.Items.ToList().IndexOf(i)].DatasetIndex]], i.Kind.Name));
        Assert.Equal(scene.RenderPng(), ((FashionGridScene)sampler.Sample(SeededRandom.For(1, 2))).RenderPng());
        Assert.Equal(new long[] { 3, 96, 96 }, scene.Render().shape);
        for (int g = 0; g < scene.Placed.Count; g++)
        {
            using var all = scene.RenderBitmap();
            using var without = scene.RenderBitmap(g);
            byte[] a = all.GetPixelSpan().ToArray(), b = without.GetPixelSpan().ToArray();
            int changed = 0;
            for (int p = 0; p < a.Length / 4; p++)
                if (a[4 * p] != b[4 * p] || a[4 * p + 1] != b[4 * p + 1] || a[4 * p + 2] != b[4 * p + 2])
                {
                    changed++;
                    Assert.True(scene.Placed[g].Box.Contains(p % 96, p / 96), $"item {g} pixel ({p % 96},{p / 96}) outside {scene.Placed[g].Box}");
                }
            Assert.True(changed > 10);
            // the drawn colour is the tint: the item's centre pixel has the palette colour's hue
            var c = scene.Placed[g].Color;
            var box = scene.Placed[g].Box;
            var px = all.GetPixel((box.X1 + box.X2) / 2, (box.Y1 + box.Y2) / 2);
            int dominant = new[] { c.R, c.G, c.B }.ToList().IndexOf(new[] { c.R, c.G, c.B }.Max());
            Assert.Equal(new[] { px.Red, px.Green, px.Blue }.Max(), new[] { px.Red, px.Green, px.Blue }[dominant]);
        }
    }

    [Fact]
    public void Splits_use_disjoint_items_and_the_grid_tasks_run_on_fashion_scenes()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempFolder();
        WriteTinyFashionMnist(dir.Path);
        var train = FashionMnist.Load(dir.Path, train: true);
        var test = FashionMnist.Load(dir.Path, train: false);
        var o = new GlyphSceneOptions(GridSide: 3, GlyphScale: 0.8) { ScaleJitter = 0.05 };
        var tr = FashionGridSampler.ForSplit(DataSplit.Train, train, null, o);
        var va = FashionGridSampler.ForSplit(DataSplit.Validation, train, null, o);
        var te = FashionGridSampler.ForSplit(DataSplit.Test, null, test, o);
        Assert.Equal((0, 22), (tr.Start, tr.ItemCount));
        Assert.Equal((22, 2), (va.Start, va.ItemCount));
        Assert.Same(test, te.Data);
        var used = Enumerable.Range(0, 50).SelectMany(i => ((FashionGridScene)va.Sample(SeededRandom.For(3, (ulong)i))).Placed.Select(p => p.DatasetIndex)).Distinct();
        Assert.All(used, i => Assert.InRange(i, 22, 23));

        foreach (string suffix in GridTasks.Suffixes)
        {
            var task = GridTasks.Create(suffix, new GridTaskOptions(Scene: o), tr);
            Assert.Equal("fashion-" + suffix, task.Name);
            var d = task.Get(0);
            Assert.Single(d.Segments, s => s is TextSegment { Target: true });
            Assert.Equal(new long[] { 3, 64, 64 }, d.Images.First().Load().shape);
        }
        var vqa = GridTasks.Create("vqa", new GridTaskOptions(Scene: o) { Questions = new VqaQuestionMix(1, 0, 0, 0) }, tr);
        var doc = vqa.Get(1);
        Assert.Contains(doc.Meta("answer"), FashionMnist.ClassNames);
        Assert.Equal(vqa.Scene(1).Items.Single(i => GridText.CellKey(i) == doc.Meta("cell")).Kind.Name, doc.Meta("answer"));
        Assert.Contains("how many red items are there?", Enumerable.Range(0, 200)
            .Select(i => GridTasks.Create("vqa", new GridTaskOptions(Scene: o) { Questions = new VqaQuestionMix(0, 0, 1, 0) }, tr).Get(i).Meta("question")));
    }
}
