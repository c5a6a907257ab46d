using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class MeanIoUTests
{
    [Fact]
    public void A_hand_worked_case_sums_over_images_before_dividing_and_skips_classes_absent_everywhere()
    {
        var iou = new MeanIoU(4);
        iou.Add([0, 0, 1, 1], [0, 1, 1, 1]);       // class 0: I 1, U 2; class 1: I 2, U 3
        iou.Add([2, 2, 0, 0], [2, 0, 0, 0]);       // class 0: I 2, U 3; class 2: I 1, U 2
        // totals: class 0 3/5, class 1 2/3, class 2 1/2, class 3 absent (union 0)
        var perClass = iou.ClassIoU();
        Assert.Equal(0.6, perClass[0], 12);
        Assert.Equal(2.0 / 3, perClass[1], 12);
        Assert.Equal(0.5, perClass[2], 12);
        Assert.True(double.IsNaN(perClass[3]));
        Assert.Equal((0.6 + 2.0 / 3 + 0.5) / 3, iou.Value, 12);   // not the mean of per-image mIoUs
        Assert.Equal(6.0 / 8, iou.PixelAccuracy, 12);
    }

    [Fact]
    public void Random_masks_match_a_set_based_computation_and_ignored_pixels_count_nowhere()
    {
        var random = new Random(3);
        const int classes = 5, ignore = 255;
        var iou = new MeanIoU(classes, ignore);
        var predictedSets = Enumerable.Range(0, classes).Select(_ => new HashSet<(int, int)>()).ToArray();
        var labelSets = Enumerable.Range(0, classes).Select(_ => new HashSet<(int, int)>()).ToArray();
        for (int image = 0; image < 7; image++)
        {
            var predicted = new int[50];
            var label = new int[50];
            for (int p = 0; p < 50; p++)
            {
                label[p] = random.Next(10) == 0 ? ignore : random.Next(classes - 1);   // class 4 is never a label
                predicted[p] = random.Next(3) == 0 ? random.Next(classes) : label[p] == ignore ? 0 : label[p];
                if (label[p] == ignore) continue;
                predictedSets[predicted[p]].Add((image, p));
                labelSets[label[p]].Add((image, p));
            }
            iou.Add(predicted, label);
        }
        var expected = Enumerable.Range(0, classes).Select(c =>
        {
            int union = predictedSets[c].Union(labelSets[c]).Count();
            return union == 0 ? double.NaN : (double)predictedSets[c].Intersect(labelSets[c]).Count() / union;
        }).ToArray();
        Assert.Equal(expected, iou.ClassIoU(), (a, b) => double.IsNaN(a) ? double.IsNaN(b) : Math.Abs(a - b) < 1e-12);
        Assert.Equal(expected.Where(v => !double.IsNaN(v)).Average(), iou.Value, 12);
    }

    [Fact]
    public void Mismatched_or_out_of_range_input_is_a_clear_error()
    {
        var iou = new MeanIoU(3);
        Assert.Contains("2 predicted pixels for 3", Assert.Throws<ArgumentException>(() => iou.Add([0, 1], [0, 1, 2])).Message);
        Assert.Contains("labelled 7", Assert.Throws<ArgumentException>(() => iou.Add([0], [7])).Message);
        Assert.Contains("predicted 3", Assert.Throws<ArgumentException>(() => iou.Add([3], [0])).Message);
        Assert.True(double.IsNaN(new MeanIoU(2).Value));
    }
}
