using System.Text;
using System.Text.Json;
using MMInterleaved.Data.Images;

namespace MMInterleaved.Data.Files;

/// <summary>
/// Interleaved documents as JSON Lines (docs/data-format.md): one document per line,
/// <c>{"id": "...", "segments": [{"text": "...", "target": false}, {"image": "images/0001.png"}, {"text": " 7"}], "meta": {"answer": "7"}}</c>,
/// image paths relative to the .jsonl file. Every problem is reported as a <see cref="DataFormatException"/> with the
/// file and line: malformed JSON, a record without segments, an unknown segment kind, a missing, unreadable or
/// oversized image (the size is read from the header before anything is decoded).
/// </summary>
public static class DocumentFile
{
    /// <summary>All documents of a file (<see cref="Enumerate"/> to a list).</summary>
    public static IReadOnlyList<InterleavedDocument> Read(string path, ImageLimits? limits = null, int? imageSize = null) =>
        Enumerate(path, limits, imageSize).ToList();

    /// <summary>
    /// The documents of a file, parsed lazily line by line; blank lines are skipped. Image files are checked (exist,
    /// readable header, within <paramref name="limits"/>) when their line is parsed and decoded only when a segment's
    /// <see cref="ImageSegment.Load"/> runs; with <paramref name="imageSize"/> they are resized and centre-cropped to
    /// that side (<see cref="ImageTensors.ResizeCenterCrop(SkiaSharp.SKBitmap, int)"/>).
    /// </summary>
    public static IEnumerable<InterleavedDocument> Enumerate(string path, ImageLimits? limits = null, int? imageSize = null)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{full}: document file not found.", full);
        if (imageSize is <= 0) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "imageSize must be positive or null.");
        return EnumerateLines(full, (limits ?? ImageLimits.Default).Validated(), imageSize);
    }

    private static IEnumerable<InterleavedDocument> EnumerateLines(string file, ImageLimits limits, int? imageSize)
    {
        string folder = Path.GetDirectoryName(file)!;
        using var reader = new StreamReader(file, Encoding.UTF8);
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return ParseLine(line, file, lineNumber, folder, limits, imageSize);
        }
    }

    private static InterleavedDocument ParseLine(string line, string file, int lineNumber, string folder, ImageLimits limits, int? imageSize)
    {
        DataFormatException Error(string message, Exception? inner = null) => new(file, lineNumber, message, inner);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw Error($"malformed JSON ({e.Message})", e);
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Error($"a record must be a JSON object, not {root.ValueKind}.");
            string id = "";
            if (root.TryGetProperty("id", out var idElement))
                id = idElement.ValueKind switch
                {
                    JsonValueKind.String => idElement.GetString()!,
                    JsonValueKind.Number => idElement.GetRawText(),
                    _ => throw Error($"\"id\" must be a string or a number, not {idElement.ValueKind}."),
                };
            if (!root.TryGetProperty("segments", out var segments)) throw Error("the record has no \"segments\" array.");
            if (segments.ValueKind != JsonValueKind.Array) throw Error($"\"segments\" must be an array, not {segments.ValueKind}.");
            if (segments.GetArrayLength() == 0) throw Error("\"segments\" is empty; a document needs at least one segment.");
            var parsed = new List<DocumentSegment>();
            int k = 0;
            foreach (var segment in segments.EnumerateArray())
            {
                parsed.Add(ParseSegment(segment, $"segments[{k}]", Error, folder, file, lineNumber, limits, imageSize));
                k++;
            }
            Dictionary<string, string>? meta = null;
            if (root.TryGetProperty("meta", out var metaElement) && metaElement.ValueKind != JsonValueKind.Null)
            {
                if (metaElement.ValueKind != JsonValueKind.Object) throw Error($"\"meta\" must be an object, not {metaElement.ValueKind}.");
                meta = [];
                foreach (var p in metaElement.EnumerateObject())
                    meta[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
            return new InterleavedDocument(parsed, id, meta);
        }
    }

    private static DocumentSegment ParseSegment(JsonElement segment, string where, Func<string, Exception?, DataFormatException> error,
        string folder, string file, int lineNumber, ImageLimits limits, int? imageSize)
    {
        if (segment.ValueKind != JsonValueKind.Object) throw error($"{where} must be an object, not {segment.ValueKind}.", null);
        var keys = segment.EnumerateObject().Select(p => p.Name).ToArray();
        bool isText = keys.Contains("text"), isImage = keys.Contains("image");
        if (isText == isImage)
            throw error($"{where} is an unknown segment kind (fields: {(keys.Length == 0 ? "none" : string.Join(", ", keys))}); a segment has either \"text\" (and optional \"target\") or \"image\".", null);
        string[] allowed = isText ? ["text", "target"] : ["image"];
        if (keys.FirstOrDefault(k => !allowed.Contains(k)) is string extra)
            throw error($"{where} has an unknown field \"{extra}\"; a {(isText ? "text segment has \"text\" and optional \"target\"" : "image segment has only \"image\"")}.", null);
        if (isText)
        {
            var text = segment.GetProperty("text");
            if (text.ValueKind != JsonValueKind.String) throw error($"{where}.text must be a string, not {text.ValueKind}.", null);
            bool target = true;
            if (segment.TryGetProperty("target", out var t))
                target = t.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw error($"{where}.target must be true or false, not {t.ValueKind}.", null),
                };
            return new TextSegment(text.GetString()!, target);
        }
        var image = segment.GetProperty("image");
        if (image.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(image.GetString()))
            throw error($"{where}.image must be a non-empty path string, not {image.ValueKind}.", null);
        string relative = image.GetString()!;
        string full = Path.GetFullPath(Path.Combine(folder, relative));
        if (!File.Exists(full)) throw error($"{where}: image file \"{relative}\" not found (looked for {full}).", null);
        int w, h;
        try
        {
            (w, h) = ImageTensors.ReadSize(full);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw error($"{where}: image \"{relative}\" is not a readable image.", e);
        }
        if (limits.Violation(w, h) is string why) throw error($"{where}: image \"{relative}\": {why}.", null);
        return new ImageSegment(() =>
        {
            try
            {
                return ImageTensors.Load(full, limits, imageSize);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new DataFormatException(file, lineNumber, $"{where}: image \"{relative}\" cannot be decoded ({e.Message})", e);
            }
        }, full);
    }

    /// <summary>
    /// Writes documents, one per line, and returns how many. An image segment whose <see cref="ImageSegment.SourcePath"/>
    /// exists is referenced by its path relative to the file (not copied); any other image is rendered with
    /// <see cref="ImageSegment.Load"/> to "{imageFolder}/{file stem}-{document:D6}-{image}.png" beside the file.
    /// Metadata values that are JSON arrays or objects (like <c>answers</c>) are written as JSON, others as strings;
    /// reading gives back the same strings.
    /// </summary>
    public static int Write(string path, IEnumerable<InterleavedDocument> documents, string imageFolder = "images")
    {
        string full = Path.GetFullPath(path), folder = Path.GetDirectoryName(full)!, stem = Path.GetFileNameWithoutExtension(full);
        Directory.CreateDirectory(folder);
        using var stream = File.Create(full);
        int n = 0;
        foreach (var document in documents)
        {
            using (var writer = new Utf8JsonWriter(stream, JsonText.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("id", document.Id);
                writer.WriteStartArray("segments");
                int image = 0;
                foreach (var segment in document.Segments)
                {
                    writer.WriteStartObject();
                    switch (segment)
                    {
                        case TextSegment t:
                            writer.WriteString("text", t.Text);
                            if (!t.Target) writer.WriteBoolean("target", false);
                            break;
                        case ImageSegment i:
                            writer.WriteString("image", ImagePath(i, folder, imageFolder, $"{stem}-{n:D6}-{image++}.png"));
                            break;
                        default:
                            throw new ArgumentException($"DocumentFile.Write: document {n} ('{document.Id}') has a segment of unknown type {segment.GetType().Name}.", nameof(documents));
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                if (document.Metadata is { Count: > 0 } meta)
                {
                    writer.WriteStartObject("meta");
                    foreach (var (key, value) in meta)
                    {
                        writer.WritePropertyName(key);
                        if (IsJsonContainer(value)) writer.WriteRawValue(value);
                        else writer.WriteStringValue(value);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
            n++;
        }
        return n;
    }

    private static string ImagePath(ImageSegment segment, string folder, string imageFolder, string fileName)
    {
        if (segment.SourcePath is string source && File.Exists(source))
            return Path.GetRelativePath(folder, Path.GetFullPath(source)).Replace('\\', '/');
        string relative = $"{imageFolder.TrimEnd('/', '\\')}/{fileName}";
        string target = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using var pixels = segment.Load();
        File.WriteAllBytes(target, ImageTensors.EncodePng(pixels));
        return relative;
    }

    private static bool IsJsonContainer(string value)
    {
        string v = value.TrimStart();
        if (v.Length == 0 || (v[0] != '[' && v[0] != '{')) return false;
        try
        {
            using var _ = JsonDocument.Parse(value);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
