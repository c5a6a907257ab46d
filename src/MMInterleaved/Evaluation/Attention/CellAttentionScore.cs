namespace MMInterleaved.Evaluation.Attention;

/// <summary>
/// Where one MMFS layer looks when a model answers questions about a named cell, at the token that produces the answer
/// (the prompt's last). Shares are of the attention mass the layer gives the question's image (the null slot's mass is
/// left out and reported separately), pooled over heads, levels and points; a sampling point counts for the cell its
/// location falls in (points outside the image count for none).
/// </summary>
/// <param name="Layer">MMFS layer, in decoder order (0 = the first).</param>
/// <param name="Questions">Questions measured.</param>
/// <param name="InAskedCell">Mean over cells k of the share cell k gets when the question asks about k.</param>
/// <param name="InCellOtherwise">Mean over cells k of the share cell k gets when the question asks about another cell: the
/// position-matched control (a layer that always looks at the same place scores the same in both).</param>
/// <param name="ByArea">The share a cell would get if the in-image mass were spread evenly by area: in-image share / cells.</param>
/// <param name="InImage">Share of the mass whose points fall inside the image.</param>
/// <param name="NullShare">Mean weight of the null slot (mass given to "nothing"), of the whole softmax.</param>
/// <param name="PerHead">Per head, the same asked-cell share (<see cref="InAskedCell"/> computed on that head's mass alone).</param>
public sealed record CellAttentionScore(int Layer, int Questions, double InAskedCell, double InCellOtherwise, double ByArea,
    double InImage, double NullShare, IReadOnlyList<double> PerHead)
{
    /// <summary>How many times the asked cell's share exceeds the position-matched control (1: the question does not steer).</summary>
    public double Lift => InAskedCell / InCellOtherwise;
}
