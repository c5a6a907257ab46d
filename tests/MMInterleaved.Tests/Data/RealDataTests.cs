using MMInterleaved.Data;
using MMInterleaved.Data.Real;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data;

[Collection(TorchCollection.Name)]
public class RealDataTests
{
    private static void WriteJpeg(string path, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.Orange);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void Coco_captions_become_image_caption_documents_with_all_references()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempFolder();
        WriteJpeg(dir.File("img/a.jpg"), 40, 30);
        WriteJpeg(dir.File("img/b.jpg"), 30, 40);
        File.WriteAllText(dir.File("captions.json"), """
            {"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2, "file_name": "b.jpg"}, {"id": 3, "file_name": "c.jpg"}],
             "annotations": [{"image_id": 1, "caption": "A Dog on a couch."}, {"image_id": 2, "caption": "two cats"},
                             {"image_id": 1, "caption": "a sleeping dog"}]}
            """);
        var source = CocoCaptions.Load(dir.File("captions.json"), dir.File("img"), new RealDataOptions(ImageSize: 16));
        Assert.Equal("coco-caption", source.Name);
        Assert.Equal(2, source.Count); // image 3 has no caption (and no file): left out
        var d = source.Get(0);
        Assert.Equal("1", d.Id);
        Assert.Equal(new TextSegment("a dog on a couch."), d.Segments[1]);
        Assert.Equal(["a dog on a couch.", "a sleeping dog"], JsonText.ParseArray(d.Meta("captions")!));
        Assert.Equal(new long[] { 3, 16, 16 }, d.Images.Single().Load().shape);
        Assert.Equal(dir.File("img/a.jpg"), d.Images.Single().SourcePath);

