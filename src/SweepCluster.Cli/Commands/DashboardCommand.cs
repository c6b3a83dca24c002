using System.ComponentModel;
using System.Globalization;
using System.Net;
using Spectre.Console.Cli;
using SweepCluster.Web;

namespace SweepCluster.Cli.Commands;

/// <summary>Serves the dashboard over a store until Ctrl+C; a study that runs meanwhile (another process writing the store) is shown live.</summary>
public sealed class DashboardCommand : AsyncCommand<DashboardCommand.Settings>
{
    public const string TokenVariable = "SWEEPCLUSTER_DASHBOARD_TOKEN";

    public sealed class Settings : StoreSettings
    {
        [CommandOption("--port <PORT>")]
        [Description("The port to listen on (default 8080; 0 takes a free one and prints it).")]
        public int? Port { get; init; }

        [CommandOption("--bind <ADDRESS>")]
        [Description("The address to listen on (default 127.0.0.1: this machine only). Any other address requires --token.")]
        public string? Bind { get; init; }

        [CommandOption("--token <TOKEN>")]
        [Description($"A token every request must carry (Authorization: Bearer TOKEN, or ?token=TOKEN once on a page). Default: ${TokenVariable}.")]
        public string? Token { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(settings.Bind ?? "127.0.0.1", out var address))
        {
            CliErrors.Error($"--bind '{settings.Bind}': expected an IP address such as 127.0.0.1 or 0.0.0.0");
            return ExitCodes.InvalidInput;
        }
        var store = settings.ResolveStore();
        if (await QueryStore.ReadyAsync(store, cancellationToken) is not { } readable)
        {
            CliErrors.Error($"{store.Display}: no studies in this store yet; run a sweep into it first (sweepcluster run FILE --store ...)");
            return ExitCodes.InvalidInput;
        }
        var dashboard = new DashboardSettings(readable, address, settings.Port ?? DashboardSettings.DefaultPort, settings.Token ?? Environment.GetEnvironmentVariable(TokenVariable));
        if (dashboard.Problem() is { } problem)
        {
            CliErrors.Error(problem);
            return ExitCodes.InvalidInput;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        await using var app = DashboardApp.Build(dashboard);
        try
        {
            await app.StartAsync(stop.Token);
        }
        catch (IOException e)
        {
            throw new PortUnavailableException($"cannot listen on {address}:{dashboard.Port} ({e.Message}); choose another --port");
        }
        var url = app.Urls.First().Replace("0.0.0.0", address.ToString(), StringComparison.Ordinal);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Dashboard of {store.Display} at {url}/ (Ctrl+C to stop)"));
        try
        {
            // Until Ctrl+C, or SIGTERM from a service manager.
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop serving.
        }
        await app.StopAsync(CancellationToken.None);
        return ExitCodes.Success;
    }
}
