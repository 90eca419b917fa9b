// evacuate mission control: the page over the HTTP API (no framework, no CDN).
"use strict";

const params = new URLSearchParams(location.search);
if (params.get("token")) sessionStorage.setItem("evacuate-token", params.get("token"));
const TOKEN = sessionStorage.getItem("evacuate-token") || "";
const $ = (id) => document.getElementById(id);
const fmt = (x) => (x === null || x === undefined ? "" :
  typeof x === "number" ? x.toLocaleString("en-US", {maximumFractionDigits: 2}) : String(x));
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const PLOT = {displaylogo: false, responsive: true};

const app = {scenario: "romulan", view: null, options: {}, live: null, source: null};

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  if (TOKEN) headers.Authorization = "Bearer " + TOKEN;
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(opts.json);
  }
  const res = await fetch(path, Object.assign({}, opts, {headers}));
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  return {ok: res.ok, status: res.status, body};
}

function status(text) { $("status").textContent = text; }

function table(el, head, rows) {
  el.innerHTML = "<thead><tr>" + head.map((h) => `<th class="${h.num ? "num" : ""}">${esc(h.t)}</th>`).join("") +
    "</tr></thead><tbody>" + rows.map((r) => "<tr>" + r.map((c, i) =>
      `<td class="${head[i].num ? "num" : ""}">${c}</td>`).join("") + "</tr>").join("") + "</tbody>";
}

// ------------------------------------------------------------------ tabs
function showTab(name) {
  document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t.id === "tab-" + name));
  window.dispatchEvent(new Event("resize"));
  if (name === "compare" || name === "analyses") loadRuns();
  if (name === "launch") loadJobs();
  if (name === "editor" && app.source === null) loadSource();
}

// ------------------------------------------------------------------ scenarios
async function loadScenarios(select) {
  const r = await api("/api/scenarios");
  const sel = $("scenario-select");
  sel.innerHTML = r.body.map((s) => `<option value="${esc(s.id)}">${esc(s.builtin ? s.id : s.name + " (" + s.id.slice(0, 6) + ")")}</option>`).join("");
  sel.value = select || app.scenario;
  app.scenario = sel.value;
}

async function loadScenario() {
  const variant = $("variant-select").value;
  const q = variant ? "?variant=" + encodeURIComponent(variant) : "";
  const r = await api(`/api/scenarios/${app.scenario}${q}`);
  if (!r.ok) { status("cannot show the scenario: " + JSON.stringify(r.body.detail)); return; }
  const v = r.body;
  app.view = v;
  $("scenario-title").textContent = v.name + (v.variant ? ` — ${v.variant}` : "");
  $("scenario-facts").textContent = `${fmt(v.population)} people to evacuate; ${v.places.length} places; ` +
    `${v.classes.length} vehicle classes; horizon ends ${v.end_label}` + (v.map.note ? ". " + v.map.note : "");
  const vsel = $("variant-select");
  if (vsel.options.length !== v.variants.length + 1) {
    vsel.innerHTML = '<option value="">(base)</option>' +
      v.variants.map((x) => `<option value="${esc(x.name)}">${esc(x.name)}</option>`).join("");
    vsel.value = variant;
  }
  $("variants-list").innerHTML = v.variants.map((x) =>
    `<li><b>${esc(x.name)}</b>: ${esc(x.description)} <small>${esc(x.changes.join("; "))}</small></li>`).join("");
  table($("events-table"), [{t: "When"}, {t: "Event"}, {t: "Mode"}, {t: "Effects"}],
    v.events.map((e) => [esc(e.label), esc(e.name) + (e.enabled ? "" : " (off)"), esc(e.mode), esc(e.effects.join("; "))]));
  const slider = $("hazard-slider");
  slider.max = Math.max(0, v.hazard.length - 1);
  slider.value = slider.max;
  drawMap("map", v, v.hazard.length ? v.hazard[slider.value] : null, []);
  drawHazardTime();
  drawFleet(v);
  fillLaunchVariants();
}

