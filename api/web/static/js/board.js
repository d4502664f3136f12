// The coordinator's day board: a timeline per staff member, the routes on a map, what could not
// be planned and why, the day's figures per municipality; plan, publish, take an urgent request
// (recommendations, replan, the diff, publish) and move a visit by hand after the server has
// checked it. Everything goes through /api/v1 with the session cookie.

import { api, ApiError } from "./api.js";
import { loadWords, t, time, minutes, km, number, longDate, osloToday } from "./i18n.js";

const root = document.getElementById("board");
const tileUrl = root.dataset.tileUrl;
const COLOURS = ["#0b5d6b", "#b5432a", "#5b4fa8", "#2f7d32", "#a6610a", "#8e2c63", "#245f9c", "#6b6b00", "#00796b", "#c2185b", "#455a64", "#7b5e00"];
const UNPLANNED = ["queued", "solving"];

const state = {
  date: new URLSearchParams(location.search).get("date") ?? osloToday(),
  scope: new URLSearchParams(location.search).get("scope") ?? "all",
  plans: [], plan: null, visits: new Map(), patients: new Map(), staff: new Map(), bases: [],
  municipalities: [], progress: new Map(), map: null, mapLayer: null, urgent: null,
  acks: new Map(),
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "style") for (const [key, v] of Object.entries(value)) node.style.setProperty(key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), v);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const $ = (id) => document.getElementById(id);
const colourOf = (index) => COLOURS[index % COLOURS.length];

function say(text, kind = "") {
  const status = $("status");
  status.className = `status ${kind}`;
  status.textContent = text;
}

// An error in words: a 409 says who changed the plan and what to do; the rest gives the
// server's message and the field it names.
function explain(error) {
  if (error instanceof ApiError && error.status === 409) {
    const current = error.body.current_version;
    return current ? t("board.conflict_version", { version: current }) : t("board.conflict", { detail: error.message });
  }
  if (error instanceof ApiError && error.status === 503) return t("board.queue_down");
  return error.message;
}

// After a 409 the board loads the version that is current now, then says what happened in the
// panel `panelId` (drawn anew by the reload).
async function reportConflict(error, panelId) {
  if (error instanceof ApiError && error.status === 409 && error.body.current_plan_id) {
    await refresh(error.body.current_plan_id);
  }
  const text = explain(error);
  if (panelId) $(panelId).append(el("p", { class: "bad", role: "alert" }, text));
  else say(text, "bad");
}

async function all(path) {
  const items = [];
  for (let offset = 0; ; offset += 500) {
    const { data } = await api(`${path}${path.includes("?") ? "&" : "?"}limit=500&offset=${offset}`);
    items.push(...data.items);
    if (items.length >= data.total || data.items.length === 0) return items;
  }
}

// --- layout ---------------------------------------------------------------------------------

function layout() {
  const scopes = [el("option", { value: "all" }, t("board.scope_all")), ...state.municipalities.map((m) => el("option", { value: m.code }, m.name))];
  root.replaceChildren(
    el("h1", { class: "visually-hidden" }, t("board.title")),
    el("section", { class: "controls", "aria-label": t("board.controls") },
      el("label", {}, t("board.date"), " ", el("input", { id: "date", type: "date", value: state.date, onchange: (e) => { state.date = e.target.value; refresh(); } })),
      el("label", {}, t("board.scope"), " ", el("select", { id: "scope", onchange: (e) => { state.scope = e.target.value; refresh(); } }, scopes)),
      el("label", {}, t("board.version"), " ", el("select", { id: "version", onchange: (e) => openPlan(Number(e.target.value)) })),
      el("button", { type: "button", id: "plan-day", onclick: planDay }, t("board.plan")),
      el("button", { type: "button", id: "publish", class: "primary", onclick: () => publish(state.plan?.id) }, t("board.publish")),
      el("span", { id: "status", class: "status", role: "status", "aria-live": "polite" }),
    ),
    el("section", { id: "summary", class: "summary", "aria-label": t("board.summary") }),
    el("div", { class: "board-grid" },
      el("section", { id: "timeline", class: "timeline", "aria-label": t("board.timeline") }),
      el("section", { class: "map-box", "aria-label": t("board.map") }, el("div", { id: "map", class: "map" }), el("p", { id: "map-note", class: "note" })),
    ),
    el("div", { class: "panels" },
      el("section", { id: "unassigned", class: "panel", "aria-labelledby": "unassigned-h" }),
      el("section", { id: "kpis", class: "panel", "aria-labelledby": "kpis-h" }),
      el("section", { id: "urgent", class: "panel", "aria-labelledby": "urgent-h" }),
      el("section", { id: "move", class: "panel", "aria-labelledby": "move-h" }),
    ),
  );
  $("scope").value = state.scope;
}

