namespace MMInterleaved.Data.Glyphs;

/// <summary>Samples <see cref="GlyphScene"/>s for the grid tasks (task names "glyph-…").</summary>
public sealed class GlyphSceneSampler(GlyphSceneOptions? options = null) : IGridSceneSampler
{
    /// <summary>The scene options.</summary>
    public GlyphSceneOptions Options { get; } = (options ?? new GlyphSceneOptions()).Validated();

    /// <inheritdoc/>
    public string Name => "glyph";

    /// <inheritdoc/>
    public string ItemNoun => "glyph";

    /// <inheritdoc/>
    public IReadOnlyList<GridKind> Kinds => GlyphShapes.KindsOf(Options.Kinds).Select(GlyphShapes.Describe).ToArray();

    /// <inheritdoc/>
    public IReadOnlyList<string> Colors => GlyphPalette.Colors.Take(Options.ColorCount).Select(c => c.Name).ToArray();

    /// <inheritdoc/>
    public IGridScene Sample(SeededRandom random) => GlyphScene.Sample(Options, random);
}
