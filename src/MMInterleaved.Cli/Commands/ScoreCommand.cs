using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MMInterleaved.Evaluation;
using MMInterleaved.Evaluation.Inception;

namespace MMInterleaved.Cli.Commands;

/// <summary>
/// `mmi score`: caption and VQA scores of prediction files, computed as the official toolkits compute them, printed
/// as JSON on standard output.
/// </summary>
public static class ScoreCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    public static Command Build()
    {
        var command = new Command("score",
            "Score prediction files as the official toolkits do (COCO caption evaluation, VQA evaluation) and generated " +
            "image folders (similarity, FID-glyph, FID, mIoU); prints JSON.");
        command.Subcommands.Add(BuildCaptions());
        command.Subcommands.Add(BuildVqa());
        command.Subcommands.Add(BuildImages());
        return command;
    }

    private static Command BuildCaptions()
    {
        var predictions = new Option<string>("--predictions")
        {
            Description = "COCO results file: a JSON array [{\"image_id\": 42, \"caption\": \"a dog on a sofa.\"}, ...], " +
                          "one caption per image of the references.",
            Required = true,
        };
        var references = new Option<string>("--references")
        {
            Description = "COCO caption annotations: {\"images\": [{\"id\": 42}, ...], \"annotations\": [{\"image_id\": 42, " +
                          "\"id\": 1, \"caption\": \"A dog lies on a couch.\"}, ...]}. Every listed image is scored.",
            Required = true,
        };
        var command = new Command("captions",
            "BLEU-1..4 and CIDEr-D as pycocoevalcap computes them (PTB tokenisation, its Bleu(4) and Cider()); " +
            "prints {\"Bleu_1\": ..., \"Bleu_2\": ..., \"Bleu_3\": ..., \"Bleu_4\": ..., \"CIDEr\": ...} as fractions.")
        {
            predictions, references,
        };
        command.SetAction(parse =>
        {
            var scores = CocoCaptionFiles.Score(parse.GetValue(references)!, parse.GetValue(predictions)!);
            var json = new JsonObject();
            foreach (string name in CaptionScorer.MetricNames) json[name] = scores[name];
            Print(json);
            return 0;
        });
        return command;
    }

    private static Command BuildVqa()
    {
        var predictions = new Option<string>("--predictions")
        {
            Description = "VQA results file: a JSON array [{\"question_id\": 7, \"answer\": \"two\"}, ...], " +
                          "one answer per annotated question.",
            Required = true,
        };
        var questions = new Option<string>("--questions")
        {
            Description = "VQA v2 questions file: {\"questions\": [{\"question_id\": 7, \"image_id\": 42, " +
                          "\"question\": \"How many dogs?\"}, ...]}.",
            Required = true,
        };
        var annotations = new Option<string>("--annotations")
        {
            Description = "VQA v2 annotations file: {\"annotations\": [{\"question_id\": 7, \"image_id\": 42, " +
                          "\"question_type\": \"how many\", \"answer_type\": \"number\", \"multiple_choice_answer\": \"2\", " +
                          "\"answers\": [{\"answer\": \"2\", \"answer_confidence\": \"yes\", \"answer_id\": 1}, ...]}, ...]} " +
                          "(ten human answers per question in VQA v2).",
            Required = true,
        };
        var extract = new Option<bool>("--extract-answer")
        {
            Description = "First shorten each predicted answer with MM-Interleaved's extract_answer heuristic (first line, " +
                          "first clause, text after is/are/a/an/the, before of/or/and). Off in the official script.",
        };
        var command = new Command("vqa",
            "VQA accuracy as the official vqaEval.py computes it (normalisation when the humans disagree, min(1, matches/3) " +
            "over the leave-one-out subsets, Python rounding); prints {\"overall\", \"per_question\", \"per_question_type\", " +
            "\"per_answer_type\"} in percent.")
        {
            predictions, questions, annotations, extract,
        };
        command.SetAction(parse =>
        {
            var result = VqaFiles.Evaluate(parse.GetValue(questions)!, parse.GetValue(annotations)!, parse.GetValue(predictions)!,
                parse.GetValue(extract));
            var perQuestion = new JsonObject();
            foreach (var (id, accuracy) in result.PerQuestion) perQuestion[id.ToString(CultureInfo.InvariantCulture)] = accuracy;
            var json = new JsonObject
            {
                ["overall"] = result.Overall,
                ["per_question"] = perQuestion,
                ["per_question_type"] = ToJson(result.PerQuestionType),
                ["per_answer_type"] = ToJson(result.PerAnswerType),
            };
            Print(json);
            return 0;
        });
        return command;
    }

    private static Command BuildImages()
    {
        var generated = new Option<string>("--generated")
        {
            Description = "Folder of generated images (PNG, JPEG, WebP, BMP), square and of one size.",
            Required = true,
        };
        var references = new Option<string>("--references")
        {
            Description = "Folder of the ground-truth images, paired with the generated ones by file name without extension.",
            Required = true,
        };
        var maps = new Option<string?>("--maps")
        {
            Description = "Folder of segmentation maps in the glyph-seg-to-image palette (same file names): adds mIoU of the " +
                          "generated images against them and of the references (miou_real, the ceiling).",
        };
        var grid = new Option<int>("--grid")
        {
            Description = "Grid side of the glyph scenes the scoring segmenter is trained on (trained once, a few minutes, " +
                          "cached in artifacts/segmenters; the same one `mmi eval` uses).",
            DefaultValueFactory = _ => 1,
        };
        var inception = new Option<string?>("--inception")
        {
            Description = $"pytorch-fid's InceptionV3 weights ({FidInceptionV3.WeightsFileName}.pth, or converted to " +
                          $"safetensors) for the real FID; default ${FidInceptionV3.WeightsVariable} or " +
                          $"artifacts/weights/{FidInceptionV3.WeightsFileName}.{{safetensors,pth}}; no FID without them.",
        };
        var command = new Command("images",
            "Generation scores of image folders: similarity (cosine of the pre-trained small encoder's features, generated vs " +
            "its reference, mean and SE; similarity_centred: the same after subtracting the references' mean feature, as the plain " +
            "cosine of glyph scenes saturates near 1), fid_glyph (Fréchet distance in the glyph segmenter's features), fid (pytorch-fid's " +
            "InceptionV3, when its weights are present) and, with --maps, miou and miou_real; prints JSON.")
        {
            generated, references, maps, grid, inception,
        };
        command.SetAction(parse =>
        {
            var scores = ImageFolderScores.Score(parse.GetValue(generated)!, parse.GetValue(references)!,
                new ImageFolderScoreOptions(parse.GetValue(grid), parse.GetValue(maps), parse.GetValue(inception)));
            var json = new JsonObject();
            foreach (var (key, value) in scores) json[key] = double.IsFinite(value) ? value : null;
            Print(json);
            return 0;
        });
        return command;
    }

    private static JsonObject ToJson(IReadOnlyDictionary<string, double> values)
    {
        var json = new JsonObject();
        foreach (var (key, value) in values) json[key] = value;
        return json;
    }

    // Plain JSON on standard output (not through Spectre.Console, which would wrap and mark up the text).
    private static void Print(JsonObject json) =>
        Console.Out.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
