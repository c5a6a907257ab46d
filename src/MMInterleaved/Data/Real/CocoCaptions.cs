using MMInterleaved.Data.Images;

namespace MMInterleaved.Data.Real;

/// <summary>
/// COCO caption annotations (<c>{"images": [{"id", "file_name"}], "annotations": [{"image_id", "caption"}]}</c>, also
/// Flickr30k and NoCaps in COCO form) with their image folder → documents [image, caption (target)], metadata
/// <c>captions</c> (JSON array of every caption of the image, the references for BLEU/CIDEr), <c>image_id</c>,
/// <c>file_name</c>. Images load lazily.
/// </summary>
public static class CocoCaptions
{
    /// <summary>
    /// Loads the annotations. One document per image (its first caption as the target; images without captions are
    /// left out), or with <paramref name="onePerCaption"/> one per caption. Malformed input throws
    /// <see cref="DataFormatException"/> naming the file and the field; a missing image file too, unless
    /// <see cref="RealDataOptions.SkipMissingImages"/>.
    /// </summary>
    public static ListDocumentSource Load(string annotationsPath, string imageFolder, RealDataOptions? options = null, bool onePerCaption = false, string name = "coco-caption")
    {
        options = (options ?? new RealDataOptions()).Validated();
        using var json = JsonFields.Parse(annotationsPath);
        var root = json.RootElement;
        var files = new Dictionary<string, string>();
        int i = 0;
        foreach (var image in JsonFields.Array(root, "images", "", annotationsPath).EnumerateArray())
        {
            string where = $"images[{i++}]";
            string id = JsonFields.IdText(image, "id", where, annotationsPath);
            string file = JsonFields.String(image, "file_name", where, annotationsPath);
            if (!files.TryAdd(id, file)) throw new DataFormatException(annotationsPath, null, $"{where}.id {id} appears twice.");
        }
        var captions = new Dictionary<string, List<string>>();
        i = 0;
        foreach (var annotation in JsonFields.Array(root, "annotations", "", annotationsPath).EnumerateArray())
        {
            string where = $"annotations[{i++}]";
            string id = JsonFields.IdText(annotation, "image_id", where, annotationsPath);
            string caption = JsonFields.String(annotation, "caption", where, annotationsPath).Trim();
            if (!files.ContainsKey(id)) throw new DataFormatException(annotationsPath, null, $"{where}.image_id {id} is not the id of any entry of \"images\".");
            if (options.Lowercase) caption = caption.ToLowerInvariant();
            if (!captions.TryGetValue(id, out var list)) captions[id] = list = [];
            list.Add(caption);
        }
        var documents = new List<InterleavedDocument>();
        foreach (var (id, file) in files)
        {
            if (!captions.TryGetValue(id, out var list)) continue;
            string path = Path.GetFullPath(Path.Combine(imageFolder, file));
            if (!File.Exists(path))
            {
                if (options.SkipMissingImages) continue;
                throw new DataFormatException(annotationsPath, null, $"the image of image id {id}, \"{file}\", is not in {Path.GetFullPath(imageFolder)}.");
            }
            var meta = new Dictionary<string, string>
            {
                ["task"] = name, ["image_id"] = id, ["file_name"] = file, ["captions"] = JsonText.Array(list),
            };
            var captionsToUse = onePerCaption ? list : list.Take(1);
            int k = 0;
            foreach (string caption in captionsToUse)
            {
                var image = new ImageSegment(() => ImageTensors.Load(path, options.Limits, options.ImageSize), path);
                documents.Add(new InterleavedDocument([image, new TextSegment(caption)], onePerCaption ? $"{id}/{k++}" : id,
                    new Dictionary<string, string>(meta) { ["caption"] = caption }));
            }
        }
        return new ListDocumentSource(name, documents);
    }
}
