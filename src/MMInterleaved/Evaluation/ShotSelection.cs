namespace MMInterleaved.Evaluation;

/// <summary>How few-shot examples are chosen (reference-spec §9, few-shot support).</summary>
public enum ShotSelection
{
    /// <summary>Uniformly at random from the shot pool, seeded per query (the reference's <c>random.sample</c>).</summary>
    Random,
    /// <summary>Retrieval (RICES): the pool images most similar to the query by cosine similarity of the model's own image
    /// features (the reference uses CLIP ViT-L/14 embeddings, which here is the model's frozen encoder), most similar last.</summary>
    Retrieval,
}
