using YamlDotNet.RepresentationModel;

namespace SweepCluster.Sweeps;

/// <summary>One trial key set by a grid point or a random draw, with where the key is written in the file.</summary>
internal sealed record Setting(string Key, YamlNode Value, YamlNode KeySource);
