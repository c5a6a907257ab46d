namespace MMInterleaved.Vision;

/// <summary>
/// The ViT-Adapter's hyper-parameters as the reference sets them in <c>CLIPVisionTransformerAdapter</c>
/// (mm_interleaved/models/encoders/vit_adapter/vit_adapter_hf.py); the defaults are the released model's.
/// </summary>
/// <param name="ConvInplanes">Spatial Prior Module width: c1 has this many channels, c2 twice, c3 and c4 four times.</param>
/// <param name="DeformHeads">Heads of every MSDeformAttn (the reference passes the CLIP head count).</param>
/// <param name="DeformPoints">Sampling points per head and level.</param>
/// <param name="DeformRatio">MSDeformAttn value width = HiddenSize·DeformRatio.</param>
/// <param name="CffnRatio">ConvFFN hidden width = HiddenSize·CffnRatio.</param>
/// <param name="WithCffn">Whether the extractors have the ConvFFN (<c>ffn</c>, <c>ffn_norm</c>).</param>
/// <param name="InitValues">Initial value of every injector's per-channel <c>gamma</c>. At 0 the adapter leaves the ViT untouched.</param>
/// <param name="ExtraExtractors">Whether the last interaction block has two extra extractors.</param>
/// <param name="NormEps">Epsilon of the injector/extractor LayerNorms. Taken from the code: vit_adapter_hf.py passes
/// <c>norm_layer=nn.LayerNorm</c>, overriding adapter_modules.py's <c>eps=1e-6</c> default, so it is PyTorch's 1e-5.</param>
/// <param name="SpmNormEps">Epsilon of the Spatial Prior Module's channels-first LayerNorms (the custom class's default, 1e-6).</param>
/// <param name="SpmInputSize">Side the image is resized to for the Spatial Prior Module; null: GridSide·16 as in the
/// reference (224/14·16 = 256). Only that value lines the SPM levels up with the ViT grid (4G, 2G, G, G/2).</param>
/// <param name="ZeroAdapterLinearBiases">Zero every adapter <c>nn.Linear</c> bias after construction, as the reference's
/// HF <c>CLIPPreTrainedModel._init_weights</c> does to the adapter modules (their keys are missing in
/// <c>from_pretrained</c>, and a fresh build runs it on every module). That includes each MSDeformAttn's
/// <c>sampling_offsets</c> bias, so the radial grid is wiped and every point starts on its reference point.
/// False keeps Deformable-DETR's grid and PyTorch's default ConvFFN biases.</param>
public sealed record AdapterConfig(
    int ConvInplanes = 64,
    int DeformHeads = 16,
    int DeformPoints = 4,
    double DeformRatio = 0.5,
    double CffnRatio = 0.25,
    bool WithCffn = true,
    double InitValues = 0.0,
    bool ExtraExtractors = true,
    double NormEps = 1e-5,
    double SpmNormEps = 1e-6,
    int? SpmInputSize = null,
    bool ZeroAdapterLinearBiases = true)
{
    /// <summary>
    /// One [first, last] pair of CLIP layer indices (inclusive) per interaction block, in order, together covering
    /// every layer. There are exactly four (the outputs add the patch map after stage k to pyramid level k). The default is the reference's split of the 24 ViT-L layers into four stages of six.
    /// </summary>
    public int[][] InteractionIndexes { get; init; } = [[0, 5], [6, 11], [12, 17], [18, 23]];

    /// <summary>The SPM input side for a vision tower: <see cref="SpmInputSize"/> or GridSide·16.</summary>
    public int ResolvedSpmInputSize(VisionEncoderConfig vision) => SpmInputSize ?? vision.GridSide * 16;

    /// <summary>ConvFFN hidden width for a token width (the reference's <c>int(dim * cffn_ratio)</c>).</summary>
    public int CffnHidden(int hiddenSize) => (int)(hiddenSize * CffnRatio);

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed, checking the fields
    /// that depend on the vision tower against <paramref name="vision"/>.</summary>
    public AdapterConfig Validated(VisionEncoderConfig vision)
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("AdapterConfig: " + message); }
        vision.Validated();
        int w = vision.HiddenSize, g = vision.GridSide;
        Require(g % 2 == 0, $"the ViT grid side (ImageSize/PatchSize = {vision.ImageSize}/{vision.PatchSize} = {g}) is odd; it must be even, since c4 is G/2 per side.");
        Require(ConvInplanes > 0, $"ConvInplanes is {ConvInplanes}; it must be positive.");
        Require(DeformHeads > 0, $"DeformHeads is {DeformHeads}; it must be positive.");
        Require(w % DeformHeads == 0, $"DeformHeads is {DeformHeads}; it must divide HiddenSize ({w}).");
        Require(DeformPoints > 0, $"DeformPoints is {DeformPoints}; it must be positive.");
        Require(DeformRatio > 0, $"DeformRatio is {DeformRatio}; it must be positive.");
        int valueDim = (int)(w * DeformRatio);
        Require(valueDim > 0 && valueDim % DeformHeads == 0,
            $"DeformRatio is {DeformRatio}; HiddenSize·DeformRatio ({w * DeformRatio}) must be a positive multiple of DeformHeads ({DeformHeads}).");
        Require(CffnRatio > 0 && CffnHidden(w) > 0, $"CffnRatio is {CffnRatio}; HiddenSize·CffnRatio ({w * CffnRatio}) must be at least 1.");
        Require(double.IsFinite(InitValues), $"InitValues is {InitValues}; it must be finite.");
        Require(NormEps > 0, $"NormEps is {NormEps}; it must be positive.");
        Require(SpmNormEps > 0, $"SpmNormEps is {SpmNormEps}; it must be positive.");
        Require(SpmInputSize is null || SpmInputSize == g * 16,
            $"SpmInputSize is {SpmInputSize}; it must be null or GridSide·16 = {g * 16}, the only size whose SPM levels (side/4, /8, /16, /32) match the ViT grid ({4 * g}, {2 * g}, {g}, {g / 2}).");
        ValidateStages(vision.NumLayers, Require);
        return this;
    }

    private void ValidateStages(int numLayers, Action<bool, string> require)
    {
        string shown = InteractionIndexes is null ? "null" : "[" + string.Join(", ", InteractionIndexes.Select(s => s is null ? "null" : "[" + string.Join(", ", s) + "]")) + "]";
        string allowed = $"it must be 4 [first, last] pairs (one per pyramid level) that cover layers 0..{numLayers - 1} (NumLayers = {numLayers}) contiguously, in order";
        require(InteractionIndexes is { Length: 4 }, $"InteractionIndexes is {shown}; {allowed}.");
        int next = 0;
        for (int b = 0; b < InteractionIndexes!.Length; b++)
        {
            var stage = InteractionIndexes[b];
            require(stage is { Length: 2 }, $"InteractionIndexes is {shown}; entry {b} is not a [first, last] pair; {allowed}.");
            require(stage[0] == next && stage[1] >= stage[0],
                $"InteractionIndexes is {shown}; entry {b} must start at layer {next} and end at or after it; {allowed}.");
            next = stage[1] + 1;
        }
        require(next == numLayers, $"InteractionIndexes is {shown}; it ends at layer {next - 1}; {allowed}.");
    }
}
