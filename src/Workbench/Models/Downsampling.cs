namespace Workbench.Models;

/// <summary>
/// How a network halves the resolution between stages: the comparison of the notes' MNIST experiment ("Striving for
/// Simplicity: The All Convolutional Net"), and the choice of the SR notes' dilation critic.
/// </summary>
public enum Downsampling
{
    /// <summary>conv3x3 → activation → MaxPool2d(2): the baseline, and the notes' choice (cheaper, no parameters).</summary>
    MaxPool,

    /// <summary>The pool removed and the stage's own conv given stride 2 (the notes: "results got noticeably worse").</summary>
    Strided,

    /// <summary>The pool replaced by one more conv3x3 with stride 2 (+ its norm and activation): "about the same".</summary>
    ExtraConv,
}
