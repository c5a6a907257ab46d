using static TorchSharp.torch;

namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// Segmentation maps of grid scenes as the reference feeds ADE20K's <c>annotations_with_color</c>: every pixel painted
/// with its class's colour, class 0 the background, class k + 1 the sampler's kind k. Pixels belong to an item where
/// it covers at least half of them (<see cref="IGridScene.ItemMask"/>), so the map is hard-edged and exactly decodable.
/// </summary>
public static class SegmentationMap
{
    /// <summary>The class colours: the first 21 of the ADE20K palette (black background, then the object classes),
    /// enough for the 20 glyph kinds.</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> Palette { get; } =
    [
        (0, 0, 0), (120, 120, 120), (180, 120, 120), (6, 230, 230), (80, 50, 50), (4, 200, 3), (120, 120, 80),
        (140, 140, 140), (204, 5, 255), (230, 230, 230), (4, 250, 7), (224, 5, 255), (235, 255, 7), (150, 5, 61),
        (120, 120, 70), (8, 255, 51), (255, 6, 82), (143, 255, 140), (204, 255, 4), (255, 51, 7), (204, 70, 3),
    ];

    /// <summary>Per pixel (row-major) the class of the scene: 0 background, 1 + the index of the item's kind in
    /// <paramref name="kinds"/> (matched by name).</summary>
    public static int[] ClassMask(IGridScene scene, IReadOnlyList<GridKind> kinds)
    {
        if (kinds.Count + 1 > Palette.Count)
            throw new ArgumentException($"SegmentationMap: {kinds.Count} kinds need {kinds.Count + 1} classes; the palette has {Palette.Count}.", nameof(kinds));
        var classOfItem = scene.Items.Select(item =>
        {
            int k = kinds.Select(x => x.Name).ToList().IndexOf(item.Kind.Name);
            return k >= 0 ? k + 1 : throw new ArgumentException($"SegmentationMap: the scene holds a '{item.Kind.Name}', which is not among the {kinds.Count} kinds given.", nameof(kinds));
        }).ToArray();
        return scene.ItemMask().Select(i => i == 0 ? 0 : classOfItem[i - 1]).ToArray();
    }

    /// <summary>The map image [3, S, S] in [0, 1] of a class mask of S² pixels.</summary>
    public static Tensor Render(int[] classMask, int size)
    {
        if (classMask.Length != size * size) throw new ArgumentException($"SegmentationMap: the mask has {classMask.Length} pixels; a {size}×{size} map needs {size * size}.", nameof(classMask));
        var px = new float[3 * classMask.Length];
        for (int p = 0; p < classMask.Length; p++)
        {
            if ((uint)classMask[p] >= Palette.Count) throw new ArgumentException($"SegmentationMap: pixel {p} has class {classMask[p]}; classes run 0–{Palette.Count - 1}.", nameof(classMask));
            var (r, g, b) = Palette[classMask[p]];
            px[p] = r / 255f;
            px[classMask.Length + p] = g / 255f;
            px[2 * classMask.Length + p] = b / 255f;
        }
        return tensor(px, [3, size, size]);
    }

    /// <summary>The class of each pixel of a map image [3, H, W] in [0, 1]: the nearest of the first
    /// <paramref name="classCount"/> palette colours (exact on rendered maps).</summary>
    public static int[] Decode(Tensor map, int classCount)
    {
        if (map.dim() != 3 || map.shape[0] != 3) throw new ArgumentException($"SegmentationMap: the map has shape [{string.Join(", ", map.shape)}]; expected [3, H, W].", nameof(map));
        if (classCount < 1 || classCount > Palette.Count) throw new ArgumentException($"SegmentationMap: classCount is {classCount}; it must be 1–{Palette.Count}.", nameof(classCount));
        float[] px = map.detach().cpu().to(float32).contiguous().data<float>().ToArray();
        int n = px.Length / 3;
        var classes = new int[n];
        for (int p = 0; p < n; p++)
        {
            float best = float.MaxValue;
            for (int k = 0; k < classCount; k++)
            {
                var (r, g, b) = Palette[k];
                float dr = px[p] - r / 255f, dg = px[n + p] - g / 255f, db = px[2 * n + p] - b / 255f;
                float d = dr * dr + dg * dg + db * db;
                if (d < best) { best = d; classes[p] = k; }
            }
        }
        return classes;
    }
}
