using System.Globalization;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Trials;

/// <summary>
/// Upper bounds on what a sweep or trial may ask for, checked before anything is allocated, so that no
/// file (however hostile) can exhaust a process. The defaults fit a 24 GB machine running a few trials at
/// once; each can be raised with an environment variable (<c>SWEEPCLUSTER_MAX_TRIALS=500000</c>, ...).
/// </summary>
public sealed record InputLimits(
    int MaxTrials,
    int MaxWidth,
    int MaxDepth,
    long MaxParameters,
    int MaxPoints,
    int MaxDimension,
    long MaxDataValues,
    int MaxTorchThreads,
    long MaxCheckpoints,
    int MaxSweepFileBytes,
    int MaxYamlDepth,
    int MaxYamlNodes)
{
    public static readonly InputLimits Defaults = new(
        MaxTrials: 200_000,
        MaxWidth: 16_384,
        MaxDepth: 64,
        MaxParameters: 100_000_000,
        MaxPoints: 1_000_000,
        MaxDimension: 100_000,
        MaxDataValues: 200_000_000,
        MaxTorchThreads: 64,
        MaxCheckpoints: 100_000,
        MaxSweepFileBytes: 4 << 20,
        MaxYamlDepth: 32,
        MaxYamlNodes: 200_000);

    private static readonly Lazy<InputLimits> FromEnvironment = new(() => Read(Environment.GetEnvironmentVariable));

    /// <summary>The defaults, with any SWEEPCLUSTER_MAX_* variable applied; a bad value is a config error naming it.</summary>
    public static InputLimits Current => FromEnvironment.Value;

    public static InputLimits Read(Func<string, string?> environment)
    {
        var errors = new List<ConfigError>();
        long Get(string name, long fallback, long max = int.MaxValue)
        {
            var variable = "SWEEPCLUSTER_MAX_" + name;
            if (environment(variable) is not { Length: > 0 } text)
            {
                return fallback;
            }
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
            {
                return value;
            }
            errors.Add(new ConfigError("environment", 0, 0, variable, $"must be a whole number between 1 and {max}, found '{text}'"));
            return fallback;
        }
        var d = Defaults;
        var limits = new InputLimits(
            (int)Get("TRIALS", d.MaxTrials), (int)Get("WIDTH", d.MaxWidth), (int)Get("DEPTH", d.MaxDepth), Get("PARAMETERS", d.MaxParameters, 1L << 50),
            (int)Get("POINTS", d.MaxPoints), (int)Get("DIMENSION", d.MaxDimension), Get("DATA_VALUES", d.MaxDataValues, 1L << 50),
            (int)Get("TORCH_THREADS", d.MaxTorchThreads), Get("CHECKPOINTS", d.MaxCheckpoints, 1L << 50),
            (int)Get("SWEEP_FILE_BYTES", d.MaxSweepFileBytes), (int)Get("YAML_DEPTH", d.MaxYamlDepth), (int)Get("YAML_NODES", d.MaxYamlNodes));
        return errors.Count > 0 ? throw new ConfigException(errors) : limits;
    }

    /// <summary>
    /// What a trial that did not come through the sweep reader (a message from another process) asks for
    /// beyond these limits, as key and reason; empty when it is within them. A worker checks this before
    /// it allocates anything.
    /// </summary>
    public IEnumerable<string> Violations(TrialSpec spec)
    {
        var (points, dim) = spec.Dataset switch
        {
            SyntheticDatasetSpec s => ((long)s.N + s.Test, (long)s.Dim),
            TeacherDatasetSpec t => ((long)t.N + t.Test, (long)t.Dim),
            SparseTeacherDatasetSpec s => ((long)s.N + s.Test, (long)s.Dim),
            IdxDatasetSpec i => ((long)i.Train + i.Test, 28L * 28),
            _ => (0L, 0L),
        };
        if (spec.Model.Width > MaxWidth || spec.Model.Depth > MaxDepth || (dim > 0 && Parameters(spec.Model, dim) > MaxParameters))
        {
            yield return $"model: width {spec.Model.Width} and depth {spec.Model.Depth} exceed this node's limits (width {MaxWidth}, depth {MaxDepth}, {MaxParameters:N0} weights)";
        }
        if (points > 2L * MaxPoints || dim > MaxDimension || points * dim > MaxDataValues)
        {
            yield return $"dataset: {points:N0} points of {dim:N0} features exceed this node's limits";
        }
        if (spec.TorchThreads > MaxTorchThreads)
        {
            yield return $"torch_threads: {spec.TorchThreads} exceeds this node's limit of {MaxTorchThreads}";
        }
        if (spec.CheckpointEvery < 1 || spec.Steps / spec.CheckpointEvery > MaxCheckpoints)
        {
            yield return $"checkpoint_every: {spec.CheckpointEvery} over {spec.Steps:N0} steps exceeds this node's limit of {MaxCheckpoints:N0} checkpoints";
        }
    }

    /// <summary>The weights of a network of this shape on inputs of <paramref name="inputDimension"/> features.</summary>
    public static long Parameters(ModelSpec model, long inputDimension, long outputs = 1) =>
        model.Depth == 1
            ? inputDimension * outputs
            : (inputDimension * model.Width) + ((model.Depth - 2) * (long)model.Width * model.Width) + (model.Width * outputs);
}
