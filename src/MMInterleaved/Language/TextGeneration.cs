using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Language;

/// <summary>
/// Batched, KV-cached text generation from left-padded prompts: greedy, nucleus sampling (top-p, temperature) or beam
/// search (length penalty), with HF's repetition penalty, min/max new tokens and stop tokens (the reference stops at
/// &lt;/s&gt; or &lt;|beginofimage|&gt;). The repetition penalty applies to the tokens generated so far: with
/// <c>inputs_embeds</c> prompts HF's <c>input_ids</c> hold no prompt ids, which is how the reference runs. Beam scores divide
/// by the generated length^LengthPenalty.
/// </summary>
public static class TextGeneration
{
    /// <summary>Generates continuations of <paramref name="promptEmbeds"/> [B,L,D] with left padding marked by
    /// <paramref name="promptMask"/> [B,L].</summary>
    public static GenerationResult Generate(IIncrementalDecoder model, Tensor promptEmbeds, Tensor promptMask, VisualMemory? memory,
        GenerationOptions options, IReadOnlyCollection<long> stopTokens, long padToken)
    {
        options = options.Validated();
        using var scope = NewDisposeScope();
        return options.NumBeams > 1
            ? BeamSearch(model, promptEmbeds, promptMask, memory, options, stopTokens)
            : GreedyOrSample(model, promptEmbeds, promptMask, memory, options, stopTokens, padToken);
    }

