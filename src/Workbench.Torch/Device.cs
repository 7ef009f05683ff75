namespace Workbench.Torch;

/// <summary>Values are c10::DeviceType's.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A device such as "cpu" or "cuda:0".</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA, 0);

    /// <summary>Parses PyTorch's spelling: "cpu", "cuda", "cuda:1".</summary>
    public static Device Parse(string spec)
    {
        var parts = spec.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new ArgumentException($"unknown device '{spec}': expected cpu, cuda or cuda:N"),
        };
        var index = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : (type == DeviceType.CUDA ? 0 : -1);
        return new Device(type, index);
    }

    public static implicit operator Device(string spec) => Parse(spec);

    public override string ToString() => Type switch
    {
        DeviceType.CPU => "cpu",
        _ => Index >= 0 ? $"cuda:{Index}" : "cuda",
    };
}
