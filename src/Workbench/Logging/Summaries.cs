using System.Globalization;
using System.Text;

using Google.Protobuf;

using Workbench.Data;
using Workbench.Logging.Protos;
using Workbench.Logging.Protos.HParams;
using Workbench.Torch;

using ProtoValue = Google.Protobuf.WellKnownTypes.Value;

namespace Workbench.Logging;

/// <summary>8-bit interleaved pixels (row-major, HWC) ready for PNG encoding.</summary>
public sealed record ImagePixels(byte[] Data, int Width, int Height, int Channels);

/// <summary>
/// Builds the Summary protos TensorBoard's plugins read, with the layout PyTorch's
/// torch.utils.tensorboard.summary writes (tags, plugin names, plugin data).
/// </summary>
public static class Summaries
{
    public const string HparamsExperimentTag = "_hparams_/experiment";
    public const string HparamsSessionStartTag = "_hparams_/session_start_info";
    public const string HparamsSessionEndTag = "_hparams_/session_end_info";

    public static Summary Scalar(string tag, double value) => One(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });

    public static Summary Image(string tag, ImagePixels image) => One(new Summary.Types.Value
    {
        Tag = tag,
        Image = new Summary.Types.Image
        {
            Width = image.Width,
            Height = image.Height,
            Colorspace = image.Channels,  // 1 gray, 3 RGB, 4 RGBA: TensorBoard's codes equal the channel counts
            EncodedImageString = ByteString.CopyFrom(PngWriter.Encode(image.Data, image.Width, image.Height, image.Channels, image.Width * image.Channels)),
        },
    });

    public static Summary Histogram(string tag, ReadOnlySpan<double> values) => One(new Summary.Types.Value { Tag = tag, Histo = Logging.Histogram.Build(values) });

    /// <summary>Markdown text for the text plugin, under tag "<paramref name="tag"/>/text_summary" as PyTorch names it.</summary>
    public static Summary Text(string tag, string text) => One(new Summary.Types.Value
    {
        Tag = tag + "/text_summary",
        Metadata = Plugin("text", new TextPluginData { Version = 0 }.ToByteString()),
        Tensor = new TensorProto
        {
            Dtype = Protos.DataType.DtString,
            TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 1 } } },
            StringVal = { ByteString.CopyFrom(text, Encoding.UTF8) },
        },
    });

    /// <summary>
    /// The three summaries of one hparams session: the experiment (which hparams and metrics exist),
    /// the session start (this run's values) and the session end (status success).
    /// Values may be numbers (written as float64), strings or bools.
    /// </summary>
    public static (Summary experiment, Summary sessionStart, Summary sessionEnd) Hparams(
        IReadOnlyDictionary<string, object> hparams, IEnumerable<string> metricTags,
        IReadOnlyDictionary<string, IReadOnlyList<object>>? domainDiscrete = null)
    {
        var experiment = new Experiment();
        var start = new SessionStartInfo();
        foreach (var (name, value) in hparams)
        {
            var (protoValue, type) = ToProtoValue(name, value);
            start.Hparams[name] = protoValue;
            var info = new HParamInfo { Name = name, Type = type };
            if (domainDiscrete is not null && domainDiscrete.TryGetValue(name, out var domain))
            {
                info.DomainDiscrete = new Google.Protobuf.WellKnownTypes.ListValue();
                foreach (var d in domain) info.DomainDiscrete.Values.Add(ToProtoValue(name, d).value);
            }
            experiment.HparamInfos.Add(info);
        }
        foreach (var tag in metricTags) experiment.MetricInfos.Add(new MetricInfo { Name = new MetricName { Tag = tag } });

        return (
            HparamsValue(HparamsExperimentTag, new HParamsPluginData { Version = 0, Experiment = experiment }),
            HparamsValue(HparamsSessionStartTag, new HParamsPluginData { Version = 0, SessionStartInfo = start }),
            HparamsValue(HparamsSessionEndTag, new HParamsPluginData { Version = 0, SessionEndInfo = new SessionEndInfo { Status = Status.Success } }));
    }

    /// <summary>
    /// Converts an image tensor to 8-bit pixels on the calling thread. Floating tensors are taken as
    /// [0, 1] (clamped, ×255, rounded); uint8 tensors as they are. <paramref name="dataformats"/> is
    /// "CHW" or "HWC" (or "HW" for one gray channel), with 1, 3 or 4 channels.
    /// </summary>
    public static ImagePixels ToPixels(Tensor image, string dataformats = "CHW")
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var t = image.detach().cpu();
        t = dataformats switch
        {
            "CHW" => t.permute(1, 2, 0),
            "HWC" => t,
            "HW" => t.unsqueeze(-1),
            _ => throw new ArgumentException($"dataformats must be CHW, HWC or HW, got '{dataformats}'", nameof(dataformats)),
        };
        if (t.dim() != 3) throw new ArgumentException($"an image in {dataformats} layout needs {dataformats.Length} dimensions, got shape [{string.Join(", ", image.shape)}]", nameof(image));
        if (t.dtype != ScalarType.UInt8) t = t.to(ScalarType.Float32).clamp(0, 1).mul(255.0).round().to(ScalarType.UInt8);
        var (h, w, c) = ((int)t.size(0), (int)t.size(1), (int)t.size(2));
        if (c is not (1 or 3 or 4)) throw new ArgumentException($"images need 1, 3 or 4 channels, got {c}", nameof(image));
        return new ImagePixels(t.contiguous().data<byte>(), w, h, c);
    }

    private static (ProtoValue value, Protos.HParams.DataType type) ToProtoValue(string name, object value) => value switch
    {
        bool b => (ProtoValue.ForBool(b), Protos.HParams.DataType.Bool),
        string s => (ProtoValue.ForString(s), Protos.HParams.DataType.String),
        Tensor t => (ProtoValue.ForNumber(t.item<double>()), Protos.HParams.DataType.Float64),
        IConvertible n when n.GetTypeCode() is >= TypeCode.SByte and <= TypeCode.Decimal
            => (ProtoValue.ForNumber(n.ToDouble(CultureInfo.InvariantCulture)), Protos.HParams.DataType.Float64),
        _ => throw new ArgumentException($"hparam '{name}' is a {value.GetType().Name}; use a number, string or bool"),
    };

    private static Summary HparamsValue(string tag, HParamsPluginData data) => One(new Summary.Types.Value
    {
        Tag = tag,
        Metadata = Plugin("hparams", data.ToByteString()),
        // TensorBoard's own hparams writer attaches an empty float tensor: a value without any
        // payload may be dropped by loaders that only keep values with data.
        Tensor = new TensorProto { Dtype = Protos.DataType.DtFloat, TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 0 } } } },
    });

    private static SummaryMetadata Plugin(string name, ByteString content) => new() { PluginData = new SummaryMetadata.Types.PluginData { PluginName = name, Content = content } };

    private static Summary One(Summary.Types.Value value) => new() { Value = { value } };
}
