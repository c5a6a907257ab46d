using MMInterleaved.Data;
using MMInterleaved.Data.Sequences;
using MMInterleaved.Model;
using Xunit;

namespace MMInterleaved.Tests.Data.Sequences;

public class SequencePackerTests
{
    private static readonly SpecialTokens T = SequenceFixtures.Tokenizer.Specials;
    private const int K = SequenceFixtures.K;

    /// <summary>&lt;s&gt;, then for each entry: that many text tokens (&gt;= 0) or an image block (−1), then &lt;/s&gt;.</summary>
    private static TokenizedDocument Doc(long index, params int[] parts)
    {
        var ids = new List<long> { T.Bos };
        var starts = new List<int>();
        var images = new List<ImageSegment>();
        foreach (int part in parts)
        {
            if (part < 0)
            {
                starts.Add(ids.Count);
                images.Add(SequenceFixtures.Image(index));
                ids.Add(T.BeginOfImage);
                ids.AddRange(Enumerable.Repeat((long)T.Image, K));
            }
            else ids.AddRange(Enumerable.Range(0, part).Select(t => 4L + (index + t) % 50));
        }
        ids.Add(T.Eos);
        return new TokenizedDocument([.. ids], ids.Select(id => id != T.Image && id != T.Bos).ToArray(), images, [.. starts], K, index).Validated(T);
    }

    private static List<TokenizedDocument> RandomDocs(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => Doc(i, Enumerable.Range(0, random.Next(1, 5))
            .Select(_ => random.NextDouble() < 0.4 ? -1 : random.Next(0, 12)).ToArray())).ToList();
    }

    private static void CheckRow(PackedSequence row, int maxLength, int maxImages)
    {
        Assert.InRange(row.Length, 1, maxLength);
        Assert.InRange(row.Images.Count, 0, maxImages);
        Assert.Equal(row.Length, row.Targets.Length);
        SequenceCheck(row);
        Assert.All(row.NearestBos, b => Assert.Equal(T.Bos, row.Ids[b]));
        for (int i = 0; i < row.ImageStarts.Length; i++)   // nearest <s>: no other <s> between it and the image
            Assert.DoesNotContain((long)T.Bos, row.Ids[(row.NearestBos[i] + 1)..row.ImageStarts[i]]);
    }

    private static void SequenceCheck(PackedSequence row) =>
        new TokenizedDocument(row.Ids, row.Targets, row.Images, row.ImageStarts, K).Validated(T); // image blocks whole, counts match

    [Fact]
    public void Rows_respect_both_limits_keep_blocks_whole_and_keep_document_order()
    {
        var docs = RandomDocs(300, 5);
        var packer = new SequencePacker(48, 3);
        var rows = packer.Pack(docs).ToList();
        foreach (var row in rows) CheckRow(row, 48, 3);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), rows.SelectMany(r => r.DocumentIndices));
        // untruncated documents appear verbatim, back to back
        var fitted = docs.Select(d => new SequencePacker(48, 3).Fit(d, out _)).ToList();
        Assert.Equal(fitted.SelectMany(d => d.Ids), rows.SelectMany(r => r.Ids));
        Assert.Equal(fitted.SelectMany(d => d.Targets), rows.SelectMany(r => r.Targets));
        Assert.True(rows.Average(r => r.Documents) > 1.5); // it does pack
        Assert.Equal(rows.Sum(r => r.Truncated), packer.TruncatedDocuments);
        var again = new SequencePacker(48, 3).Pack(docs).ToList();
        Assert.Equal(rows.Select(r => r.Ids), again.Select(r => r.Ids));
    }

    [Fact]
    public void A_row_is_cut_only_when_the_next_document_does_not_fit()
    {
        var rows = new SequencePacker(20, 2).Pack([Doc(0, 6), Doc(1, 6), Doc(2, 6), Doc(3, -1), Doc(4, -1), Doc(5, 1)]).ToList();
        // lengths: 8, 8, 8, 7, 7, 3; images: 0, 0, 0, 1, 1, 0
        Assert.Equal([[0, 1], [2, 3], [4, 5]], rows.Select(r => r.DocumentIndices));
        var capped = new SequencePacker(100, 1).Pack([Doc(0, -1), Doc(1, 3), Doc(2, -1)]).ToList();
        Assert.Equal([[0, 1], [2]], capped.Select(r => r.DocumentIndices));
        Assert.Equal([0, 0], capped.Select(r => r.Truncated));
    }

    [Fact]
    public void An_overlong_document_is_cut_at_the_end_but_never_inside_an_image_block()
    {
        var packer = new SequencePacker(12, 4);
        var doc = Doc(0, 3, -1, 5);                  // <s> xxx <BoI> I×4 xxxxx </s>: 15 tokens, block at 4..8
        var cut = packer.Fit(doc, out bool truncated);
        Assert.True(truncated);
        Assert.Equal(doc.Ids[..12], cut.Ids);
        Assert.Single(cut.Images);

        var split = packer.Fit(Doc(1, 8, -1, 2), out truncated);   // block at 9..13 would be split at 12
        Assert.True(truncated);
        Assert.Equal(9, split.Length);
        Assert.Empty(split.Images);
        Assert.Empty(split.ImageStarts);

        var many = new SequencePacker(100, 2).Fit(Doc(2, 1, -1, 1, -1, 1, -1, 1), out truncated);   // 3 images, cap 2
        Assert.True(truncated);
        Assert.Equal(2, many.Images.Count);
        Assert.NotEqual(T.Eos, many.Ids[^1]);                     // a cut document loses its </s>
        Assert.Equal(2 + 2 * (K + 2), many.Length);              // cut right before the third <BoI>

        Assert.Equal(2, packer.TruncatedDocuments);
        var rows = new SequencePacker(12, 4).Pack([Doc(0, 2), doc, Doc(2, 1)]).ToList();
        Assert.Equal([0, 1, 0], rows.Select(r => r.Truncated));
        var small = Doc(3, 2);
        Assert.Same(small, packer.Fit(small, out truncated));
        Assert.False(truncated);
    }

    [Fact]
    public void Bad_limits_are_named()
    {
        Assert.Contains("maxLength", Assert.Throws<ArgumentException>(() => new SequencePacker(1, 2)).Message);
        Assert.Contains("maxImagesPerSequence", Assert.Throws<ArgumentException>(() => new SequencePacker(10, -1)).Message);
    }
}
