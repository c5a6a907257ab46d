namespace MMInterleaved.Data;

/// <summary>Text of a document. <paramref name="Target"/> false marks a prompt: its tokens are never next-token targets
/// (the reference's SFT collators ignore the prompt; pre-training documents are all targets).</summary>
public sealed record TextSegment(string Text, bool Target = true) : DocumentSegment;
