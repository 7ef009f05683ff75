namespace Workbench.Tests.Display;

internal static class TestImages
{
    /// <summary>A 3x2 red PNG (written by PIL).</summary>
    public static byte[] RedPng3x2 { get; } = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP8zwAFTDAGAwATKQED8NgHhAAAAABJRU5ErkJggg==");
}
