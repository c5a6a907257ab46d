using MMInterleaved.Language;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Tests.Language;

[Collection(TorchCollection.Name)]
public class TextGenerationTests
{
    private const long Stop = 5;

    private static (LlamaDecoder Decoder, TextDecoder Head) Model(int vocab = 12, long seed = 7)
    {
        manual_seed(seed);
        var config = new DecoderConfig(VocabSize: vocab, HiddenSize: 16, IntermediateSize: 32, NumLayers: 2, NumHeads: 2);
        var decoder = new LlamaDecoder(config, _ => null);
        var head = new TextDecoder(16, vocab, TextHeadKind.Single, initStd: 0.5); // peaked logits: decisions are clear-cut
        decoder.to(float64);
        head.to(float64);
        return (decoder, head);
    }

    private static Tensor FullLogits(LlamaDecoder d, TextDecoder h, long[] ids)
    {
        var x = tensor(ids).view(1, -1);
        var hidden = d.forward(d.Embed(x), ones_like(x), arange(ids.Length).view(1, -1));
        return h.forward(hidden)[0];
    }

    [Fact]
    public void Cached_greedy_decoding_equals_greedy_by_full_recomputation()
    {
        using var scope = NewDisposeScope();
        var (d, h) = Model();
        long[] prompt = [1, 3, 4, 2];
        var result = TextGeneration.Generate(new DecoderStepper(d, h), d.Embed(tensor(prompt).view(1, -1)), ones(1, 4, dtype: int64), null,
            new GenerationOptions { MaxNewTokens = 6 }, [Stop], 0);

        var sequence = prompt.ToList();
        var expected = new List<long>();
        for (int i = 0; i < 6; i++)
        {
            long next = FullLogits(d, h, [.. sequence])[-1].argmax().item<long>();
            expected.Add(next);
            sequence.Add(next);
            if (next == Stop) break;
        }
        Assert.Equal(expected, result.Tokens[0]);
    }

    [Fact]
    public void A_left_padded_batch_generates_what_each_row_generates_alone()
    {
        using var scope = NewDisposeScope();
        var (d, h) = Model();
        var stepper = new DecoderStepper(d, h);
        var options = new GenerationOptions { MaxNewTokens = 5 };
        long[] a = [1, 3, 4, 2, 7], bRow = [1, 8];
        long[] Alone(long[] p) => TextGeneration.Generate(stepper, d.Embed(tensor(p).view(1, -1)), ones(1, p.Length, dtype: int64), null, options, [Stop], 0).Tokens[0];
        var ids = tensor(new long[] { 1, 3, 4, 2, 7, 0, 0, 0, 1, 8 }).view(2, 5);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 0, 0, 0, 1, 1 }).view(2, 5);
        var batched = TextGeneration.Generate(stepper, d.Embed(ids), mask, null, options, [Stop], 0);
        Assert.Equal(Alone(a), batched.Tokens[0]);
        Assert.Equal(Alone(bRow), batched.Tokens[1]);
    }

    [Fact]
    public void Beam_search_wide_enough_finds_the_most_likely_continuation()
    {
        using var scope = NewDisposeScope();
        var (d, h) = Model(vocab: 6);
        long[] prompt = [1, 3];
        // 3 new tokens, no reachable stop token, length penalty 0: the beam score is the summed log-probability,
        // and 36 = 6² beams make the search exhaustive.
        var options = new GenerationOptions { MaxNewTokens = 3, NumBeams = 36, LengthPenalty = 0 };
        var result = TextGeneration.Generate(new DecoderStepper(d, h), d.Embed(tensor(prompt).view(1, -1)), ones(1, 2, dtype: int64), null, options, [99], 0);

        double best = double.NegativeInfinity;
        long[] bestSequence = [];
        for (long x = 0; x < 6; x++)
            for (long y = 0; y < 6; y++)
                for (long z = 0; z < 6; z++)
                {
                    var logProbabilities = F.log_softmax(FullLogits(d, h, [.. prompt, x, y, z]), -1);
                    double score = logProbabilities[1, x].item<double>() + logProbabilities[2, y].item<double>() + logProbabilities[3, z].item<double>();
                    if (score > best) (best, bestSequence) = (score, [x, y, z]);
                }
        Assert.Equal(bestSequence, result.Tokens[0]);
        Assert.Equal(best, result.Scores[0], 6);
    }

    [Fact]
    public void Nucleus_with_a_tiny_top_p_is_greedy_and_sampling_is_seeded()
    {
        using var scope = NewDisposeScope();
        var (d, h) = Model();
        var stepper = new DecoderStepper(d, h);
        var embeds = d.Embed(tensor(new long[] { 1, 3 }).view(1, -1));
        var mask = ones(1, 2, dtype: int64);
        var greedy = TextGeneration.Generate(stepper, embeds, mask, null, new GenerationOptions { MaxNewTokens = 6 }, [Stop], 0);
        var nucleus = TextGeneration.Generate(stepper, embeds, mask, null, new GenerationOptions { MaxNewTokens = 6, DoSample = true, TopP = 1e-6 }, [Stop], 0);
        Assert.Equal(greedy.Tokens[0], nucleus.Tokens[0]);
        var hot = new GenerationOptions { MaxNewTokens = 8, DoSample = true, Temperature = 3, Seed = 11 };
        var s1 = TextGeneration.Generate(stepper, embeds, mask, null, hot, [Stop], 0);
        var s2 = TextGeneration.Generate(stepper, embeds, mask, null, hot, [Stop], 0);
        Assert.Equal(s1.Tokens[0], s2.Tokens[0]);
    }

    [Fact]
    public void Min_tokens_stop_tokens_and_repetition_penalty_shape_the_output()
    {
        using var scope = NewDisposeScope();
        var (d, h) = Model();
        var stepper = new DecoderStepper(d, h);
        var embeds = d.Embed(tensor(new long[] { 1, 3 }).view(1, -1));
        var mask = ones(1, 2, dtype: int64);
        // make the first greedy token a stop token, then ask for at least 3 tokens
        long first = TextGeneration.Generate(stepper, embeds, mask, null, new GenerationOptions { MaxNewTokens = 1 }, [Stop], 0).Tokens[0][0];
        var stopped = TextGeneration.Generate(stepper, embeds, mask, null, new GenerationOptions { MaxNewTokens = 6 }, [first], 0);
        Assert.Equal([first], stopped.Tokens[0]);
        var atLeast = TextGeneration.Generate(stepper, embeds, mask, null, new GenerationOptions { MaxNewTokens = 6, MinNewTokens = 3 }, [first], 0);
        Assert.True(atLeast.Tokens[0].Length >= 3);
        Assert.DoesNotContain(first, atLeast.Tokens[0].Take(3));

        var penalised = TextGeneration.Generate(stepper, embeds, mask, null, new GenerationOptions { MaxNewTokens = 10, RepetitionPenalty = 1e6 }, [99], 0);
        Assert.Equal(penalised.Tokens[0].Length, penalised.Tokens[0].Distinct().Count()); // nothing repeats
    }
}
