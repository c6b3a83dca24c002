using Spectre.Console.Cli;
using SweepCluster.Training.Data;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli;

/// <summary>Turns the errors a user can cause into a clear message on stderr and an exit code.</summary>
internal static class CliErrors
{
    public static void Error(string message) => Console.Error.WriteLine($"error: {message}");

    public static void Warning(string message) => Console.Error.WriteLine($"warning: {message}");

    public static async Task<int> Run(Func<Task<int>> command, IReadOnlyList<string>? args = null)
    {
        try
        {
            return await command();
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
            {
                Error(error.ToString());
            }
            return ExitCodes.InvalidInput;
        }
        catch (SweepCluster.Training.ModelTooLargeException e)
        {
            Error(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (DatasetException e)
        {
            Error(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (SweepCluster.Query.QueryException e)
        {
            Error(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (SweepCluster.Cluster.Storage.InvalidStoreException e)
        {
            Error(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (SweepCluster.Cluster.Storage.StoreUnavailableException e)
        {
            Error(e.Message);
            return ExitCodes.StoreUnavailable;
        }
        catch (Commands.PortUnavailableException e)
        {
            Error(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (Commands.ClusterUnreachableException e)
        {
            Error(e.Message);
            return ExitCodes.ClusterUnreachable;
        }
        catch (Akka.Actor.AskTimeoutException e)
        {
            Error($"the cluster did not answer in time ({e.Message})");
            return ExitCodes.Failure;
        }
        catch (CommandParseException e)
        {
            Error(CommandLineErrors.Explain(e.Message, args ?? []));
            return ExitCodes.InvalidInput;
        }
        catch (CommandRuntimeException e)
        {
            Error(CommandLineErrors.Explain(e.Message, args ?? []));
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or System.Net.Sockets.SocketException || e.InnerException is System.Data.Common.DbException)
        {
            // A store failure no command anticipated (the disk filling up mid-query, say): still one line.
            Error($"the store failed: {SweepCluster.Cluster.Storage.StoreProblems.Describe(e)}");
            return ExitCodes.StoreUnavailable;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            Error(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (IOException e)
        {
            // A full disk or a read-only folder under an output or log file: nothing to write to.
            Error(SweepCluster.Cluster.Storage.StoreProblems.IsDiskFull(e) ? $"the disk is full ({e.Message})" : e.Message);
            return ExitCodes.StoreUnavailable;
        }
    }
}
