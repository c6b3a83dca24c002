using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SweepCluster.Training.Benchmarks;

// The paper's full-batch step, TorchSharp against PyTorch. Each side runs in a process of its own and
// the two alternate (the order swaps every round), so neither ever runs while the other's threads may
// still spin; this process only starts them and never loads libtorch. Each side reports its thread
// settings and the BLAS library it has loaded. Usage: [ROUNDS] [STEPS].
if (args.Length > 0 && args[0] == TorchSharpSide.Flag)
{
    TorchSharpSide.Run(int.Parse(args[1], CultureInfo.InvariantCulture));
    return;
}
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40;
var python = Environment.GetEnvironmentVariable("SWEEPCLUSTER_BENCH_PYTHON") ?? "/usr/bin/python3";
string[] algorithms = ["gd", "sign", "coordinate", "adam"];

var sides = new List<Side>
{
    new("TorchSharp", "dotnet", [typeof(TorchSharpSide).Assembly.Location, TorchSharpSide.Flag, $"{steps}"], null),
    new("PyTorch, 1 BLAS thread", python, [Path.Combine(AppContext.BaseDirectory, "pytorch_step.py"), "1", $"{steps}", "3"], "1"),
    new("PyTorch, default BLAS threads", python, [Path.Combine(AppContext.BaseDirectory, "pytorch_step.py"), "1", $"{steps}", "3"], null),
};
string[] extras = ["checkpoint", "fingerprint", "fingerprint_adam"];
var samples = sides.ToDictionary(s => s.Name, _ => algorithms.Concat(extras).ToDictionary(a => a, _ => new List<double>()));
var settings = new Dictionary<string, string>();

for (var round = 0; round < rounds; round++)
{
    var order = round % 2 == 0 ? sides : Enumerable.Reverse(sides).ToList();
    foreach (var side in order)
    {
        if (side.Run() is not { } result)
        {
            continue;
        }
        foreach (var (name, list) in samples[side.Name])
        {
            if (result.RootElement.TryGetProperty(name, out var value))
            {
                list.Add(value.GetDouble());
            }
        }
        settings[side.Name] = result.RootElement.GetProperty("settings").GetString()!;
    }
    Console.WriteLine($"round {round + 1}: {string.Join(" then ", order.Select(s => s.Name))}");
}

double? Median(string side, string name) => samples[side][name] is { Count: > 0 } v ? v.Order().ElementAt(v.Count / 2) : null;
string Ms(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
string Ratio(double? ours, double? theirs) => ours is { } a && theirs is { } b ? (a / b).ToString("F2", CultureInfo.InvariantCulture) : "-";

Console.WriteLine();
Console.WriteLine($"| step (ms, median of {rounds} rounds x {steps} steps) | {string.Join(" | ", sides.Select(s => s.Name))} | TorchSharp / PyTorch 1 thread | TorchSharp / PyTorch default |");
Console.WriteLine($"| --- |{string.Concat(sides.Select(_ => " ---: |"))} ---: | ---: |");
foreach (var name in algorithms)
{
    var ours = Median(sides[0].Name, name);
    Console.WriteLine($"| {name} | {string.Join(" | ", sides.Select(s => Ms(Median(s.Name, name))))} | {Ratio(ours, Median(sides[1].Name, name))} | {Ratio(ours, Median(sides[2].Name, name))} |");
}
Console.WriteLine($"| one checkpoint's metrics (TorchSharp) | {Ms(Median(sides[0].Name, "checkpoint"))} | | | | |");
Console.WriteLine($"| one step's stall fingerprint, parameters (TorchSharp) | {Ms(Median(sides[0].Name, "fingerprint"))} | | | | |");
Console.WriteLine($"| one step's stall fingerprint, parameters and Adam's moments (TorchSharp) | {Ms(Median(sides[0].Name, "fingerprint_adam"))} | | | | |");
Console.WriteLine();
foreach (var (side, text) in settings)
{
    Console.WriteLine($"- {side}: {text}");
}

/// <summary>One side of the comparison: a process that prints one JSON object of milliseconds per step and its settings.</summary>
internal sealed record Side(string Name, string Program, string[] Arguments, string? BlasThreads)
{
    public JsonDocument? Run()
    {
        var info = new ProcessStartInfo(Program, Arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (BlasThreads is not null)
        {
            info.Environment["OPENBLAS_NUM_THREADS"] = BlasThreads;
        }
        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.WriteLine($"{Name} failed: {error.Result.Trim()}");
                return null;
            }
            return JsonDocument.Parse(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.WriteLine($"{Name}: {Program} not found (the PyTorch peer needs python3-torch, and libopenblas0-pthread for a fast BLAS)");
            return null;
        }
    }
}
