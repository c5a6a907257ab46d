using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace MMInterleaved.Training;

/// <summary>
/// TorchSharp's AdamW with the same arithmetic, operation for operation (so the numbers and the saved optimizer state are
/// identical), but every scalar argument an explicit <see cref="Scalar"/> kept alive until its native call returns.
/// Why: TorchSharp 0.107 turns a double into a temporary Scalar that only a finalizer frees, and nothing keeps it alive
/// during the call (dotnet/TorchSharp PRs 1434 and 1496 are open); with two runs training in threads, a garbage collection
/// in the middle of <c>mul_</c> freed it and libtorch read garbage ("Unknown scalar type", "toDouble" in
/// <c>AdamW.step</c>): `mmi reproduce all --quick` crashed in 3 of 5 runs here.
/// </summary>
public sealed class ScalarSafeAdamW(IEnumerable<AdamW.ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay)
    : AdamW(groups, lr, beta1, beta2, eps, weightDecay, amsgrad: false, maximize: false)
{
    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
        double eps = options.eps!.Value, lr = options.LearningRate!.Value;
        if (options.amsgrad == true || options.maximize == true)
            throw new NotSupportedException("ScalarSafeAdamW implements the plain AdamW update (no amsgrad, no maximize).");
        using Scalar decay = (1 - lr * weightDecay).ToScalar(), b1 = beta1.ToScalar(), oneMinusB1 = (1 - beta1).ToScalar();
        using Scalar b2 = beta2.ToScalar(), oneMinusB2 = (1 - beta2).ToScalar(), epsilon = eps.ToScalar(), one = 1.ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            state.step += 1;
            param.mul_(decay);
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(b1).add_(grad, alpha: oneMinusB1);
            state.exp_avg_sq.mul_(b2).addcmul_(grad, grad, value: oneMinusB2);
            using Scalar root = Math.Sqrt(biasCorrection2).ToScalar(), stepSize = (-(lr / biasCorrection1)).ToScalar();
            var denom = state.exp_avg_sq.sqrt().div(root).add_(epsilon, one);
            param.addcdiv_(state.exp_avg, denom, value: stepSize);
        }
    }, closure);
}
