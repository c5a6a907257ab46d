using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class GroundingTests
{
    [Theory]
    [InlineData("(10,20)(30,40)", 10, 20, 30, 40)]
    [InlineData(" ( 10 , 20 ) ( 30 , 40 ) ", 10, 20, 30, 40)]
    [InlineData("(0,0)(999,999)", 0, 0, 999, 999)]
    [InlineData("(5,5)(5,5)", 5, 5, 5, 5)]
    public void Parses_boxes_on_the_999_grid(string text, int x1, int y1, int x2, int y2)
    {
        Assert.True(GroundingBox.TryParse(text, out var box));
        Assert.Equal(new GroundingBox(x1, y1, x2, y2), box);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("(10,20)")]
    [InlineData("(10,20)(30)")]
    [InlineData("(10,20)(30,)")]
    [InlineData("(10,20)(1000,40)")]
    [InlineData("(30,20)(10,40)")]
    [InlineData("(10,40)(30,20)")]
    [InlineData("(1.5,2)(3,4)")]
    [InlineData("(-1,0)(3,4)")]
    [InlineData("(10,20)(30,40) and more")]
    [InlineData("10,20,30,40")]
    public void Rejects_malformed_boxes(string? text) => Assert.False(GroundingBox.TryParse(text, out _));

    [Fact]
    public void Finds_the_first_box_in_a_longer_output()
    {
        Assert.True(GroundingBox.TryFind("The dog is at (10,20)(30,40). Or (0,0)(1,1).", out var box));
        Assert.Equal(new GroundingBox(10, 20, 30, 40), box);
        Assert.False(GroundingBox.TryFind("no box here", out _));
        Assert.Equal("(10,20)(30,40)", box.ToString());
    }

    [Fact]
    public void Scales_like_the_reference()
    {
        Assert.Equal(new ImageBox(0, 0, 640, 480), new GroundingBox(0, 0, 999, 999).ToImage(640, 480));
        var half = new GroundingBox(0, 0, 999, 999).ToImage(999, 999);
        Assert.Equal(999f, half.X2);
        Assert.Equal(10f / 999 * 640, new GroundingBox(10, 0, 20, 0).ToImage(640, 480).X1);
    }

    [Fact]
    public void Iou_of_hand_made_boxes()
    {
        var a = new ImageBox(0, 0, 10, 10);
        Assert.Equal(1f, a.Iou(a));
        Assert.Equal(1f / 3, a.Iou(new ImageBox(5, 0, 15, 10)), 1e-6f);
        Assert.Equal(0f, a.Iou(new ImageBox(20, 20, 30, 30)));
        Assert.Equal(0.5f, a.Iou(new ImageBox(0, 0, 10, 20)));
        Assert.True(float.IsNaN(new ImageBox(0, 0, 0, 0).Iou(new ImageBox(0, 0, 0, 0))));
    }

    [Fact]
    public void Accuracy_counts_iou_of_at_least_half_and_reports_malformed_outputs()
    {
        var truth = new ImageBox(0, 0, 100, 100);
        var samples = new[]
        {
            new GroundingSample("(0,0)(999,999)", truth, 100, 100),            // IoU 1
            new GroundingSample("box: (0,0)(999,500)", truth, 100, 100),       // IoU 0.5005: y2 = 500/999 · 100
            new GroundingSample("(500,0)(999,999)", truth, 100, 100),          // IoU 0.4995: x1 = 500/999 · 100
            new GroundingSample("(0,0)(999,1000)", truth, 100, 100),           // out of range: malformed
            new GroundingSample("I cannot tell", truth, 100, 100),             // malformed
        };
        var result = GroundingAccuracy.Evaluate(samples);
        Assert.Equal(5, result.Total);
        Assert.Equal(2, result.Malformed);
        Assert.Equal(2, result.Correct);
        Assert.Equal(0.4, result.Accuracy);
    }
}
