namespace SweepCluster.Query;

/// <summary>A query the user asked for cannot be answered as asked (unknown study, key or metric); the message says which and why.</summary>
public sealed class QueryException(string message) : Exception(message);
