using MMInterleaved.Data;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Training;
using Xunit;

namespace MMInterleaved.Tests.Training;

public class TaskMixtureTests
{
    [Fact]
    public void A_mixture_alternates_its_tasks_and_holds_out_the_first()
    {
        var args = TrainingArgs.Default with { Task = "glyph-vqa+glyph-text-to-image", GridSide = 2 };
        var (train, held) = TrainingRun.OpenSources(args, 32);
        Assert.Equal(["glyph-vqa", "glyph-text-to-image", "glyph-vqa", "glyph-text-to-image"], train.Take(4).Select(d => d.Meta("task")));
        Assert.Equal("glyph-vqa", held.Get(0).Meta("task"));
        Assert.Equal("validation", held.Get(0).Meta("split"));
        Assert.True(GridTasks.IsGeneration(args.Task));
        Assert.False(GridTasks.IsGeneration("glyph-vqa+glyph-caption"));
        Assert.Equal(args.WindowLength(8), TrainingArgs.Default.WindowLength(8));
        Assert.True((args with { Task = "glyph-caption+glyph-story" }).WindowLength(8) > args.WindowLength(8));   // a story's frames fit
        Assert.Throws<ArgumentException>(() => TrainingRun.OpenSources(args with { Task = "glyph-vqa+glyph-poetry" }, 32));
    }

    [Fact]
    public void A_weighted_mixture_takes_k_documents_of_a_part_in_a_row_each_a_new_one()
    {
        var args = TrainingArgs.Default with { Task = "glyph-text-to-image*3+glyph-vqa", GridSide = 1 };
        var (train, held) = TrainingRun.OpenSources(args, 32);
        var eight = train.Take(8).ToList();
        Assert.Equal(["glyph-text-to-image", "glyph-text-to-image", "glyph-text-to-image", "glyph-vqa",
            "glyph-text-to-image", "glyph-text-to-image", "glyph-text-to-image", "glyph-vqa"], eight.Select(d => d.Meta("task")));
        var t2i = eight.Where(d => d.Meta("task") == "glyph-text-to-image").Select(d => d.Id).ToList();
        Assert.Equal(t2i.Count, t2i.Distinct().Count());       // six different documents, not one repeated
        Assert.Equal("glyph-text-to-image", held.Get(0).Meta("task"));
        Assert.True(GridTasks.IsGeneration(args.Task));
        var mixture = TaskMixture.Parse(" glyph-text-to-image * 3 + glyph-vqa ");
        Assert.Equal([0, 0, 0, 1], mixture.Pattern);
        Assert.Equal("glyph-text-to-image*3+glyph-vqa", mixture.ToString());
        Assert.Equal([0, 1], TaskMixture.Parse("glyph-vqa+glyph-caption").Pattern);
    }

    [Theory]
    [InlineData("glyph-vqa*0+glyph-caption", "part 'glyph-vqa*0' has weight '0'")]
    [InlineData("glyph-vqa*two+glyph-caption", "part 'glyph-vqa*two' has weight 'two'")]
    [InlineData("glyph-vqa*101", "whole number from 1 to 100")]
    [InlineData("glyph-vqa+glyph-vqa", "'glyph-vqa' appears twice")]
    [InlineData("glyph-vqa++glyph-caption", "an empty part")]
    public void A_malformed_mixture_is_refused_naming_the_part(string task, string expected)
    {
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => TaskMixture.Parse(task)).Message);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => TrainingRun.OpenSources(TrainingArgs.Default with { Task = task }, 32)).Message);
    }
}
