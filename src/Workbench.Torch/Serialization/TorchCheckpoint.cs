using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch.Serialization;

/// <summary>One tensor of a checkpoint's state dict, as <see cref="TorchCheckpoint.ListEntries(string)"/> lists it.</summary>
public sealed record TorchCheckpointEntry(string Name, ScalarType DType, long[] Shape)
{
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);

    public override string ToString() => $"{Name} {DType} [{string.Join(", ", Shape)}]";
}

/// <summary>
/// Reads files written by <c>torch.save</c> — the zip format (PyTorch ≥ 1.6) and the legacy format before it — with
/// the semantics of <c>torch.load(weights_only=True)</c>: the pickle inside may only build tensors, storages, dtypes,
/// OrderedDicts and plain Python data; any other global (<c>posix.system</c>, <c>builtins.eval</c>,
/// <c>functools.partial</c>, a model class) is refused with a <see cref="TorchCheckpointFormatException"/>, and
/// nothing in the file is ever run. Storages are streamed one at a time; tensors come back as contiguous CPU
/// tensors with the file's dtype, bit for bit, independent of each other, owned by the current
/// <see cref="DisposeScope"/> if there is one. See docs/checkpoints.md.
/// </summary>
public static class TorchCheckpoint
{
    /// <summary>torch.save's legacy magic number, pickled first.</summary>
    private static readonly BigInteger MagicNumber = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);

    private const long LegacyProtocolVersion = 1001;

    /// <summary>Keys that wrap a state dict in published files, in the order upstream loaders prefer them.</summary>
    private static readonly string[] WrapperKeys = ["params_ema", "params", "model", "state_dict"];

    private const int CopyChunk = 1 << 24;

    // ---- public API --------------------------------------------------------------------

    /// <summary>
    /// The whole pickled object: dicts, lists, numbers, strings (see <see cref="PickleDict"/> for the mapping of
    /// Python types), with every tensor read. Refuses a file that names any global outside the allowlist.
    /// </summary>
    public static object? Load(string path)
    {
        using var stream = OpenFile(path);
        return Load(stream, path);
    }

    /// <summary>As <see cref="Load(string)"/>, from a seekable stream; <paramref name="sourceName"/> names it in errors.</summary>
    public static object? Load(Stream stream, string sourceName)
    {
        using var session = Session.Open(stream, sourceName);
        var allRefusals = session.Refusals;
        if (allRefusals.Count > 0) throw session.RefusalError(allRefusals[0], forLoad: true);
        var scan = GraphScan.Run(session.Root, sourceName, skipRootKey: null);
        session.Materialize(scan.Tensors);
        scan.ReplacePlaceholders();
        return scan.Replace(session.Root);
    }

    /// <summary>
    /// The tensors of the state dict a published file holds, by name: a bare state dict, or the one inside
    /// BasicSR's <c>params_ema</c> (preferred) / <c>params</c>, fastai's <c>model</c> (its optimizer state <c>opt</c>
    /// is skipped, and may even name globals outside the allowlist), or a <c>state_dict</c> entry. DataParallel's
    /// <c>module.</c> prefix is stripped when every name has it; entries that are not tensors are dropped.
    /// Only the tensors returned are read from the file.
    /// </summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path)
    {
        using var stream = OpenFile(path);
        return LoadStateDict(stream, path);
    }

    public static Dictionary<string, Tensor> LoadStateDict(Stream stream, string sourceName)
    {
        using var session = Session.Open(stream, sourceName);
        var entries = session.StateDictTensors();
        session.Materialize(entries.Select(e => e.Tensor).ToList());
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, pending) in entries) result[name] = pending.Result!;
        return result;
    }

    /// <summary>
    /// Reads the tensors <see cref="LoadStateDict(string)"/> would return straight into <paramref name="targets"/> (by
    /// name: a module's <c>state_dict()</c>, whose values share the parameters' memory), one storage at a time, so the
    /// weights exist once rather than twice (the file's tensors beside the module's). A contiguous CPU target of the
    /// file's dtype receives the bytes directly; any other goes through a temporary of one tensor, copied and freed.
    /// Every tensor of the file needs a target of its shape; targets the file lacks are left as they are. Returns
    /// the names read.
    /// </summary>
    public static List<string> LoadStateDictInto(string path, IReadOnlyDictionary<string, Tensor> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        using var stream = OpenFile(path);
        using var session = Session.Open(stream, path);
        var entries = session.StateDictTensors();
        var into = new Dictionary<PendingTensor, Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (name, pending) in entries)
        {
            if (!targets.TryGetValue(name, out var target))
                throw new TorchCheckpointFormatException(path, $"it holds '{name}', which the module has no parameter or buffer for");
            if (!target.shape.SequenceEqual(pending.Size))
                throw new TorchCheckpointFormatException(path, $"'{name}' is [{string.Join(", ", pending.Size)}] in the file and [{string.Join(", ", target.shape)}] in the module");
            if (!into.TryAdd(pending, target) && !ReferenceEquals(into[pending], target))
                throw new TorchCheckpointFormatException(path, $"'{name}' is the same tensor as another entry, but the module holds them apart");
        }
        session.Materialize(entries.Select(e => e.Tensor).ToList(), into);
        return entries.Select(e => e.Name).ToList();
    }

    /// <summary>Names, dtypes and shapes of what <see cref="LoadStateDict(string)"/> would return, without reading tensor data.</summary>
    public static List<TorchCheckpointEntry> ListEntries(string path)
    {
        using var stream = OpenFile(path);
        return ListEntries(stream, path);
    }

    public static List<TorchCheckpointEntry> ListEntries(Stream stream, string sourceName)
    {
        using var session = Session.Open(stream, sourceName);
        return session.StateDictTensors().Select(e => new TorchCheckpointEntry(e.Name, e.Tensor.DType, (long[])e.Tensor.Size.Clone())).ToList();
    }

    private static FileStream OpenFile(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);

    // ---- one open checkpoint -------------------------------------------------------------

    private sealed class Session : IDisposable
    {
        private readonly Stream stream;
        private readonly string source;
        private readonly long fileLength;
        private readonly Dictionary<string, StorageRecord> storages = new(StringComparer.Ordinal);
        private readonly Dictionary<string, StorageRef> views = new(StringComparer.Ordinal);
        private ZipArchive? zip;
        private Dictionary<string, ZipArchiveEntry>? entries;
        private string top = "";
        private CheckpointByteSource? legacy;
        private long legacyDeclaredBytes;
        private IReadOnlyDictionary<PendingTensor, Tensor>? destinations;

        private Session(Stream stream, string source)
        {
            this.stream = stream;
            this.source = source;
            fileLength = stream.Length;
        }

        public object? Root { get; private set; }

        public IReadOnlyList<RefusedValue> Refusals { get; private set; } = [];

        public void Dispose() => zip?.Dispose();

        private TorchCheckpointFormatException Error(string problem, Exception? inner = null) => new(source, problem, inner);

        public static Session Open(Stream stream, string source)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanSeek) throw new ArgumentException("the checkpoint stream must be seekable", nameof(stream));
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("checkpoint loading assumes a little-endian machine");
            var session = new Session(stream, source);
            try
            {
                session.ReadPickle();
                return session;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or EndOfStreamException && e is not FileNotFoundException)
            {
                session.Dispose();
                throw session.Error($"reading failed: {e.Message}", e);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }

        private void ReadPickle()
        {
            stream.Position = 0;
            if (fileLength == 0) throw Error("the file is empty");
            var head = new byte[(int)Math.Min(fileLength, 512)];
            stream.ReadExactly(head);
            stream.Position = 0;
            if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5 or 6 or 7) ReadZip();
            else if (head.Length >= 262 && Encoding.ASCII.GetString(head, 257, 5) == "ustar")
                throw Error("this is the tar format of PyTorch before 0.4, which this reader does not support; " +
                            "load it with an old PyTorch and save it again (torch.save of the state dict)");
            else if (head[0] == 0x80) ReadLegacy();
            else if (head.Length > 9 && head[8] == (byte)'{')
                throw Error("this looks like a safetensors file, not a torch.save file: read it with SafeTensors.Load");
            else
                throw Error($"not a torch.save file (it starts with {Convert.ToHexString(head, 0, Math.Min(head.Length, 8))}; " +
                            "a zip archive or a pickle was expected)");
        }

        // ---- zip format (PyTorch >= 1.6) ----

        private void ReadZip()
        {
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            }
            catch (InvalidDataException e)
            {
                throw Error($"the zip archive is corrupt: {e.Message}", e);
            }
            entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var e in zip.Entries) entries.TryAdd(e.FullName, e);
            if (entries.Count == 0) throw Error("the zip archive is empty");

            // PyTorch names the top folder after the first record ("archive/" or the saved file's name).
            var first = zip.Entries[0].FullName;
            var slash = first.IndexOf('/');
            top = slash > 0 ? first[..slash] : "";
            if (!entries.ContainsKey(top + "/data.pkl"))
            {
                var candidates = entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.Count(c => c == '/') == 1).ToList();
                if (candidates.Count == 1) top = candidates[0][..candidates[0].IndexOf('/')];
                else if (candidates.Count > 1) throw Error($"the zip archive holds several data.pkl records ({string.Join(", ", candidates.Take(4))})");
                else if (entries.Keys.Any(n => n.EndsWith("/constants.pkl", StringComparison.Ordinal)))
                    throw Error("this is a TorchScript archive (torch.jit.save): it holds code, not a torch.save state dict");
                else throw Error("the zip archive has no <name>/data.pkl record, so it is not a torch.save file");
            }
            if (entries.ContainsKey(top + "/constants.pkl"))
                throw Error("this is a TorchScript archive (torch.jit.save): it holds code, not a torch.save state dict");

            if (entries.TryGetValue(top + "/byteorder", out var byteorder))
            {
                if (byteorder.Length > 64) throw Error("the byteorder record is implausibly long");
                using var s = byteorder.Open();
                var text = Encoding.ASCII.GetString(ReadAll(s, (int)byteorder.Length)).Trim();
                if (text == "big") throw Error("the file was written on a big-endian machine (byteorder 'big'); only little-endian files are supported");
                if (text != "little") throw Error($"the byteorder record says '{text}', neither 'little' nor 'big'");
            }

            var pkl = entries[top + "/data.pkl"];
            CheckEntrySize(pkl);
            using var pklStream = pkl.Open();
            var input = new CheckpointByteSource(pklStream, pkl.Length, source, top + "/data.pkl");
            var unpickler = new Unpickler(input, ZipPersistentLoad, deferRefusals: true);
            Root = unpickler.Load();
            Refusals = unpickler.Refusals;
        }

        private static byte[] ReadAll(Stream s, int length)
        {
            var bytes = new byte[length];
            s.ReadExactly(bytes);
            return bytes;
        }

        /// <summary>A record may not claim more bytes than the archive could hold (deflate expands at most ~1032x).</summary>
        private void CheckEntrySize(ZipArchiveEntry entry)
        {
            var limit = entry.Length == entry.CompressedLength ? fileLength : entry.CompressedLength * 1032 + 4096;
            if (entry.Length < 0 || entry.Length > limit)
                throw Error($"the record {entry.FullName} claims {entry.Length} bytes, more than the file ({fileLength} bytes) can hold");
        }

        private object? ZipPersistentLoad(object? pid)
        {
            var (dtype, key, numel, _) = ParseStorageId(pid, legacyFormat: false);
            if (storages.TryGetValue(key, out var known)) return new StorageRef(known, 0, known.Numel);
            if (!entries!.TryGetValue($"{top}/data/{key}", out var entry))
                throw new FormatException($"storage '{key}' has no record {top}/data/{key} in the archive");
            var bytes = ByteLength(numel, dtype, key);
            CheckEntrySize(entry);
            if (bytes > entry.Length)
                throw new FormatException($"storage '{key}' declares {numel} {dtype} elements ({bytes} bytes), but its record holds {entry.Length} bytes");
            var record = new StorageRecord(key, dtype, numel, storages.Count) { Entry = entry };
            storages.Add(key, record);
            return new StorageRef(record, 0, numel);
        }

        private static long ByteLength(long numel, ScalarType dtype, string key)
        {
            try
            {
                return checked(numel * dtype.ElementSize());
            }
            catch (OverflowException)
            {
                throw new FormatException($"storage '{key}' declares {numel} elements, which overflows 64-bit sizes");
            }
        }

        /// <summary>('storage', storage_type, key, location, numel[, view_metadata]) → dtype, key, numel, view.</summary>
        private static (ScalarType DType, string Key, long Numel, object? View) ParseStorageId(object? pid, bool legacyFormat)
        {
            if (pid is not PickleTuple t || t.Count == 0)
                throw new FormatException($"a persistent id is {PickleKeyComparer.Describe(pid)}, not a ('storage', ...) tuple");
            var typename = t[0] switch { string s => s, byte[] b => Encoding.ASCII.GetString(b), _ => null };
            if (typename == "module" && legacyFormat)
                throw new FormatException("the file pickles a whole nn.Module (torch.save(model)), which needs its Python classes; " +
                                          "only state dicts (torch.save(model.state_dict())) can be read");
            if (typename != "storage")
                throw new FormatException($"a persistent id of type {PickleKeyComparer.Describe(t[0])}; only 'storage' is allowed");
            var expected = legacyFormat ? 6 : 5;
            if (t.Count != expected) throw new FormatException($"a storage persistent id has {t.Count} items, not {expected}");
            if (t[1] is not PickleGlobal type || !TorchNames.IsStorageClass(type.Module, type.Name))
                throw new FormatException($"a storage persistent id names {PickleKeyComparer.Describe(t[1])}, not a storage type");
            if (!TorchNames.TryStorageDType(type.Name, out var dtype))
                throw new FormatException($"{type.FullName} is a storage type this reader does not support (complex, quantized)");
            var key = t[2] switch
            {
                string s => s,
                long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new FormatException($"a storage key is {PickleKeyComparer.Describe(t[2])}, not a string"),
            };
            if (key.Length == 0 || key.Length > 256 || key.Any(c => c == '/' || char.IsControl(c)))
                throw new FormatException($"storage key {PickleKeyComparer.Describe(key)} is not a plain name");
            if (t[4] is not long numel || numel < 0)
                throw new FormatException($"storage '{key}' declares {PickleKeyComparer.Describe(t[4])} elements");
            return (dtype, key, numel, legacyFormat ? t[5] : null);
        }

        // ---- legacy format (PyTorch < 1.6, or _use_new_zipfile_serialization=False) ----

        private void ReadLegacy()
        {
            legacy = new CheckpointByteSource(stream, fileLength, source, "the file");
            var magic = new Unpickler(legacy, NoPersistentIds, deferRefusals: false).Load();
            var magicValue = magic switch { long l => (BigInteger)l, BigInteger b => b, _ => (BigInteger?)null };
            if (magicValue != MagicNumber)
                throw Error($"the file starts with a pickle of {PickleKeyComparer.Describe(magic)}, not torch.save's magic number 0x1950a86a20f9469cfc6c");
            var version = new Unpickler(legacy, NoPersistentIds, deferRefusals: false).Load();
            if (version is not long v || v != LegacyProtocolVersion)
                throw Error($"legacy protocol version {PickleKeyComparer.Describe(version)}; only {LegacyProtocolVersion} is known");
            var sysInfo = new Unpickler(legacy, NoPersistentIds, deferRefusals: false).Load();
            if (sysInfo is PickleDict info && info.Get("little_endian") is false)
                throw Error("the file was written on a big-endian machine (sys_info little_endian=False); only little-endian files are supported");
            var unpickler = new Unpickler(legacy, LegacyPersistentLoad, deferRefusals: true);
            Root = unpickler.Load();
            Refusals = unpickler.Refusals;
        }

        private static object? NoPersistentIds(object? pid) => throw new FormatException("a persistent id in a header pickle");

        private object? LegacyPersistentLoad(object? pid)
        {
            var (dtype, key, numel, view) = ParseStorageId(pid, legacyFormat: true);
            if (!storages.TryGetValue(key, out var record))
            {
                // Every storage's bytes follow the pickle (8-byte count + data): what is declared must fit in what is left.
                var bytes = ByteLength(numel, dtype, key);
                if (bytes > legacy!.Remaining - legacyDeclaredBytes - 8)
                    throw new FormatException($"storage '{key}' declares {numel} {dtype} elements ({bytes} bytes), but only {legacy.Remaining - legacyDeclaredBytes} bytes are left in the file for it");
                legacyDeclaredBytes += bytes + 8;
                record = new StorageRecord(key, dtype, numel, storages.Count);
                storages.Add(key, record);
            }
            if (view is null) return new StorageRef(record, 0, record.Numel);
            if (view is not PickleTuple { Count: 3 } vt || vt[1] is not long offset || vt[2] is not long size || offset < 0 || size < 0)
                throw new FormatException($"storage '{key}' has malformed view metadata");
            var viewKey = vt[0] switch
            {
                string s => s,
                long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new FormatException($"storage '{key}' has a view key that is not a string"),
            };
            if (views.TryGetValue(viewKey, out var known)) return known;
            if (offset > record.Numel || size > record.Numel - offset)
                throw new FormatException($"a view of {size} elements at {offset} lies outside storage '{key}' ({record.Numel} elements)");
            var result = new StorageRef(record, offset, size);
            views.Add(viewKey, result);
            return result;
        }

        // ---- refusals and the state dict ----

        public TorchCheckpointFormatException RefusalError(RefusedValue refused, bool forLoad)
        {
            var context = forLoad && OnlyInFastaiOptimizer()
                ? " inside its optimizer state ('opt', which only training needs; TorchCheckpoint.LoadStateDict reads 'model' and skips it)"
                : null;
            return Unpickler.RefusalError(source, refused, context);
        }

        /// <summary>
        /// Whether the root is fastai v1's Learner.save, {'model': state_dict, 'opt': optimizer state}, and nothing
        /// refused is reachable from it except through 'opt'.
        /// </summary>
        private bool OnlyInFastaiOptimizer() =>
            Root is PickleDict d && d.Get("model") is PickleDict && d.ContainsKey("opt")
            && GraphScan.Run(Root, source, skipRootKey: "opt").RefusedValues.Count == 0;

        public List<(string Name, PendingTensor Tensor)> StateDictTensors()
        {
            if (Refusals.Count > 0)
            {
                // Only fastai's optimizer state may hold what the allowlist refuses; it is skipped, never built.
                if (!OnlyInFastaiOptimizer()) throw RefusalError(Refusals[0], forLoad: false);
            }
            var root = Root as PickleDict ?? throw Error($"the file holds {PickleKeyComparer.Describe(Root)}, not a dict of tensors (a state dict)");
            var dict = root;
            var path = "";
            for (var level = 0; level < 4 && !dict.Values.Any(v => v is PendingTensor); level++)
            {
                var next = WrapperKeys.Select(k => (Key: k, Value: dict.Get(k) as PickleDict)).FirstOrDefault(p => p.Value is not null);
                if (next.Value is null) break;
                dict = next.Value;
                path += $"['{next.Key}']";
            }
            var scan = GraphScan.Run(dict, source, skipRootKey: null); // cycles and depth
            if (scan.RefusedValues.Count > 0) throw RefusalError(scan.RefusedValues[0], forLoad: false);

            var result = new List<(string, PendingTensor)>();
            foreach (var (key, value) in dict)
                if (key is string name && value is PendingTensor t) result.Add((name, t));
            if (result.Count == 0)
            {
                var keys = string.Join(", ", dict.Keys.Take(8).Select(PickleKeyComparer.Describe));
                throw Error($"no tensors in the state dict{(path.Length > 0 ? " at " + path : "")} (its keys: {(keys.Length > 0 ? keys : "none")})");
            }
            const string Prefix = "module.";
            if (result.All(e => e.Item1.StartsWith(Prefix, StringComparison.Ordinal)))
                result = result.Select(e => (e.Item1[Prefix.Length..], e.Item2)).ToList();
            return result;
        }

        // ---- reading storages ----

        /// <summary>
        /// Reads the storages these tensors use, one at a time, and fills each tensor's <see cref="PendingTensor.Result"/>:
        /// a new tensor, or its target in <paramref name="into"/> (filled in place).
        /// </summary>
        public void Materialize(IReadOnlyList<PendingTensor> tensors, IReadOnlyDictionary<PendingTensor, Tensor>? into = null)
        {
            destinations = into;
            var distinct = tensors.Distinct(ReferenceEqualityComparer.Instance).Cast<PendingTensor>().ToList();
            long total = 0;
            foreach (var t in distinct) total += t.ByteLength;
            // Views may overlap (one storage, several tensors), so results can exceed the file; not by much.
            var budget = 4 * fileLength + (256L << 20);
            if (total > budget)
                throw Error($"its tensors would take {total} bytes, more than a file of {fileLength} bytes justifies (limit {budget})");
            var byStorage = distinct.GroupBy(t => t.Storage).ToDictionary(g => g.Key, g => g.ToList());
            var created = new List<Tensor>();
            try
            {
                if (zip is not null)
                {
                    foreach (var (record, users) in byStorage.OrderBy(p => p.Key.Order))
                    {
                        var entry = record.Entry!;
                        using var s = entry.Open();
                        var input = new CheckpointByteSource(s, entry.Length, source, entry.FullName);
                        Fill(input, record, users, created, consumeAll: false);
                    }
                }
                else
                {
                    ReadLegacyStorages(byStorage, created);
                }
            }
            catch (Exception e)
            {
                foreach (var t in created) t.Dispose();
                foreach (var t in distinct) t.Result = null;
                if (e is InvalidDataException or IOException && e is not FileNotFoundException)
                    throw Error($"reading tensor data failed: {e.Message}", e);
                throw;
            }
        }

        private void ReadLegacyStorages(Dictionary<StorageRecord, List<PendingTensor>> byStorage, List<Tensor> created)
        {
            var input = legacy!;
            var keys = new Unpickler(input, NoPersistentIds, deferRefusals: false).Load();
            var list = keys switch
            {
                PickleList l => l.Items,
                PickleTuple t => t.Items.ToList(),
                _ => throw Error($"the storage key list is {PickleKeyComparer.Describe(keys)}, not a list"),
            };
            var read = new HashSet<StorageRecord>();
            foreach (var keyValue in list)
            {
                if (keyValue is not string key) throw Error($"the storage key list holds {PickleKeyComparer.Describe(keyValue)}, not a string");
                if (!storages.TryGetValue(key, out var record)) throw Error($"the storage key list names '{key}', which no tensor in the pickle uses");
                if (!read.Add(record)) throw Error($"the storage key list names '{key}' twice");
                if (input.Remaining < 8) throw Error($"the file ends before storage '{key}' (is it truncated?)");
                var count = input.ReadInt64();
                if (count != record.Numel)
                    throw Error($"storage '{key}' holds {count} elements in the file, but the pickle declared {record.Numel}");
                if (record.ByteLength > input.Remaining)
                    throw Error($"storage '{key}' needs {record.ByteLength} bytes, but only {input.Remaining} are left (is the file truncated?)");
                Fill(input, record, byStorage.GetValueOrDefault(record) ?? [], created, consumeAll: true);
            }
            foreach (var record in byStorage.Keys)
                if (!read.Contains(record)) throw Error($"storage '{record.Key}' is used by a tensor, but the file holds no data for it");
        }

        private unsafe void Fill(CheckpointByteSource input, StorageRecord record, List<PendingTensor> users, List<Tensor> created, bool consumeAll)
        {
            var es = record.DType.ElementSize();
            if (users.Count == 0)
            {
                if (consumeAll) input.Skip(record.ByteLength);
                return;
            }
            if (record.ByteLength > input.Remaining)
                throw Error($"storage '{record.Key}' needs {record.ByteLength} bytes, but its data holds {input.Remaining}");
            if (users.Count == 1 && users[0].IsContiguous)
            {
                // The common case: one tensor, its elements consecutive. Read straight into it.
                var t = users[0];
                var result = NewTensor(t, created);
                var start = t.Offset * es;
                input.Skip(start);
                if (t.ByteLength > 0) ReadNative(input, (byte*)Check(wb_data_ptr(result.Handle)), t.ByteLength);
                GC.KeepAlive(result);
                if (consumeAll) input.Skip(record.ByteLength - start - t.ByteLength);
                CheckBools(t, result);
                Deliver(t, result, created);
                return;
            }
            // Several views of one storage (or a strided one): read the storage once, copy each view out.
            var buffer = record.ByteLength > 0 ? (byte*)NativeMemory.Alloc((nuint)record.ByteLength) : null;
            try
            {
                if (record.ByteLength > 0) ReadNative(input, buffer, record.ByteLength);
                foreach (var t in users)
                {
                    var result = NewTensor(t, created);
                    if (t.Numel > 0) CopyStrided(buffer, (byte*)Check(wb_data_ptr(result.Handle)), t, es);
                    GC.KeepAlive(result);
                    CheckBools(t, result);
                    Deliver(t, result, created);
                }
            }
            finally
            {
                if (buffer is not null) NativeMemory.Free(buffer);
            }
        }

        /// <summary>Where <paramref name="t"/>'s bytes go: its target when the bytes can land there as they are, else a new tensor.</summary>
        private Tensor NewTensor(PendingTensor t, List<Tensor> created)
        {
            if (destinations?.GetValueOrDefault(t) is { } target && target.dtype == t.DType && target.device.Type == DeviceType.CPU && target.is_contiguous())
                return target;
            var result = torch.empty(t.Size, t.DType);
            created.Add(result);
            return result;
        }

        /// <summary>Hands a filled tensor to <paramref name="t"/>: copied into its target (and freed) when it was read elsewhere.</summary>
        private void Deliver(PendingTensor t, Tensor result, List<Tensor> created)
        {
            if (destinations?.GetValueOrDefault(t) is { } target && !ReferenceEquals(target, result))
            {
                using (torch.no_grad()) target.copy_(result);
                created.Remove(result);
                result.Dispose();
                result = target;
            }
            t.Result = result;
        }

        private static unsafe void ReadNative(CheckpointByteSource input, byte* destination, long count)
        {
            for (long done = 0; done < count; done += CopyChunk)
                input.ReadExactly(new Span<byte>(destination + done, (int)Math.Min(CopyChunk, count - done)));
        }

        /// <summary>libtorch assumes a bool byte is 0 or 1; anything else is undefined behaviour in its kernels.</summary>
        private unsafe void CheckBools(PendingTensor t, Tensor result)
        {
            if (t.DType != ScalarType.Bool || t.Numel == 0) return;
            var p = (byte*)Check(wb_data_ptr(result.Handle));
            for (long done = 0; done < t.Numel; done += CopyChunk)
            {
                var span = new ReadOnlySpan<byte>(p + done, (int)Math.Min(CopyChunk, t.Numel - done));
                if (span.IndexOfAnyExcept((byte)0, (byte)1) >= 0)
                    throw Error($"a bool tensor of storage '{t.Storage.Key}' holds a byte other than 0 or 1");
            }
            GC.KeepAlive(result);
        }

        /// <summary>Copies a strided view out of a storage's bytes into a contiguous destination, row by row.</summary>
        private static unsafe void CopyStrided(byte* storage, byte* destination, PendingTensor t, int es)
        {
            var nd = t.Size.Length;
            if (t.IsContiguous || nd == 0)
            {
                Buffer.MemoryCopy(storage + t.Offset * es, destination, t.ByteLength, t.ByteLength);
                return;
            }
            var inner = t.Size[nd - 1];
            var innerStride = t.Stride[nd - 1];
            var index = new long[nd];
            var position = t.Offset;
            var d = destination;
            while (true)
            {
                var src = storage + position * es;
                if (innerStride == 1)
                {
                    Buffer.MemoryCopy(src, d, inner * es, inner * es);
                }
                else
                {
                    var step = innerStride * es;
                    switch (es)
                    {
                        case 1: for (long j = 0; j < inner; j++) d[j] = src[j * step]; break;
                        case 2: for (long j = 0; j < inner; j++) ((ushort*)d)[j] = *(ushort*)(src + j * step); break;
                        case 4: for (long j = 0; j < inner; j++) ((uint*)d)[j] = *(uint*)(src + j * step); break;
                        default: for (long j = 0; j < inner; j++) ((ulong*)d)[j] = *(ulong*)(src + j * step); break;
                    }
                }
                d += inner * es;
                var k = nd - 2;
                for (; k >= 0; k--)
                {
                    index[k]++;
                    position += t.Stride[k];
                    if (index[k] < t.Size[k]) break;
                    position -= t.Stride[k] * t.Size[k];
                    index[k] = 0;
                }
                if (k < 0) break;
            }
        }
    }

    // ---- walking the object graph ---------------------------------------------------------

    /// <summary>
    /// One pass over an unpickled graph: refuses reference cycles and nesting deeper than <see cref="Unpickler.MaxDepth"/>,
    /// and collects its tensors (bare storages become 1-d tensors) and refused globals. Iterative, so a hostile
    /// nesting cannot overflow the stack.
    /// </summary>
    private sealed class GraphScan
    {
        private readonly Dictionary<StorageRef, PendingTensor> storageTensors = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<object> seenLeaves = new(ReferenceEqualityComparer.Instance);

        public List<PendingTensor> Tensors { get; } = [];

        public List<RefusedValue> RefusedValues { get; } = [];

        public List<object> Containers { get; } = [];

        private sealed class Frame(object node, IEnumerator<object?> children)
        {
            public object Node { get; } = node;
            public IEnumerator<object?> Children { get; } = children;
            public int MaxChildHeight { get; set; }
        }

        private static bool IsContainer(object? o) => o is PickleDict or PickleList or PickleTuple or PickleSet;

        private static IEnumerable<object?> ChildrenOf(object node, string? skipKey)
        {
            switch (node)
            {
                case PickleList l:
                    for (var i = 0; i < l.Items.Count; i++) yield return l.Items[i];
                    break;
                case PickleTuple t:
                    foreach (var item in t.Items) yield return item;
                    break;
                case PickleSet s:
                    foreach (var item in s.Items) yield return item;
                    break;
                case PickleDict d:
                    for (var i = 0; i < d.Count; i++)
                    {
                        if (skipKey is not null && d.Keys[i] is string k && k == skipKey) continue;
                        yield return d.Keys[i];
                        yield return d.Values[i];
                    }
                    foreach (var value in d.Attributes.Values) yield return value;
                    break;
            }
        }

        public static GraphScan Run(object? root, string source, string? skipRootKey)
        {
            var scan = new GraphScan();
            if (!IsContainer(root))
            {
                scan.Leaf(root);
                return scan;
            }
            var height = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
            var onPath = new HashSet<object>(ReferenceEqualityComparer.Instance);
            var frames = new Stack<Frame>();
            frames.Push(new Frame(root!, ChildrenOf(root!, skipRootKey).GetEnumerator()));
            onPath.Add(root!);
            while (frames.Count > 0)
            {
                var frame = frames.Peek();
                if (frame.Children.MoveNext())
                {
                    var child = frame.Children.Current;
                    if (!IsContainer(child))
                    {
                        scan.Leaf(child);
                        continue;
                    }
                    if (onPath.Contains(child!))
                        throw new TorchCheckpointFormatException(source, "the pickle holds a reference cycle (a container inside itself), which a state dict never has");
                    if (height.TryGetValue(child!, out var h))
                    {
                        frame.MaxChildHeight = Math.Max(frame.MaxChildHeight, h);
                        continue;
                    }
                    if (frames.Count >= Unpickler.MaxDepth)
                        throw new TorchCheckpointFormatException(source, $"the pickle nests containers deeper than {Unpickler.MaxDepth} levels");
                    frames.Push(new Frame(child!, ChildrenOf(child!, null).GetEnumerator()));
                    onPath.Add(child!);
                    continue;
                }
                frames.Pop();
                onPath.Remove(frame.Node);
                var mine = frame.MaxChildHeight + 1;
                if (mine > Unpickler.MaxDepth)
                    throw new TorchCheckpointFormatException(source, $"the pickle nests containers deeper than {Unpickler.MaxDepth} levels");
                height[frame.Node] = mine;
                scan.Containers.Add(frame.Node);
                if (frames.Count > 0) frames.Peek().MaxChildHeight = Math.Max(frames.Peek().MaxChildHeight, mine);
            }
            return scan;
        }

        private void Leaf(object? value)
        {
            switch (value)
            {
                case PendingTensor t when seenLeaves.Add(t):
                    Tensors.Add(t);
                    break;
                case StorageRef s when seenLeaves.Add(s):
                    var whole = new PendingTensor(s.Root, s.Offset, [s.Numel], [1]);
                    storageTensors[s] = whole;
                    Tensors.Add(whole);
                    break;
                case RefusedValue r when seenLeaves.Add(r):
                    RefusedValues.Add(r);
                    break;
            }
        }

        /// <summary>The value with a read tensor in place of its placeholder.</summary>
        public object? Replace(object? value) => value switch
        {
            PendingTensor t => t.Result ?? throw new InvalidOperationException("a tensor was not read"),
            StorageRef s => storageTensors[s].Result ?? throw new InvalidOperationException("a storage was not read"),
            _ => value,
        };

        public void ReplacePlaceholders()
        {
            foreach (var node in Containers)
            {
                switch (node)
                {
                    case PickleList l:
                        for (var i = 0; i < l.Items.Count; i++) l.Items[i] = Replace(l.Items[i]);
                        break;
                    case PickleTuple t:
                        for (var i = 0; i < t.Items.Length; i++) t.Items[i] = Replace(t.Items[i]);
                        break;
                    case PickleDict d:
                        for (var i = 0; i < d.Count; i++) d.SetValueAt(i, Replace(d.Values[i]));
                        foreach (var name in d.AttributeNames.ToList()) d.SetAttribute(name, Replace(d.Attributes[name]));
                        break;
                }
            }
        }
    }
}
