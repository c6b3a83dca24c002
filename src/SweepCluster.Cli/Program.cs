using SweepCluster.Cli;
using SweepCluster.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("sweepcluster");
    config.SetApplicationVersion(typeof(CliErrors).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    config.PropagateExceptions();
    // A misspelled option is an error, never silently ignored (it would run with a default instead).
    config.UseStrictParsing();
    config.AddCommand<RunCommand>("run")
        .WithDescription("Run a sweep on this machine: a one-process cluster with a coordinator and local workers, on the embedded store.")
        .WithExample("run", "sweeps/quickstart.yaml");
    config.AddCommand<ResumeCommand>("resume")
        .WithDescription("Continue an interrupted study: completed trials are kept, interrupted ones continue from their saved state. In this process, or on a running cluster with --cluster.")
        .WithExample("resume", "quickstart")
        .WithExample("resume", "quickstart", "--cluster", "127.0.0.1:4053");
    config.AddCommand<InterruptCommand>("interrupt")
        .WithDescription("Interrupt a study on a running cluster: running trials save their state and wait for resume.")
        .WithExample("interrupt", "quickstart", "--cluster", "127.0.0.1:4053");
    config.AddCommand<NodeCommand>("node")
        .WithDescription("Run a long-lived cluster node (coordinator, worker or both) until Ctrl+C or SIGTERM.")
        .WithExample("node", "--config", "cluster-config/coordinator.yaml")
        .WithExample("node", "--role", "worker", "--port", "4054", "--seed", "127.0.0.1:4053");
    config.AddBranch("certs", certs =>
    {
        certs.SetDescription("Make what a cluster needs for mutual TLS: its authority (init), then one bundle per node and client (issue).");
        certs.AddCommand<CertsInitCommand>("init")
            .WithDescription("Create the cluster's certificate authority: certs/ca.crt and certs/ca.key.")
            .WithExample("certs", "init");
        certs.AddCommand<CertsIssueCommand>("issue")
            .WithDescription("Issue a bundle (key, certificate, authority) for each node or client named: certs/NAME.p12.")
            .WithExample("certs", "issue", "coordinator", "worker-1", "worker-2", "alice");
    });
    config.AddCommand<SubmitCommand>("submit")
        .WithDescription("Submit a sweep to a running cluster and follow it (Ctrl+C stops following, the study goes on).")
        .WithExample("submit", "sweeps/quickstart.yaml", "--cluster", "127.0.0.1:4053");
    config.AddCommand<StatusCommand>("status")
        .WithDescription("Studies with their trial counts by state; for one study, its trials.")
        .WithExample("status")
        .WithExample("status", "quickstart", "--json");
    config.AddBranch<StoreSettings>("studies", studies =>
    {
        studies.SetDescription("The studies in a store, each with its best configuration; `studies export` writes one to a folder, `studies delete` removes one.");
        studies.SetDefaultCommand<StudiesCommand>();
        studies.AddCommand<StudiesExportCommand>("export")
            .WithDescription("Write a study to a new folder: study.json (its state), trials.jsonl (every trial's resolved spec), sweep.yaml (a sweep file that recreates its trials), results.csv and curves.csv; --states adds each trial's training state as safetensors.")
            .WithExample("studies", "export", "quickstart", "--out", "quickstart-export");
        studies.AddCommand<StudiesDeleteCommand>("delete")
            .WithDescription("Delete a study for good (its journal, training states and query rows, together), after you type its name; --yes for scripts. Needs the store alone: stop its nodes or run first.")
            .WithExample("studies", "delete", "quickstart");
    });
    config.AddCommand<ResultsCommand>("results")
        .WithDescription("Final (or at a step, or at fit) metrics aggregated over seeds, grouped by the swept keys: mean, std, min, max, count.")
        .WithExample("results", "quickstart")
        .WithExample("results", "quickstart", "--metric", "margin_l2,margin_linf", "--at", "fit", "--format", "csv")
        .WithExample("results", "quickstart", "--best", "margin_l2");
    config.AddCommand<CurvesCommand>("curves")
        .WithDescription("Every checkpoint of the chosen trials, at full resolution, as CSV, JSON lines or Parquet.")
        .WithExample("curves", "quickstart", "--out", "quickstart.parquet")
        .WithExample("curves", "quickstart", "--where", "algorithm=sign", "--format", "jsonl");
    config.AddCommand<PlotCommand>("plot")
        .WithDescription("A metric against the step: mean and a standard-deviation band over seeds, one line per group (default: per algorithm).")
        .WithExample("plot", "quickstart", "--metric", "margin_l2", "--out", "margin_l2.png")
        .WithExample("plot", "quickstart", "--metric", "margin_linf", "--log-steps", "--out", "margin_linf.svg");
    config.AddCommand<DashboardCommand>("dashboard")
        .WithDescription("A web dashboard and HTTP API over a store: studies, live progress, curves per group, results and trials.")
        .WithExample("dashboard")
        .WithExample("dashboard", "--store", "studies.db", "--port", "8080");
    config.AddCommand<ProjectCommand>("project")
        .WithDescription("Bring the query tables up to date with the journal, or rebuild them from it (--rebuild).")
        .WithExample("project", "--rebuild");
    config.AddCommand<ValidateCommand>("validate")
        .WithDescription("Check a sweep file without running it. Errors name the file, line, column and key; exit code 2.")
        .WithExample("validate", "sweeps/quickstart.yaml");
    config.AddCommand<TrainCommand>("train")
        .WithDescription("Train one network with one algorithm and write its margin checkpoints as JSON lines.")
        .WithExample("train", "--config", "trial.yaml", "--out", "checkpoints.jsonl")
        .WithExample("train", "--dataset", "synthetic", "--algorithm", "sign", "--step", "normalized", "--lr", "0.001", "--steps", "2000");
});
return await CliErrors.Run(() => app.RunAsync(args), args);