function placeTraces(v) {
  const roles = [["people", "#d9363e", "people in danger"], ["haven", "#1d7a3a", "havens"], ["other", "#7a8796", "other places"]];
  const biggest = Math.max(1, ...v.places.map((p) => Math.max(p.people, p.capacity)));
  return roles.map(([role, colour, name]) => {
    const ps = v.places.filter((p) => p.role === role);
    return {type: "scatter", mode: "markers+text", name, x: ps.map((p) => p.x), y: ps.map((p) => p.y),
      text: ps.map((p) => p.name), textposition: "top center", hovertext: ps.map((p) =>
        `${p.name}<br>people ${fmt(p.people)}<br>capacity ${fmt(p.capacity)}` + (p.deadline !== null ? `<br>deadline ${fmt(p.deadline)}` : "")),
      hoverinfo: "text", marker: {color: colour, size: ps.map((p) => 8 + 22 * Math.sqrt(Math.max(p.people, p.capacity) / biggest))}};
  });
}

function drawMap(div, v, ring, extra) {
  const traces = [];
  if (ring && ring.x.length) {
    traces.push({type: "scatter", mode: "lines", name: "hazard at " + ring.label, x: ring.x, y: ring.y,
      fill: "toself", fillcolor: "rgba(255,140,0,0.15)", line: {color: "#e07000", dash: "dot"}, hoverinfo: "name"});
  }
  traces.push(...placeTraces(v), ...extra);
  const layout = {margin: {l: 50, r: 10, t: 30, b: 40}, showlegend: true,
    legend: {orientation: "h", x: 0, y: 1.0, yanchor: "bottom"},
    xaxis: {title: {text: v.map.x_title}, zeroline: false},
    yaxis: {title: {text: v.map.y_title}, zeroline: false, scaleanchor: "x", scaleratio: v.map.aspect}};
  if (v.map.kind === "circle") { layout.xaxis.visible = false; layout.yaxis.visible = false; }
  return Plotly.react(div, traces, layout, PLOT);
}

function drawHazardTime() {
  const v = app.view;
  const ring = v.hazard[$("hazard-slider").value];
  $("hazard-time").textContent = ring ? ring.label : "(no hazard front)";
  if (ring) drawMap("map", v, ring, []);
}

function drawFleet(v) {
  const traces = v.classes.map((c) => ({type: "scatter", mode: "lines", line: {shape: "hv"}, name: c,
    x: v.fleet.map((f) => f.time), y: v.fleet.map((f) => f.counts[c].total)}));
  Plotly.react("fleet", traces, {margin: {l: 50, r: 10, t: 10, b: 40}, legend: {orientation: "h"},
    xaxis: {title: {text: v.time_unit + "s"}}, yaxis: {title: {text: "vehicles"}}}, PLOT);
}

// ------------------------------------------------------------------ editor
function gutter(issues) {
  const lines = $("source").value.split("\n").length;
  const marks = {};
  for (const i of issues || []) if (i.line) marks[i.line] = i.severity === "error" ? "err" : (marks[i.line] || "warn");
  let html = "";
  for (let k = 1; k <= lines; k++) html += `<div class="${marks[k] || ""}" data-line="${k}">${k}</div>`;
  $("gutter").innerHTML = html;
  $("gutter").scrollTop = $("source").scrollTop;
}

async function loadSource() {
  const r = await api(`/api/scenarios/${app.scenario}/source`);
  app.source = r.body;
  $("source").value = r.body;
  app.issues = [];
  gutter([]);
}

function goToLine(line) {
  const ta = $("source");
  const lines = ta.value.split("\n");
  let pos = 0;
  for (let k = 0; k < line - 1 && k < lines.length; k++) pos += lines[k].length + 1;
  ta.focus();
  ta.setSelectionRange(pos, pos + (lines[line - 1] || "").length);
  ta.scrollTop = Math.max(0, (line - 5) * 18);
  $("gutter").scrollTop = ta.scrollTop;
}

function showIssues(valid, issues) {
  issues = [...issues].sort((a, b) => (a.line || 0) - (b.line || 0));
  app.issues = issues;
  gutter(issues);
  $("editor-verdict").className = valid ? "ok" : "bad";
  const errors = issues.filter((i) => i.severity === "error").length;
  $("editor-verdict").textContent = valid ? "valid" + (issues.length ? ` (${issues.length} warnings)` : "") : `${errors} error(s)`;
  $("issues").innerHTML = issues.map((i) => `<li class="${i.severity}" data-line="${i.line || ""}">` +
    `${i.line ? "line " + i.line + ": " : ""}${esc(i.path ? i.path + ": " : "")}${esc(i.message)}</li>`).join("");
}

