// The study page: counts that follow the study live, its curves per group, its results and its trials.
"use strict";

const study = new URLSearchParams(location.search).get("study");
const state = { offset: 0, limit: 50, sort: "ordinal", order: "asc", chart: null, detail: null };
const $ = id => document.getElementById(id);

function showSummary(s) {
  if (!s) return;
  $("title").textContent = s.study_id;
  $("description").textContent = s.description || "";
  for (const td of document.querySelectorAll("#counts [data-count]")) td.textContent = s[td.dataset.count];
  document.querySelector('#counts [data-field="phase"]').textContent = s.phase;
  document.querySelector('#counts [data-field="progress"]').textContent = Math.round(s.progress * 100) + "%";
  document.querySelector('#counts [data-field="elapsed"]').textContent = duration(s.elapsed_seconds);
  document.querySelector('#counts [data-field="eta"]').textContent = duration(s.eta_seconds);
}

function wherePairs() {
  return $("where").value.split(",").map(w => w.trim()).filter(w => w.length > 0);
}

function resultsQuery(format) {
  const q = new URLSearchParams({ at: $("at").value || "final", format });
  const groupBy = $("group-by").value.trim();
  if (groupBy) q.set("group_by", groupBy);
  for (const w of wherePairs()) q.append("where", w);
  return "/api/studies/" + encodeURIComponent(study) + "/results?" + q;
}

async function loadCurves() {
  const q = new URLSearchParams({ metric: $("metric").value });
  const groupBy = $("group-by").value.trim();
  if (groupBy) q.set("group_by", groupBy);
  for (const w of wherePairs()) q.append("where", w);
  const curves = await api("/api/studies/" + encodeURIComponent(study) + "/curves?" + q);
  $("curves-parquet").href = "/api/studies/" + encodeURIComponent(study) + "/curves?" + q + "&format=parquet";
  const chosen = new URLSearchParams();
  for (const w of wherePairs()) chosen.append("where", w);
  $("checkpoints-parquet").href = "/api/studies/" + encodeURIComponent(study) + "/checkpoints?" + chosen;
  const hidden = new Set();
  if (state.chart) {
    state.chart.series.forEach((s, i) => { if (i > 0 && (i - 1) % 3 === 0 && !s.show) hidden.add(s.label); });
    state.chart.destroy();
  }
  state.chart = drawCurves($("chart"), curves, { logX: $("log-x").checked, yScale: $("y-scale").value });
  state.chart.series.forEach((s, i) => { if (hidden.has(s.label)) state.chart.setSeries(i, { show: false }); });
  $("chart").dataset.groups = curves.groups.length;
}

async function loadResults() {
  const response = await fetch(resultsQuery("json"));
  const table = await response.json();
  if (!response.ok) throw new Error(table.error);
  $("csv").href = resultsQuery("csv");
  const metrics = table.groups.length ? Object.keys(table.groups[0].metrics) : [];
  const head = document.createElement("tr");
  for (const key of [...table.group_by, "trials", "pruned", ...metrics]) {
    const th = document.createElement("th");
    th.textContent = key;
    head.appendChild(th);
  }
  $("results").tHead.replaceChildren(head);
  const body = $("results").tBodies[0];
  body.replaceChildren();
  for (const group of table.groups) {
    const row = document.createElement("tr");
    for (const key of table.group_by) cell(row, group.key[key] ?? "-");
    cell(row, group.trials, "num");
    cell(row, group.pruned, "num");
    for (const m of metrics) {
      const s = group.metrics[m];
      const td = cell(row, s.count === 0 ? "-" : s.std === null ? number(s.mean) : number(s.mean) + " ± " + number(s.std, 2), "num");
      td.dataset.metric = m;
      td.dataset.mean = s.mean ?? "";
    }
    body.appendChild(row);
  }
}