        var perCaption = CocoCaptions.Load(dir.File("captions.json"), dir.File("img"), onePerCaption: true);
        Assert.Equal(3, perCaption.Count);
        Assert.Equal(["1/0", "1/1", "2/0"], perCaption.Documents.Select(x => x.Id));
    }

    [Fact]
    public void Coco_errors_name_the_file_and_field()
    {
        using var dir = new TempFolder();
        string file = dir.File("c.json");
        DataFormatException Load(string json)
        {
            File.WriteAllText(file, json);
            return Assert.Throws<DataFormatException>(() => CocoCaptions.Load(file, dir.Path));
        }
        Assert.Contains("c.json: images is missing", Load("""{"annotations": []}""").Message);
        Assert.Contains("images[1].file_name is missing", Load("""{"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2}], "annotations": []}""").Message);
        Assert.Contains("annotations[0].caption must be a string, not a number",
            Load("""{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [{"image_id": 1, "caption": 5}]}""").Message);
        Assert.Contains("annotations[0].image_id 9 is not the id of any entry",
            Load("""{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [{"image_id": 9, "caption": "x"}]}""").Message);
        var e = Load("""{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [{"image_id": 1, "caption": "x"}]}""");
        Assert.Contains("the image of image id 1, \"a.jpg\", is not in", e.Message);
        var skipped = CocoCaptions.Load(file, dir.Path, new RealDataOptions(SkipMissingImages: true));
        Assert.Equal(0, skipped.Count);
        e = Load("{\"images\": [\n{\"id\": 1,,}]}");
        Assert.Contains("c.json:2: malformed JSON", e.Message);
    }

    [Fact]
    public void Vqa_questions_and_annotations_become_prompt_and_answer_documents()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempFolder();
        WriteJpeg(dir.File("val/COCO_val2014_000000000042.jpg"), 20, 20);
        File.WriteAllText(dir.File("q.json"), """
            {"questions": [{"image_id": 42, "question": "What color is the cat?", "question_id": 420},
                           {"image_id": 42, "question": "How many cats?", "question_id": 421}]}
            """);
        File.WriteAllText(dir.File("a.json"), """
            {"annotations": [
              {"question_id": 421, "answers": [{"answer": "2"}, {"answer": "two"}], "answer_type": "number", "question_type": "how many", "multiple_choice_answer": "2"},
              {"question_id": 420, "answers": [{"answer": "Orange"}, {"answer": "orange"}, {"answer": "brown"}], "answer_type": "other", "question_type": "what color is the", "multiple_choice_answer": "Orange"}]}
            """);
        var source = VqaDataset.Load(dir.File("q.json"), dir.File("a.json"), dir.File("val"), "COCO_val2014_{image_id:D12}.jpg");
        Assert.Equal(2, source.Count);
        var d = source.Get(0);
        Assert.Equal("420", d.Id);
        Assert.IsType<ImageSegment>(d.Segments[0]);
        Assert.Equal(new TextSegment("Question: What color is the cat? Short answer:", false), d.Segments[1]);
        Assert.Equal(new TextSegment(" orange"), d.Segments[2]);
        Assert.Equal(["orange", "orange", "brown"], JsonText.ParseArray(d.Meta("answers")!));
        Assert.Equal("what color is the", d.Meta("question_type"));
        Assert.Equal("other", d.Meta("answer_type"));
        Assert.Equal("42", d.Meta("image_id"));
        Assert.Equal(new long[] { 3, 20, 20 }, d.Images.Single().Load().shape);

        var noAnswers = VqaDataset.Load(dir.File("q.json"), null, dir.File("val"), "COCO_val2014_{image_id:D12}.jpg");
        Assert.Equal(2, noAnswers.Get(1).Segments.Count);
        Assert.Null(noAnswers.Get(1).Meta("answer"));
        Assert.Equal("COCO_val2014_000000000007.jpg", VqaDataset.FileName("COCO_val2014_{image_id:D12}.jpg", "7"));
        Assert.Equal("7.png", VqaDataset.FileName("{image_id}.png", "7"));
        Assert.Throws<ArgumentException>(() => VqaDataset.FileName("fixed.jpg", "7"));
    }

    [Fact]
    public void Vqa_errors_name_the_file_and_field()
    {
        using var dir = new TempFolder();
        WriteJpeg(dir.File("1.jpg"), 8, 8);
        File.WriteAllText(dir.File("q.json"), """{"questions": [{"image_id": 1, "question": "why?", "question_id": 10}]}""");
        DataFormatException Load(string annotations, string? questions = null)
        {
            File.WriteAllText(dir.File("a.json"), annotations);
            if (questions is not null) File.WriteAllText(dir.File("q2.json"), questions);
            return Assert.Throws<DataFormatException>(() => VqaDataset.Load(dir.File(questions is null ? "q.json" : "q2.json"), dir.File("a.json"), dir.Path, "{image_id}.jpg"));
        }
        const string Good = """{"question_id": 10, "answers": [{"answer": "x"}], "answer_type": "other", "question_type": "why", "multiple_choice_answer": "x"}""";
        Assert.Contains("a.json: annotations[0].answers[0].answer is missing",
            Load("""{"annotations": [{"question_id": 10, "answers": [{"text": "x"}], "answer_type": "o", "question_type": "w", "multiple_choice_answer": "x"}]}""").Message);
        Assert.Contains("annotations[0].multiple_choice_answer is missing",
            Load("""{"annotations": [{"question_id": 10, "answers": [{"answer": "x"}], "answer_type": "o", "question_type": "w"}]}""").Message);
        Assert.Contains("no annotation has question_id 10", Load("""{"annotations": []}""").Message);
        Assert.Contains("q2.json: questions[0].question is missing", Load($$"""{"annotations": [{{Good}}]}""", """{"questions": [{"image_id": 1, "question_id": 10}]}""").Message);
        Assert.Contains("q2.json: questions[0]: the image of image_id 2, \"2.jpg\", is not in",
            Load($$"""{"annotations": [{{Good}}]}""", """{"questions": [{"image_id": 2, "question": "why?", "question_id": 10}]}""").Message);
    }
}
