using System.Globalization;
using System.Text;
using System.Text.Json;
using SweepCluster.Protocol.Study;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Results;

/// <summary>Builds a <see cref="ParameterTable"/> from one study's trials, a row per trial.</summary>
internal sealed class ParameterFlattener
{
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly List<ParameterValue[]> _rows = [];
    private readonly Dictionary<string, ParameterValue[]> _configurations = new(StringComparer.Ordinal);

    public ParameterTable ToTable() => new(_names, _columns, _rows);

    /// <summary>A trial from its spec.</summary>
    public void Add(string specJson) => _rows.Add(Flatten(specJson));

    /// <summary>A trial from its <see cref="ReplicateConfig"/> and seed: each configuration is read once, however many seeds it has.</summary>
    public void AddReplicate(string configJson, int seed)
    {
        if (!_configurations.TryGetValue(configJson, out var configuration))
        {
            _configurations[configJson] = configuration = Flatten(configJson);
        }
        var row = (ParameterValue[])configuration.Clone();
        if (_columns.TryGetValue(ReplicateConfig.SeedKey, out var column) && column < row.Length && row[column].Text is not null)
        {
            row[column] = new ParameterValue(seed.ToString(CultureInfo.InvariantCulture), seed);
        }
        _rows.Add(row);
    }

    private ParameterValue[] Flatten(string json)
    {
        var values = new List<(int Column, ParameterValue Value)>();
        var prefixes = new Stack<string>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        string? name = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var property = reader.GetString()!;
                    name = prefixes.Count == 0 ? property : $"{prefixes.Peek()}.{property}";
                    break;
                case JsonTokenType.StartObject:
                    if (name is not null)
                    {
                        prefixes.Push(name);
                        name = null;
                    }
                    break;
                case JsonTokenType.EndObject:
                    if (prefixes.Count > 0)
                    {
                        prefixes.Pop();
                    }
                    break;
                case JsonTokenType.StartArray:
                    using (var array = JsonDocument.ParseValue(ref reader))
                    {
                        values.Add((Column(name!), ParameterValue.From(array.RootElement)));
                    }
                    break;
                case JsonTokenType.Number:
                    values.Add((Column(name!), new ParameterValue(Encoding.UTF8.GetString(reader.ValueSpan), reader.GetDouble())));
                    break;
                case JsonTokenType.String:
                    values.Add((Column(name!), new ParameterValue(reader.GetString()!, null)));
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    values.Add((Column(name!), new ParameterValue(reader.GetBoolean() ? "true" : "false", null)));
                    break;
                case JsonTokenType.Null:
                    values.Add((Column(name!), ParameterValue.Missing));
                    break;
            }
        }
        var row = new ParameterValue[_names.Count];
        foreach (var (column, value) in values)
        {
            row[column] = value;
        }
        return row;
    }

    private int Column(string name)
    {
        if (!_columns.TryGetValue(name, out var column))
        {
            column = _names.Count;
            _columns[name] = column;
            _names.Add(name);
        }
        return column;
    }
}
