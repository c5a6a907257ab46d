using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace MMInterleaved.Tests.Data;

[Collection(TorchCollection.Name)]
public class DataSpeedTests(ITestOutputHelper output)
{
    [Fact]
    public void Glyph_vqa_generation_is_cheap_next_to_a_training_step()
    {
        // Measured ~3700–6900 documents/s at 64 px and ~770–1400 at 224 px on one thread (docs/data-format.md); the
        // bounds here only catch an order-of-magnitude regression on a loaded machine.
        int threads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
        try
        {
            double rate64 = GridTasks.Create("glyph-vqa").DocumentsPerSecond(300);
            double rate224 = GridTasks.Create("glyph-vqa", new GridTaskOptions(Scene: new GlyphSceneOptions(ImageSize: 224))).DocumentsPerSecond(60);
            output.WriteLine($"glyph-vqa: {rate64:0} documents/s at 64 px, {rate224:0} at 224 px (one thread)");
            Assert.True(rate64 > 200, $"{rate64:0} documents/s at 64 px");
            Assert.True(rate224 > 40, $"{rate224:0} documents/s at 224 px");
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);
        }
    }
}
