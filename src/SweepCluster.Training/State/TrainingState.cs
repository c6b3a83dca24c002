using System.Text;
using SweepCluster.Training.Optimization;
using SweepCluster.Trials;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SweepCluster.Training.State;

/// <summary>
/// Everything needed to continue a trial exactly where it was: parameters, optimizer state, the step
/// (the data order is derived from seed and step, so it needs no RNG state), the first fit step and the
/// elapsed wall time, plus the trial's spec so a state is never resumed under another configuration.
/// Stored as safetensors so that PyTorch can open it: layer weights under "layers.{l}.weight" (the shape
/// of nn.Linear(bias=False).weight), Adam moments flat under "adam.*", scalars as one-element tensors.
/// </summary>
public sealed record TrainingState(long Step, long? FirstFitStep, double ElapsedMs, string SpecJson, byte[] Safetensors)
{
    public const string StepKey = "meta.step";
    public const string FirstFitKey = "meta.first_fit_step";
    public const string ElapsedKey = "meta.elapsed_ms";
    public const string SpecKey = "meta.spec_json";

    public static TrainingState Capture(TrialSpec spec, long step, long? firstFit, double elapsedMs, IReadOnlyList<Tensor> layers, IReadOnlyDictionary<string, Tensor> optimizerState)
    {
        using var scope = NewDisposeScope();
        var specJson = TrialJson.Serialize(spec);
        var tensors = new Dictionary<string, Tensor>
        {
            [StepKey] = tensor(new[] { step }),
            [FirstFitKey] = tensor(new[] { firstFit ?? -1 }),
            [ElapsedKey] = tensor(new[] { elapsedMs }),
            [SpecKey] = tensor(Encoding.UTF8.GetBytes(specJson)),
        };
        for (var l = 0; l < layers.Count; l++)
        {
            tensors[$"layers.{l}.weight"] = layers[l].contiguous();
        }
        foreach (var (name, value) in optimizerState)
        {
            tensors[name] = value;
        }
        using var buffer = new MemoryStream();
        TorchSharp.PyBridge.Safetensors.SaveStateDict(buffer, tensors, leaveOpen: true);
        return new TrainingState(step, firstFit, elapsedMs, specJson, buffer.ToArray());
    }

    public static TrainingState Read(byte[] safetensors, string source)
    {
        using var scope = NewDisposeScope();
        var tensors = LoadTensors(safetensors, source);
        foreach (var key in new[] { StepKey, FirstFitKey, ElapsedKey, SpecKey })
        {
            if (!tensors.ContainsKey(key))
            {
                throw new InvalidDataException($"{source}: not a SweepCluster training state (no '{key}' tensor)");
            }
        }
        var firstFit = tensors[FirstFitKey].item<long>();
        return new TrainingState(
            tensors[StepKey].item<long>(),
            firstFit < 0 ? null : firstFit,
            tensors[ElapsedKey].item<double>(),
            Encoding.UTF8.GetString(tensors[SpecKey].data<byte>().ToArray()),
            safetensors);
    }

    public static TrainingState Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: training state file not found", path);
        }
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Writes the state atomically: a crash leaves the old file or the new one, never half of one.</summary>
    public void Save(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, Safetensors);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Copies the saved parameters into the given ones and gives the rule and the stall detector their saved state.</summary>
    public void RestoreInto(IReadOnlyList<Tensor> layers, UpdateRule rule, StallDetector? stalls = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tensors = LoadTensors(Safetensors, "training state");
        for (var l = 0; l < layers.Count; l++)
        {
            layers[l].copy_(Required(tensors, $"layers.{l}.weight", layers[l].shape));
        }
        rule.Restore(tensors);
        stalls?.Restore(tensors);
    }

    internal static Tensor Required(IReadOnlyDictionary<string, Tensor> tensors, string key, long[] shape)
    {
        if (!tensors.TryGetValue(key, out var value))
        {
            throw new InvalidDataException($"training state has no '{key}' tensor");
        }
        if (!value.shape.SequenceEqual(shape))
        {
            throw new InvalidDataException($"training state tensor '{key}' has shape [{string.Join(", ", value.shape)}], expected [{string.Join(", ", shape)}]");
        }
        return value;
    }

    private static Dictionary<string, Tensor> LoadTensors(byte[] bytes, string source)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return TorchSharp.PyBridge.Safetensors.LoadStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{source}: not a readable safetensors file ({e.Message})", e);
        }
    }
}