async function check() {
  const r = await api("/api/scenarios/validate", {method: "POST", json: {name: $("file-name").value, text: $("source").value}});
  if (r.status === 413) { showIssues(false, [{severity: "error", message: r.body.detail, line: null, path: ""}]); return; }
  showIssues(r.body.valid, r.body.issues);
}

async function save() {
  const r = await api("/api/scenarios", {method: "POST", json: {name: $("file-name").value, text: $("source").value}});
  if (r.status === 201) {
    showIssues(true, r.body.issues);
    $("editor-verdict").textContent = "saved as " + r.body.id;
    app.scenario = r.body.id;
    app.source = $("source").value;
    await loadScenarios(r.body.id);
    $("variant-select").innerHTML = '<option value="">(base)</option>';
    await loadScenario();
  } else if (r.status === 422 && r.body.issues) {
    showIssues(false, r.body.issues);
  } else {
    showIssues(false, [{severity: "error", message: JSON.stringify(r.body.detail), line: null, path: ""}]);
  }
}

// ------------------------------------------------------------------ launch
async function loadOptions() {
  app.options = (await api("/api/options")).body;
  $("kind-select").innerHTML = Object.keys(app.options).map((k) => `<option>${k}</option>`).join("");
  $("kind-select").value = "simulate";
  drawOptions();
}

function drawOptions() {
  const kind = $("kind-select").value;
  const form = $("options-form");
  form.innerHTML = app.options[kind].map((o) => {
    const label = `${o.name.replace(/_/g, " ")} <small>${esc(o.flag)}</small>`;
    const title = esc(o.help);
    if (o.name === "variant" || o.name === "variants") {
      return `<label title="${title}">${label}<select name="${o.name}" ${o.name === "variants" ? "multiple" : ""} data-variants="1"></select></label>`;
    }
    if (o.choices) {
      return `<label title="${title}">${label}<select name="${o.name}">` +
        o.choices.map((c) => `<option ${c === o.default ? "selected" : ""}>${esc(c)}</option>`).join("") + "</select></label>";
    }
    if (o.type === "boolean") return `<label title="${title}">${label}<input type="checkbox" name="${o.name}" ${o.default ? "checked" : ""}></label>`;
    if (o.type === "string") return `<label title="${title}">${label}<input type="text" name="${o.name}" value="${esc(o.default ?? "")}"></label>`;
    const step = o.type === "integer" ? "1" : "any";
    return `<label title="${title}">${label}<input type="number" step="${step}" name="${o.name}" value="${o.default ?? ""}"` +
      (o.default === null ? ' placeholder="the scenario\'s"' : "") +
      `${o.minimum !== null ? ` min="${o.minimum}"` : ""}${o.maximum !== null ? ` max="${o.maximum}"` : ""}></label>`;
  }).join("");
  fillLaunchVariants();
}

function fillLaunchVariants() {
  if (!app.view) return;
  const chosen = $("variant-select").value;
  document.querySelectorAll("select[data-variants]").forEach((sel) => {
    const multi = sel.multiple;
    sel.innerHTML = (multi ? "" : '<option value="">(base)</option>') +
      app.view.variants.map((x) => `<option ${!multi && x.name === chosen ? "selected" : ""}>${esc(x.name)}</option>`).join("");
  });
}

async function launch(kind, options) {
  const r = await api("/api/jobs", {method: "POST", json: {kind, scenario: app.scenario, options}});
  if (!r.ok) { $("launch-verdict").textContent = "refused: " + JSON.stringify(r.body.detail); $("launch-verdict").className = "bad"; return null; }
  $("launch-verdict").className = "ok";
  $("launch-verdict").textContent = `job ${r.body.id} ${r.body.state}`;
  loadJobs();
  watch(r.body.id, kind);
  return r.body;
}

async function launchVariants() {
  // the demo's runs: one simulation per variant (the launch form's other options apply)
  if ($("kind-select").value !== "simulate") { $("kind-select").value = "simulate"; drawOptions(); }
  const opts = formOptions();
  const names = app.view.variants.map((x) => x.name);
  for (const name of names.length ? names : [null]) {
    const r = await api("/api/jobs", {method: "POST", json: {kind: "simulate", scenario: app.scenario,
      options: Object.assign({}, opts, {variant: name})}});
    if (!r.ok) { $("launch-verdict").className = "bad"; $("launch-verdict").textContent = "refused: " + JSON.stringify(r.body.detail); return; }
  }
  $("launch-verdict").className = "ok";
  $("launch-verdict").textContent = `${names.length || 1} simulations queued`;
  loadJobs();
}

