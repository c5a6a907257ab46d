namespace MMInterleaved.Training;

/// <summary>
/// One optimizer parameter group of the reference's kind: parameters whose name contains <paramref name="Match"/>
/// (first matching rule wins, in order), with a learning rate of <paramref name="LearningRateScale"/> × the base rate and
/// a weight decay (null: the default). Within every group biases and LayerNorm parameters get no weight decay.
/// </summary>
public sealed record ParameterGroupRule(string Match, double LearningRateScale = 1.0, double? WeightDecay = null);
