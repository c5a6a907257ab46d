using Xunit;

namespace MMInterleaved.Tests;

/// <summary>
/// TorchSharp and notebook kernels share process-global state (default dtype, RNG, dispose scopes, current
/// directory), so every test that touches them runs in this one sequential collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "torch";
}
