using MMInterleaved.Training;

namespace MMInterleaved.Cli.Commands;

/// <summary>The command-line names of <see cref="EncoderObjective"/>: cells, isolated-glyphs, scattered-glyphs.</summary>
public static class EncoderObjectiveOption
{
    private static readonly (string Name, EncoderObjective Objective)[] Names =
        [("cells", EncoderObjective.CellLabels), ("isolated-glyphs", EncoderObjective.IsolatedGlyphs), ("scattered-glyphs", EncoderObjective.ScatteredGlyphs)];

    /// <summary>The objective <paramref name="value"/> names, or a one-line error naming <paramref name="option"/>.</summary>
    public static EncoderObjective Parse(string value, string option) =>
        Names.FirstOrDefault(n => n.Name == value) is { Name: not null } hit ? hit.Objective
            : throw new ArgumentException($"{option}: {value} is not an encoder objective ({string.Join(", ", Names.Select(n => n.Name))}).");
}
