namespace MMInterleaved.Visualization;

/// <summary>A piece of HTML that notebooks show rendered (workbench.csx registers its formatter), e.g. a results table.</summary>
/// <param name="Html">The HTML fragment.</param>
public sealed record HtmlView(string Html)
{
    /// <summary>The fragment itself (what the notebook formatter writes).</summary>
    public override string ToString() => Html;
}
