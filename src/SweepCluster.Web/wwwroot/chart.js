// Draws groups' mean curves with a ±std band using uPlot; the data arrive already reduced by the server.
"use strict";

const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"];

function drawCurves(target, curves, options) {
  const logX = options.logX, yScale = options.yScale;
  const tables = [], series = [{ label: "step" }], bands = [];
  curves.groups.forEach((group, g) => {
    const keep = group.steps.map((s, i) => i).filter(i => !logX || group.steps[i] > 0);
    const mean = keep.map(i => group.mean[i]);
    const lower = keep.map(i => group.mean[i] - group.std[i]);
    const upper = keep.map(i => group.mean[i] + group.std[i]);
    tables.push([keep.map(i => group.steps[i]), mean, lower, upper]);
    const color = palette[g % palette.length];
    const label = group.label + " (n=" + group.trials + (group.pruned ? ", " + group.pruned + " pruned" : "") + ")";
    const base = series.length;
    series.push({ label, stroke: color, width: 1.5, dash: group.pruned ? [6, 4] : undefined, spanGaps: true });
    series.push({ label: label + " -std", stroke: "transparent", spanGaps: true });
    series.push({ label: label + " +std", stroke: "transparent", spanGaps: true });
    bands.push({ series: [base + 2, base + 1], fill: color + "33" });
  });
  const data = tables.length ? uPlot.join(tables) : [[]];
  const y = yScale === "log" ? { distr: 3 } : yScale === "symlog" ? { distr: 4, asinh: 1e-3 } : {};
  const chart = new uPlot({
    width: Math.max(600, target.clientWidth || 900),
    height: 420,
    scales: { x: { time: false, distr: logX ? 3 : 1 }, y },
    axes: [{ label: "step" }, { label: curves.metric, size: 70 }],
    series,
    bands,
    legend: { live: true },
    hooks: {
      // A group shown or hidden from the legend takes its band with it.
      setSeries: [(u, i, opts) => {
        if (i === null || opts.show === undefined || (i - 1) % 3 !== 0) return;
        for (const edge of [i + 1, i + 2]) if (u.series[edge].show !== opts.show) u.setSeries(edge, { show: opts.show }, false);
      }],
    },
  }, data, target);
  // The band's edges are not groups: keep them out of the legend.
  target.querySelectorAll(".u-legend .u-series").forEach((row, i) => { if (i > 0 && (i - 1) % 3 !== 0) row.style.display = "none"; });
  return chart;
}
