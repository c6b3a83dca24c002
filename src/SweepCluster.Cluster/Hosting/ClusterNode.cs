using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Protocol.Scheduling;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Cluster.Hosting;

/// <summary>A running SweepCluster node: its actor system, the study region, and (on workers) the worker.</summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly StoreLock? _storeLock;

    private ClusterNode(IHost host, StoreLock? storeLock, ActorSystem system, IActorRef studies, IActorRef? worker)
    {
        _host = host;
        _storeLock = storeLock;
        System = system;
        Studies = studies;
        Worker = worker;
    }

    public ActorSystem System { get; }

    public IActorRef Studies { get; }

    public IActorRef? Worker { get; }

    /// <summary>Prepares the store (a clear error if it cannot be reached), starts the node and waits until it is Up in the cluster.</summary>
    /// <param name="configure">Adds to the node's actor system (the read side's live projection, say).</param>
    public static async Task<ClusterNode> StartAsync(NodeOptions options, TimeSpan joinTimeout, Action<AkkaConfigurationBuilder>? configure = null, CancellationToken cancellation = default)
    {
        StoreLock? storeLock = null;
        if (options.Store is { } store)
        {
            storeLock = await StoreLock.AcquireAsync(store, options.HoldsStoreAlone, cancellation);
            try
            {
                StoreConnections.Prepare(store);
            }
            catch
            {
                await storeLock.DisposeAsync();
                throw;
            }
        }
        var journalWarm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, CommandLifetime>().AddAkka(NodeOptions.SystemName, builder =>
            {
                builder.WithSerilogOnly();
                builder.AddSweepClusterNode(options);
                if (options.IsCoordinator)
                {
                    builder.WithActors((system, _) => system.ActorOf(Props.Create(() => new JournalWarmup(journalWarm)), "journal-warmup"));
                }
                else
                {
                    journalWarm.SetResult();
                }
                configure?.Invoke(builder);
            }))
            .Build();
        await host.StartAsync(cancellation);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        try
        {
            // Up, and the journal warmed up alongside the join, so a study submitted now starts at once.
            await Task.WhenAll(up.Task, journalWarm.Task).WaitAsync(joinTimeout, cancellation);
        }
        catch (TimeoutException)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
            if (storeLock is not null)
            {
                await storeLock.DisposeAsync();
            }
            throw new TimeoutException(up.Task.IsCompleted
                ? $"the store did not answer a first read within {joinTimeout.TotalSeconds:F0} s"
                : $"this node did not join the cluster within {joinTimeout.TotalSeconds:F0} s (seed nodes: {string.Join(", ", options.SeedNodes)})");
        }
        var studies = await registry.GetAsync<StudyRegion>(cancellation);
        IActorRef? worker = options.IsWorker ? await registry.GetAsync<WorkerRegistryKey>(cancellation) : null;
        return new ClusterNode(host, storeLock, system, studies, worker);
    }

    /// <summary>
    /// Creates or extends a study: with its trials inline when they fit one message, else after sending them
    /// as <see cref="StageTrials"/> pages (a few in flight at a time, each acknowledged), which the
    /// coordinator adds together, or not at all, when <see cref="StartStudy"/> names them. Returns the
    /// coordinator's answer (<see cref="StudyStarted"/> or <see cref="StudyRejected"/>).
    /// </summary>
    public async Task<object> StartStudyAsync(string studyId, string? description, int maxRetries, IReadOnlyList<TrialDefinition> trials, SchedulerSettings? scheduler = null, CancellationToken cancellation = default)
    {
        var pages = TrialPages.Split(trials, t => t.Size).ToList();
        if (pages.Count <= 1)
        {
            return await AskAsync(new StartStudy(studyId, description, maxRetries, trials, Scheduler: scheduler), StartTimeout, cancellation);
        }
        var submission = Guid.NewGuid().ToString("N");
        using var inFlight = new SemaphoreSlim(PagesInFlight);
        await Task.WhenAll(pages.Select(async (page, index) =>
        {
            await inFlight.WaitAsync(cancellation);
            try
            {
                await AskAsync(new StageTrials(studyId, submission, index, page), StartTimeout, cancellation);
            }
            finally
            {
                inFlight.Release();
            }
        }));
        return await AskAsync(new StartStudy(studyId, description, maxRetries, [], submission, pages.Count, scheduler), StartTimeout, cancellation);
    }

    private const int PagesInFlight = 8;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    public Task<object> AskAsync(IStudyMessage message, TimeSpan timeout, CancellationToken cancellation = default) =>
        Studies.Ask<object>(message, timeout, cancellation);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None);
        }
        catch (Exception e) when (StoreProblems.IsStoreFailure(e))
        {
            // Stopping must not fail for a store that cannot be written: the command has said so already.
            Serilog.Log.Warning("The store failed while the node stopped: {Reason}", StoreProblems.Describe(e));
        }
        _host.Dispose();
        if (_storeLock is not null)
        {
            await _storeLock.DisposeAsync();
        }
    }
}
