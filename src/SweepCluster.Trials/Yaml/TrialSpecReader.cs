namespace SweepCluster.Trials.Yaml;

/// <summary>Reads and checks the keys of one trial from a YAML mapping; sweep files use the same keys.</summary>
internal static class TrialSpecReader
{
    public static readonly string[] TopLevelKeys =
    [
        "dataset", "model", "loss", "reduction", "algorithm", "lr", "step", "lr_schedule", "p",
        "beta1", "beta2", "eps", "kink_hold", "batch_size", "steps", "checkpoint_every", "stop", "seed", "torch_threads",
    ];

    public static TrialSpec? Read(ConfigMap map)
    {
        var errorsBefore = map.Errors.Count;
        var datasetMap = map.Map("dataset", required: true);
        var dataset = datasetMap is null ? null : ReadDataset(datasetMap);
        var model = ReadModel(map.Map("model"));
        var loss = map.Choice("loss", LossKind.Exponential);
        var reduction = map.Choice("reduction", Reduction.Sum);
        var algorithm = map.RequiredChoice<AlgorithmKind>("algorithm");
        var lr = map.Double("lr", required: true);
        map.Require(lr is null or > 0 and < double.PositiveInfinity, "lr", $"must be a positive number, found {lr}");
        var step = map.Choice("step", StepForm.Dual);
        var schedule = map.Choice("lr_schedule", LrSchedule.Constant);

        var p = map.Double("p");
        if (algorithm == AlgorithmKind.Steepest)
        {
            map.Require(p is not null, "p", "is required for algorithm steepest (a norm p in (1, inf))");
            map.Require(p is null or > 1 and < double.PositiveInfinity, "p", $"must be in (1, inf), found {p}");
        }
        else if (p is not null && algorithm is not null)
        {
            map.Error("p", $"applies to algorithm steepest only, not {Names.Kebab(algorithm.Value.ToString())}");
        }

        // Coordinate trials always carry the setting, so that their id names the rule they run.
        var kinkHold = map.Bool("kink_hold");
        if (algorithm == AlgorithmKind.Coordinate)
        {
            kinkHold ??= false;
        }
        else if (kinkHold is not null && algorithm is not null)
        {
            map.Error("kink_hold", $"applies to algorithm coordinate only, not {Names.Kebab(algorithm.Value.ToString())}");
        }

        AdamSpec? adam = null;
        var beta1 = map.Double("beta1");
        var beta2 = map.Double("beta2");
        var eps = map.Double("eps");
        if (algorithm == AlgorithmKind.Adam)
        {
            adam = new AdamSpec(beta1 ?? 0.9, beta2 ?? 0.999, eps ?? 1e-8);
            map.Require(adam.Beta1 is >= 0 and < 1, "beta1", $"must be in [0, 1), found {adam.Beta1}");
            map.Require(adam.Beta2 is >= 0 and < 1, "beta2", $"must be in [0, 1), found {adam.Beta2}");
            map.Require(adam.Eps is >= 0 and < double.PositiveInfinity, "eps", $"must be zero or positive, found {adam.Eps}");
            map.Require(step == StepForm.Dual || !map.Has("step"), "step", "applies to the steepest-descent algorithms, not adam");
        }
        else if (algorithm is not null)
        {
            foreach (var key in new[] { "beta1", "beta2", "eps" })
            {
                if (map.Has(key))
                {
                    map.Error(key, $"applies to algorithm adam only, not {Names.Kebab(algorithm.Value.ToString())}");
                }
            }
        }

        var batchSize = map.Int("batch_size");
        map.Require(batchSize is null or >= 1, "batch_size", $"must be at least 1, found {batchSize}");
        var steps = map.Int("steps", 1000)!.Value;
        map.Require(steps >= 0, "steps", $"must be zero or more, found {steps}");
        var every = map.Int("checkpoint_every", 50)!.Value;
        map.Require(every >= 1, "checkpoint_every", $"must be at least 1, found {every}");
        var stop = ReadStop(map.Map("stop"));
        var seed = map.Int("seed", 0)!.Value;
        var threads = map.Int("torch_threads", 1)!.Value;
        map.Require(threads >= 1, "torch_threads", $"must be at least 1, found {threads}");
        var limits = InputLimits.Current;
        map.Require(threads <= limits.MaxTorchThreads, "torch_threads", $"must be at most {limits.MaxTorchThreads} (SWEEPCLUSTER_MAX_TORCH_THREADS), found {threads}");
        map.Require(steps / Math.Max(every, 1) <= limits.MaxCheckpoints, "checkpoint_every",
            $"records {steps / Math.Max(every, 1):N0} checkpoints over {steps:N0} steps, more than the {limits.MaxCheckpoints:N0} a trial may keep (SWEEPCLUSTER_MAX_CHECKPOINTS): checkpoint less often");

        if (map.Errors.Count > errorsBefore || dataset is null || model is null || algorithm is null || lr is null)
        {
            return null;
        }
        if (InputDimension(dataset) is { } inputs && InputLimits.Parameters(model, inputs) is var parameters && parameters > limits.MaxParameters)
        {
            map.Error("model", $"has {parameters:N0} weights on {inputs:N0} inputs (width {model.Width}, depth {model.Depth}), more than the {limits.MaxParameters:N0} a trial may train (SWEEPCLUSTER_MAX_PARAMETERS)");
            return null;
        }
        var spec = new TrialSpec(dataset, model, loss, reduction, algorithm.Value, lr.Value, step, schedule,
            algorithm == AlgorithmKind.Steepest ? p : null, adam, batchSize, steps, every, stop, seed, threads,
            algorithm == AlgorithmKind.Coordinate ? kinkHold : null);
        var trainCount = TrainCount(dataset);
        map.Require(batchSize is null || trainCount is null || batchSize <= trainCount, "batch_size",
            $"must not exceed the {trainCount} training points, found {batchSize}");
        return spec;
    }