async function loadTrials() {
  const q = new URLSearchParams({ offset: state.offset, limit: state.limit, sort: state.sort, order: state.order });
  if ($("status").value) q.set("status", $("status").value);
  for (const w of wherePairs()) q.append("where", w);
  const page = await api("/api/studies/" + encodeURIComponent(study) + "/trials?" + q);
  const columns = ["trial", "status", ...page.keys, "last_step", "loss", "margin_l1", "margin_l2", "margin_linf"];
  const sortKey = c => c === "trial" ? "ordinal" : c;
  const head = document.createElement("tr");
  for (const c of columns) {
    const th = document.createElement("th");
    th.textContent = c + (state.sort === sortKey(c) ? (state.order === "asc" ? " ▲" : " ▼") : "");
    th.className = "sortable";
    th.onclick = () => {
      state.order = state.sort === sortKey(c) && state.order === "asc" ? "desc" : "asc";
      state.sort = sortKey(c);
      state.offset = 0;
      loadTrials().catch(showError);
    };
    head.appendChild(th);
  }
  $("trials").tHead.replaceChildren(head);
  const body = $("trials").tBodies[0];
  body.replaceChildren();
  for (const t of page.trials) {
    const row = document.createElement("tr");
    const link = document.createElement("a");
    link.href = "trial.html?study=" + encodeURIComponent(study) + "&trial=" + encodeURIComponent(t.trial_id);
    link.textContent = t.trial_id;
    cell(row, "").appendChild(link);
    cell(row, t.state);
    for (const k of page.keys) cell(row, t.keys[k]);
    cell(row, t.last_step + "/" + t.steps, "num");
    for (const m of ["loss", "margin_l1", "margin_l2", "margin_linf"]) cell(row, number(t.latest[m]), "num");
    body.appendChild(row);
  }
  const last = Math.min(page.offset + page.limit, page.total);
  $("page").textContent = (page.total ? page.offset + 1 : 0) + "-" + last + " of " + page.total;
  $("page").dataset.total = page.total;
  $("prev").disabled = page.offset === 0;
  $("next").disabled = last >= page.total;
}

async function loadScatter() {
  const key = $("scatter-key").value;
  if (!key) return;
  const metric = $("scatter-metric").value;
  const groupBy = [...new Set([...state.detail.default_group_by, key])];
  const q = new URLSearchParams({ group_by: groupBy.join(","), metrics: metric });
  for (const w of wherePairs()) q.append("where", w);
  const table = await api("/api/studies/" + encodeURIComponent(study) + "/results?" + q);
  if (state.scatter) state.scatter.destroy();
  state.scatter = drawScatter($("scatter"), table, key, metric, { logX: $("scatter-log-x").checked, logY: $("scatter-log-y").checked });
  $("scatter").dataset.points = state.scatter.data[1][0].length;
}

function reloadAll() {
  return Promise.all([loadCurves(), loadScatter(), loadResults(), loadTrials()]).then(() => showError(null), showError);
}

let pending = null;
function reloadSoon() {
  // A running study changes every second: redraw at most every two.
  if (pending) return;
  pending = setTimeout(() => { pending = null; reloadAll(); }, 2000);
}

async function start() {
  if (!study) { showError("no study given: open this page as study.html?study=NAME"); return; }
  try {
    state.detail = await api("/api/studies/" + encodeURIComponent(study));
  } catch (e) { showError(e); return; }
  showSummary(state.detail.study);
  for (const m of state.detail.metrics) {
    const option = document.createElement("option");
    option.textContent = m;
    $("metric").appendChild(option);
  }
  $("metric").value = state.detail.metrics.includes("margin_l2") ? "margin_l2" : state.detail.metrics[0];
  $("group-by").value = state.detail.default_group_by.join(",");
  for (const k of state.detail.numeric_keys) {
    const option = document.createElement("option");
    option.textContent = k;
    $("scatter-key").appendChild(option);
  }
  for (const m of state.detail.metrics) {
    const option = document.createElement("option");
    option.textContent = m;
    $("scatter-metric").appendChild(option);
  }
  $("scatter-key").value = state.detail.numeric_keys.includes("lr") ? "lr" : (state.detail.numeric_keys[0] || "");
  $("scatter-metric").value = $("metric").value;
  for (const id of ["scatter-key", "scatter-metric", "scatter-log-x", "scatter-log-y"]) $(id).onchange = () => loadScatter().then(() => showError(null), showError);
  for (const id of ["metric", "log-x", "y-scale"]) $(id).onchange = () => loadCurves().then(() => showError(null), showError);
  for (const id of ["group-by", "where", "at"]) $(id).onchange = () => { state.offset = 0; reloadAll(); };
  $("status").onchange = () => { state.offset = 0; loadTrials().catch(showError); };
  $("prev").onclick = () => { state.offset = Math.max(0, state.offset - state.limit); loadTrials().catch(showError); };
  $("next").onclick = () => { state.offset += state.limit; loadTrials().catch(showError); };
  await reloadAll();
  const live = new EventSource("/api/studies/" + encodeURIComponent(study) + "/live");
  let first = true;
  live.addEventListener("status", event => {
    showSummary(JSON.parse(event.data));
    if (!first) reloadSoon();
    first = false;
  });
}

start();
