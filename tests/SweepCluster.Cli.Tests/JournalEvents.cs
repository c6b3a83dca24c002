using System.Data.Common;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>Reads a store's event journal directly: what a test checks that no command shows (which step an attempt resumed from).</summary>
internal static class JournalEvents
{
    /// <summary>Whether the read model's projection has reached the journal's last event.</summary>
    public static bool ReadModelIsCurrent(string store)
    {
        using var connection = Open(store);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT MAX(ordering) FROM journal) <= (SELECT MAX(last_offset) FROM sweepcluster_projection_offsets)";
        return Convert.ToBoolean(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every event of this type, in journal order, as JSON.</summary>
    public static List<JsonElement> Read<TEvent>(string store) => Read(store, Protocol.ProtocolManifests.Of(typeof(TEvent)));

    private static List<JsonElement> Read(string store, string manifest) => ReadWithOrdering(store, manifest).Select(e => e.Event).ToList();

    /// <summary>Every event of this type with its position in the journal, in journal order.</summary>
    public static List<(long Ordering, JsonElement Event)> ReadWithOrdering<TEvent>(string store) => ReadWithOrdering(store, Protocol.ProtocolManifests.Of(typeof(TEvent)));

    private static List<(long Ordering, JsonElement Event)> ReadWithOrdering(string store, string manifest)
    {
        using var connection = Open(store);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ordering, message FROM journal WHERE manifest = @manifest ORDER BY ordering";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@manifest";
        parameter.Value = manifest;
        command.Parameters.Add(parameter);
        var events = new List<(long, JsonElement)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add((reader.GetInt64(0), JsonDocument.Parse((byte[])reader.GetValue(1)).RootElement.Clone()));
        }
        return events;
    }

    private static DbConnection Open(string store)
    {
        DbConnection connection = store.Contains("Host=", StringComparison.Ordinal)
            ? new Npgsql.NpgsqlConnection(store)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store};Mode=ReadOnly");
        connection.Open();
        return connection;
    }
}