// --- data -----------------------------------------------------------------------------------

async function refresh(show = null) {
  history.replaceState(null, "", `?date=${state.date}&scope=${state.scope}`);
  say(t("board.loading"));
  const scopeQuery = state.scope === "all" ? "" : `&municipality=${state.scope}`;
  const [{ data: plans }, visits] = await Promise.all([
    api(`/plans?date=${state.date}&scope=${state.scope}`),
    all(`/visits?date=${state.date}${scopeQuery}`),
  ]);
  state.plans = plans.sort((a, b) => b.version - a.version);
  state.visits = new Map(visits.map((v) => [v.id, v]));
  const select = $("version");
  select.replaceChildren(...state.plans.map((p) => el("option", { value: p.id }, `${p.version} · ${t(`plan.${p.status}`)}`)));
  const current = state.plans.find((p) => p.id === show) ?? state.plans.find((p) => p.status === "published") ?? state.plans.find((p) => p.status === "draft") ?? state.plans[0];
  if (!current) {
    state.plan = null;
    render();
    say(t("board.no_plan", { date: longDate(state.date) }));
    return;
  }
  select.value = String(current.id);
  await openPlan(current.id);
}

async function openPlan(planId) {
  const { data } = await api(`/plans/${planId}`);
  state.plan = data;
  state.progress = new Map();
  if (!UNPLANNED.includes(data.status) && data.status !== "failed") {
    try {
      const { data: progress } = await api(`/plans/${planId}/state`);
      for (const [id, visit] of Object.entries(progress.visits)) state.progress.set(Number(id), visit.status);
    } catch (error) {
      /* a plan of another day has no state now: statuses stay empty */
    }
  }
  await loadAcks();
  render();
  say(t("board.shown", { version: data.version, status: t(`plan.${data.status}`) }));
  if (UNPLANNED.includes(data.status)) watch(planId);
}

// Who of the staff whose day this version changed has seen it (the nurse page's "I have seen
// the change"): a published version only.
async function loadAcks() {
  state.acks = new Map();
  if (state.plan?.status !== "published") return;
  try {
    const { data } = await api(`/plans/${state.plan.id}/acknowledgements`);
    for (const a of data.staff) state.acks.set(a.staff_id, a);
  } catch (error) {
    /* nothing to show: the rows go without the mark */
  }
}

function ackMark(staffId) {
  const ack = state.acks.get(staffId);
  if (!ack) return null;
  return ack.current
    ? el("span", { class: "badge acked", "data-ack": "seen" }, t("board.ack_seen", { time: time(ack.acknowledged_at) }))
    : el("span", { class: "badge waiting", "data-ack": "waiting" }, t("board.ack_waiting"));
}

