using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Images;
using MMInterleaved.Evaluation.Inception;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Generation scores of two image folders, paired by file name (what `mmi score images` prints): the image–image
/// similarity of each generated image with its reference (<see cref="ImageSimilarity"/>, when a pre-trained small
/// encoder exists at the images' size), FID-glyph over the two sets (the glyph segmenter's features, as
/// <see cref="SegmentationEvaluation"/> computes it), the real FID when pytorch-fid's InceptionV3 weights are present
/// (<see cref="FidInceptionV3.FindWeights"/>), and with segmentation maps the mIoU of the generated images against them.
/// </summary>
public static class ImageFolderScores
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".webp", ".bmp"];

    /// <summary>Scores the images of <paramref name="generatedFolder"/> against the same-named images of
    /// <paramref name="referencesFolder"/> (and of <paramref name="mapsFolder"/>, when given). Every generated image
    /// needs a reference; all must be square and of one size.</summary>
    public static IReadOnlyDictionary<string, double> Score(string generatedFolder, string referencesFolder, ImageFolderScoreOptions? options = null)
    {
        options ??= new ImageFolderScoreOptions();
        var names = ImageNames(generatedFolder, "--generated");
        var references = ImageNames(referencesFolder, "--references").ToDictionary(Stem);
        var missing = names.Select(Stem).Where(n => !references.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"{referencesFolder}: no reference for {missing.Count} generated image(s), e.g. '{missing[0]}' (images pair by file name without extension).");
        using var generated = LoadAll(names, generatedFolder);
        using var truth = LoadAll(names.Select(n => references[Stem(n)]).ToList(), referencesFolder);
        if (!generated.shape.SequenceEqual(truth.shape))
            throw new ArgumentException($"{referencesFolder}: the references are [{string.Join(", ", truth.shape.Skip(1))}], the generated images [{string.Join(", ", generated.shape.Skip(1))}]; they must have one size.");
        int size = (int)generated.shape[2];
        var scores = new Dictionary<string, double> { ["count"] = names.Count };

        using var similarity = ImageSimilarity.TryForImageSize(size);
        if (similarity is not null)
        {
            var cosines = similarity.Cosines(generated, truth);
            var summary = Experiments.MetricSummary.Of(cosines);
            scores["similarity"] = summary.Mean;
            scores["similarity_se"] = names.Count > 1 ? summary.Std / Math.Sqrt(names.Count) : double.NaN;
            if (names.Count > 1)
            {
                // centred on the references' mean feature: the plain cosine of glyph scenes saturates near 1
                var centred = Experiments.MetricSummary.Of(similarity.CentredCosines(generated, truth));
                scores["similarity_centred"] = centred.Mean;
                scores["similarity_centred_se"] = centred.Std / Math.Sqrt(names.Count);
            }
        }

        var sampler = new GlyphSceneSampler(new GlyphSceneOptions(ImageSize: size, GridSide: options.GridSide) { Kinds = options.Kinds });
        using var segmenter = GlyphSegmenter.ForSampler(sampler, options.SegmenterCacheFolder ?? GlyphSegmenter.DefaultCacheFolder, options.SegmenterTraining);
        scores["fid_glyph"] = segmenter.Distance(generated, truth);

        if ((options.InceptionWeights ?? FidInceptionV3.FindWeights()) is string weights)
        {
            using var inception = FidInceptionV3.Load(weights);
            scores["fid"] = inception.Distance(generated, truth);
        }

        if (options.MapsFolder is string mapsFolder)
        {
            var maps = ImageNames(mapsFolder, "--maps").ToDictionary(Stem);
            var absent = names.Select(Stem).FirstOrDefault(n => !maps.ContainsKey(n));
            if (absent is not null) throw new ArgumentException($"{mapsFolder}: no segmentation map for generated image '{absent}'.");
            var own = new MeanIoU(segmenter.ClassCount);
            var real = new MeanIoU(segmenter.ClassCount);
            for (int i = 0; i < names.Count; i++)
            {
                string mapPath = Path.Combine(mapsFolder, maps[Stem(names[i])]);
                using var map = ImageTensors.Load(mapPath);
                if (map.shape[1] != size || map.shape[2] != size)
                    throw new ArgumentException($"{mapPath}: the map is {map.shape[2]}×{map.shape[1]}, the images {size}×{size}.");
                var classes = SegmentationMap.Decode(map, segmenter.ClassCount);
                using (var image = generated[i]) own.Add(segmenter.Segment(image), classes);
                using (var image = truth[i]) real.Add(segmenter.Segment(image), classes);
            }
            scores["miou"] = own.Value;
            scores["miou_real"] = real.Value;
        }
        return scores;
    }

    private static string Stem(string name) => Path.GetFileNameWithoutExtension(name);

    private static List<string> ImageNames(string folder, string option)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{option}: folder not found: {folder}");
        var names = Directory.EnumerateFiles(folder).Select(Path.GetFileName)
            .Where(n => Extensions.Contains(Path.GetExtension(n!).ToLowerInvariant())).Select(n => n!).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) throw new ArgumentException($"{option}: {folder} holds no images ({string.Join(", ", Extensions)}).");
        var duplicate = names.GroupBy(Stem).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"{folder}: two images are named '{duplicate.Key}' ({string.Join(", ", duplicate)}); names pair images.");
        return names;
    }

    private static Tensor LoadAll(IReadOnlyList<string> names, string folder)
    {
        var images = new List<Tensor>();
        try
        {
            foreach (string name in names)
            {
                string path = Path.Combine(folder, name);
                var image = ImageTensors.Load(path);
                images.Add(image);
                if (image.shape[1] != image.shape[2] || !image.shape.SequenceEqual(images[0].shape))
                    throw new ArgumentException($"{path}: {image.shape[2]}×{image.shape[1]} px; every image must be square and the size of {names[0]} ({images[0].shape[2]}×{images[0].shape[1]}).");
            }
            return stack(images.ToArray());
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }
}
