using Spectre.Console;
using Spectre.Console.Rendering;

namespace SweepCluster.Cli.Terminal;

/// <summary>
/// A table that fits its width without cutting or wrapping a header or a number: when its columns do not
/// fit side by side, they are stacked as several tables that each repeat the key columns, in order. Cells
/// are plain text (escaped here). A text column marked wrappable (a reason, say) is the only one allowed to
/// wrap, and goes last.
/// </summary>
internal sealed class FittedTable(string? title, IReadOnlyList<string> keys)
{
    private readonly List<Column> _columns = [];
    private readonly List<string[]> _rows = [];

    private sealed record Column(string Header, bool RightAligned, bool Wrappable);

    /// <summary>A line under the tables: what a column means where its header cannot say it.</summary>
    public string? Footnote { get; set; }

    public FittedTable AddColumn(string header, bool rightAligned = false, bool wrappable = false)
    {
        _columns.Add(new Column(header, rightAligned, wrappable));
        return this;
    }

    /// <summary>One row: the key cells, then one cell per added column.</summary>
    public void AddRow(IEnumerable<string> cells)
    {
        var row = cells.ToArray();
        if (row.Length != keys.Count + _columns.Count)
        {
            throw new ArgumentException($"a row has {row.Length} cells for {keys.Count + _columns.Count} columns");
        }
        _rows.Add(row);
    }

    public void Write(IAnsiConsole console, TableBorder? border = null) => console.Write(Render(console.Profile.Width, border ?? TableBorder.Rounded));

    /// <summary>The tables, one under the other, at most <paramref name="width"/> columns wide where anything fits that narrow.</summary>
    public IRenderable Render(int width, TableBorder border)
    {
        var parts = new List<IRenderable>();
        if (title is not null)
        {
            parts.Add(new Text(title));
        }
        var keyWidth = 1 + Enumerable.Range(0, keys.Count).Sum(k => Natural(keys[k], k) + 3);
        var chunk = new List<int>();
        var used = keyWidth;
        for (var c = 0; c < _columns.Count; c++)
        {
            var need = _columns[c].Wrappable ? Math.Min(Natural(_columns[c].Header, keys.Count + c), 12) + 3 : Natural(_columns[c].Header, keys.Count + c) + 3;
            if (chunk.Count > 0 && used + need > width)
            {
                parts.Add(Table(chunk, width - used, border));
                chunk = [];
                used = keyWidth;
            }
            chunk.Add(c);
            used += need;
        }
        if (chunk.Count > 0 || _columns.Count == 0)
        {
            parts.Add(Table(chunk, width - used, border));
        }
        if (Footnote is not null)
        {
            parts.Add(new Text(Footnote));
        }
        return new Rows(parts);
    }

    private Table Table(List<int> columns, int spare, TableBorder border)
    {
        var table = new Table().Border(border);
        foreach (var key in keys)
        {
            table.AddColumn(new TableColumn(Markup.Escape(key)).NoWrap());
        }
        foreach (var c in columns)
        {
            var column = new TableColumn(Markup.Escape(_columns[c].Header));
            if (_columns[c].RightAligned)
            {
                column.RightAligned();
            }
            if (_columns[c].Wrappable)
            {
                // Whatever room is left in this table, and never narrower than its own header.
                var natural = Natural(_columns[c].Header, keys.Count + c);
                column.Width = Math.Max(_columns[c].Header.Length, Math.Min(natural, Math.Min(natural, 12) + spare));
            }
            else
            {
                column.NoWrap();
            }
            table.AddColumn(column);
        }
        foreach (var row in _rows)
        {
            table.AddRow([.. row.Take(keys.Count).Select(Markup.Escape), .. columns.Select(c => Markup.Escape(row[keys.Count + c]))]);
        }
        return table;
    }

    private int Natural(string header, int index) => Math.Max(header.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[index].Length));
}
