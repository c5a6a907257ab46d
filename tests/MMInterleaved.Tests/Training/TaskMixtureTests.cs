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
}
