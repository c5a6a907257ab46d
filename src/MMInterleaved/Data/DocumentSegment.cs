namespace MMInterleaved.Data;

/// <summary>One piece of an interleaved document: <see cref="TextSegment"/> or <see cref="ImageSegment"/>.</summary>
public abstract record DocumentSegment;
