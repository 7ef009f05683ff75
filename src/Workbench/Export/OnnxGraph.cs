using Google.Protobuf;

using Workbench.Export.Onnx;
using Workbench.Torch;

namespace Workbench.Export;

/// <summary>
/// Builds an ONNX graph node by node: initializers from tensors (float32 raw data, little-endian), nodes with
/// typed attributes, fresh value names. <see cref="ToModel"/> wraps it into a ModelProto (opset <see cref="Opset"/>).
/// </summary>
public sealed class OnnxGraph
{
    public const int Opset = 17;
    public const int IrVersion = 8;

    private readonly GraphProto graph = new() { Name = "workbench" };
    private readonly HashSet<string> names = new();
    private int counter;

    /// <summary>A value name not used yet, from a readable stem ("layers.4.conv/Conv").</summary>
    public string Fresh(string stem)
    {
        var name = stem;
        while (!names.Add(name)) name = $"{stem}_{++counter}";
        return name;
    }

    /// <summary>
    /// Store weights as float16 (half the file), each cast back to float32 by a Cast node that runtimes fold at load
    /// time, so the arithmetic stays float32. Constants passed with <c>weight: false</c> stay float32.
    /// </summary>
    public bool Float16Weights { get; init; }

    /// <summary>A float32 constant as an initializer (a weight, or with <paramref name="weight"/> false an exact constant); the tensor is copied.</summary>
    public string Initializer(string stem, Tensor value, bool weight = true)
    {
        using var scope = torch.NewDisposeScope();
        var t = value.detach().to(ScalarType.Float32).cpu().contiguous();
        var data = t.data<float>();
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        var half = weight && Float16Weights;
        var bytes = new byte[data.Length * (half ? 2 : 4)];
        if (half)
            for (var i = 0; i < data.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (Half)data[i]);
        else Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        var name = Fresh(stem);
        var proto = new TensorProto
        {
            Name = half ? Fresh(stem + "_fp16") : name,
            DataType = (int)(half ? TensorProto.Types.DataType.Float16 : TensorProto.Types.DataType.Float),
            RawData = ByteString.CopyFrom(bytes),
        };
        proto.Dims.AddRange(t.shape);
        graph.Initializer.Add(proto);
        if (!half) return name;
        var cast = new NodeProto { OpType = "Cast", Name = Fresh(stem + "/Cast_node") };
        cast.Input.Add(proto.Name);
        cast.Output.Add(name);
        cast.Attribute.Add(Attribute("to", (long)TensorProto.Types.DataType.Float));
        graph.Node.Add(cast);
        return name;
    }

    /// <summary>An int64 constant (shapes, axes, pads).</summary>
    public string Int64s(string stem, params long[] values)
    {
        var proto = new TensorProto { Name = Fresh(stem), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A float scalar constant, shaped for broadcasting.</summary>
    public string Scalar(string stem, float value)
    {
        using var scope = torch.NewDisposeScope();
        return Initializer(stem, torch.tensor(new[] { value }, new long[] { 1 }), weight: false);
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, string stem, string[] inputs, params (string Name, object Value)[] attributes) => NodeN(op, stem, inputs, 1, attributes)[0];

    public string[] NodeN(string op, string stem, string[] inputs, int outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(stem + "/" + op + "_node") };
        node.Input.AddRange(inputs);
        var outs = Enumerable.Range(0, outputs).Select(i => Fresh(outputs == 1 ? $"{stem}/{op}" : $"{stem}/{op}:{i}")).ToArray();
        node.Output.AddRange(outs);
        foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        graph.Node.Add(node);
        return outs;
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case long l:
                (a.Type, a.I) = (AttributeProto.Types.AttributeType.Int, l);
                break;
            case int i:
                (a.Type, a.I) = (AttributeProto.Types.AttributeType.Int, i);
                break;
            case float f:
                (a.Type, a.F) = (AttributeProto.Types.AttributeType.Float, f);
                break;
            case double d:
                (a.Type, a.F) = (AttributeProto.Types.AttributeType.Float, (float)d);
                break;
            case string s:
                (a.Type, a.S) = (AttributeProto.Types.AttributeType.String, ByteString.CopyFromUtf8(s));
                break;
            case long[] ints:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(ints);
                break;
            default:
                throw new ArgumentException($"unsupported attribute type {value.GetType().Name} for '{name}'");
        }
        return a;
    }

    /// <summary>Copies <paramref name="value"/> to a value of the exact name <paramref name="outputName"/> (the graph's output).</summary>
    public string Rename(string value, string outputName)
    {
        if (!names.Add(outputName)) throw new ArgumentException($"value name '{outputName}' is taken");
        var node = new NodeProto { OpType = "Identity", Name = Fresh(outputName + "/Identity_node") };
        node.Input.Add(value);
        node.Output.Add(outputName);
        graph.Node.Add(node);
        return outputName;
    }

    /// <summary>Declares a float32 graph input or output; null dims are symbolic (named by <paramref name="symbols"/>).</summary>
    public void Input(string name, long?[] dims, string[] symbols)
    {
        names.Add(name);
        graph.Input.Add(ValueInfo(name, dims, symbols));
    }

    public void Output(string name, long?[] dims, string[] symbols) => graph.Output.Add(ValueInfo(name, dims, symbols));

    private static ValueInfoProto ValueInfo(string name, long?[] dims, string[] symbols)
    {
        var shape = new TensorShapeProto();
        for (var i = 0; i < dims.Length; i++)
            shape.Dim.Add(dims[i] is { } d ? new TensorShapeProto.Types.Dimension { DimValue = d } : new TensorShapeProto.Types.Dimension { DimParam = symbols[i] });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }

    public ModelProto ToModel(string docString, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "Workbench", ProducerVersion = "1", DocString = docString, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }

    public int NodeCount => graph.Node.Count;
}
