using MMInterleaved.Data;
using MMInterleaved.Data.Files;
using MMInterleaved.Data.Images;
using MMInterleaved.Data.Tasks;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data;

[Collection(TorchCollection.Name)]
public class DocumentFileTests
{
    private static void WritePng(string path, int width, int height, SKColor color)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static DataFormatException ReadError(TempFolder dir, string line, ImageLimits? limits = null)
    {
        string file = dir.File("docs.jsonl");
        File.WriteAllLines(file, ["{\"id\": \"ok\", \"segments\": [{\"text\": \"fine\"}]}", "", line]);
        return Assert.Throws<DataFormatException>(() => DocumentFile.Read(file, limits));
    }

    [Fact]
    public void Reads_text_image_segments_target_flags_and_metadata()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempFolder();
        WritePng(dir.File("images/a.png"), 5, 4, new SKColor(255, 0, 51));
        File.WriteAllText(dir.File("d.jsonl"),
            "{\"id\": \"q1\", \"segments\": [{\"image\": \"images/a.png\"}, {\"text\": \"Question: q Short answer:\", \"target\": false}, {\"text\": \" 7\"}], " +
            "\"meta\": {\"answer\": \"7\", \"answers\": [\"7\",\"7\"], \"n\": 3}}\n\n{\"segments\": [{\"text\": \"x\", \"target\": true}]}\n");
        var docs = DocumentFile.Read(dir.File("d.jsonl"));
        Assert.Equal(2, docs.Count);
        var d = docs[0];
        Assert.Equal("q1", d.Id);
        Assert.Equal(new TextSegment("Question: q Short answer:", false), d.Segments[1]);
        Assert.Equal(new TextSegment(" 7", true), d.Segments[2]);
        Assert.Equal("7", d.Meta("answer"));
        Assert.Equal("[\"7\",\"7\"]", d.Meta("answers"));
        Assert.Equal("3", d.Meta("n"));
        var image = (ImageSegment)d.Segments[0];
        Assert.Equal(dir.File("images/a.png"), image.SourcePath);
        var t = image.Load();
        Assert.Equal(new long[] { 3, 4, 5 }, t.shape);
        Assert.Equal(1f, t[0, 0, 0].item<float>());
        Assert.Equal(0.2f, t[2, 3, 4].item<float>(), 6);
        Assert.Equal("", docs[1].Id);
        Assert.Equal(new long[] { 3, 8, 8 }, DocumentFile.Read(dir.File("d.jsonl"), imageSize: 8)[0].Images.Single().Load().shape);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_line()
    {
        using var dir = new TempFolder();
        var e = ReadError(dir, "{\"segments\": [{\"text\": \"x\"}");
        Assert.Equal(3, e.Line);
        Assert.Contains("docs.jsonl:3:", e.Message);
        Assert.Contains("malformed JSON", e.Message);
        Assert.Equal(dir.File("docs.jsonl"), e.FilePath);
    }

    [Fact]
    public void Record_problems_name_the_file_line_and_what_is_wrong()
    {
        using var dir = new TempFolder();
        Assert.Contains("docs.jsonl:3: the record has no \"segments\" array", ReadError(dir, "{\"id\": \"x\"}").Message);
        Assert.Contains("\"segments\" is empty", ReadError(dir, "{\"segments\": []}").Message);
        Assert.Contains("a record must be a JSON object", ReadError(dir, "[1, 2]").Message);
        var e = ReadError(dir, "{\"segments\": [{\"text\": \"a\"}, {\"audio\": \"a.wav\"}]}");
        Assert.Contains("docs.jsonl:3: segments[1] is an unknown segment kind (fields: audio)", e.Message);
        Assert.Contains("segments[0] has an unknown field \"traget\"", ReadError(dir, "{\"segments\": [{\"text\": \"a\", \"traget\": false}]}").Message);
        Assert.Contains("segments[0].target must be true or false", ReadError(dir, "{\"segments\": [{\"text\": \"a\", \"target\": \"no\"}]}").Message);
        Assert.Contains("unknown segment kind", ReadError(dir, "{\"segments\": [{\"text\": \"a\", \"image\": \"b.png\"}]}").Message);
    }

    [Fact]
    public void Missing_and_unreadable_images_are_reported_with_file_and_line()
    {
        using var dir = new TempFolder();
        var e = ReadError(dir, "{\"segments\": [{\"image\": \"images/none.png\"}]}");
        Assert.Equal(3, e.Line);
        Assert.Contains("segments[0]: image file \"images/none.png\" not found", e.Message);

        File.WriteAllText(dir.File("junk.png"), "this is not a picture");
        e = ReadError(dir, "{\"segments\": [{\"text\": \"t\"}, {\"image\": \"junk.png\"}]}");
        Assert.Contains("docs.jsonl:3: segments[1]: image \"junk.png\" is not a readable image", e.Message);

        // a truncated PNG: the header reads, the pixels do not; Load reports the file and line
        WritePng(dir.File("whole.png"), 64, 64, SKColors.Teal);
        byte[] whole = File.ReadAllBytes(dir.File("whole.png"));
        File.WriteAllBytes(dir.File("cut.png"), whole[..(whole.Length / 2)]);
        File.WriteAllText(dir.File("cut.jsonl"), "{\"segments\": [{\"image\": \"cut.png\"}]}\n");
        var doc = DocumentFile.Read(dir.File("cut.jsonl")).Single();
        e = Assert.Throws<DataFormatException>(() => doc.Images.Single().Load());
        Assert.Contains("cut.jsonl:1: segments[0]: image \"cut.png\" cannot be decoded", e.Message);
    }

