namespace MMInterleaved.Data.Glyphs;

/// <summary>The glyphs a scene can draw: digits and capital letters as strokes, shapes filled (except the cross). The
/// letter A is left out on purpose: "a" is an article, which VQA answer normalisation deletes.</summary>
public enum GlyphKind
{
    /// <summary>0 (an oval).</summary>
    Digit0,
    /// <summary>1 (flag and base).</summary>
    Digit1,
    /// <summary>2.</summary>
    Digit2,
    /// <summary>3.</summary>
    Digit3,
    /// <summary>4 (open top).</summary>
    Digit4,
    /// <summary>5.</summary>
    Digit5,
    /// <summary>6.</summary>
    Digit6,
    /// <summary>7.</summary>
    Digit7,
    /// <summary>8.</summary>
    Digit8,
    /// <summary>9.</summary>
    Digit9,
    /// <summary>E.</summary>
    LetterE,
    /// <summary>F.</summary>
    LetterF,
    /// <summary>H.</summary>
    LetterH,
    /// <summary>K.</summary>
    LetterK,
    /// <summary>L.</summary>
    LetterL,
    /// <summary>T.</summary>
    LetterT,
    /// <summary>A filled circle.</summary>
    Circle,
    /// <summary>A filled square.</summary>
    Square,
    /// <summary>A filled triangle, apex up.</summary>
    Triangle,
    /// <summary>A thick plus sign.</summary>
    Cross,
}