function formOptions() {
  const kind = $("kind-select").value;
  const out = {};
  for (const o of app.options[kind]) {
    const el = $("options-form").elements[o.name];
    if (!el) continue;
    if (o.type === "boolean") out[o.name] = el.checked;
    else if (el.multiple) { const vs = [...el.selectedOptions].map((x) => x.value); if (vs.length) out[o.name] = vs; }
    else if (el.value === "") continue;
    else if (o.type === "integer") out[o.name] = parseInt(el.value, 10);
    else if (o.type === "number") out[o.name] = parseFloat(el.value);
    else out[o.name] = el.value;
  }
  return out;
}

async function loadJobs() {
  const jobs = (await api("/api/jobs")).body;
  table($("jobs-table"), [{t: "Job"}, {t: "Kind"}, {t: "Scenario"}, {t: "State"}, {t: "Progress", num: true}, {t: "Message"}, {t: ""}],
    jobs.map((j) => [esc(j.id), esc(j.kind), esc(j.scenario_id || ""), `<span class="state-${j.state}">${esc(j.state)}</span>` +
      (j.queue_position !== null ? ` #${j.queue_position + 1}` : ""), Math.round(100 * j.progress) + "%", esc(j.message || ""),
      `<button data-watch="${esc(j.id)}" data-kind="${esc(j.kind)}">watch</button>`]));
}

// ------------------------------------------------------------------ live
function watch(jobId, kind) {
  if (app.live && app.live.source) app.live.source.close();
  const v = app.view;
  const live = app.live = {id: jobId, kind, times: [], rescued: [], total: 0, transit: new Map(), shown: 0, now: 0, source: null};
  $("live-title").textContent = `${kind} job ${jobId}`;
  $("live-events").innerHTML = "";
  $("cancel-button").disabled = false;
  setProgress(0, "queued");
  // only a simulation streams its log: the growing curve and the moving vehicles are its own
  const simulation = kind === "simulate";
  $("live-curve").hidden = $("live-map").hidden = !simulation;
  if (simulation) {
    Plotly.react("live-curve", [{type: "scatter", mode: "lines", line: {shape: "hv"}, name: "rescued", x: [], y: []}],
      {margin: {l: 70, r: 10, t: 10, b: 40}, xaxis: {title: {text: v ? v.time_unit + "s" : "time"}}, yaxis: {title: {text: "people rescued"}}}, PLOT);
    if (v) drawMap("live-map", v, null, [vehicleTrace(live)]);
  }
  const q = TOKEN ? "?token=" + encodeURIComponent(TOKEN) : "";
  const src = live.source = new EventSource(`/api/jobs/${jobId}/events${q}`);
  src.addEventListener("progress", (e) => { const m = JSON.parse(e.data); setProgress(m.progress, m.message); });
  src.addEventListener("state", (e) => { const m = JSON.parse(e.data); if (m.message) setProgress(m.state === "done" ? 1 : null, m.state + ": " + m.message); else setProgress(null, m.state); });
  src.addEventListener("events", (e) => liveEvents(live, JSON.parse(e.data)));
  src.addEventListener("end", (e) => {
    const job = JSON.parse(e.data);
    src.close();
    $("cancel-button").disabled = true;
    setProgress(job.state === "done" ? 1 : null, job.state + (job.message ? ": " + job.message : ""));
    document.body.dataset.lastJob = job.id;
    document.body.dataset.lastJobState = job.state;
    document.body.dataset.lastRun = job.run_id || "";
    loadJobs();
    if ((kind === "sabotage" || kind === "sweep") && job.state === "done" && job.run_id) {
      showTab("analyses");
      showAnalysis(job.run_id);
    }
  });
  showTab("live");
}

function setProgress(frac, message) {
  if (frac !== null && frac !== undefined) {
    $("live-bar").style.width = (100 * frac).toFixed(1) + "%";
    $("live-progress").textContent = Math.round(100 * frac) + "%";
  }
  if (message) $("live-message").textContent = message;
}

