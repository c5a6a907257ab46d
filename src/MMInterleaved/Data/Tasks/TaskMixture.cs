namespace MMInterleaved.Data.Tasks;

/// <summary>
/// A training mixture written as <c>a+b</c> (one document of each in turn) or with whole-number document weights,
/// <c>a*4+b</c> (four documents of a, then one of b). Weights count documents, not tokens or images: a long document
/// of b beside short ones of a leaves a fewer of a per packed row than its share of documents, so a mixture that must
/// give a task a budget of images is weighted by measuring (the training log's <c>image_targets</c>).
/// </summary>
public sealed record TaskMixture(IReadOnlyList<TaskMixture.Part> Parts)
{
    /// <summary>One task of the mixture and how many documents of it come in each cycle.</summary>
    public sealed record Part(string Task, int Weight);

    /// <summary>The largest weight a part may have.</summary>
    public const int MaxWeight = 100;

    /// <summary>The task held out for scoring: the first part's.</summary>
    public string First => Parts[0].Task;

    /// <summary>Each task once, in order.</summary>
    public IReadOnlyList<string> Tasks => Parts.Select(p => p.Task).ToArray();

    /// <summary>The source index of each document in one cycle: part i's index, Weight times in a row.</summary>
    public IReadOnlyList<int> Pattern => Parts.SelectMany((p, i) => Enumerable.Repeat(i, p.Weight)).ToArray();

    /// <summary>Parses <paramref name="spec"/>; a malformed part is an ArgumentException naming it and what is allowed.</summary>
    public static TaskMixture Parse(string spec)
    {
        var parts = new List<Part>();
        foreach (string raw in spec.Split('+', StringSplitOptions.TrimEntries))
        {
            int star = raw.IndexOf('*');
            string task = (star < 0 ? raw : raw[..star]).Trim();
            int weight = 1;
            if (task.Length == 0)
                throw new ArgumentException($"task '{spec}': an empty part; write task names joined by '+', each optionally weighted as name*k.");
            if (star >= 0 && (!int.TryParse(raw[(star + 1)..].Trim(), out weight) || weight < 1 || weight > MaxWeight))
                throw new ArgumentException($"task '{spec}': part '{raw}' has weight '{raw[(star + 1)..].Trim()}'; a weight is a whole number from 1 to {MaxWeight} (name*k).");
            if (parts.Any(p => p.Task == task))
                throw new ArgumentException($"task '{spec}': '{task}' appears twice; give it one part with a weight (name*k) instead.");
            parts.Add(new Part(task, weight));
        }
        return new TaskMixture(parts);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join("+", Parts.Select(p => p.Weight == 1 ? p.Task : $"{p.Task}*{p.Weight}"));
}
