using MMInterleaved.Data.Sequences;
using MMInterleaved.Model;
using Xunit;
using static MMInterleaved.Tests.Data.Sequences.SequenceFixtures;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data.Sequences;

/// <summary>The contract with the model: a collated batch gives exactly the intended text targets.</summary>
[Collection(TorchCollection.Name)]
public class ModelTargetsTests
{
    [Fact]
    public void Packed_vqa_documents_train_exactly_their_answers_and_eos()
    {
        var config = ModelPresets.Tiny;
        Assert.Equal(config.Tokens, Tokenizer.Specials);
        var builder = new SequenceBuilder(Tokenizer, config.NumImageTokens);
        var docs = Enumerable.Range(0, 7).Select(i => builder.Build(Vqa(i % Questions.Length, i / 10.0), i)).ToList();
        var rows = new SequencePacker(48, 3).Pack(docs).ToList();
        Assert.Contains(rows, r => r.Documents > 1);
        var batch = new BatchCollator(config.Tokens, config.Vision.ImageSize).Collate(rows);

        var targets = InterleavedSequence.TextTargets(batch.InputIds, batch.AttentionMask, config.Tokens, batch.IgnoreNoImagePrefix,
            batch.PromptOffsets, batch.TargetMask);
        for (int r = 0; r < rows.Count; r++)
        {
            var counted = targets[r].data<long>().Where(t => t != -100).ToArray();
            var expected = rows[r].DocumentIndices.SelectMany(i => Ids(Questions[i % Questions.Length].Answer).Append(Tokenizer.Specials.Eos)).ToArray();
            Assert.Equal(expected, counted);
        }

        manual_seed(1);
        var model = new MMInterleavedModel(config);
        using var noGrad = no_grad();
        var output = model.forward(batch);
        long total = docs.Sum(d => Ids(Questions[d.Index % Questions.Length].Answer).Length + 1);
        Assert.Equal(total, output.TextTargets);
        Assert.True(double.IsFinite(output.Loss!.item<float>()));
    }

    [Fact]
    public void Text_first_pairs_keep_the_caption_the_boi_and_eos_as_targets()
    {
        var config = ModelPresets.Tiny;
        var doc = new SequenceBuilder(Tokenizer, config.NumImageTokens).Build(Pair(1, 0.5), 0);
        var batch = new BatchCollator(config.Tokens, config.Vision.ImageSize).Collate([doc]);
        var counted = InterleavedSequence.TextTargets(batch.InputIds, batch.AttentionMask, config.Tokens, targetMask: batch.TargetMask)[0]
            .data<long>().Where(t => t != -100).ToArray();
        Assert.Equal([.. Ids(Captions[1]), config.Tokens.BeginOfImage, config.Tokens.Eos], counted);
    }
}