function vehicleTrace(live) {
  const v = app.view;
  const pos = {};
  if (v) for (const p of v.places) pos[p.id] = [p.x, p.y];
  const xs = [], ys = [], texts = [];
  for (const [g, t] of live.transit) {
    const a = pos[t.from], b = pos[t.to];
    if (!a || !b) continue;
    // where the group is on its way: by the time it took last time on this leg, else halfway
    const span = live.legs && live.legs[t.from + ">" + t.to];
    const f = span ? Math.min(1, Math.max(0, (live.now - t.at) / span)) : 0.5;
    xs.push(a[0] + f * (b[0] - a[0])); ys.push(a[1] + f * (b[1] - a[1]));
    texts.push(`${g}: ${fmt(t.vehicles)} ${t.cls} → ${t.to}, ${fmt(t.people)} on board`);
  }
  return {type: "scatter", mode: "markers", name: "vehicles in transit", x: xs, y: ys, hovertext: texts, hoverinfo: "text",
    marker: {symbol: "triangle-up", size: 11, color: "#2c7be5", line: {color: "#fff", width: 1}}};
}

function liveEvents(live, msg) {
  live.legs = live.legs || {};
  const havens = new Set(app.view ? app.view.places.filter((p) => p.haven).map((p) => p.id) : []);
  const list = $("live-events");
  let added = "";
  for (const e of msg.events) {
    live.now = Math.max(live.now, e.time);
    if (e.kind === "depart") live.transit.set(e.group, {from: e.place, to: e.other, at: e.time, vehicles: e.vehicles, people: e.people, cls: e.class});
    if (e.kind === "arrive") {
      const t = live.transit.get(e.group);
      if (t) live.legs[t.from + ">" + t.to] = Math.max(1e-9, e.time - t.at);
      live.transit.delete(e.group);
      if (havens.has(e.place) && e.people) { live.total += e.people; live.times.push(e.time); live.rescued.push(live.total); }
    }
    if (e.kind === "lost_vehicles" && e.group) live.transit.delete(e.group);
    if (["event", "replan", "lost_people", "lost_vehicles", "breakdown", "withdrawn"].includes(e.kind)) {
      added = `<li class="flash ${e.kind}">t=${fmt(e.time)} <b>${esc(e.kind)}</b> ${esc(e.place)} ` +
        `${e.people ? fmt(e.people) + " people " : ""}${e.vehicles ? fmt(e.vehicles) + " vehicles " : ""}${esc(e.detail)}</li>` + added;
      live.shown++;
    }
  }
  if (added) list.insertAdjacentHTML("afterbegin", added);
  while (list.children.length > 300) list.removeChild(list.lastChild);
  Plotly.restyle("live-curve", {x: [live.times], y: [live.rescued]}, [0]);
  if (app.view) drawMap("live-map", app.view, null, [vehicleTrace(live)]);
}

// ------------------------------------------------------------------ runs and comparison
async function loadRuns() {
  const runs = (await api("/api/runs")).body;
  app.runs = runs;
  table($("runs-table"), [{t: ""}, {t: "Run"}, {t: "Label"}, {t: "Kind"}, {t: "Rescued", num: true}, {t: "Files"}],
    runs.map((r) => [`<input type="checkbox" class="run-pick" value="${esc(r.id)}">`, esc(r.id), esc(r.label), esc(r.kind),
      fmt(typeof r.headline.rescued === "number" ? r.headline.rescued : ""),
      r.artifacts.filter((a) => a !== "result.json").map((a) => `<a href="/api/runs/${esc(r.id)}/artifacts/${esc(a)}${TOKEN ? "?token=" + encodeURIComponent(TOKEN) : ""}">${esc(a)}</a>`).join(" ")]));
  const analyses = runs.filter((r) => r.kind === "sabotage" || r.kind === "sweep");
  $("analyses-note").hidden = analyses.length > 0;
  table($("analyses-table"), [{t: "Run"}, {t: "Kind"}, {t: "Label"}, {t: "Status"}, {t: ""}],
    analyses.map((r) => [esc(r.id), esc(r.kind), esc(r.label), esc(r.status),
      `<button data-analysis="${esc(r.id)}">show</button>`]));
}

