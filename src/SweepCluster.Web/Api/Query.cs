using SweepCluster.Query.Results;

namespace SweepCluster.Web.Api;

/// <summary>The API's query-string conventions: comma-separated lists and repeated <c>where=key=value</c>.</summary>
internal static class Query
{
    public static List<string> List(string? text) =>
        text is null ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public static List<Filter> Filters(string[]? where) => (where ?? []).Where(w => w.Length > 0).Select(Filter.Parse).ToList();
}
