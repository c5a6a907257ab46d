using MMInterleaved.Data;
using MMInterleaved.Data.Sequences;
using Xunit;
using static MMInterleaved.Tests.Data.Sequences.SequenceFixtures;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data.Sequences;

[Collection(TorchCollection.Name)]
public class BatchCollatorTests
{
    private static List<PackedSequence> Rows()
    {
        var builder = Builder();
        var docs = new[] { Vqa(0, 0.1), Vqa(1, 0.2), Pair(0, 0.3), Mixed(3) }.Select((d, i) => builder.Build(d, i)).ToList();
        return [PackedSequence.Concat([docs[0], docs[1]], 0), PackedSequence.Concat([docs[2], docs[3]], 0), PackedSequence.Of(docs[3])];
    }

    [Fact]
    public void Right_padding_masks_and_images_in_row_major_order()
    {
        var rows = Rows();
        var batch = new BatchCollator(Tokenizer.Specials, ImageSide).Collate(rows);
        int width = rows.Max(r => r.Length);
        Assert.Equal(new long[] { 3, width }, batch.InputIds.shape);
        Assert.Equal(new long[] { 3, width }, batch.AttentionMask.shape);
        Assert.Equal(new long[] { 3, width }, batch.TargetMask!.shape);
        Assert.Equal(new long[] { 3, 3, ImageSide, ImageSide }, batch.Images.shape);
        for (int r = 0; r < rows.Count; r++)
        {
            long[] ids = batch.InputIds[r].data<long>().ToArray(), mask = batch.AttentionMask[r].data<long>().ToArray();
            long[] targets = batch.TargetMask[r].data<long>().ToArray();
            Assert.Equal(rows[r].Ids, ids[..rows[r].Length]);
            Assert.All(ids[rows[r].Length..], id => Assert.Equal(0L, id));
            Assert.Equal(Enumerable.Repeat(1L, rows[r].Length).Concat(Enumerable.Repeat(0L, width - rows[r].Length)), mask);
            Assert.Equal(rows[r].Targets.Select(t => t ? 1L : 0L).Concat(Enumerable.Repeat(0L, width - rows[r].Length)), targets);
        }
        // images 0.1, 0.2 (row 0) then 0.3 (row 1), in that order
        var means = batch.Images.mean([1, 2, 3]).data<float>().ToArray();
        Assert.All(new[] { 0.1f, 0.2f, 0.3f }.Zip(means), x => Assert.Equal(x.First, x.Second, 5));
        Assert.False(batch.IgnoreNoImagePrefix);
    }

    [Fact]
    public void Left_padding_for_prompts_and_fixed_length()
    {
        var builder = Builder();
        var prompts = new[] { builder.BuildPrompt(Vqa(0, 0.1)), builder.BuildPrompt(Vqa(3, 0.2)) };
        var batch = new BatchCollator(Tokenizer.Specials, ImageSide, leftPad: true).Collate(prompts);
        int width = prompts.Max(p => p.Length);
        for (int r = 0; r < 2; r++)
        {
            int pad = width - prompts[r].Length;
            Assert.Equal(prompts[r].Ids, batch.InputIds[r].data<long>().ToArray()[pad..]);
            Assert.Equal(Enumerable.Repeat(0L, pad).Concat(Enumerable.Repeat(1L, prompts[r].Length)), batch.AttentionMask[r].data<long>().ToArray());
        }
        Assert.True(width > prompts.Min(p => p.Length));
        var fixedBatch = new BatchCollator(Tokenizer.Specials, ImageSide, padToLength: 64, ignoreNoImagePrefix: true).Collate(prompts);
        Assert.Equal(new long[] { 2, 64 }, fixedBatch.InputIds.shape);
        Assert.True(fixedBatch.IgnoreNoImagePrefix);
        Assert.Throws<ArgumentException>(() => new BatchCollator(Tokenizer.Specials, ImageSide, padToLength: 8).Collate(prompts));
    }

    [Fact]
    public void Text_only_batches_have_no_images_and_wrong_sizes_are_named()
    {
        var builder = Builder();
        var text = new BatchCollator(Tokenizer.Specials, ImageSide).Collate([builder.Build(Mixed(3), 3)]);
        Assert.Equal(new long[] { 0, 3, ImageSide, ImageSide }, text.Images.shape);
        var wrong = builder.Build(new InterleavedDocument([new TextSegment("a dog"), Image(0.5, side: 16)]), 0);
        var e = Assert.Throws<ArgumentException>(() => new BatchCollator(Tokenizer.Specials, ImageSide).Collate([wrong]));
        Assert.Contains("[3,16,16]", e.Message);
        Assert.Contains("[3,32,32]", e.Message);
        Assert.Contains("image-0.5", e.Message);
    }
}