    private static long? InputDimension(DatasetSpec dataset) => dataset switch
    {
        SyntheticDatasetSpec s => s.Dim,
        TeacherDatasetSpec t => t.Dim,
        SparseTeacherDatasetSpec s => s.Dim,
        IdxDatasetSpec => 28 * 28,
        _ => null,
    };

    private static int? TrainCount(DatasetSpec dataset) => dataset switch
    {
        SyntheticDatasetSpec s => s.N,
        TeacherDatasetSpec t => t.N,
        SparseTeacherDatasetSpec s => s.N,
        IdxDatasetSpec i => i.Train,
        _ => null,
    };

    private static ModelSpec? ReadModel(ConfigMap? map)
    {
        if (map is null)
        {
            return new ModelSpec(2, 64, InitKind.Normal, 0.01);
        }
        var depth = map.Int("depth", 2)!.Value;
        var width = map.Int("width", 64)!.Value;
        var init = map.Choice("init", InitKind.Normal);
        var scale = map.Double("init_scale", 0.01)!.Value;
        map.ReportUnknownKeys();
        var limits = InputLimits.Current;
        map.Require(depth is >= 1, "depth", $"must be at least 1, found {depth}");
        map.Require(depth <= limits.MaxDepth, "depth", $"must be at most {limits.MaxDepth} (SWEEPCLUSTER_MAX_DEPTH), found {depth}");
        map.Require(width >= 1, "width", $"must be at least 1, found {width}");
        map.Require(width <= limits.MaxWidth, "width", $"must be at most {limits.MaxWidth:N0} (SWEEPCLUSTER_MAX_WIDTH), found {width:N0}");
        map.Require(scale is >= 0 and < double.PositiveInfinity, "init_scale", $"must be zero or positive, found {scale}");
        return new ModelSpec(depth, width, init, scale);
    }

    private static StopSpec ReadStop(ConfigMap? map)
    {
        if (map is null)
        {
            return new StopSpec(0, null);
        }
        var lossBelow = map.Double("loss_below", 0)!.Value;
        var wall = map.Double("wall_seconds");
        map.ReportUnknownKeys();
        map.Require(lossBelow >= 0, "loss_below", $"must be zero or positive, found {lossBelow}");
        map.Require(wall is null or > 0, "wall_seconds", $"must be positive, found {wall}");
        return new StopSpec(lossBelow, wall is null || double.IsPositiveInfinity(wall.Value) ? null : wall);
    }

    /// <summary>Points and features within bounds before anything is generated or read.</summary>
    private static void RequireDataSize(ConfigMap map, long train, long test, long dim)
    {
        var limits = InputLimits.Current;
        map.Require(train <= limits.MaxPoints, map.Has("n") ? "n" : "train", $"must be at most {limits.MaxPoints:N0} (SWEEPCLUSTER_MAX_POINTS), found {train:N0}");
        map.Require(test <= limits.MaxPoints, "test", $"must be at most {limits.MaxPoints:N0} (SWEEPCLUSTER_MAX_POINTS), found {test:N0}");
        map.Require(dim <= limits.MaxDimension, "dim", $"must be at most {limits.MaxDimension:N0} (SWEEPCLUSTER_MAX_DIMENSION), found {dim:N0}");
        map.Require((train + test) * dim <= limits.MaxDataValues, map.Has("dim") ? "dim" : map.Has("n") ? "n" : "train",
            $"makes {(train + test) * dim:N0} values ({train + test:N0} points of {dim:N0} features), more than the {limits.MaxDataValues:N0} a dataset may hold (SWEEPCLUSTER_MAX_DATA_VALUES)");
    }