    private static GenerationResult GreedyOrSample(IIncrementalDecoder model, Tensor embeds, Tensor mask, VisualMemory? memory,
        GenerationOptions options, IReadOnlyCollection<long> stopTokens, long padToken)
    {
        long b = embeds.shape[0];
        var device = embeds.device;
        var generator = options.DoSample ? new Generator((ulong)options.Seed, device) : null;
        using var cache = new KvCache(model.Layers);
        var positions = (mask.cumsum(-1) - 1).clamp_min(0);
        var next = positions.select(1, -1);
        var logits = model.Step(embeds, mask, positions, memory, cache);
        var tokens = Enumerable.Range(0, (int)b).Select(_ => new List<long>()).ToArray();
        var scores = new double[b];
        var finished = new bool[b];
        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var adjusted = Adjust(logits, tokens, options, stopTokens, step);
            var logProbabilities = F.log_softmax(adjusted.to(float32), -1);
            Tensor chosen = options.DoSample
                ? multinomial(NucleusProbabilities(adjusted, options), 1, generator: generator).squeeze(-1)
                : adjusted.argmax(-1);
            long[] ids = chosen.cpu().data<long>().ToArray();
            var chosenLogProbabilities = logProbabilities.gather(1, chosen.unsqueeze(1)).squeeze(1).cpu().to(float64).data<double>().ToArray();
            for (int r = 0; r < b; r++)
            {
                if (finished[r]) { ids[r] = padToken; continue; }
                tokens[r].Add(ids[r]);
                scores[r] += chosenLogProbabilities[r];
                if (stopTokens.Contains(ids[r])) finished[r] = true;
            }
            if (finished.All(f => f) || step == options.MaxNewTokens - 1) break;
            var input = tensor(ids, device: device).view(b, 1);
            mask = cat([mask, ones(b, 1, dtype: mask.dtype, device: device)], 1).MoveToOuterDisposeScope();
            next = (next + 1).MoveToOuterDisposeScope();
            logits = model.Step(model.Embed(input), mask, next.view(b, 1), memory, cache).MoveToOuterDisposeScope();
        }
        return new GenerationResult(tokens.Select(t => t.ToArray()).ToArray(), scores);
    }

    private static GenerationResult BeamSearch(IIncrementalDecoder model, Tensor embeds, Tensor mask, VisualMemory? memory,
        GenerationOptions options, IReadOnlyCollection<long> stopTokens)
    {
        int k = options.NumBeams;
        long b = embeds.shape[0];
        var device = embeds.device;
        embeds = embeds.repeat_interleave(k, 0);
        mask = mask.repeat_interleave(k, 0);
        if (memory is not null)
            memory = memory with { Features = memory.Features.repeat_interleave(k, 0), Mask = memory.Mask.repeat_interleave(k, 0) };
        using var cache = new KvCache(model.Layers);
        var positions = (mask.cumsum(-1) - 1).clamp_min(0);
        var next = positions.select(1, -1);
        var logits = model.Step(embeds, mask, positions, memory, cache);

        var beams = Enumerable.Range(0, (int)(b * k)).Select(_ => new List<long>()).ToArray();
        var beamScores = new double[b * k];
        for (int r = 0; r < b; r++) for (int j = 1; j < k; j++) beamScores[r * k + j] = -1e9; // first step: one live beam per row
        var hypotheses = Enumerable.Range(0, (int)b).Select(_ => new List<(double Score, long[] Tokens)>()).ToArray();
        var done = new bool[b];

        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var logProbabilities = F.log_softmax(Adjust(logits, beams, options, stopTokens, step).to(float32), -1).to(float64);
            long vocab = logProbabilities.shape[1];
            var total = (logProbabilities + tensor(beamScores, device: device).view(-1, 1)).view(b, k * vocab);
            var (topScores, topIndices) = total.topk(2 * k, dim: 1);
            double[] candidateScores = topScores.cpu().data<double>().ToArray();
            long[] candidateIndices = topIndices.cpu().data<long>().ToArray();
            int length = step + 1;

            var nextBeams = new long[b * k];
            var nextTokens = new long[b * k];
            var nextScores = new double[b * k];
            for (int r = 0; r < b; r++)
            {
                int filled = 0;
                for (int c = 0; c < 2 * k && filled < k; c++)
                {
                    long index = candidateIndices[r * 2 * k + c];
                    int beam = (int)(index / vocab);
                    long token = index % vocab;
                    double score = candidateScores[r * 2 * k + c];
                    if (!done[r] && stopTokens.Contains(token))
                    {
                        if (c < k) AddHypothesis(hypotheses[r], k, score / Math.Pow(length, options.LengthPenalty), [.. beams[r * k + beam], token]);
                        continue;
                    }
                    nextBeams[r * k + filled] = r * k + beam;
                    nextTokens[r * k + filled] = token;
                    nextScores[r * k + filled] = score;
                    filled++;
                }
                if (!done[r] && hypotheses[r].Count >= k)
                {
                    double bestRunning = nextScores[r * k] / Math.Pow(length, options.LengthPenalty);
                    done[r] = hypotheses[r].Min(h => h.Score) >= bestRunning;
                }
            }
            beams = nextBeams.Select((from, i) => new List<long>(beams[from]) { nextTokens[i] }).ToArray();
            beamScores = nextScores;
            if (done.All(d => d) || step == options.MaxNewTokens - 1) break;

            var rows = tensor(nextBeams, device: device);
            cache.Select(rows);
            mask = cat([mask.index_select(0, rows), ones(b * k, 1, dtype: mask.dtype, device: device)], 1).MoveToOuterDisposeScope();
            next = (next.index_select(0, rows) + 1).MoveToOuterDisposeScope();
            var input = tensor(nextTokens, device: device).view(b * k, 1);
            logits = model.Step(model.Embed(input), mask, next.view(-1, 1), memory, cache).MoveToOuterDisposeScope();
        }
        for (int r = 0; r < b; r++)
            if (!done[r])
                for (int j = 0; j < k; j++)
                    AddHypothesis(hypotheses[r], k, beamScores[r * k + j] / Math.Pow(beams[r * k + j].Count, options.LengthPenalty), [.. beams[r * k + j]]);
        var best = hypotheses.Select(h => h.OrderByDescending(x => x.Score).First()).ToArray();
        return new GenerationResult(best.Select(x => x.Tokens).ToArray(), best.Select(x => x.Score).ToArray());
    }

    // Keeps the k best finished hypotheses of a row.
    private static void AddHypothesis(List<(double Score, long[] Tokens)> list, int k, double score, long[] tokens)
    {
        list.Add((score, tokens));
        if (list.Count > k) list.Remove(list.MinBy(h => h.Score));
    }

    // Repetition penalty on each row's generated tokens, then stop tokens forbidden before MinNewTokens.
    private static Tensor Adjust(Tensor logits, IReadOnlyList<List<long>> generated, GenerationOptions options, IReadOnlyCollection<long> stopTokens, int step)
    {
        var adjusted = logits.to(float32).clone();
        if (options.RepetitionPenalty != 1.0)
        {
            for (int r = 0; r < generated.Count; r++)
            {
                if (generated[r].Count == 0) continue;
                var ids = tensor(generated[r].Distinct().ToArray(), device: logits.device);
                var values = adjusted[r].index_select(0, ids);
                adjusted[r].index_copy_(0, ids, where(values < 0, values * options.RepetitionPenalty, values / options.RepetitionPenalty));
            }
        }
        if (step < options.MinNewTokens)
            foreach (long stop in stopTokens) adjusted[TensorIndex.Colon, stop] = float.NegativeInfinity;
        return adjusted;
    }

    // Temperature, then keep the smallest set of tokens whose probability reaches TopP (at least one).
    private static Tensor NucleusProbabilities(Tensor logits, GenerationOptions options)
    {
        var probabilities = F.softmax(logits / options.Temperature, -1);
        if (options.TopP >= 1.0) return probabilities;
        var (sorted, order) = probabilities.sort(-1, descending: true);
        var before = sorted.cumsum(-1) - sorted;                 // mass of the more likely tokens
        var keepSorted = before < options.TopP;                  // the first token always stays
        var keep = zeros_like(keepSorted).scatter(-1, order, keepSorted);
        var kept = probabilities * keep.to(probabilities.dtype);
        return kept / kept.sum(-1, keepdim: true);
    }
}
