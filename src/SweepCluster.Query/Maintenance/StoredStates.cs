using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Maintenance;

/// <summary>A trial's newest whole training state: safetensors bytes that PyTorch opens, and the step it was taken at.</summary>
public sealed record StoredState(string TrialId, long Step, byte[] Safetensors);

/// <summary>
/// Reads a study's training states back out of the store, one trial at a time. Each trial's newest state
/// whose chunks make a whole safetensors file is the one given: a newer one still being uploaded is
/// passed over. A trial ended as a result keeps the state at its last step, so this is its final model.
/// </summary>
public static class StoredStates
{
    public static async IAsyncEnumerable<StoredState> NewestAsync(StoreOptions store, string studyId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        if (!(await StoreInspection.TablesAsync(connection, store.Kind, cancellation)).Contains(TrainingStateStore.Table))
        {
            yield break;
        }
        await using var command = Sql.Command(connection, null,
            $"SELECT trial_id, step, chunk, bytes FROM {TrainingStateStore.Table} WHERE study_id = @study ORDER BY trial_id, step DESC, chunk",
            ("study", studyId));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        string? given = null;
        (string Trial, long Step)? current = null;
        using var bytes = new MemoryStream();
        var expectedChunk = 0;
        while (await reader.ReadAsync(cancellation))
        {
            var (trial, step, chunk) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2));
            if (current != (trial, step))
            {
                if (Whole(current, given, bytes, expectedChunk) is { } state)
                {
                    given = state.TrialId;
                    yield return state;
                }
                (current, expectedChunk) = ((trial, step), 0);
                bytes.SetLength(0);
            }
            if (chunk == expectedChunk)
            {
                var part = (byte[])reader.GetValue(3);
                bytes.Write(part);
                expectedChunk++;
            }
            else
            {
                expectedChunk = -1;
            }
        }
        if (Whole(current, given, bytes, expectedChunk) is { } last)
        {
            yield return last;
        }
    }

    private static StoredState? Whole((string Trial, long Step)? state, string? given, MemoryStream bytes, int chunks)
    {
        if (state is not { } s || s.Trial == given || chunks <= 0)
        {
            return null;
        }
        var file = bytes.ToArray();
        return SafetensorsLength(file) == file.Length ? new StoredState(s.Trial, s.Step, file) : null;
    }

    /// <summary>The length a safetensors file declares (8-byte header size, JSON header, data to the last tensor's end); -1 when it is not one.</summary>
    public static long SafetensorsLength(byte[] file)
    {
        if (file.Length < 8)
        {
            return -1;
        }
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        if (headerLength <= 0 || headerLength > file.Length - 8)
        {
            return -1;
        }
        try
        {
            using var header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength));
            var end = 0L;
            foreach (var tensor in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
            {
                end = Math.Max(end, tensor.Value.GetProperty("data_offsets")[1].GetInt64());
            }
            return 8 + headerLength + end;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return -1;
        }
    }
}
