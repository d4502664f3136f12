// A nurse's day on the phone: today's visits in order with the drive before each, the address,
// what the visit is about and the notes, a way to navigate there, and the status buttons. Works
// with no network: the last day seen is shown, and reports wait in the outbox until they can go.

import { api, ApiError } from "./api.js";
import { loadWords, t, time, minutes, km, longDate, osloToday } from "./i18n.js";
import * as outbox from "./outbox.js";

const root = document.getElementById("me");
const staffId = Number(root.dataset.staffId);
const day = new URLSearchParams(location.search).get("date") ?? osloToday();
const SAVED = `ambulant-day-${staffId}`;
const STATUS = `ambulant-status-${staffId}-${day}`;
const ACTIONS = ["en_route", "started", "done", "not_home"];

let schedule = null;
let etag = null;
const reported = JSON.parse(localStorage.getItem(STATUS) ?? "{}");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function navigation(stop) {
  if (stop.lat == null || stop.lon == null) return null;
  const where = `${stop.lat},${stop.lon}`;
  return el("p", { class: "navigate" },
    el("a", { href: `geo:${where}?q=${where}` }, t("me.navigate")),
    " · ",
    el("a", { href: stop.navigation_url ?? `https://www.google.com/maps/dir/?api=1&destination=${where}`, rel: "noopener" }, t("me.map_app")),
  );
}

function visitCard(stop) {
  const state = reported[stop.visit_id];
  const card = el("li", { class: `stop ${stop.kind}`, "data-visit-id": stop.visit_id ?? "" },
    el("p", { class: "drive" }, stop.travel_s > 0 ? t("me.drive", { minutes: minutes(stop.travel_s), km: km(stop.distance_m) }) : t("me.no_drive")),
    el("h2", {}, el("time", { datetime: stop.start_at }, `${time(stop.start_at)}–${time(stop.end_at)}`), " ",
      stop.kind === "visit" ? stop.patient_name ?? t("me.visit") : stop.kind === "break" ? t("me.break") : stop.title ?? t("me.appointment")),
  );
  if (stop.kind === "break") return card;
  if (stop.address) card.append(el("p", { class: "address" }, stop.address));
  if (stop.description) card.append(el("p", { class: "about" }, el("strong", {}, `${t("me.about")}: `), stop.description));
  if (stop.notes) card.append(el("p", { class: "notes" }, el("strong", {}, `${t("me.notes")}: `), stop.notes));
  if (stop.joint) card.append(el("p", { class: "joint" }, t("me.joint")));
  const nav = navigation(stop);
  if (nav) card.append(nav);
  if (stop.kind === "visit") {
    card.append(el("p", { class: "state", "aria-live": "polite" }, state ? t(`status.${state}`) : ""));
    card.append(el("div", { class: "actions", role: "group", "aria-label": t("me.report") },
      ACTIONS.map((status) => el("button", { type: "button", "data-status": status, class: state === status ? "primary" : "", onclick: () => report(stop, status) }, t(`status.${status}`)))));
  }
  return card;
}

// A split shift: each later shift opens with when the nurse leaves for it and is back.
function dayItems(day) {
  const items = [];
  let shift = 1;
  for (const stop of day?.stops ?? []) {
    const next = (day.shifts ?? []).find((s) => s.number === stop.shift);
    if (stop.shift > shift && next) {
      items.push(el("li", { class: "stop shift" }, el("h2", {}, t("me.next_shift", { number: next.number, out: time(next.departure_at), back: time(next.return_at) }))));
    }
    shift = stop.shift ?? shift;
    items.push(visitCard(stop));
  }
  return items;
}

function render() {
  const list = el("ol", { class: "day" }, dayItems(schedule));
  const head = schedule
    ? el("header", { class: "day-head" },
        el("h1", {}, `${schedule.staff_name}`),
        el("p", {}, `${longDate(schedule.date)} · ${t("me.version", { version: schedule.plan_version })}`),
        el("p", {}, t("me.out_back", { out: time(schedule.departure_at), back: time(schedule.return_at), drive: minutes(schedule.travel_s), km: km(schedule.distance_m) })))
    : el("header", { class: "day-head" }, el("h1", {}, t("me.title")), el("p", {}, t("me.no_plan")));
  root.replaceChildren(el("div", { id: "notice", role: "status", "aria-live": "polite" }), el("div", { id: "outbox", "aria-live": "polite" }), head, list, calendarBox());
  renderOutbox();
}

// Her day in the phone's own calendar: a secret link per phone, shown once, revocable here.
function calendarBox() {
  return el("details", { class: "calendar", id: "calendar", ontoggle: (e) => e.target.open && listLinks() },
    el("summary", {}, t("me.calendar")),
    el("p", {}, t("me.calendar_lead")),
    el("button", { type: "button", id: "new-link", onclick: newLink }, t("me.calendar_new")),
    el("div", { id: "new-link-out", "aria-live": "polite" }),
    el("ul", { id: "links" }));
}

async function newLink() {
  const out = document.getElementById("new-link-out");
  try {
    const { data } = await api("/me/calendar-links", { method: "POST", body: { label: navigator.userAgent.slice(0, 60) } });
    out.replaceChildren(el("p", {}, t("me.calendar_once")), el("p", {}, el("a", { href: data.webcal_url, id: "webcal" }, t("me.calendar_open"))),
      el("input", { readonly: true, value: data.url, "aria-label": t("me.calendar_url"), class: "link-url" }));
    listLinks();
  } catch (error) {
    out.replaceChildren(el("p", { class: "refused" }, error.message));
  }
}

