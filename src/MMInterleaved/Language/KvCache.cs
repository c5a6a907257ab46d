using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>
/// Keys and values of earlier positions, per decoder layer ([B,H,L,d] each), for incremental decoding. The cache owns its
/// tensors (they are detached from dispose scopes, so a generation step's scope does not free them); dispose the cache
/// when generation ends.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] keys;
    private readonly Tensor?[] values;

    /// <summary>An empty cache for <paramref name="layers"/> layers.</summary>
    public KvCache(int layers)
    {
        keys = new Tensor?[layers];
        values = new Tensor?[layers];
    }

    /// <summary>Positions cached so far (0 when empty).</summary>
    public long Length => keys[0]?.shape[2] ?? 0;

    /// <summary>Appends this step's keys and values of a layer and returns the full keys and values.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        Tensor fullK = keys[layer] is { } pk ? cat([pk, k], 2) : k.alias();
        Tensor fullV = values[layer] is { } pv ? cat([pv, v], 2) : v.alias();
        keys[layer]?.Dispose();
        values[layer]?.Dispose();
        keys[layer] = fullK.detach().DetachFromDisposeScope();
        values[layer] = fullV.detach().DetachFromDisposeScope();
        return (fullK, fullV);
    }

    /// <summary>Reorders the batch (beam search): keeps rows <paramref name="rows"/> in that order.</summary>
    public void Select(Tensor rows)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] is null) continue;
            var k = keys[i]!.index_select(0, rows).DetachFromDisposeScope();
            var v = values[i]!.index_select(0, rows).DetachFromDisposeScope();
            keys[i]!.Dispose();
            values[i]!.Dispose();
            keys[i] = k;
            values[i] = v;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in keys) t?.Dispose();
        foreach (var t in values) t?.Dispose();
        Array.Clear(keys);
        Array.Clear(values);
    }
}
