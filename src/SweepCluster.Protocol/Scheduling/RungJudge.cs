using SweepCluster.Protocol.Metrics;

namespace SweepCluster.Protocol.Scheduling;

/// <summary>The decision for one configuration at one rung, with the numbers behind it.</summary>
public sealed record RungVerdict(RungDecision Decision, RungEvidence Evidence);

/// <summary>
/// Decides what a configuration that has reached a rung with all its seeds does next. It is ranked among
/// every configuration that has reached the same rung so far. ASHA promotes the top 1/reduction_factor,
/// rounded down as in ASHA itself (as more configurations arrive, more are promoted: asynchronous, nobody
/// waits for a whole rung); the
/// median rule promotes what is not below the median of the others. One outside the cut waits, holding
/// no slot, while other configurations can still reach the rung. Once none can (<paramref name="final"/>),
/// it stops only if it is clearly below the cut: its confidence interval lies wholly on the wrong side of
/// the cut configuration's mean; one whose interval straddles the cut gets more seeds, up to the
/// sweep's <c>max_seeds</c> (they run to the rung and it is judged again there), and is promoted once it
/// has them all. With one seed per unit (unit: trial) the interval is the
/// value itself, which is per-trial ASHA. With a metric that means something only once the data is fit
/// (the margins), a configuration whose seeds have not all fit is judged on training loss instead: it
/// stops only if its loss is clearly above the cut's; not having fit yet is not by itself a reason.
/// </summary>
public static class RungJudge
{
    public static RungVerdict Judge(SchedulerSettings settings, long rung, string configuration, IReadOnlyDictionary<string, IReadOnlyList<RungObservation>> reached, bool final)
    {
        var metric = MetricRegistry.Get(settings.Metric);
        var needsFit = metric.MeaningfulOnceFit;
        var summaries = reached.Select(r => ReplicateSummary.Of(r.Key, r.Value, settings.Confidence))
            .OrderByDescending(s => s.Standing(needsFit, settings.Mode))
            .ThenBy(s => s.Configuration, StringComparer.Ordinal)
            .ToList();
        var self = summaries.Single(s => s.Configuration == configuration);
        var rank = summaries.IndexOf(self) + 1;
        var rule = settings.Kind == SchedulerKind.Asha ? $"asha (keep the top 1/{settings.ReductionFactor})" : "median";

        ReplicateSummary? cut;
        if (settings.Kind == SchedulerKind.Asha)
        {
            // ASHA's top |rung|/eta, rounded down: until eta configurations have reached a rung none is
            // promoted there, so the first to arrive is not promoted for being alone. Once no other can
            // arrive, the best is promoted however few reached it.
            var kept = summaries.Count / settings.ReductionFactor;
            if (final)
            {
                kept = Math.Max(kept, 1);
            }
            cut = rank <= kept ? null : summaries[Math.Max(kept - 1, 0)];
        }
        else
        {
            var others = summaries.Where(s => s != self).ToList();
            var median = others.Count >= 2 ? others[others.Count / 2] : null;
            cut = median is not null && summaries.IndexOf(median) < summaries.IndexOf(self) ? median : null;
        }

        if (cut is null)
        {
            return new(RungDecision.Continue, Evidence(rule, settings, rung, self, self, rank, summaries.Count, needsFit));
        }
        var evidence = Evidence(rule, settings, rung, self, cut, rank, summaries.Count, needsFit);
        if (!final)
        {
            return new(RungDecision.Wait, evidence);
        }
        var clearlyBelow = evidence.Basis switch
        {
            RungBasis.Loss => evidence.Lower > evidence.Cut,
            _ => settings.Mode == Goal.Max ? evidence.Upper < evidence.Cut : evidence.Lower > evidence.Cut,
        };
        if (clearlyBelow)
        {
            return new(RungDecision.Stop, evidence);
        }
        return new(settings.MaxSeeds is { } most && self.Seeds < most ? RungDecision.Replicate : RungDecision.Continue, evidence);
    }

    private static RungEvidence Evidence(string rule, SchedulerSettings settings, long rung, ReplicateSummary self, ReplicateSummary cut, int rank, int reached, bool needsFit)
    {
        var selfTier = self.Standing(needsFit, settings.Mode).Tier;
        var cutTier = cut.Standing(needsFit, settings.Mode).Tier;
        // Before its seeds fit, a margin means nothing: the configuration is compared on training loss, with
        // the cut's loss, whether or not the cut has fit.
        var basis = selfTier == 1 && cutTier == 1 ? RungBasis.Metric : RungBasis.Loss;
        var (value, cutValue) = basis == RungBasis.Loss ? (self.Loss, cut.Loss.Mean) : (self.Metric!.Value, cut.Metric!.Value.Mean);
        return new RungEvidence(rule, basis, settings.Metric, rung, self.Seeds, self.SeedsFit, value.Mean, value.Lower, value.Upper, cutValue, cut.Configuration, rank, reached);
    }
}
