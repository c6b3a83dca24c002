// A final metric against a numeric swept key: one point per configuration (its seeds' mean), with a
// whisker from its seeds' min to max. uPlot draws the points (scatter mode); the whiskers are drawn in its draw hook.
"use strict";

function drawScatter(target, table, key, metric, options) {
  const points = table.groups
    .map(g => ({ x: g.key[key], s: g.metrics[metric], label: table.group_by.map(k => k + "=" + g.key[k]).join(", ") }))
    .filter(p => typeof p.x === "number" && p.s.count > 0 && (!options.logX || p.x > 0) && (!options.logY || p.s.min > 0))
    .sort((a, b) => a.x - b.x);
  const xs = points.map(p => p.x), ys = points.map(p => p.s.mean);
  const whiskers = {
    hooks: {
      draw: [u => {
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = "#1f77b488";
        ctx.lineWidth = 1.5 * devicePixelRatio;
        for (const p of points) {
          const x = u.valToPos(p.x, "x", true);
          ctx.beginPath();
          ctx.moveTo(x, u.valToPos(p.s.min, "y", true));
          ctx.lineTo(x, u.valToPos(p.s.max, "y", true));
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
  return new uPlot({
    mode: 2,
    width: Math.max(600, target.clientWidth || 900),
    height: 380,
    scales: {
      // Room around the outermost points, so that none sits on the plot's edge.
      x: { time: false, distr: options.logX ? 3 : 1, range: (u, min, max) => options.logX ? [min / 1.5, max * 1.5] : [min - (max - min || 1) * 0.05, max + (max - min || 1) * 0.05] },
      y: { distr: options.logY ? 3 : 1 },
    },
    axes: [{ label: key }, { label: metric + " (final)", size: 70 }],
    series: [null, { label: "configurations (mean of seeds; whisker: min to max)", stroke: "#1f77b4", fill: "#1f77b4", paths: uPlot.paths.points(), points: { show: true, size: 7 } }],
    plugins: [whiskers],
    legend: { live: false },
  }, [null, [xs, ys]], target);
}
