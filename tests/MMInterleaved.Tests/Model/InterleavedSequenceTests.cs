using MMInterleaved.Model;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Model;

[Collection(TorchCollection.Name)]
public class InterleavedSequenceTests
{
    private static readonly SpecialTokens T = new(Bos: 1, Eos: 2, Pad: 0, BeginOfImage: 8, Image: 9);
    // positions:            0  1  2  3  4  5  6  7  8  9 10 11 12
    //                      <s> a BoI I  I  b </s><s> BoI I  I  c pad
    private static readonly long[] Row = [1, 5, 8, 9, 9, 6, 2, 1, 8, 9, 9, 7, 0];

    private static Tensor Ids() => tensor(Row).view(1, -1);

    [Fact]
    public void Image_starts_are_the_first_placeholder_of_each_block()
    {
        var (starts, counts) = InterleavedSequence.ImageStarts(Ids(), T);
        Assert.Equal(new long[] { 3, 10 - 1 }, starts[0].data<long>().ToArray());
        Assert.Equal(new long[] { 2 }, counts);
    }

    [Fact]
    public void A_token_sees_an_image_only_after_it_starts_and_only_inside_its_segment()
    {
        var mask = InterleavedSequence.VisibilityMask(Ids(), T);   // [1,13,2]
        long[] Sees(int t) => mask[0, t].data<long>().ToArray();
        Assert.Equal(new long[] { 0, 0 }, Sees(2));   // <BoI> cannot see the image it opens
        Assert.Equal(new long[] { 1, 0 }, Sees(3));   // its first placeholder can
        Assert.Equal(new long[] { 1, 0 }, Sees(6));   // </s> of segment 1
        Assert.Equal(new long[] { 0, 0 }, Sees(7));   // a new <s> segment starts: image 0 is out of reach
        Assert.Equal(new long[] { 0, 0 }, Sees(8));
        Assert.Equal(new long[] { 0, 1 }, Sees(9));
        Assert.Equal(new long[] { 0, 1 }, Sees(11));
    }

    [Fact]
    public void Nearest_only_keeps_the_last_visible_image()
    {
        // one segment with two images: the last token sees both, nearest-only keeps the second
        var ids = tensor(new long[] { 1, 8, 9, 5, 8, 9, 6 }).view(1, -1);
        var all = InterleavedSequence.VisibilityMask(ids, T);
        var nearest = InterleavedSequence.VisibilityMask(ids, T, multiImage: false);
        Assert.Equal(new long[] { 1, 1 }, all[0, 6].data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1 }, nearest[0, 6].data<long>().ToArray());
        Assert.Equal(new long[] { 1, 0 }, nearest[0, 3].data<long>().ToArray());
    }

    [Fact]
    public void Text_targets_follow_the_reference_masking_rules()
    {
        var mask = tensor(Row.Select(x => x == 0 ? 0L : 1L).ToArray()).view(1, -1);
        var targets = InterleavedSequence.TextTargets(Ids(), mask, T)[0].data<long>().ToArray();
        //                      <s>→a  a→BoI BoI→I I→I  I→b  b→</s> </s>→<s> <s>→BoI BoI→I I→I I→c  c→pad (last)
        Assert.Equal(new long[] { 5, 8, -100, -100, 6, 2, -100, -100, -100, -100, 7, -100, -100 }, targets);
    }

    [Fact]
    public void Caption_pair_rule_and_prompt_offsets_hide_what_they_should()
    {
        // text-first pair: <s> a b <BoI> I I </s>: the caption gets no loss, <BoI> and </s> still do
        var ids = tensor(new long[] { 1, 5, 6, 8, 9, 9, 2 }).view(1, -1);
        var mask = ones(1, 7, dtype: int64);
        var targets = InterleavedSequence.TextTargets(ids, mask, T, ignoreNoImagePrefix: true)[0].data<long>().ToArray();
        Assert.Equal(new long[] { -100, -100, 8, -100, -100, 2, -100 }, targets); // <BoI> after the caption and </s> stay targets
        var prompted = InterleavedSequence.TextTargets(ids, mask, T, promptOffsets: [5])[0].data<long>().ToArray();
        Assert.Equal(new long[] { -100, -100, -100, -100, -100, 2, -100 }, prompted);
    }

    [Fact]
    public void Gather_slots_fills_rows_in_order_and_checks_the_count()
    {
        var perImage = arange(3).view(3, 1).to(float32);
        var slots = InterleavedSequence.GatherSlots(perImage, [2, 0, 1]);
        Assert.Equal(new long[] { 3, 2, 1 }, slots.shape);
        Assert.Equal(new float[] { 0, 1, 0, 0, 2, 0 }, slots.flatten().data<float>().ToArray());
        var e = Assert.Throws<ArgumentException>(() => InterleavedSequence.GatherSlots(perImage, [1, 1]));
        Assert.Contains("3 images", e.Message);
    }
}
