namespace MMInterleaved.Data.Glyphs;

/// <summary>Draws grid scenes from a random stream; <see cref="Name"/> prefixes the task names ("glyph" gives
/// "glyph-vqa").</summary>
public interface IGridSceneSampler
{
    /// <summary>Prefix of the task names.</summary>
    string Name { get; }

    /// <summary>What text calls an item ("glyph").</summary>
    string ItemNoun { get; }

    /// <summary>Every kind a scene can hold (count questions may ask about one that is absent).</summary>
    IReadOnlyList<GridKind> Kinds { get; }

    /// <summary>Every colour name a scene can use.</summary>
    IReadOnlyList<string> Colors { get; }

    /// <summary>A scene drawn from <paramref name="random"/> (and nothing else).</summary>
    IGridScene Sample(SeededRandom random);
}