    private static DatasetSpec? ReadDataset(ConfigMap map)
    {
        var kind = map.String("kind", required: true);
        DatasetSpec? spec = kind switch
        {
            "synthetic" => ReadSynthetic(map),
            "teacher" => ReadTeacher(map),
            "sparse-teacher" => ReadSparseTeacher(map),
            "idx" => ReadIdx(map),
            "csv" => ReadCsv(map),
            null => null,
            _ => Unknown(map, kind),
        };
        if (kind is "synthetic" or "teacher" or "sparse-teacher" or "idx" or "csv")
        {
            map.ReportUnknownKeys();
        }
        return spec;
    }

    private static DatasetSpec? Unknown(ConfigMap map, string kind)
    {
        map.Error("kind", $"must be one of synthetic, teacher, sparse-teacher, idx, csv, found '{kind}'");
        return null;
    }

    /// <summary>The keys every generated dataset has: points, features, seed and test points, checked and within the size limits.</summary>
    private static (int N, int Dim, int Seed, int Test) ReadGenerated(ConfigMap map, int defaultDim)
    {
        var n = map.Int("n", 200)!.Value;
        var dim = map.Int("dim", defaultDim)!.Value;
        var seed = map.Int("seed", 0)!.Value;
        var test = map.Int("test", 0)!.Value;
        map.Require(n >= 1, "n", $"must be at least 1, found {n}");
        map.Require(dim >= 1, "dim", $"must be at least 1, found {dim}");
        map.Require(test >= 0, "test", $"must be zero or more, found {test}");
        RequireDataSize(map, n, test, dim);
        return (n, dim, seed, test);
    }

    private static double ReadMargin(ConfigMap map)
    {
        var margin = map.Double("margin", 0.1)!.Value;
        map.Require(margin is >= 0 and < double.PositiveInfinity, "margin", $"must be zero or positive, found {margin}");
        return margin;
    }

    private static SyntheticDatasetSpec ReadSynthetic(ConfigMap map)
    {
        var (n, dim, seed, test) = ReadGenerated(map, defaultDim: 20);
        return new SyntheticDatasetSpec(n, dim, ReadMargin(map), seed, test);
    }

    private static TeacherDatasetSpec ReadTeacher(ConfigMap map)
    {
        var (n, dim, seed, test) = ReadGenerated(map, defaultDim: 20);
        var width = map.Int("width", 16)!.Value;
        map.Require(width >= 1, "width", $"must be at least 1, found {width}");
        map.Require(width <= InputLimits.Current.MaxWidth, "width", $"must be at most {InputLimits.Current.MaxWidth:N0} (SWEEPCLUSTER_MAX_WIDTH), found {width:N0}");
        return new TeacherDatasetSpec(n, dim, width, seed, test);
    }

    private static SparseTeacherDatasetSpec ReadSparseTeacher(ConfigMap map)
    {
        var (n, dim, seed, test) = ReadGenerated(map, defaultDim: 50);
        var nonzeros = map.Int("nonzeros", 3)!.Value;
        map.Require(nonzeros >= 1 && nonzeros <= dim, "nonzeros", $"must be between 1 and dim ({dim}), found {nonzeros}");
        return new SparseTeacherDatasetSpec(n, dim, nonzeros, ReadMargin(map), seed, test);
    }

    private static IdxDatasetSpec? ReadIdx(ConfigMap map)
    {
        var path = map.String("path", IdxDatasetSpec.DefaultPath)!;
        var classes = map.IntList("classes", required: true);
        var train = map.Int("train", 250)!.Value;
        var test = map.Int("test", 0)!.Value;
        var seed = map.Int("seed", 0)!.Value;
        map.Require(train >= 1, "train", $"must be at least 1, found {train}");
        map.Require(test >= 0, "test", $"must be zero or more, found {test}");
        RequireDataSize(map, train, test, 28 * 28);
        if (classes is null)
        {
            return null;
        }
        map.Require(classes.Count >= 2, "classes", $"must name at least two classes, found {classes.Count}");
        map.Require(classes.Distinct().Count() == classes.Count, "classes", "must not repeat a class");
        map.Require(classes.All(c => c is >= 0 and <= 255), "classes", "must be label values between 0 and 255");
        return new IdxDatasetSpec(path, classes, train, test, seed);
    }

    private static CsvDatasetSpec ReadCsv(ConfigMap map)
    {
        var path = map.String("path", required: true) ?? "";
        var testPath = map.String("test_path");
        return new CsvDatasetSpec(path, testPath);
    }
}
