using System.Text.Json;

namespace MMInterleaved.Data.Sequences;

/// <summary>
/// Where a <see cref="BatchStream"/> stands between batches, small enough for a checkpoint. Every document before
/// <see cref="NextDocument"/> went into an emitted batch; the partial window that was being filled is the documents
/// <see cref="NextDocument"/> .. <see cref="NextDocument"/> + <see cref="PendingDocuments"/> − 1, which a resumed stream
/// rebuilds from the source (building and packing are deterministic), so it continues exactly. The counters are totals
/// over the emitted batches.
/// </summary>
public sealed record DataStreamPosition(long NextDocument = 0, long PendingDocuments = 0, long Batches = 0, long Sequences = 0, long TruncatedDocuments = 0)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Throws an ArgumentException naming the field when a counter is negative.</summary>
    public DataStreamPosition Validated()
    {
        (string Name, long Value)[] fields = [(nameof(NextDocument), NextDocument), (nameof(PendingDocuments), PendingDocuments),
            (nameof(Batches), Batches), (nameof(Sequences), Sequences), (nameof(TruncatedDocuments), TruncatedDocuments)];
        foreach (var (name, value) in fields)
            SequenceChecks.Require(value >= 0, $"DataStreamPosition: {name} is {value}; it must be 0 or more.");
        return this;
    }

    /// <summary>The position as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The position a <see cref="ToJson"/> text describes.</summary>
    public static DataStreamPosition FromJson(string json) =>
        (JsonSerializer.Deserialize<DataStreamPosition>(json, Json) ?? throw new ArgumentException("DataStreamPosition: the JSON is empty.")).Validated();
}
