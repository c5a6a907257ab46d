using MMInterleaved.Data;
using MMInterleaved.Evaluation;
using MMInterleaved.Tests.Data;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public sealed class CocoCaptionFilesTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private const string References = """{"images": [{"id": 1}, {"id": 2}], "annotations": [{"image_id": 1, "id": 10, "caption": "A dog."}, {"image_id": 2, "id": 20, "caption": "A cat."}, {"image_id": 2, "id": 21, "caption": "A kitten."}]}""";
    private const string Predictions = """[{"image_id": 1, "caption": "a dog"}, {"image_id": 2, "caption": "a cat"}]""";

    private string Write(string name, string text)
    {
        string path = folder.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private void AssertFails(string references, string predictions, string fileAtFault, string problem)
    {
        string r = Write("refs.json", references), p = Write("preds.json", predictions);
        var e = Assert.Throws<DataFormatException>(() => CocoCaptionFiles.Load(r, p));
        Assert.StartsWith(fileAtFault == "refs" ? r : p, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Reads_the_official_formats_in_file_order()
    {
        var (references, predictions) = CocoCaptionFiles.Load(Write("refs.json", References), Write("preds.json", Predictions));
        Assert.Equal([1L, 2L], references.Keys);
        Assert.Equal(["A cat.", "A kitten."], references[2]);
        Assert.Equal("a dog", predictions[1]);
    }

    [Fact]
    public void Reads_the_fixture()
    {
        var references = CocoCaptionFiles.ReadReferences(MetricFixtures.CaptionReferences);
        Assert.Equal(31, references.Count);
        Assert.All(references.Values, captions => Assert.Equal(5, captions.Count));
    }

    [Fact]
    public void Not_json() => AssertFails("{\"images\": [", Predictions, "refs", "malformed JSON");

    [Fact]
    public void Predictions_must_be_a_list() => AssertFails(References, """{"image_id": 1}""", "preds", "top level must be an array");

    [Fact]
    public void Missing_caption() => AssertFails(References, """[{"image_id": 1}, {"image_id": 2, "caption": "x"}]""", "preds", "[0].caption is missing");

    [Fact]
    public void Wrong_type() => AssertFails(References, """[{"image_id": "one", "caption": "x"}]""", "preds", "[0].image_id must be an integer id, not a string");

    [Fact]
    public void Duplicate_prediction() =>
        AssertFails(References, """[{"image_id": 1, "caption": "a"}, {"image_id": 2, "caption": "b"}, {"image_id": 1, "caption": "c"}]""", "preds", "image_id 1 has a second prediction");

    [Fact]
    public void Prediction_for_an_image_without_references() =>
        AssertFails(References, """[{"image_id": 1, "caption": "a"}, {"image_id": 2, "caption": "b"}, {"image_id": 9, "caption": "c"}]""", "preds", "image_id 9 has a prediction but no reference captions");

    [Fact]
    public void Image_without_prediction() => AssertFails(References, """[{"image_id": 1, "caption": "a"}]""", "preds", "image_id 2 (listed in");

    [Fact]
    public void Listed_image_without_captions() =>
        AssertFails("""{"images": [{"id": 1}, {"id": 5}], "annotations": [{"image_id": 1, "caption": "a"}]}""", Predictions, "refs", "image id 5 has no caption");

    [Fact]
    public void Caption_of_an_unlisted_image() =>
        AssertFails("""{"images": [{"id": 1}], "annotations": [{"image_id": 3, "caption": "a"}]}""", Predictions, "refs", "annotations[0].image_id 3 is not the id of any entry");

    [Fact]
    public void Missing_images() => AssertFails("""{"annotations": []}""", Predictions, "refs", "images is missing");

    [Fact]
    public void Missing_file_names_the_path()
    {
        string missing = folder.File("nope.json");
        var e = Assert.Throws<FileNotFoundException>(() => CocoCaptionFiles.ReadPredictions(missing));
        Assert.Contains(missing, e.Message);
    }
}