// ------------------------------------------------------------------ sabotage and sweep results
async function showAnalysis(runId) {
  // the report's own sections for the analysis: the same figures (plotly JSON) and tables
  const r = await api(`/api/runs/${runId}`);
  if (!r.ok) { status("analysis: " + JSON.stringify(r.body.detail)); return; }
  const res = r.body.result;
  const box = $("analysis");
  const sections = res.sections || [];
  box.innerHTML = `<h2>${esc(res.label || runId)}</h2><p class="facts">${esc(res.message || "")}</p>` +
    sections.map((sec, i) => `<section class="analysis-section" id="analysis-${esc(sec.id)}"><h3>${esc(sec.title)}</h3>` +
      `<p>${esc(sec.lede)}</p>` + sec.figures.map((_, k) => `<div class="chart" id="analysis-fig-${i}-${k}"></div>`).join("") +
      (sec.note ? `<p class="help">${esc(sec.note)}</p>` : "") + `<div class="analysis-html">${sec.html}</div></section>`).join("");
  let drawn = 0;
  for (const [i, sec] of sections.entries()) {
    for (const [k, fig] of sec.figures.entries()) {
      await Plotly.react(`analysis-fig-${i}-${k}`, fig.data, Object.assign({}, fig.layout, {autosize: true}), PLOT);
      drawn++;
    }
  }
  document.body.dataset.analysis = runId;
  document.body.dataset.analysisFigures = String(drawn);
}

async function compare(ids) {
  const r = await api("/api/compare?runs=" + ids.join(","));
  if (!r.ok) { status("compare: " + JSON.stringify(r.body.detail)); return; }
  const c = r.body;
  const labels = c.runs.map((x) => x.label);
  table($("compare-headline"), [{t: ""}, ...labels.map((l) => ({t: l, num: true})), ...labels.slice(1).map((l) => ({t: "Δ " + l, num: true}))],
    c.headline.map((h) => [esc(h.name), ...h.values.map(fmt), ...h.differences.slice(1).map((d) => (d > 0 ? "+" : "") + fmt(d))]));
  Plotly.react("compare-curves", c.runs.filter((x) => x.curve).map((x) => ({type: "scatter", mode: "lines", line: {shape: "hv"},
    name: x.label, x: x.curve.times, y: x.curve.values})),
  {margin: {l: 70, r: 10, t: 10, b: 40}, legend: {orientation: "h"}, yaxis: {title: {text: "people rescued"}}}, PLOT);
  table($("compare-places"), [{t: "Place"}, ...labels.map((l) => ({t: "rescued " + l, num: true})), ...labels.map((l) => ({t: "lost " + l, num: true}))],
    c.places.map((p) => [esc(p.place), ...p.rescued.map(fmt), ...p.lost.map(fmt)]));
  $("compare-differences").innerHTML = c.differences.map((d) => `<li>${esc(d.run)}: ${esc(d.name)} ${d.difference > 0 ? "+" : ""}${fmt(d.difference)}</li>`).join("");
  document.body.dataset.compared = String(c.runs.length);
}

// ------------------------------------------------------------------ wiring
window.addEventListener("DOMContentLoaded", async () => {
  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
  $("scenario-select").addEventListener("change", async (e) => {
    app.scenario = e.target.value; app.source = null;
    $("variant-select").innerHTML = '<option value="">(base)</option>';
    await loadScenario();
  });
  $("variant-select").addEventListener("change", loadScenario);
  $("hazard-slider").addEventListener("input", drawHazardTime);
  $("source").addEventListener("input", () => gutter(app.issues));
  $("source").addEventListener("scroll", () => { $("gutter").scrollTop = $("source").scrollTop; });
  $("file-input").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (!f) return;
    $("file-name").value = f.name;
    $("source").value = await f.text();
    gutter([]);
    await check();
  });
  $("check-button").addEventListener("click", check);
  $("save-button").addEventListener("click", save);
  $("issues").addEventListener("click", (e) => { const l = parseInt(e.target.dataset.line, 10); if (l) goToLine(l); });
  $("kind-select").addEventListener("change", drawOptions);
  $("launch-button").addEventListener("click", () => launch($("kind-select").value, formOptions()));
  $("variants-button").addEventListener("click", launchVariants);
  $("jobs-table").addEventListener("click", (e) => { if (e.target.dataset.watch) watch(e.target.dataset.watch, e.target.dataset.kind); });
  $("cancel-button").addEventListener("click", async () => { if (app.live) await api(`/api/jobs/${app.live.id}/cancel`, {method: "POST"}); });
  $("analyses-table").addEventListener("click", (e) => { if (e.target.dataset.analysis) showAnalysis(e.target.dataset.analysis); });
  $("compare-button").addEventListener("click", () => compare([...document.querySelectorAll(".run-pick:checked")].map((x) => x.value)));
  await loadScenarios();
  await loadOptions();
  await loadScenario();
  status("ready");
  document.body.dataset.ready = "1";
});