    [Fact]
    public void Oversized_images_are_rejected_from_the_header_without_decoding()
    {
        using var dir = new TempFolder();
        // 100000×100000 RGB would need 40 GB decoded; the file is a few dozen bytes.
        File.WriteAllBytes(dir.File("huge.png"), PngBytes.HeaderOnly(100_000, 100_000));
        Assert.Equal((100_000, 100_000), ImageTensors.ReadSize(dir.File("huge.png")));
        var e = ReadError(dir, "{\"segments\": [{\"image\": \"huge.png\"}]}");
        Assert.Contains("docs.jsonl:3: segments[0]: image \"huge.png\": image is 100000×100000; its width is over the limit MaxWidth = 4096", e.Message);
        Assert.Throws<InvalidDataException>(() => ImageTensors.Load(dir.File("huge.png")));

        // a real file over a width limit, and one over a pixel-count cap
        WritePng(dir.File("wide.png"), 5000, 1, SKColors.White);
        Assert.Contains("its width is over the limit MaxWidth = 4096", ReadError(dir, "{\"segments\": [{\"image\": \"wide.png\"}]}").Message);
        WritePng(dir.File("small.png"), 20, 20, SKColors.White);
        e = ReadError(dir, "{\"segments\": [{\"image\": \"small.png\"}]}", new ImageLimits(MaxPixels: 100));
        Assert.Contains("20×20 = 400 pixels; that is over the limit MaxPixels = 100", e.Message);
    }

    [Fact]
    public void Built_in_tasks_export_and_read_back_to_the_same_documents()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempFolder();
        foreach (string name in new[] { "glyph-vqa", "glyph-fewshot", "glyph-caption" })
        {
            var source = GridTasks.Create(name, new GridTaskOptions(Seed: 5));
            var docs = source.Take(3).ToList();
            string file = dir.File($"out/{name}.jsonl");
            Assert.Equal(3, DocumentFile.Write(file, docs));
            var back = DocumentFile.Read(file);
            Assert.Equal(3, back.Count);
            for (int i = 0; i < 3; i++) DataAssert.SameDocument(docs[i], back[i]); // pixels exact through PNG
            Assert.StartsWith("{\"id\":\"" + name + "/train/0\",\"segments\":[{\"image\":\"images/" + name + "-000000-0.png\"}", File.ReadLines(file).First());
            // writing again references the now-existing files instead of copying them
            string second = dir.File($"again/{name}.jsonl");
            DocumentFile.Write(second, back);
            Assert.Contains("\"image\":\"../out/images/", File.ReadLines(second).First());
            Assert.False(Directory.Exists(dir.File("again/images")));
        }
    }

    [Fact]
    public void Enumerate_is_lazy_and_a_missing_file_fails_at_once()
    {
        using var dir = new TempFolder();
        File.WriteAllLines(dir.File("d.jsonl"), ["{\"segments\": [{\"text\": \"a\"}]}", "not json"]);
        var first = DocumentFile.Enumerate(dir.File("d.jsonl")).First(); // the bad second line is never parsed
        Assert.Equal("a", ((TextSegment)first.Segments[0]).Text);
        Assert.Throws<FileNotFoundException>(() => DocumentFile.Enumerate(dir.File("none.jsonl")));
    }

    [Fact]
    public void Resize_center_crop_scales_the_short_side_and_keeps_the_middle()
    {
        using var scope = NewDisposeScope();
        // 300×100: left third red, middle third green, right third blue → the centre crop is all green
        var image = zeros(3, 100, 300);
        image[0, .., ..100] = tensor(1f);
        image[1, .., 100..200] = tensor(1f);
        image[2, .., 200..] = tensor(1f);
        var crop = ImageTensors.ResizeCenterCrop(image, 32);
        Assert.Equal(new long[] { 3, 32, 32 }, crop.shape);
        Assert.True(crop[1].min().item<float>() > 0.95f);
        Assert.True(crop[0].max().item<float>() < 0.05f && crop[2].max().item<float>() < 0.05f);
        // upscaling works too, and a square input keeps its content
        var up = ImageTensors.ResizeCenterCrop(full(3, 10, 10, 0.5f), 40);
        Assert.Equal(new long[] { 3, 40, 40 }, up.shape);
        Assert.True((up - 0.5f).abs().max().item<float>() < 0.01f);
    }
}
