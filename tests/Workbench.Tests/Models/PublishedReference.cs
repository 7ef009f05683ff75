using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

/// <summary>
/// A class fixture over a tests/reference script that writes full-size published-layout weights and an
/// expected.safetensors: the folder is large (hundreds of MB), so it is deleted when the class's tests are done.
/// </summary>
public abstract class PublishedReference : IDisposable
{
    private readonly Lazy<Dictionary<string, Tensor>> expected;

    protected PublishedReference(string script)
    {
        Folder = PythonReference.Run(script);
        expected = new(() =>
        {
            var tensors = SafeTensors.Load(Path.Combine(Folder, "expected.safetensors"));
            foreach (var t in tensors.Values) t.DetachFromDisposeScope(); // shared by every test
            return tensors;
        });
    }

    public string Folder { get; }

    public string PathOf(string name) => Path.Combine(Folder, name);

    public Tensor this[string key] => expected.Value[key];

    public void Dispose()
    {
        if (expected.IsValueCreated) foreach (var t in expected.Value.Values) t.Dispose();
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
