using static TorchSharp.torch;

namespace MMInterleaved.Evaluation;

/// <summary>
/// The Fréchet distance between two feature sets as pytorch-fid computes it (<c>calculate_activation_statistics</c>, then
/// <c>calculate_frechet_distance</c>): ‖μ_a − μ_b‖² + tr Σ_a + tr Σ_b − 2 tr √(Σ_a Σ_b), with the mean over rows and the
/// unbiased (N − 1) covariance of <c>np.cov(rowvar=False)</c>. pytorch-fid takes the trace of scipy's general matrix square
/// root of Σ_a Σ_b; that product is similar to the symmetric PSD √Σ_a Σ_b √Σ_a, so its root's trace is the sum of the square
/// roots of that matrix's eigenvalues, computed here by two symmetric eigendecompositions in float64: no complex
/// parts to drop, and singular covariances (fewer vectors than dimensions) need no offset. Matched to pytorch-fid's own
/// values on its fixtures (tests).
/// </summary>
public static class FrechetDistance
{
    /// <summary>The distance between features <paramref name="a"/> [N, D] and <paramref name="b"/> [M, D] (N, M ≥ 2).</summary>
    public static double Compute(Tensor a, Tensor b)
    {
        Check(a, "featuresA");
        Check(b, "featuresB");
        if (a.shape[1] != b.shape[1])
            throw new ArgumentException($"FrechetDistance: featuresA has {a.shape[1]} dimensions and featuresB {b.shape[1]}; both sets must have the same feature width.");
        using var scope = NewDisposeScope();
        var (muA, sigmaA) = Statistics(a);
        var (muB, sigmaB) = Statistics(b);
        return FromStatistics(muA, sigmaA, muB, sigmaB);
    }

    /// <summary>The distance from precomputed statistics (means [D], covariances [D, D]), as pytorch-fid's
    /// <c>calculate_frechet_distance</c> takes them.</summary>
    public static double FromStatistics(Tensor muA, Tensor sigmaA, Tensor muB, Tensor sigmaB)
    {
        using var scope = NewDisposeScope();
        var diff = muA.to(float64) - muB.to(float64);
        var sA = sigmaA.to(float64);
        var sB = sigmaB.to(float64);
        var rootA = SymmetricRoot(sA);
        var inner = rootA.matmul(sB).matmul(rootA);
        var eigenvalues = linalg.eigvalsh((inner + inner.mT) / 2);
        double traceRoot = eigenvalues.clamp_min(0).sqrt().sum().item<double>();
        return diff.dot(diff).item<double>() + sA.trace().item<double>() + sB.trace().item<double>() - 2 * traceRoot;
    }

    /// <summary>Mean over rows [D] and the unbiased covariance [D, D] (<c>np.cov(x, rowvar=False)</c>), in float64.</summary>
    public static (Tensor Mean, Tensor Covariance) Statistics(Tensor features)
    {
        Check(features, "features");
        var x = features.to(float64);
        var mean = x.mean([0L]);
        var centred = x - mean;
        var covariance = centred.mT.matmul(centred) / (x.shape[0] - 1);
        return (mean, covariance);
    }

    // √S of a symmetric PSD matrix; round-off negative eigenvalues are zero
    private static Tensor SymmetricRoot(Tensor s)
    {
        var (values, vectors) = linalg.eigh((s + s.mT) / 2);
        return (vectors * values.clamp_min(0).sqrt().unsqueeze(0)).matmul(vectors.mT);
    }

    private static void Check(Tensor x, string name)
    {
        if (x.dim() != 2 || x.shape[0] < 2)
            throw new ArgumentException($"FrechetDistance: {name} has shape [{string.Join(", ", x.shape)}]; expected [N, D] with N ≥ 2 feature vectors.");
    }
}