async function watch(planId) {
  const started = Date.now();
  for (;;) {
    const { data } = await api(`/plans/${planId}`);
    if (!UNPLANNED.includes(data.status)) {
      await refresh(planId);
      if (data.status === "failed") say(t("board.failed", { error: data.error ?? "" }), "bad");
      return data;
    }
    say(t("board.solving", { seconds: Math.round((Date.now() - started) / 1000), status: t(`plan.${data.status}`) }));
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// --- render ---------------------------------------------------------------------------------

function render() {
  renderSummary();
  renderTimeline();
  renderMap();
  renderUnassigned();
  renderKpis();
  renderUrgent();
  renderMove();
}

function renderSummary() {
  const plan = state.plan;
  const box = $("summary");
  if (!plan) return box.replaceChildren(el("p", {}, t("board.no_plan", { date: longDate(state.date) })));
  const k = plan.kpis ?? {};
  box.replaceChildren(
    el("h2", {}, `${longDate(plan.date)} · ${t("board.version_n", { version: plan.version })} · ${t(`plan.${plan.status}`)}`),
    el("p", {}, t("board.kpi_line", { visits: number(k.assigned_visits ?? 0), total: number(k.visits ?? 0), drive: minutes(k.travel_s ?? 0), overtime: minutes(k.overtime_s ?? 0), staff: number(k.staff_used ?? 0) })),
  );
}

function dayRange(routes) {
  const times = routes.flatMap((r) => [new Date(r.departure_at), new Date(r.return_at)]);
  if (!times.length) return [0, 1];
  const start = new Date(Math.min(...times)); start.setMinutes(0, 0, 0);
  const end = new Date(Math.max(...times)); end.setMinutes(60, 0, 0);
  return [start.getTime(), end.getTime()];
}

function visitFlags(stop) {
  const visit = state.visits.get(stop.visit_id);
  const flags = [];
  if (visit) {
    const end = new Date(stop.end_at).getTime();
    const windowEnd = new Date(visit.window_end).getTime();
    if (end > windowEnd) flags.push("late");
    else if (windowEnd - end < 10 * 60 * 1000) flags.push("at-risk");
  }
  const status = state.progress.get(stop.visit_id);
  if (status && !["planned", "unplanned"].includes(status)) flags.push(`status-${status}`);
  return flags;
}

function renderTimeline() {
  const box = $("timeline");
  const routes = state.plan?.routes ?? [];
  if (!routes.length) return box.replaceChildren(el("p", {}, t("board.no_routes")));
  const [from, to] = dayRange(routes);
  const pct = (iso) => `${((new Date(iso).getTime() - from) / (to - from)) * 100}%`;
  const width = (a, b) => `${Math.max(0.15, ((new Date(b) - new Date(a)) / (to - from)) * 100)}%`;
  const parts = new Map();
  for (const r of routes) for (const s of r.stops) if (s.visit_id) parts.set(s.visit_id, (parts.get(s.visit_id) ?? 0) + 1);
  const hours = [];
  for (let h = from; h <= to; h += 3600 * 1000) hours.push(el("span", { class: "hour", style: { left: pct(new Date(h).toISOString()) } }, time(new Date(h).toISOString())));
  const rows = routes.map((route, index) => {
    const member = state.staff.get(route.staff_id);
    const blocks = [];
    for (const stop of route.stops) {
      if (stop.travel_s > 0) {
        const driveStart = new Date(new Date(stop.arrival_at).getTime() - stop.travel_s * 1000).toISOString();
        blocks.push(el("span", { class: "drive", style: { left: pct(driveStart), width: width(driveStart, stop.arrival_at) }, title: `${t("board.drive")} ${minutes(stop.travel_s)}` }));
      }
      if (stop.kind === "break") {
        blocks.push(el("span", { class: "block break", style: { left: pct(stop.start_at), width: width(stop.start_at, stop.end_at) }, title: `${t("board.break")} ${time(stop.start_at)}–${time(stop.end_at)}` }, "☕"));
        continue;
      }
      if (stop.kind === "off_duty") {
        blocks.push(el("span", { class: "block break off-duty", style: { left: pct(stop.start_at), width: width(stop.start_at, stop.end_at) }, title: `${t("board.off_duty")} ${time(stop.start_at)}–${time(stop.end_at)}` }, t("board.off_duty")));
        continue;
      }
      if (stop.kind === "appointment") {
        blocks.push(el("span", { class: "block appointment", style: { left: pct(stop.start_at), width: width(stop.start_at, stop.end_at) }, title: `${stop.title ?? t("board.appointment")} ${time(stop.start_at)}–${time(stop.end_at)}` }, stop.title ?? ""));
        continue;
      }
      const visit = state.visits.get(stop.visit_id);
      const patient = state.patients.get(stop.patient_id);
      const joint = (parts.get(stop.visit_id) ?? 1) > 1;
      const label = `${patient?.name ?? `#${stop.visit_id}`}${visit?.description ? ` – ${visit.description}` : ""}`;
      const window = visit ? `${t("board.window")} ${time(visit.window_start)}–${time(visit.window_end)}` : "";
      const flags = visitFlags(stop);
      blocks.push(el("button", {
        type: "button",
        class: ["block", "visit", joint ? "joint" : "", ...flags].join(" "),
        style: { left: pct(stop.start_at), width: width(stop.start_at, stop.end_at), "--route": colourOf(index) },
        title: `${time(stop.start_at)}–${time(stop.end_at)} ${label}. ${window}${joint ? `. ${t("board.joint")}` : ""}${flags.length ? `. ${flags.map((f) => t(`flag.${f}`)).join(", ")}` : ""}`,
        "aria-label": `${time(stop.start_at)} ${label}${joint ? `, ${t("board.joint")}` : ""}${flags.length ? `, ${flags.map((f) => t(`flag.${f}`)).join(", ")}` : ""}`,
        "data-visit-id": stop.visit_id,
        "data-staff-id": route.staff_id,
        draggable: "true",
        onclick: () => pickVisit(stop.visit_id, route.staff_id),
        ondragstart: (e) => e.dataTransfer.setData("text/plain", String(stop.visit_id)),
        onmouseenter: () => highlight(stop.visit_id, true),
        onmouseleave: () => highlight(stop.visit_id, false),
      }, String(stop.sequence)));
    }
    const row = el("div", {
      class: "row", "data-staff-id": route.staff_id,
      ondragover: (e) => e.preventDefault(),
      ondrop: (e) => dropVisit(e, route.staff_id, from, to),
    }, ...blocks);
    return el("div", { class: "lane" },
      el("div", { class: "who", style: { borderLeftColor: colourOf(index) } },
        el("strong", {}, route.staff_name || member?.name || `#${route.staff_id}`),
        el("small", {}, `${time(route.departure_at)}–${time(route.return_at)} · ${minutes(route.travel_s)}`),
        route.overtime_s > 0 ? el("span", { class: "badge overtime" }, t("board.overtime", { minutes: minutes(route.overtime_s) })) : null,
        ackMark(route.staff_id)),
      row);
  });
  box.replaceChildren(el("div", { class: "hours" }, hours), ...rows,
    el("p", { class: "legend" }, el("span", { class: "block visit late" }, ""), ` ${t("flag.late")} `, el("span", { class: "block visit at-risk" }, ""), ` ${t("flag.at-risk")} `,
      el("span", { class: "block visit joint" }, ""), ` ${t("board.joint")} `, el("span", { class: "block visit status-done" }, ""), ` ${t("status.done")}`));
}

function highlight(visitId, on) {
  for (const node of document.querySelectorAll(`.block.visit[data-visit-id="${visitId}"]`)) node.classList.toggle("linked", on);
}

function renderMap() {
  const note = $("map-note");
  if (typeof window.L === "undefined") {
    note.textContent = t("board.no_map_library");
    return;
  }
  if (!state.map) {
    state.map = window.L.map("map", { zoomSnap: 0.25 });
    if (tileUrl) window.L.tileLayer(tileUrl, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(state.map);
    state.mapLayer = window.L.layerGroup().addTo(state.map);
  }
  note.textContent = tileUrl ? "" : t("board.no_tiles");
  state.mapLayer.clearLayers();
  const bounds = [];
  for (const base of state.bases) {
    const point = [base.lat, base.lon];
    bounds.push(point);
    window.L.marker(point, { icon: window.L.divIcon({ className: "base-icon", html: "⌂", iconSize: [22, 22] }), title: base.name, alt: base.name }).addTo(state.mapLayer);
  }
  (state.plan?.routes ?? []).forEach((route, index) => {
    const member = state.staff.get(route.staff_id);
    const base = state.bases.find((b) => b.id === member?.base_id);
    const home = member?.start_from === "home" && member.home_lat != null ? [member.home_lat, member.home_lon] : base ? [base.lat, base.lon] : null;
    const line = home ? [home] : [];
    for (const stop of route.stops) {
      if (stop.kind !== "visit") continue;
      const patient = state.patients.get(stop.patient_id);
      if (!patient) continue;
      const point = [patient.lat, patient.lon];
      line.push(point);
      bounds.push(point);
      window.L.marker(point, {
        // A class per colour: the page's CSP lets no inline style through.
        icon: window.L.divIcon({ className: `stop-icon route-${index % COLOURS.length}`, html: `<span>${stop.sequence}</span>`, iconSize: [22, 22] }),
        title: `${route.staff_name}: ${stop.sequence}. ${patient.name} ${time(stop.start_at)}`,
        alt: `${stop.sequence}`,
      }).addTo(state.mapLayer);
    }
    if (home) line.push(home);
    if (line.length > 1) window.L.polyline(line, { color: colourOf(index), weight: 3, opacity: 0.8 }).addTo(state.mapLayer);
  });
  if (bounds.length) state.map.fitBounds(bounds, { padding: [20, 20] });
  else state.map.setView([63.47, 10.92], 9);
}

function renderUnassigned() {
  const list = state.plan?.unassigned ?? [];
  $("unassigned").replaceChildren(
    el("h2", { id: "unassigned-h" }, t("board.unassigned", { count: list.length })),
    list.length
      ? el("ul", {}, list.map((u) => {
          const patient = state.patients.get(u.patient_id);
          const closest = u.closest_staff_id ? state.staff.get(u.closest_staff_id)?.name : null;
          return el("li", { "data-visit-id": u.visit_id }, el("strong", {}, patient?.name ?? `#${u.visit_id}`), `: ${u.detail || t(`reason.${u.reason}`)}`, closest ? ` (${t("board.closest", { name: closest })})` : "");
        }))
      : el("p", {}, t("board.all_planned")),
  );
}

function kpiTable(rows) {
  const head = ["board.municipality", "board.visits", "board.hours", "board.drive_time", "board.distance", "board.overtime_col"].map((k) => el("th", { scope: "col" }, t(k)));
  const line = (r) => el("tr", {},
    el("th", { scope: "row" }, r.municipality_name ?? r.name ?? r.municipality_code ?? r.code),
    el("td", {}, number(r.visits ?? 0)),
    el("td", {}, number(r.patient_hours ?? (r.service_s ?? 0) / 3600)),
    el("td", {}, minutes(r.drive_s ?? r.travel_s ?? 0)),
    el("td", {}, km(r.distance_m ?? 0)),
    el("td", {}, minutes(r.overtime_s ?? 0)));
  return el("table", {}, el("thead", {}, el("tr", {}, head)), el("tbody", {}, rows.map(line)));
}

function renderKpis() {
  const plan = state.plan;
  const box = $("kpis");
  if (!plan) return box.replaceChildren(el("h2", { id: "kpis-h" }, t("board.kpis")));
  const rows = plan.kpis_by_municipality ?? [];
  const k = plan.kpis ?? {};
  box.replaceChildren(
    el("h2", { id: "kpis-h" }, t("board.kpis")),
    rows.length ? kpiTable(rows) : el("p", {}, t("board.kpi_line", { visits: number(k.assigned_visits ?? 0), total: number(k.visits ?? 0), drive: minutes(k.travel_s ?? 0), overtime: minutes(k.overtime_s ?? 0), staff: number(k.staff_used ?? 0) })),
    el("p", {}, el("a", { href: `/api/v1/plans/${plan.id}/kpis.csv`, download: `ambulant-${plan.date}-v${plan.version}.csv` }, t("board.csv"))),
  );
}

// --- urgent request -------------------------------------------------------------------------

function renderUrgent() {
  const plan = state.plan;
  const box = $("urgent");
  const patients = [...state.patients.values()].filter((p) => state.scope === "all" || p.municipality_code === state.scope).sort((a, b) => a.name.localeCompare(b.name, "nb"));
  const skills = ["medication", "insulin", "injection", "wound_care", "personal_care", "catheter", "supervision", "advanced_nursing", "palliative_care", "cancer_care", "psychiatric_care", "substance_abuse"];
  box.replaceChildren(
    el("h2", { id: "urgent-h" }, t("board.urgent")),
    el("form", { id: "urgent-form", onsubmit: recommendUrgent },
      el("label", {}, t("board.patient"), el("select", { name: "patient_id", required: true }, patients.map((p) => el("option", { value: p.id }, `${p.name}, ${p.address}`)))),
      el("label", {}, t("board.what"), el("input", { name: "description", maxlength: 500, value: t("board.urgent_default") })),
      el("div", { class: "pair" },
        el("label", {}, t("board.from"), el("input", { name: "from", type: "time", required: true, value: "11:00" })),
        el("label", {}, t("board.to"), el("input", { name: "to", type: "time", required: true, value: "14:00" }))),
      el("label", {}, t("board.duration"), el("input", { name: "duration", type: "number", min: 5, max: 600, value: 30, required: true })),
      el("label", {}, t("board.skill"), el("select", { name: "skill" }, el("option", { value: "" }, t("board.no_skill")), skills.map((s) => el("option", { value: s }, t(`skill.${s}`))))),
      el("label", {}, t("board.priority"), el("select", { name: "priority" }, ["urgent", "high", "normal"].map((p) => el("option", { value: p }, t(`priority.${p}`))))),
      el("button", { type: "submit", class: "primary", disabled: !plan || UNPLANNED.includes(plan.status) }, t("board.recommend")),
    ),
    el("div", { id: "urgent-result", "aria-live": "polite" }),
  );
}

function urgentVisit(form) {
  const data = new FormData(form);
  const at = (hhmm) => `${state.date}T${hhmm}:00`;
  return {
    patient_id: Number(data.get("patient_id")),
    description: data.get("description") || t("board.urgent_default"),
    window_start: at(data.get("from")),
    window_end: at(data.get("to")),
    duration_minutes: Number(data.get("duration")),
    skills: data.get("skill") ? [data.get("skill")] : [],
    priority: data.get("priority"),
  };
}

async function recommendUrgent(event) {
  event.preventDefault();
  const out = $("urgent-result");
  const visit = urgentVisit(event.target);
  state.urgent = visit;
  out.replaceChildren(el("p", {}, t("board.thinking")));
  try {
    const { data } = await api(`/plans/${state.plan.id}/recommendations`, { method: "POST", body: { ...visit, k: 3 } });
    const options = data.options.filter((o) => o.feasible);
    out.replaceChildren(
      el("h3", {}, t("board.options")),
      options.length
        ? el("ol", { class: "options" }, options.map((o) => el("li", {},
            el("p", {}, el("strong", {}, o.staff_names.join(" + ")), ` ${time(o.start_at)} · ${o.added_travel_s >= 0 ? "+" : "−"}${minutes(Math.abs(o.added_travel_s))} ${t("board.drive")} · ${t("board.moves", { count: o.shifted_visit_ids.length })}${o.dropped_visit_ids.length ? ` · ${t("board.drops", { count: o.dropped_visit_ids.length })}` : ""}`),
            el("button", { type: "button", onclick: () => replanUrgent(o) }, t("board.choose")))))
        : el("p", {}, data.reason ?? t("board.no_options")),
      el("button", { type: "button", onclick: () => replanUrgent(null) }, t("board.replan_free")),
    );
  } catch (error) {
    out.replaceChildren(el("p", { class: "bad", role: "alert" }, explain(error)));
  }
}

async function replanUrgent(option) {
  const out = $("urgent-result");
  const visit = { ...state.urgent };
  if (option && option.staff_ids.length === 1) visit.pinned_staff_id = option.staff_ids[0];
  out.append(el("p", {}, t("board.replanning")));
  try {
    const { data, status } = await api(`/plans/${state.plan.id}/replan`, {
      method: "POST",
      body: { new_visits: [visit] },
      headers: { "If-Match": `"${state.plan.version}"` },
    });
    const planId = data.plan.id;
    if (status === 202) await watch(planId);
    const answer = status === 202 ? (await api(`/plans/${planId}/diff`)).data : data.diff;
    await refresh(planId); // draws the panels anew: the diff goes into the new one
    showDiff(answer, planId, $("urgent-result"));
  } catch (error) {
    await reportConflict(error, "urgent-result");
  }
}

function showDiff(diff, planId, out) {
  const staffName = (id) => state.staff.get(id)?.name ?? `#${id}`;
  const who = (c) => state.patients.get(c.patient_id)?.name ?? `#${c.visit_id}`;
  out.replaceChildren(
    el("h3", {}, t("board.diff", { version: diff?.version ?? "" })),
    diff && diff.staff.length
      ? el("ul", { class: "diff" }, diff.staff.filter((s) => s.added.length || s.removed.length || s.retimed.length).map((s) => el("li", {},
          el("strong", {}, s.staff_name || staffName(s.staff_id)), ": ",
          [...s.added.map((c) => t("board.diff_added", { who: who(c), time: time(c.start_at) })),
           ...s.removed.map((c) => t("board.diff_removed", { who: who(c) })),
           ...s.retimed.map((c) => t("board.diff_retimed", { who: who(c), from: time(c.previous_start_at), to: time(c.start_at) }))].join("; "))))
      : el("p", {}, t("board.diff_none")),
    el("button", { type: "button", class: "primary", id: "publish-new", onclick: () => publish(planId) }, t("board.publish_version")),
  );
}

async function publish(planId) {
  if (!planId) return;
  try {
    await api(`/plans/${planId}/publish`, { method: "POST" });
    await refresh(planId);
    say(t("board.published"), "ok");
  } catch (error) {
    await reportConflict(error, null);
  }
}

async function planDay() {
  try {
    const { data } = await api("/plans", { method: "POST", body: { date: state.date, scope: state.scope } });
    say(t("board.queued", { version: data.version }));
    await watch(data.id);
  } catch (error) {
    say(explain(error), "bad");
  }
}

// --- moving a visit by hand -----------------------------------------------------------------

function renderMove() {
  const routes = state.plan?.routes ?? [];
  const visits = routes.flatMap((r) => r.stops.filter((s) => s.kind === "visit").map((s) => ({ id: s.visit_id, staff: r.staff_id, start: s.start_at, name: state.patients.get(s.patient_id)?.name })));
  const unique = [...new Map(visits.map((v) => [v.id, v])).values()].sort((a, b) => a.start.localeCompare(b.start));
  $("move").replaceChildren(
    el("h2", { id: "move-h" }, t("board.move")),
    el("p", { class: "note" }, t("board.move_hint")),
    el("form", { id: "move-form", onsubmit: (e) => { e.preventDefault(); checkMove(); } },
      el("label", {}, t("board.visit"), el("select", { name: "visit_id", id: "move-visit" }, unique.map((v) => el("option", { value: v.id }, `${time(v.start)} ${v.name ?? `#${v.id}`}`)))),
      el("label", {}, t("board.to_staff"), el("select", { name: "staff_id", id: "move-staff" }, routes.map((r) => el("option", { value: r.staff_id }, r.staff_name)))),
      el("label", {}, t("board.start"), el("input", { name: "start", id: "move-start", type: "time" })),
      el("button", { type: "submit" }, t("board.check")),
    ),
    el("div", { id: "move-result", "aria-live": "polite" }),
  );
}

function pickVisit(visitId, staffId) {
  $("move-visit").value = String(visitId);
  $("move-staff").value = String(staffId);
}

function dropVisit(event, staffId, from, to) {
  event.preventDefault();
  const visitId = Number(event.dataTransfer.getData("text/plain"));
  const row = event.currentTarget.getBoundingClientRect();
  const at = new Date(from + ((event.clientX - row.left) / row.width) * (to - from));
  at.setMinutes(Math.round(at.getMinutes() / 5) * 5, 0, 0);
  pickVisit(visitId, staffId);
  $("move-start").value = time(at.toISOString());
  checkMove();
}

function moveBody() {
  const visitId = Number($("move-visit").value);
  const start = $("move-start").value;
  const staffId = Number($("move-staff").value);
  // A joint visit keeps its other part's staff member; the chosen one takes the part moved.
  const holders = (state.plan?.routes ?? []).filter((r) => r.stops.some((s) => s.visit_id === visitId)).map((r) => r.staff_id);
  const body = holders.length > 1
    ? { visit_id: visitId, staff_ids: [staffId, ...holders.filter((h) => h !== staffId)].slice(0, holders.length) }
    : { visit_id: visitId, staff_id: staffId };
  if (start) body.start_at = `${state.date}T${start}:00`;
  return body;
}

async function checkMove() {
  const out = $("move-result");
  const body = moveBody();
  try {
    const { data } = await api(`/plans/${state.plan.id}/moves/check`, { method: "POST", body });
    if (data.valid) {
      out.replaceChildren(el("p", { class: "ok" }, t("board.move_ok")), el("button", { type: "button", class: "primary", onclick: () => saveMove(body) }, t("board.move_save")));
    } else {
      out.replaceChildren(el("p", { class: "bad" }, t("board.move_breaks")), el("ul", {}, data.violations.map((v) => el("li", {}, v.message))));
    }
  } catch (error) {
    out.replaceChildren(el("p", { class: "bad", role: "alert" }, explain(error)));
  }
}

async function saveMove(body) {
  const out = $("move-result");
  try {
    const { data } = await api(`/plans/${state.plan.id}/moves`, { method: "POST", body, headers: { "If-Match": `"${state.plan.version}"` } });
    const planId = data.plan?.id ?? data.id;
    await refresh(planId);
    showDiff(data.diff, planId, $("move-result"));
  } catch (error) {
    out.replaceChildren();
    await reportConflict(error, "move-result");
  }
}

// --- live -----------------------------------------------------------------------------------

function listen() {
  const events = new EventSource("/api/v1/events", { withCredentials: true });
  events.addEventListener("visit_status", (event) => {
    const data = JSON.parse(event.data);
    if (data.date !== state.date) return;
    state.progress.set(data.visit_id, data.status);
    for (const node of document.querySelectorAll(`.block.visit[data-visit-id="${data.visit_id}"]`)) {
      node.classList.remove(...[...node.classList].filter((c) => c.startsWith("status-")));
      node.classList.add(`status-${data.status}`);
    }
    say(t("board.reported", { status: t(`status.${data.status}`), visit: data.visit_id }));
  });
  events.addEventListener("plan_published", (event) => {
    const data = JSON.parse(event.data);
    if (data.date === state.date && (data.scope === state.scope)) refresh();
  });
}

async function start() {
  await loadWords();
  const [{ data: municipalities }, { data: bases }, staff, patients] = await Promise.all([
    api("/municipalities"), api("/bases"), all("/staff"), all("/patients"),
  ]);
  state.municipalities = municipalities;
  state.bases = bases;
  state.staff = new Map(staff.map((s) => [s.id, s]));
  state.patients = new Map(patients.map((p) => [p.id, p]));
  layout();
  await refresh();
  performance.mark("ambulant-ready"); // every staff row is drawn (ambulant bench pages)
  listen();
  // Acknowledgements come from the phones: look again every half minute.
  setInterval(async () => {
    if (state.plan?.status !== "published") return;
    await loadAcks();
    renderTimeline();
  }, 30000);
}

start().catch((error) => {
  root.replaceChildren(el("p", { class: "bad", role: "alert" }, explain(error)));
});