async function listLinks() {
  const list = document.getElementById("links");
  try {
    const { data } = await api("/me/calendar-links");
    list.replaceChildren(...data.map((link) => el("li", { "data-link-id": link.id },
      `${link.label || t("me.calendar_link")} (${longDate(link.created_at)}) `,
      el("button", { type: "button", onclick: async () => { await api(`/me/calendar-links/${link.id}`, { method: "DELETE" }); listLinks(); } }, t("me.calendar_revoke")))));
  } catch (error) {
    list.replaceChildren(el("li", { class: "refused" }, error.message));
  }
}

async function renderOutbox(refused = []) {
  const waiting = await outbox.pending();
  const box = document.getElementById("outbox");
  if (!box) return;
  box.replaceChildren();
  box.className = waiting.length ? "outbox waiting" : "outbox";
  if (waiting.length) {
    box.append(el("p", {}, t("me.waiting", { count: waiting.length }), " ", navigator.onLine ? t("me.sending") : t("me.offline")),
      el("ul", {}, waiting.map((r) => el("li", { "data-visit-id": r.visit_id }, `${time(r.at)} ${t(`status.${r.status}`)} (#${r.visit_id})`))));
  }
  for (const [report, error] of refused) box.append(el("p", { class: "refused", role: "alert" }, t("me.refused", { status: t(`status.${report.status}`), reason: error.message })));
}

async function report(stop, status) {
  reported[stop.visit_id] = status;
  localStorage.setItem(STATUS, JSON.stringify(reported));
  await outbox.add({ visit_id: stop.visit_id, status, at: new Date().toISOString() });
  render();
  send();
}

async function send() {
  const refused = [];
  await outbox.flush((r, error) => refused.push([r, error]));
  renderOutbox(refused);
}

function changes(before, after) {
  const key = (s) => `${s.visit_id}`;
  const old = new Map((before?.stops ?? []).filter((s) => s.kind === "visit").map((s) => [key(s), s]));
  const now = new Map((after?.stops ?? []).filter((s) => s.kind === "visit").map((s) => [key(s), s]));
  const lines = [];
  for (const [id, s] of now) {
    const was = old.get(id);
    if (!was) lines.push(t("me.change_added", { time: time(s.start_at), who: s.patient_name ?? `#${id}` }));
    else if (was.start_at !== s.start_at) lines.push(t("me.change_moved", { who: s.patient_name ?? `#${id}`, from: time(was.start_at), to: time(s.start_at) }));
  }
  for (const [id, s] of old) if (!now.has(id)) lines.push(t("me.change_removed", { time: time(s.start_at), who: s.patient_name ?? `#${id}` }));
  return lines;
}

function showNotice(lines, changedEtag) {
  const notice = document.getElementById("notice");
  notice.className = "notice";
  notice.replaceChildren(
    el("h2", {}, t("me.changed")),
    el("ul", {}, (lines.length ? lines : [t("me.change_times")]).map((line) => el("li", {}, line))),
    el("button", { type: "button", class: "primary", onclick: () => acknowledge(changedEtag) }, t("me.ack")),
  );
  notice.querySelector("button").focus();
}

async function acknowledge(seenEtag) {
  const notice = document.getElementById("notice");
  try {
    await api(`/staff/${staffId}/schedule/acknowledgements`, { method: "POST", body: { date: day, etag: seenEtag } });
    notice.replaceChildren(el("p", {}, t("me.acked")));
  } catch (error) {
    notice.append(el("p", { class: "refused" }, error.message));
  }
}

// The day from the server when it answers (If-None-Match: 304 keeps what we have), else the last
// one seen on this phone; a new version compared with the one shown is the "your day changed".
async function load({ announce = false } = {}) {
  try {
    const { status, headers, data } = await api(`/staff/${staffId}/schedule?date=${day}`, { headers: etag ? { "If-None-Match": etag } : {} });
    if (status === 304) return;
    const before = schedule;
    schedule = data;
    const changedEtag = headers.get("ETag");
    const changed = announce || (before && etag && changedEtag !== etag);
    etag = changedEtag;
    localStorage.setItem(SAVED, JSON.stringify({ day, etag, schedule }));
    render();
    if (changed && before) showNotice(changes(before, schedule), etag);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      schedule = null;
      render();
      return;
    }
    const saved = JSON.parse(localStorage.getItem(SAVED) ?? "null");
    if (saved?.day === day && !schedule) {
      schedule = saved.schedule;
      etag = saved.etag;
    }
    render();
  }
}

function listen() {
  const events = new EventSource("/api/v1/events", { withCredentials: true });
  events.addEventListener("schedule_changed", (event) => {
    const data = JSON.parse(event.data);
    if (data.staff_id === staffId && data.date === day) load();
  });
  events.addEventListener("ready", () => load()); // reconnected: the ETag says whether we missed a change
}

async function start() {
  await loadWords();
  const saved = JSON.parse(localStorage.getItem(SAVED) ?? "null");
  if (saved?.day === day) {
    schedule = saved.schedule;
    etag = saved.etag;
  }
  render();
  await load();
  performance.mark("ambulant-ready"); // the day is drawn (ambulant bench pages)
  send();
  listen();
  window.addEventListener("online", () => { send(); load(); });
  window.addEventListener("offline", () => renderOutbox());
  setInterval(send, 20000);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

start();
