using MMInterleaved.Data;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data;

/// <summary>Document comparisons for the data tests.</summary>
public static class DataAssert
{
    /// <summary>Same id, metadata, segment kinds, texts, target flags and image pixels.</summary>
    public static void SameDocument(InterleavedDocument a, InterleavedDocument b)
    {
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(a.Metadata?.OrderBy(p => p.Key), b.Metadata?.OrderBy(p => p.Key));
        Assert.Equal(a.Segments.Count, b.Segments.Count);
        for (int i = 0; i < a.Segments.Count; i++)
        {
            switch (a.Segments[i], b.Segments[i])
            {
                case (TextSegment x, TextSegment y):
                    Assert.Equal(x, y);
                    break;
                case (ImageSegment x, ImageSegment y):
                    using (var scope = NewDisposeScope())
                        Assert.True(x.Load().allclose(y.Load(), 0, 0), $"segment {i}: images differ");
                    break;
                default:
                    Assert.Fail($"segment {i}: {a.Segments[i].GetType().Name} vs {b.Segments[i].GetType().Name}");
                    break;
            }
        }
    }

    /// <summary>Text of the document's segments, images as "&lt;image&gt;".</summary>
    public static string Flatten(InterleavedDocument d) =>
        string.Concat(d.Segments.Select(s => s is TextSegment t ? (t.Target ? $"[{t.Text}]" : t.Text) : "<image>"));
}
