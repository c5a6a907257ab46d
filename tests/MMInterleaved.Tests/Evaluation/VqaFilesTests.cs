using MMInterleaved.Data;
using MMInterleaved.Evaluation;
using MMInterleaved.Tests.Data;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public sealed class VqaFilesTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private const string Questions = """{"info": {}, "questions": [{"question_id": 1, "image_id": 9, "question": "What?"}, {"question_id": 2, "image_id": 9, "question": "How many?"}]}""";
    private const string Annotations = """{"annotations": [{"question_id": 1, "image_id": 9, "question_type": "what", "answer_type": "other", "multiple_choice_answer": "a", "answers": [{"answer": "a", "answer_confidence": "yes", "answer_id": 1}]}, {"question_id": 2, "image_id": 9, "question_type": "how many", "answer_type": "number", "answers": [{"answer": "2"}]}]}""";
    private const string Predictions = """[{"question_id": 1, "answer": "a"}, {"question_id": 2, "answer": "2"}]""";

    private (string Q, string A, string P) Write(string questions = Questions, string annotations = Annotations, string predictions = Predictions)
    {
        string q = folder.File("q.json"), a = folder.File("a.json"), p = folder.File("p.json");
        File.WriteAllText(q, questions);
        File.WriteAllText(a, annotations);
        File.WriteAllText(p, predictions);
        return (q, a, p);
    }

    private void AssertFails(char fileAtFault, string problem, string questions = Questions, string annotations = Annotations, string predictions = Predictions)
    {
        var (q, a, p) = Write(questions, annotations, predictions);
        var e = Assert.Throws<DataFormatException>(() => VqaFiles.Load(q, a, p));
        Assert.StartsWith(fileAtFault switch { 'q' => q, 'a' => a, _ => p }, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Reads_and_scores_the_official_formats()
    {
        var (q, a, p) = Write();
        var (annotations, predictions) = VqaFiles.Load(q, a, p);
        Assert.Equal([1L, 2L], annotations.Select(x => x.QuestionId));
        Assert.Equal("a", annotations[0].MultipleChoiceAnswer);
        Assert.Null(annotations[1].MultipleChoiceAnswer);
        Assert.Equal("2", predictions[2]);
        Assert.Equal(0.0, VqaFiles.Evaluate(q, a, p).Overall); // one human answer: no other answer can match
    }

    [Fact]
    public void Reads_the_fixture()
    {
        var annotations = VqaFiles.ReadAnnotations(MetricFixtures.VqaAnnotations);
        Assert.Equal(61, annotations.Count);
        Assert.All(annotations, x => Assert.Equal(10, x.Answers.Count));
        Assert.Equal(10, annotations[0].Answers.Select(x => x.Identity).Distinct().Count());
    }

    [Fact]
    public void Not_json() => AssertFails('p', "malformed JSON", predictions: "[{");

    [Fact]
    public void Results_must_be_a_list() => AssertFails('p', "top level must be an array", predictions: """{"question_id": 1}""");

    [Fact]
    public void Missing_field() => AssertFails('a', "annotations[1].answer_type is missing",
        annotations: Annotations.Replace("\"answer_type\": \"number\", ", "", StringComparison.Ordinal));

    [Fact]
    public void Wrong_type() => AssertFails('p', "[1].answer must be a string, not a number", predictions: """[{"question_id": 1, "answer": "a"}, {"question_id": 2, "answer": 2}]""");

    [Fact]
    public void Question_missing_from_the_questions_file() => AssertFails('a', "question_id 2 is not a question of",
        questions: """{"questions": [{"question_id": 1, "image_id": 9, "question": "What?"}]}""");

    [Fact]
    public void Prediction_for_an_unknown_question() => AssertFails('p', "question_id 7 is answered but has no annotation",
        predictions: """[{"question_id": 1, "answer": "a"}, {"question_id": 2, "answer": "2"}, {"question_id": 7, "answer": "x"}]""");

    [Fact]
    public void Question_without_prediction() => AssertFails('p', "question_id 2 (annotated in", predictions: """[{"question_id": 1, "answer": "a"}]""");

    [Fact]
    public void Duplicate_prediction() => AssertFails('p', "question_id 1 is answered twice",
        predictions: """[{"question_id": 1, "answer": "a"}, {"question_id": 1, "answer": "b"}]""");

    [Fact]
    public void Duplicate_annotation() => AssertFails('a', "question_id 1 appears twice",
        annotations: Annotations.Replace("\"question_id\": 2", "\"question_id\": 1", StringComparison.Ordinal));

    [Fact]
    public void Duplicate_question() => AssertFails('q', "question_id 1 appears twice",
        questions: Questions.Replace("\"question_id\": 2", "\"question_id\": 1", StringComparison.Ordinal));

    [Fact]
    public void Question_without_human_answers() => AssertFails('a', "answers is empty",
        annotations: Annotations.Replace("[{\"answer\": \"2\"}]", "[]", StringComparison.Ordinal));
}
