using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>
/// The text head (<c>text_decoder</c>): logits from the decoder's final hidden states. With
/// <see cref="TextHeadKind.FrozenPlusNew"/> it is the reference's <c>TextDecoder</c>: <c>head</c> frozen (rows of the two
/// added tokens zero, bias −100 there) and <c>head_new</c> (2 rows, weight 0, bias 95) added to those logits, so both start
/// at −5.
/// </summary>
public sealed class TextDecoder : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "head")] private readonly Linear head;
    [ComponentName(Name = "head_new")] private readonly Linear? headNew;
    private readonly int vocab;

    /// <summary>The arrangement.</summary>
    public TextHeadKind Kind { get; }

    /// <summary>Head for width <paramref name="hiddenSize"/> over <paramref name="vocabSize"/> ids; with
    /// <see cref="TextHeadKind.FrozenPlusNew"/> the last two ids are the added tokens.</summary>
    public TextDecoder(int hiddenSize, int vocabSize, TextHeadKind kind, double initStd = 0.02, string name = "text_decoder") : base(name)
    {
        Kind = kind;
        vocab = vocabSize;
        head = nn.Linear(hiddenSize, vocabSize, hasBias: true);
        if (kind == TextHeadKind.FrozenPlusNew) headNew = nn.Linear(hiddenSize, 2, hasBias: true);
        RegisterComponents();
        using var noGrad = no_grad();
        head.weight!.normal_(0, initStd);
        head.bias!.zero_();
        if (headNew is not null)
        {
            head.weight![TensorIndex.Slice(vocabSize - 2, vocabSize)] = zeros(2, hiddenSize);
            head.bias![TensorIndex.Slice(vocabSize - 2, vocabSize)] = full(2, -100.0);
            head.weight.requires_grad = false;
            head.bias.requires_grad = false;
            headNew.weight!.zero_();
            headNew.bias!.fill_(95.0);
        }
    }

    /// <summary>Copies a pre-trained LM head ([V−2, D], no bias) into <c>head</c> (FrozenPlusNew), as the reference does.</summary>
    public void LoadLanguageModelHead(Tensor lmHeadWeight)
    {
        if (Kind != TextHeadKind.FrozenPlusNew) throw new InvalidOperationException("LoadLanguageModelHead needs TextHeadKind.FrozenPlusNew.");
        using var noGrad = no_grad();
        head.weight![TensorIndex.Slice(0, vocab - 2)] = lmHeadWeight;
    }

    /// <summary>Logits [.., V] of hidden states [.., D].</summary>
    public override Tensor forward(Tensor hidden)
    {
        var logits = head.forward(hidden);
        if (headNew is null) return logits;
        var added = headNew.forward(hidden);
        return cat([logits.narrow(-1, 0, vocab - 2), logits.narrow(-1, vocab - 2, 2) + added], -1);
    }
}
