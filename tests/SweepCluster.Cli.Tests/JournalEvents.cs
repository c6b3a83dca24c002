using System.Data.Common;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>Reads a store's event journal directly: what a test checks that no command shows (which step an attempt resumed from).</summary>
internal static class JournalEvents
{
    /// <summary>Every event of this type (its manifest), in journal order, as JSON.</summary>
    public static List<JsonElement> Read(string store, string manifest)
    {
        using DbConnection connection = store.Contains("Host=", StringComparison.Ordinal)
            ? new Npgsql.NpgsqlConnection(store)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal WHERE manifest = @manifest ORDER BY ordering";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@manifest";
        parameter.Value = manifest;
        command.Parameters.Add(parameter);
        var events = new List<JsonElement>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(JsonDocument.Parse((byte[])reader.GetValue(0)).RootElement.Clone());
        }
        return events;
    }
}
