using MMInterleaved.Data;
using MMInterleaved.Data.Sequences;
using MMInterleaved.Model;
using Xunit;
using static MMInterleaved.Tests.Data.Sequences.SequenceFixtures;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data.Sequences;

[Collection(TorchCollection.Name)]
public class BatchStreamTests
{
    private static BatchStream Stream(Func<long, InterleavedDocument?> source, DataStreamPosition? start = null) =>
        new(source, Builder(new SequenceBuilderOptions { RandomPairOrder = true, Seed = 3 }), new SequencePacker(40, 3),
            new BatchCollator(Tokenizer.Specials, ImageSide), batchSize: 2, start);

    private static InterleavedDocument? Finite(long i) => i < 60 ? Mixed(i) : null;

    private static void AssertSame(InterleavedBatch expected, InterleavedBatch actual)
    {
        static void Same(Tensor a, Tensor b)
        {
            Assert.Equal(a.shape, b.shape);
            Assert.True(a.eq(b).all().item<bool>());
        }
        Same(expected.InputIds, actual.InputIds);
        Same(expected.AttentionMask, actual.AttentionMask);
        Same(expected.TargetMask!, actual.TargetMask!);
        Same(expected.Images, actual.Images);
    }

    [Fact]
    public void A_restored_position_continues_exactly_like_the_uninterrupted_stream()
    {
        var whole = Stream(Finite).Batches().ToList();
        Assert.True(whole.Count > 6);
        foreach (int k in new[] { 1, 3, whole.Count - 1 })
        {
            var first = Stream(Finite);
            for (int i = 0; i < k; i++) Assert.NotNull(first.Next());
            string json = first.Position.ToJson();
            var restored = DataStreamPosition.FromJson(json);
            Assert.Equal(first.Position, restored);
            var resumed = Stream(Finite, restored).Batches().ToList();
            Assert.Equal(whole.Count - k, resumed.Count);
            for (int i = 0; i < resumed.Count; i++) AssertSame(whole[k + i], resumed[i]);
        }
    }

    [Fact]
    public void Positions_count_documents_rows_and_batches()
    {
        var stream = Stream(Mixed);   // endless source
        var rows = new List<PackedSequence>();
        for (int i = 0; i < 5; i++) rows.AddRange(stream.NextRows()!);
        var p = stream.Position;
        Assert.Equal(5, p.Batches);
        Assert.Equal(10, p.Sequences);
        Assert.Equal(rows[^1].DocumentIndices[^1] + 1, p.NextDocument);
        Assert.Equal(1, p.PendingDocuments);   // the document that did not fit is read again on resume
        Assert.Equal(Enumerable.Range(0, (int)p.NextDocument).Select(i => (long)i), rows.SelectMany(r => r.DocumentIndices));
        Assert.Contains("\"nextDocument\"", p.ToJson());
        Assert.Throws<ArgumentException>(() => DataStreamPosition.FromJson("{\"nextDocument\":-1}"));
    }

    [Fact]
    public void A_finite_source_ends_with_a_short_batch_and_truncations_are_counted()
    {
        InterleavedDocument? Source(long i) => i switch
        {
            < 4 => Mixed(i),
            4 => new InterleavedDocument([new TextSegment(string.Join(" ", Enumerable.Repeat("a red car", 30)))]),
            _ => null,
        };
        var stream = Stream(Source);
        var batches = stream.Batches().ToList();
        Assert.Equal(stream.Position.Sequences, batches.Sum(b => b.InputIds.shape[0]));
        Assert.Equal(1, stream.Position.TruncatedDocuments);
        Assert.Equal(5, stream.Position.NextDocument);
        Assert.Null(stream.Next());
        Assert.True(batches.All(b => b.InputIds.shape[1] <= 40));
    }
}
