namespace MMInterleaved.Model;

/// <summary>
/// Ids of the tokens the model treats specially (reference: &lt;s&gt; 1, &lt;/s&gt; 2, pad 31999 — an ordinary vocabulary token
/// reused as padding —, &lt;|beginofimage|&gt; 32000, &lt;|image|&gt; 32001). There is no end-of-image token: an image is always
/// &lt;|beginofimage|&gt; followed by K &lt;|image|&gt; placeholders.
/// </summary>
public sealed record SpecialTokens(int Bos = 1, int Eos = 2, int Pad = 31999, int BeginOfImage = 32000, int Image = 32001)
{
    /// <summary>Throws an ArgumentException naming the field when ids collide or fall outside the vocabulary.</summary>
    public SpecialTokens Validated(int vocabSize)
    {
        int[] ids = [Bos, Eos, Pad, BeginOfImage, Image];
        string[] names = [nameof(Bos), nameof(Eos), nameof(Pad), nameof(BeginOfImage), nameof(Image)];
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] < 0 || ids[i] >= vocabSize)
                throw new ArgumentException($"SpecialTokens: {names[i]} is {ids[i]}; it must lie in 0..{vocabSize - 1} (the vocabulary).");
        var distinct = new[] { Bos, Eos, BeginOfImage, Image }; // pad may equal another id only in principle; keep these apart
        if (distinct.Distinct().Count() != distinct.Length)
            throw new ArgumentException($"SpecialTokens: Bos ({Bos}), Eos ({Eos}), BeginOfImage ({BeginOfImage}) and Image ({Image}) must differ.");
        return this;
    }
}
