namespace MMInterleaved.Language;

/// <summary>
/// The LLaMA-style language decoder (HF <c>LlamaConfig</c> fields; defaults are Vicuna-13B v1.3 with the two added
/// tokens, vocabulary 32002).
/// </summary>
public sealed record DecoderConfig(
    int VocabSize = 32002,
    int HiddenSize = 5120,
    int IntermediateSize = 13824,
    int NumLayers = 40,
    int NumHeads = 40,
    double RmsNormEps = 1e-6,
    double RopeTheta = 10000,
    int MaxPositionEmbeddings = 2048,
    double InitializerRange = 0.02)
{
    /// <summary>Width of one attention head.</summary>
    public int HeadDim => HiddenSize / NumHeads;

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public DecoderConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("DecoderConfig: " + message); }
        Require(VocabSize > 0, $"VocabSize is {VocabSize}; it must be positive.");
        Require(HiddenSize > 0 && IntermediateSize > 0, $"HiddenSize ({HiddenSize}) and IntermediateSize ({IntermediateSize}) must be positive.");
        Require(NumLayers > 0, $"NumLayers is {NumLayers}; it must be positive.");
        Require(NumHeads > 0 && HiddenSize % NumHeads == 0, $"NumHeads is {NumHeads}; it must be positive and divide HiddenSize ({HiddenSize}).");
        Require(HeadDim % 2 == 0, $"HiddenSize/NumHeads is {HeadDim}; rotary embeddings need an even head width.");
        Require(RmsNormEps > 0, $"RmsNormEps is {RmsNormEps}; it must be positive.");
        Require(RopeTheta > 0, $"RopeTheta is {RopeTheta}; it must be positive.");
        Require(MaxPositionEmbeddings > 0, $"MaxPositionEmbeddings is {MaxPositionEmbeddings}; it must be positive.");
        return this;
    }
}
