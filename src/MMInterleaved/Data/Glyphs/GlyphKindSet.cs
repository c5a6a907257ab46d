namespace MMInterleaved.Data.Glyphs;

/// <summary>Which groups of <see cref="GlyphKind"/> a scene samples from.</summary>
[Flags]
public enum GlyphKindSet
{
    /// <summary>No glyphs (invalid on its own).</summary>
    None = 0,
    /// <summary>The ten digits.</summary>
    Digits = 1,
    /// <summary>The capital letters E F H K L T.</summary>
    Letters = 2,
    /// <summary>Circle, square, triangle, cross.</summary>
    Shapes = 4,
    /// <summary>Everything.</summary>
    All = Digits | Letters | Shapes,
}
