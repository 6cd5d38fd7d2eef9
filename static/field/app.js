// Entry point of the field app: loads server data (or the last copy kept on the phone), routes between screens,
// and turns each tap into a local record plus an outbox item that the sync loop sends.

import {
  byOwner,
  del,
  feedState,
  forgetPremises,
  get,
  getMeta,
  keptInstrumentsAt,
  keptPremises,
  saveChanges,
  savePremiseInstruments,
  setMeta,
} from "./db.js";
import { assessFix, currentPosition } from "./geo.js";
import * as measure from "./measure.js";
import * as meters from "./meters.js";
import { plain, storable } from "./metrology.js";
import * as outbox from "./outbox.js";
import { preparePhoto } from "./photo.js";
import * as screens from "./screens.js";
import { kick, kickSoon, startSync } from "./sync.js";
import { h, label, localIso, mount, toast } from "./ui.js";

const view = document.getElementById("view");
const KEEP_DONE_DAYS = 14;
// Past this, a weak link's nearest-premises answer is not waited for: the phone's own copy is ordered instead.
const NEAR_TIMEOUT_MS = 5000;
const FEED_PAGE = 500;

const app = {
  me: null,
  catalogue: null,
  catalogues: {},
  premises: [],
  premisesPartial: false,
  // Where app.premises came from: "server" (the nearest, asked online), "cache" (the phone's copy of the change
  // feed, ordered here) or "kept" (the last server answer, before the copy was ever filled).
  premisesFrom: null,
  premisesFeed: null,
  // The last complete fetch of the instruments' change feed: once there, the phone knows every premise's instruments.
  instrumentsFeed: null,
  // The open fix-by requests of the scope ("Việc cần làm"), kept on the phone: { items, due_soon_days }.
  followUps: null,
  // The open complaints given to this inspector (phản ánh), kept on the phone: { items }.
  complaints: null,
  position: null,
  positionError: null,
  inspections: new Map(),
  sync: { pending: 0, failed: 0, others: 0, byInspection: {}, authLost: false, trouble: null },
  query: "",
  startForm: null,
  doneForm: null,
  noteOpen: new Set(),
  // Metrology: the served tables (with the admin's state-check rule), the unit's standards, instruments by premise id,
  // the server's suggested answers by inspection UUID, and the forms being filled.
  tables: null,
  standards: null,
  instruments: {},
  autoFindings: {},
  readingForm: null,
  instrumentForm: null,
  lotForm: null,
  meterForm: null,
  redrawRecords: null,
};

const owner = () => app.me.user.username;

/** A GET of reference data: the live answer (kept on the phone), else the last kept copy. */
async function getJSON(url, key) {
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) {
      const data = await response.json();
      await setMeta(key, data);
      return { data, status: response.status };
    }
    return { data: await getMeta(key), status: response.status };
  } catch (error) {
    return { data: await getMeta(key), status: 0 };
  }
}

// ---- loading ------------------------------------------------------------------------------------------------------

async function loadMe() {
  const answer = await getJSON("/api/v1/me", "me");
  app.me = answer.data || null;
  if (answer.status === 401) app.sync.authLost = true;
}

async function loadCatalogue() {
  const answer = await getJSON("/api/v1/checklists", "catalogue");
  app.catalogue = answer.data;
  if (app.catalogue) {
    app.catalogues[app.catalogue.version] = app.catalogue;
    // An inspection keeps the version it started with, even after the catalogue changes.
    await setMeta(`catalogue:${app.catalogue.version}`, app.catalogue);
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The home list: online the server's nearest premises; offline, or when it does not answer, the phone's copy. */
async function loadPremises() {
  const fix = app.position;
  const url = fix ? `/api/v1/premises?near=${fix.latitude.toFixed(6)},${fix.longitude.toFixed(6)}` : "/api/v1/premises";
  let answer = null;
  if (navigator.onLine) {
    // "no-store": a failure must show here (and the service worker must not answer with an old list).
    const asking = fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .catch(() => null);
    answer = await Promise.race([asking, pause(NEAR_TIMEOUT_MS)]);
    // Slow, and nothing on the phone to show instead: keep waiting for the server after all.
    if (answer === undefined && !(await premisesFromPhone())) answer = await asking;
    else if (answer === undefined) return;
  }
  if (answer) {
    app.premises = answer.items;
    // The server sends the nearest 50; with fewer premises than that, the phone sorts them itself.
    app.premisesPartial = answer.total > answer.items.length;
    app.premisesFrom = "server";
    await setMeta(`premises:${owner()}`, answer);
    return;
  }
  await premisesFromPhone();
}

/** Every premise kept on the phone, by name; the home screen orders them by distance when the GPS answers. */
async function premisesFromPhone() {
  const kept = await keptPremises(owner());
  if (kept.length) {
    app.premises = kept.sort((a, b) => a.name.localeCompare(b.name, "vi"));
    app.premisesPartial = false;
    app.premisesFrom = "cache";
    return true;
  }
  // The copy has never been filled (an older version of the app, or the first fetch failed): the last answer.
  const last = await getMeta(`premises:${owner()}`);
  if (!last) return false;
  app.premises = last.items;
  app.premisesPartial = last.total > last.items.length;
  app.premisesFrom = "kept";
  return true;
}

let premisesRefreshing = null;

/** Brings the phone's copy of the premises, then of their instruments, up to date; one fetch at a time. */
function refreshPremiseCache() {
  if (!premisesRefreshing) {
    premisesRefreshing = fetchPremiseChanges()
      .then(fetchInstrumentChanges)
      .finally(() => (premisesRefreshing = null));
  }
  return premisesRefreshing;
}

/**
 * A change feed ("premises", "instruments"): everything the first time, afterwards what changed since the last
 * complete fetch. The pages are applied together with the new `since` once the last one is in; a page that fails
 * changes nothing on the phone, and the same `since` is sent again next time. Answers {feed, items} or null.
 */
async function fetchChanges(store) {
  const who = owner();
  const before = await feedState(store, who);
  const since = before ? before.since : null;
  const items = [];
  let cursor = null;
  let nextSince = since;
  try {
    do {
      const params = new URLSearchParams({ limit: String(FEED_PAGE) });
      if (since) params.set("since", since);
      if (cursor) params.set("cursor", cursor);
      const response = await fetch(`/api/v1/${store}/changes?${params}`, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return null;
      const page = await response.json();
      items.push(...page.items);
      cursor = page.next_cursor;
      nextSince = page.next_since ?? nextSince;
    } while (cursor);
  } catch (error) {
    return null; // offline or cut off: tried again on the next start or when the phone is online again
  }
  if (!app.me || who !== owner()) return null;
  return { feed: await saveChanges(store, who, items, nextSince), items };
}

async function fetchPremiseChanges() {
  const fetched = await fetchChanges("premises");
  if (!fetched) return false;
  app.premisesFeed = fetched.feed;
  // A list drawn from the phone's copy is redrawn from the new one; the server's nearest answer stays.
  if (app.premisesFrom !== "server") await premisesFromPhone();
  redrawHome();
  return true;
}

/** The instruments at every premise of the scope, for a stall never opened online; the lists on show are re-read. */
async function fetchInstrumentChanges() {
  const fetched = await fetchChanges("instruments");
  if (!fetched) return false;
  app.instrumentsFeed = fetched.feed;
  for (const premiseId of new Set(fetched.items.map((i) => i.premise_id))) {
    if (app.instruments[premiseId] !== undefined) app.instruments[premiseId] = await keptInstrumentsAt(owner(), premiseId);
  }
  if (isMetrologyRoute()) redrawMetrology();
  redrawHome();
  return true;
}

/** The follow-ups to do, from the server (kept on the phone) or, offline, the kept copy; redrawn on the home screen. */
async function loadFollowUps({ redraw = true } = {}) {
  const [followUps, complaints] = await Promise.all([
    getJSON("/api/v1/follow-ups", `followUps:${owner()}`),
    getJSON("/api/v1/complaints/assigned?limit=200", `complaints:${owner()}`),
  ]);
  if (followUps.data) app.followUps = followUps.data;
  if (complaints.data) app.complaints = complaints.data;
  if (redraw) redrawHome();
}

/** Back online: the copy is refreshed, and a list drawn from it is asked of the server again. */
async function onOnline() {
  loadFollowUps();
  await refreshPremiseCache();
  if (app.premisesFrom !== "server" && navigator.onLine) {
    await loadPremises();
    redrawHome();
  }
}

let metrologyLoading = null;

/** Tables and standards, for judging readings offline; asked for after the first screen is drawn. */
function loadMetrology() {
  metrologyLoading = fetchMetrology().finally(() => (metrologyLoading = null));
  return metrologyLoading;
}

async function fetchMetrology() {
  const [tables, standards] = await Promise.all([
    getJSON("/api/v1/metrology/tables", "metrology-tables"),
    getJSON("/api/v1/standards", `standards:${owner()}`),
  ]);
  app.tables = tables.data || null;
  app.standards = standards.data ? standards.data.items : null;
  // "ready": both are on the phone, so readings can be judged offline.
  document.body.dataset.metrology = app.tables && app.standards ? "ready" : "missing";
  if (isMetrologyRoute()) redrawMetrology();
}

const instrumentLoads = new Map();

/** The copy of the premise's instruments kept on the phone, if this session has not read it yet. Once the feed was
 * read whole, a premise with none kept has none. */
async function keptInstruments(premiseId) {
  if (app.instruments[premiseId] !== undefined) return;
  const kept = await keptInstrumentsAt(owner(), premiseId);
  if (app.instruments[premiseId] === undefined && (kept.length || app.instrumentsFeed)) app.instruments[premiseId] = kept;
}

/** The premise's instruments as the server has them now, kept on the phone; once a session per premise. */
function loadInstruments(premiseId) {
  if (!instrumentLoads.has(premiseId)) {
    const who = owner();
    instrumentLoads.set(
      premiseId,
      (async () => {
        await keptInstruments(premiseId);
        try {
          const response = await fetch(`/api/v1/premises/${premiseId}/instruments`, {
            credentials: "same-origin",
            cache: "no-store",
            headers: { Accept: "application/json" },
          });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          const { items } = await response.json();
          await savePremiseInstruments(who, premiseId, items);
          if (who === owner()) app.instruments[premiseId] = items;
        } catch (error) {
          instrumentLoads.delete(premiseId); // offline: the kept copy stays; tried again next time
        }
        if (isMetrologyRoute()) redrawMetrology();
      })()
    );
  }
  return instrumentLoads.get(premiseId);
}

const METROLOGY_SUBS = new Set(["pt", "pt-new", "lots", "meters"]);

function isMetrologyRoute() {
  const [screen, , sub] = currentRoute();
  return screen === "i" && (METROLOGY_SUBS.has(sub) || !sub || /^[A-Z]+$/.test(sub));
}

/** New data arrived for the screen on show: redraw its lists, never the fields being typed in. */
function redrawMetrology() {
  if (app.redrawRecords) app.redrawRecords();
}

async function locate() {
  try {
    app.position = await currentPosition();
    app.positionError = null;
  } catch (error) {
    app.positionError = error.message;
  }
}

async function loadInspections() {
  const counts = await outbox.summary(owner());
  const cutoff = new Date(Date.now() - KEEP_DONE_DAYS * 86400000).toISOString();
  app.inspections = new Map();
  for (const inspection of await byOwner("inspections", owner())) {
    // Old, completed and fully sent: the server has it; the phone need not keep it.
    if (inspection.status === "completed" && inspection.sent && !counts.byInspection[inspection.uuid] && inspection.startedAt < cutoff) {
      await del("inspections", inspection.uuid);
      continue;
    }
    app.inspections.set(inspection.uuid, inspection);
    if (!app.catalogues[inspection.catalogueVersion]) {
      const kept = await getMeta(`catalogue:${inspection.catalogueVersion}`);
      if (kept) app.catalogues[inspection.catalogueVersion] = kept;
    }
  }
  app.sync = { ...app.sync, ...counts };
}

async function refreshPosition() {
  await locate();
  if (app.premisesPartial && app.position) await loadPremises();
  redrawHome();
}

/** Re-sorts the home list by the new position, unless the person is typing a search there. */
function redrawHome() {
  if (currentRoute().length === 0 && document.activeElement?.id !== "premise-search") rerender();
}

// ---- status bar ---------------------------------------------------------------------------------------------------

function drawStatus() {
  const s = app.sync;
  const waiting = s.pending + s.failed;
  const pill = document.getElementById("sync-pill");
  pill.dataset.pending = String(waiting);
  pill.dataset.failed = String(s.failed);
  pill.className = `pill ${s.failed ? "pill-bad" : waiting ? "pill-warn" : "pill-ok"}`;
  // Counted in inspections, as the inspector thinks of them; the records behind them are in the outbox screen.
  const inspections = Object.keys(s.byInspection || {}).length;
  pill.textContent = waiting ? `${inspections || waiting} cuộc kiểm tra chờ gửi` : "✓ Đã đồng bộ";
  pill.title = waiting ? `${waiting} bản ghi chờ gửi` : "";
  const banner = document.getElementById("banner");
  mount(
    banner,
    navigator.onLine ? null : h("p", { class: "banner-offline" }, "Ngoại tuyến – bản ghi được lưu trên máy, tự gửi khi có mạng."),
    s.authLost ? h("p", { class: "banner-bad" }, "Cần đăng nhập lại để gửi. ", h("a", { href: "/login?next=/app" }, "Đăng nhập")) : null,
    s.failed ? h("p", { class: "banner-bad" }, `${s.failed} bản ghi bị máy chủ từ chối. `, h("a", { href: "#/sync" }, "Xem lý do")) : null
  );
}

async function onStatus(status) {
  app.sync = status;
  drawStatus();
  if (currentRoute()[0] === "sync") rerender();
}

async function onMe(me) {
  if (app.me && me.user.username !== app.me.user.username) {
    // Someone else logged in from another tab: this screen holds the previous person's records.
    location.reload();
    return;
  }
  app.me = me;
  await setMeta("me", me);
  // Online again after a first start without them: readings can be judged on the phone from now on.
  if (!metrologyLoading && (!app.tables || !app.standards)) loadMetrology();
}

async function onApplied(item, body) {
  const fresh = await get("inspections", item.inspection);
  if (fresh) app.inspections.set(fresh.uuid, fresh);
  if (item.kind === "instrument" && body && body.uuid !== item.target) {
    // The server already had this instrument: every local record now names it, in any inspection on the phone.
    for (const inspection of await byOwner("inspections", owner())) app.inspections.set(inspection.uuid, inspection);
    const [screen, id, sub, extra] = currentRoute();
    if (screen === "i" && extra === item.target) return go(`#/i/${id}/${sub}/${body.uuid}`);
  }
  if (["instrument", "reading", "lot", "meter_check", "instrument_photo"].includes(item.kind)) {
    // The server's suggestions are stale now; its verdicts replace the phone's on screen.
    delete app.autoFindings[item.inspection];
    if (currentRoute()[1] === item.inspection) redrawMetrology();
  }
}

// ---- routing ------------------------------------------------------------------------------------------------------

function currentRoute() {
  return location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
}

function setHeader(title, back) {
  document.getElementById("title").textContent = title;
  const link = document.getElementById("back");
  link.hidden = !back;
  if (back) link.href = back;
}

// A double tap must not act twice, nor act on what the next screen puts under the finger: the tap that changed the
// screen (a link's, or one whose action then moved to another screen) is remembered, and a second tap at the same
// place within DOUBLE_TAP_MS is dropped. Taps that did not change the screen set nothing.
const DOUBLE_TAP_MS = 600;
const DOUBLE_TAP_PX = 40;
let lastTap = null;
let navTap = null;
let screenTap = null;

document.addEventListener(
  "click",
  (event) => {
    // A keyboard or scripted activation (detail 0) is not a finger: neither guarded nor remembered.
    if (event.detail === 0) return;
    const tap = { x: event.clientX, y: event.clientY, t: event.timeStamp };
    const near = screenTap && tap.t - screenTap.t < DOUBLE_TAP_MS && Math.hypot(tap.x - screenTap.x, tap.y - screenTap.y) < DOUBLE_TAP_PX;
    if (near) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    // A tap elsewhere on the new screen: the person is working on it, nothing more to guard.
    screenTap = null;
    lastTap = tap;
    if (event.target instanceof Element && event.target.closest('a[href^="#"]')) navTap = tap;
  },
  true
);

async function route({ keepScroll = false } = {}) {
  const y = window.scrollY;
  if (!keepScroll) {
    screenTap = navTap && performance.now() - navTap.t < DOUBLE_TAP_MS ? navTap : null;
    navTap = null;
  }
  const [screen, id, sub, extra] = currentRoute();
  app.redrawRecords = null;
  if (!screen) {
    setHeader("Kiểm tra TC-ĐL-CL", null);
    screens.renderHome(view, app, actions);
  } else if (screen === "start") {
    const premise = app.premises.find((p) => String(p.id) === id);
    if (!premise) return go("#/");
    setHeader("Bắt đầu", "#/");
    if (!app.startForm || app.startForm.premiseId !== premise.id || app.startForm.follows || app.startForm.complaint) await newStartForm(premise);
    screens.renderStart(view, app, actions, premise);
    loadInstruments(premise.id);
  } else if (screen === "follow") {
    // A follow-up visit: the premise of a fix-by request, its start form naming the inspection it follows.
    const item = (app.followUps?.items || []).find((f) => String(f.inspection_id) === id);
    const premise = item && (app.premises.find((p) => p.id === item.premise.id) || item.premise);
    if (!(await startVisit(id, item, premise, { draftKey: "followsId", field: "follows", idOf: (f) => f.inspection_id, title: "Kiểm tra lại" }))) return;
  } else if (screen === "complaint") {
    // An inspection theo phản ánh: the complaint's premise, its start form naming the complaint (kind "complaint").
    const item = (app.complaints?.items || []).find((c) => String(c.id) === id);
    const premise = item && (app.premises.find((p) => p.id === item.premise_id) || item.premise);
    if (!(await startVisit(id, item, premise, { draftKey: "complaintId", field: "complaint", idOf: (c) => c.id, title: "Kiểm tra theo phản ánh", kind: "complaint" }))) return;
  } else if (screen === "i") {
    const inspection = app.inspections.get(id);
    if (!inspection) return go("#/");
    if (sub === "done" || inspection.status === "completed") {
      setHeader(inspection.status === "completed" ? "Đã kiểm tra" : "Kết luận", inspection.status === "completed" ? "#/" : `#/i/${id}`);
      if (!app.doneForm || app.doneForm.uuid !== id) {
        const { outcome = null, fix_deadline = null, referral_body = null, handling_note = "" } = inspection;
        app.doneForm = { uuid: id, outcome, fix_deadline, referral_body, handling_note };
      }
      screens.renderDone(view, app, actions, inspection);
    } else if (METROLOGY_SUBS.has(sub)) {
      await keptInstruments(inspection.premise.id);
      loadInstruments(inspection.premise.id);
      if (sub === "meters") {
        setHeader("Công tơ, đồng hồ nước", `#/i/${id}/${actions.groupFor(inspection, "instrument_readings")}`);
        meters.renderMeters(view, app, actions, inspection, extra || null);
      } else if (sub === "lots") {
        setHeader("Hàng đóng gói", `#/i/${id}/${actions.groupFor(inspection, "prepackage_lots")}`);
        measure.renderLots(view, app, actions, inspection);
      } else if (sub === "pt-new") {
        setHeader("Phương tiện đo", `#/i/${id}/${actions.groupFor(inspection, "instrument_readings")}`);
        measure.renderAddInstrument(view, app, actions, inspection);
      } else {
        const instrument = measure.instrumentsAt(app, inspection).find((i) => i.uuid === extra);
        if (!instrument) return go(`#/i/${id}/${actions.groupFor(inspection, "instrument_readings")}`);
        setHeader("Phương tiện đo", `#/i/${id}/${actions.groupFor(inspection, "instrument_readings")}`);
        measure.renderInstrument(view, app, actions, inspection, instrument);
      }
    } else {
      await keptInstruments(inspection.premise.id);
      loadInstruments(inspection.premise.id);
      setHeader("Kiểm tra", "#/");
      screens.renderChecklist(view, app, actions, inspection, sub);
    }
  } else if (screen === "sync") {
    setHeader("Đồng bộ", "#/");
    screens.renderOutbox(view, app, actions, await outbox.listFor(owner()));
  } else {
    return go("#/");
  }
  window.scrollTo(0, keepScroll ? y : 0);
}

/**
 * The start screen of a visit that answers something (``item``: a follow-up or a complaint, ``id`` as routed): its
 * draft if one is under way, else a start form naming it in ``field`` (and with its ``kind``), kept across redraws.
 * False when it moved to another screen instead.
 */
async function startVisit(id, item, premise, { draftKey, field, idOf, title, kind = null }) {
  const draft = item && premise && [...app.inspections.values()].find((i) => i.status === "draft" && String(i[draftKey]) === id);
  if (!item || !premise || draft) {
    go(draft ? `#/i/${draft.uuid}` : "#/");
    return false;
  }
  setHeader(title, "#/");
  const form = app.startForm;
  if (!form || form.premiseId !== premise.id || !form[field] || idOf(form[field]) !== idOf(item)) {
    await newStartForm(premise);
    app.startForm[field] = item;
    if (kind) app.startForm.kind = kind;
  }
  screens.renderStart(view, app, actions, premise);
  loadInstruments(premise.id);
  return true;
}

const rerender = () => route({ keepScroll: true });

function go(hash) {
  // Moved by an action right after a tap (e.g. "Hoàn thành" saved): that tap changed the screen.
  if (lastTap && performance.now() - lastTap.t < DOUBLE_TAP_MS) navTap = lastTap;
  if (location.hash === hash) rerender();
  else location.hash = hash;
}

async function newStartForm(premise) {
  const last = (await getMeta(`lastTeam:${owner()}`)) || {};
  app.startForm = {
    premiseId: premise.id,
    kind: last.kind || "planned",
    basis: last.basis || "",
    colleagues: (last.colleagues || []).filter((id) => app.me.colleagues.some((c) => c.id === id)),
    external: last.external || [],
    provinceInTeam: Boolean(last.provinceInTeam),
    // Filled in from the previous inspection: shown as such, and confirmed before starting (never silently reused).
    carried: Boolean(last.kind || last.basis || (last.colleagues || []).length || (last.external || []).length),
    carriedConfirmed: false,
    fix: null,
    fixError: null,
    setPremiseLocation: false,
  };
  actions.takeFix(app.startForm).then(() => app.startForm.redrawGps && app.startForm.redrawGps());
}

// ---- actions ------------------------------------------------------------------------------------------------------

const noteTimers = new Map();

function findingLabel(inspection, code) {
  return (finding) => `${code}: ${label("answers", finding.answer)}${finding.note ? ` – ${finding.note.slice(0, 60)}` : ""} (${inspection.premise.name})`;
}

function refreshTabCount(inspection) {
  const tab = document.querySelector(".tab.active small");
  const items = [...document.querySelectorAll(".items > .item")].map((el) => el.dataset.code);
  if (tab) tab.textContent = `${items.filter((c) => (inspection.findings[c] || {}).answer).length}/${items.length}`;
}

const actions = {
  refreshPosition: () => refreshPosition(),

  async takeFix(form, fresh = false) {
    try {
      // "Lấy lại vị trí" wants a new fix, not the one the phone remembers from a moment ago.
      form.fix = await currentPosition({ maximumAge: fresh ? 0 : 5000 });
      app.position = form.fix;
    } catch (error) {
      form.fixError = error.message;
    }
  },

  async start(premise) {
    const form = app.startForm;
    if (form.carried && !form.carriedConfirmed) {
      const box = document.getElementById("carried-note");
      if (box) {
        box.classList.add("warn");
        box.scrollIntoView({ block: "center" });
      }
      toast("Hãy xác nhận các thông tin điền sẵn từ lần kiểm tra trước.");
      return;
    }
    const me = app.me.user;
    const fix = form.fix;
    const uuid = crypto.randomUUID();
    const team = [
      { user_id: me.id, team_role: "lead" },
      ...form.colleagues.map((id) => ({ user_id: id, team_role: "member" })),
      ...form.external.map((m) => ({ name: m.name, position: m.position, organisation: m.organisation, team_role: "member" })),
    ];
    const gps = fix ? { latitude: fix.latitude, longitude: fix.longitude, accuracy_m: fix.accuracy_m } : null;
    const noLocation = premise.latitude === null || premise.longitude === null;
    const follows = form.follows && form.follows.premise.id === premise.id ? form.follows.inspection_id : null;
    const complaint = form.complaint && form.complaint.premise_id === premise.id ? form.complaint.id : null;
    const body = {
      uuid,
      premise_id: premise.id,
      follows_id: follows,
      complaint_id: complaint,
      kind: complaint ? "complaint" : form.kind,
      basis: form.basis.trim(),
      started_at: localIso(),
      catalogue_version: app.catalogue.version,
      team,
      province_in_team: Boolean(form.provinceInTeam),
      gps,
      set_premise_location: Boolean(form.setPremiseLocation && gps && noLocation),
    };
    const inspection = {
      uuid,
      owner: owner(),
      premise: { ...premise },
      kind: body.kind,
      basis: body.basis,
      team,
      provinceInTeam: body.province_in_team,
      gps,
      startedAt: body.started_at,
      catalogueVersion: app.catalogue.version,
      followsId: follows,
      complaintId: complaint,
      findings: {},
      photos: [],
      status: "draft",
      outcome: null,
      version: null,
      sent: false,
      localWarnings: assessFix(fix, premise, app.me.settings).warnings,
    };
    if (body.set_premise_location) inspection.premise = { ...premise, latitude: gps.latitude, longitude: gps.longitude };
    await outbox.createInspection(inspection, body, premise.name);
    // The kind a complaint forced is not the one to offer next time.
    const last = (await getMeta(`lastTeam:${owner()}`)) || {};
    const kind = form.complaint ? last.kind || "planned" : form.kind;
    await setMeta(`lastTeam:${owner()}`, { kind, basis: form.basis, colleagues: form.colleagues, external: form.external, provinceInTeam: form.provinceInTeam });
    app.inspections.set(uuid, inspection);
    app.startForm = null;
    await refreshCounts();
    kickSoon();
    go(`#/i/${uuid}`);
  },

  async answer(inspection, item, changes, card) {
    const updated = await outbox.saveFinding(inspection.uuid, item.code, changes, findingLabel(inspection, item.code));
    app.inspections.set(updated.uuid, updated);
    if (card && card.isConnected) {
      card.replaceWith(screens.itemCard(app, actions, updated, item));
      refreshTabCount(updated);
    }
    await refreshCounts();
    kickSoon();
  },

  noteTyping(inspection, item, text) {
    // Saved while typing too, so a phone that dies mid-sentence keeps the note.
    clearTimeout(noteTimers.get(item.code));
    noteTimers.set(
      item.code,
      setTimeout(() => actions.answer(app.inspections.get(inspection.uuid), item, { note: text }), 700)
    );
  },

  showNote(inspection, item, card) {
    app.noteOpen.add(`${inspection.uuid}/${item.code}`);
    const fresh = screens.itemCard(app, actions, app.inspections.get(inspection.uuid), item);
    card.replaceWith(fresh);
    const note = fresh.querySelector("textarea");
    if (note) note.focus();
  },

  async addPhoto(inspection, itemCode, file) {
    toast("Đang xử lý ảnh…");
    let prepared;
    try {
      prepared = await preparePhoto(file, app.me.settings.photo_max_edge || 2000);
    } catch (error) {
      toast(error.message);
      return;
    }
    const photo = {
      uuid: crypto.randomUUID(),
      item_code: itemCode || null,
      caption: "",
      thumb: prepared.thumb,
      width: prepared.width,
      height: prepared.height,
      bytes: prepared.blob.size,
      sent: false,
    };
    const what = itemCode ? `Ảnh ${itemCode}` : "Ảnh chung";
    const updated = await outbox.addPhoto(inspection.uuid, photo, prepared.blob, `${what} (${inspection.premise.name})`);
    app.inspections.set(updated.uuid, updated);
    toast(`Đã lưu ảnh trên máy (${prepared.width}×${prepared.height}, ${Math.round(prepared.blob.size / 1024)} kB).`);
    await refreshCounts();
    rerender();
    kickSoon();
  },

  async markNotChecked(inspection, item, reason) {
    const changes = { answer: screens.NOT_CHECKED, note: reason, affected_count: null };
    const updated = await outbox.saveFinding(inspection.uuid, item.code, changes, findingLabel(inspection, item.code));
    app.inspections.set(updated.uuid, updated);
    await refreshCounts();
    rerender();
    kickSoon();
  },

  async complete(inspection, errorsEl) {
    const form = app.doneForm;
    const problems = [];
    const catalogue = app.catalogues[inspection.catalogueVersion] || app.catalogue;
    const blank = screens
      .itemsByGroup(catalogue, inspection.premise.premise_type)
      .flatMap((g) => g.items)
      .filter((i) => !(inspection.findings[i.code] || {}).answer);
    if (blank.length) {
      problems.push(
        `Còn ${blank.length} nội dung chưa có kết quả: ${blank.map((i) => i.code).join(", ")}. Trả lời từng nội dung, hoặc đánh dấu “Không kiểm tra” kèm lý do.`
      );
    }
    if (!form.outcome) problems.push("Chọn kết quả / hình thức xử lý.");
    if (form.outcome === "fix_request") {
      // The server's last plausible day (/api/v1/me): a deadline after it would be refused once sent, the
      // inspection already closed on the phone.
      const latestDay = app.me.settings.latest_day;
      if (!form.fix_deadline) problems.push("Yêu cầu khắc phục cần có thời hạn khắc phục.");
      else if (form.fix_deadline < inspection.startedAt.slice(0, 10)) problems.push("Thời hạn khắc phục không được trước ngày kiểm tra.");
      else if (latestDay && form.fix_deadline > latestDay) problems.push(`Thời hạn khắc phục không được sau ngày ${screens.dayText(latestDay)}.`);
    }
    if (form.outcome === "referral" && !form.referral_body) problems.push("Chọn cơ quan có thẩm quyền được chuyển hồ sơ.");
    if (problems.length) {
      mount(errorsEl, problems.map((p) => h("p", { class: "error" }, p)));
      errorsEl.scrollIntoView({ block: "center" });
      return;
    }
    const fields = {
      status: "completed",
      outcome: form.outcome,
      fix_deadline: form.outcome === "fix_request" ? form.fix_deadline : null,
      referral_body: form.outcome === "referral" ? form.referral_body : null,
      handling_note: (form.handling_note || "").trim(),
      ended_at: localIso(),
    };
    const updated = await outbox.completeInspection(inspection.uuid, fields, `${label("handling", form.outcome)} (${inspection.premise.name})`);
    app.inspections.set(updated.uuid, updated);
    app.doneForm = null;
    await refreshCounts();
    toast(navigator.onLine ? "Đã lưu kết quả; đang gửi lên máy chủ." : "Đã lưu kết quả trên máy; sẽ tự gửi khi có mạng.");
    kickSoon();
    go("#/");
  },

  /** The checklist group holding the item fed by `source` (e.g. "instrument_readings" → "PTD"). */
  groupFor(inspection, source) {
    const catalogue = app.catalogues[inspection.catalogueVersion] || app.catalogue;
    const group = catalogue.groups.find((g) => g.items.some((i) => i.auto_source === source)) || catalogue.groups[0];
    return group.code;
  },

  async addInstrument(inspection, body) {
    const uuid = crypto.randomUUID();
    const record = { uuid, ...body, premise_id: inspection.premise.id, in_use: true, sent: false, server: null, id: null };
    record.label = measure.instrumentLabel(record);
    const updated = await outbox.addRecord(inspection.uuid, "instrument", record, { uuid, ...body }, `${record.label} (${inspection.premise.name})`, {
      premise: inspection.premise.id,
    });
    app.inspections.set(updated.uuid, updated);
    delete app.autoFindings[inspection.uuid]; // the server does not know this one yet
    app.instrumentForm = null;
    await refreshCounts();
    kickSoon();
    go(`#/i/${inspection.uuid}/pt/${uuid}`);
  },

  /** A reading checked on screen (`out` has no problems): the local record with the phone's verdict, and its create. */
  async saveReading(inspection, instrument, form, out, standards, ruleChoice) {
    const uuid = crypto.randomUUID();
    const measuredAt = localIso();
    const body = {
      uuid,
      instrument_uuid: instrument.uuid,
      kind: form.kind,
      standard_ids: standards.map((s) => s.id),
      indication: out.indication.text,
      unit: out.unit,
      measured_at: measuredAt,
      note: "",
    };
    if (form.kind === "dispenser") body.reference = out.reference.text;
    if (form.kind === "control") body.direction = form.direction;
    const reference = out.reference ? plain(out.reference.value) : null;
    const record = {
      uuid,
      instrument_uuid: instrument.uuid,
      instrumentLabel: measure.instrumentLabel(instrument),
      kind: form.kind,
      direction: body.direction || null,
      standards: standards.map(({ id, nominal, unit, accuracy_class, serial, due_on }) => ({ id, nominal, unit, accuracy_class, serial, due_on })),
      indication: body.indication,
      reference,
      unit: out.unit,
      measured_at: measuredAt,
      minPlaces: out.minPlaces,
      ruleChoice: form.kind === "weighing" ? ruleChoice : null,
      local: out.verdict ? { ...storable(out.verdict), reference, indication: plain(out.indication.value) } : null,
      server: null,
      sent: false,
    };
    const what = `${measure.instrumentLabel(instrument)}: ${label("reading_kinds", form.kind)}`;
    const updated = await outbox.addRecord(inspection.uuid, "reading", record, body, `${what} (${inspection.premise.name})`);
    app.inspections.set(updated.uuid, updated);
    delete app.autoFindings[inspection.uuid];
    await refreshCounts();
    toast(navigator.onLine ? "Đã lưu phép đo; đang gửi lên máy chủ." : "Đã lưu phép đo trên máy; sẽ tự gửi khi có mạng.");
    kickSoon();
    return updated;
  },

  async saveLot(inspection, out) {
    const uuid = crypto.randomUUID();
    const body = { uuid, ...out.body, note: "" };
    const record = { uuid, ...out.body, minPlaces: out.minPlaces, local: storable(out.verdict), server: null, sent: false };
    const updated = await outbox.addRecord(inspection.uuid, "lot", record, body, `${out.body.product} (${inspection.premise.name})`);
    app.inspections.set(updated.uuid, updated);
    delete app.autoFindings[inspection.uuid];
    await refreshCounts();
    toast(navigator.onLine ? "Đã lưu lô hàng; đang gửi lên máy chủ." : "Đã lưu lô hàng trên máy; sẽ tự gửi khi có mạng.");
    kickSoon();
    return updated;
  },

  /** A photo of a meter, shrunk like every photo; kept with the form until the check is saved. */
  async prepareMeterPhoto(file) {
    toast("Đang xử lý ảnh…");
    try {
      const prepared = await preparePhoto(file, app.me.settings.photo_max_edge || 2000);
      toast(`Đã thêm ảnh (${prepared.width}×${prepared.height}); lưu cùng bản ghi.`);
      return prepared;
    } catch (error) {
      toast(error.message);
      return null;
    }
  },

  /**
   * A meter check checked on screen (`out` has no problems): a new meter first if one was added, then the check, then
   * its photos (sent to the meter by its UUID), saved together in one transaction and sent in that order.
   */
  async saveMeterCheck(inspection, form, out) {
    const where = inspection.premise.name;
    const entries = [];
    let meter = out.meter;
    if (out.newMeter) {
      const uuid = crypto.randomUUID();
      meter = { uuid, ...out.newMeter, premise_id: inspection.premise.id, in_use: true, sent: false, server: null, id: null };
      meter.label = measure.instrumentLabel(meter);
      entries.push({ kind: "instrument", record: meter, body: { uuid, ...out.newMeter }, label: `${meter.label} (${where})`, extra: { premise: inspection.premise.id } });
    }
    const what = meters.meterLabel(meter);
    const uuid = crypto.randomUUID();
    const body = { uuid, instrument_uuid: meter.uuid, ...out.body, checked_at: localIso() };
    const record = {
      uuid,
      instrument_uuid: meter.uuid,
      meterLabel: what,
      unit: meters.METER_UNITS[meter.instrument_type],
      ...out.body,
      indicative: out.indicative ? { reference: plain(out.indicative.reference), indication: plain(out.indicative.indication), difference: plain(out.indicative.difference), percent: plain(out.indicative.percent) } : null,
      photos: form.photos.length,
      checked_at: body.checked_at,
      server: null,
      sent: false,
    };
    entries.push({ kind: "meter_check", record, body, label: `${what} (${where})` });
    form.photos.forEach((p, index) => {
      const photoUuid = crypto.randomUUID();
      const caption = `Kiểm tra ngày ${body.checked_at.slice(8, 10)}/${body.checked_at.slice(5, 7)}/${body.checked_at.slice(0, 4)}`;
      entries.push({
        kind: "instrument_photo",
        record: { uuid: photoUuid, instrument_uuid: meter.uuid, meter_check_uuid: uuid, thumb: p.thumb, width: p.width, height: p.height, bytes: p.blob.size, sent: false },
        body: { uuid: photoUuid, caption },
        label: `Ảnh ${index + 1}: ${what} (${where})`,
        extra: { instrument: meter.uuid, blob: p.blob },
      });
    });
    const updated = await outbox.addRecords(inspection.uuid, entries);
    app.inspections.set(updated.uuid, updated);
    delete app.autoFindings[inspection.uuid];
    await refreshCounts();
    toast(navigator.onLine ? "Đã lưu kiểm tra công tơ; đang gửi lên máy chủ." : "Đã lưu kiểm tra công tơ trên máy; sẽ tự gửi khi có mạng.");
    kickSoon();
    return updated;
  },

  /** The server's suggested answers, once it holds everything of this inspection (else the phone suggests). */
  async refreshSuggestions(inspection, onChange) {
    if (!navigator.onLine || !inspection.sent || app.sync.byInspection[inspection.uuid] || app.autoFindings[inspection.uuid]) return;
    try {
      const response = await fetch(`/api/v1/inspections/${encodeURIComponent(inspection.uuid)}/automatic-findings`, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      app.autoFindings[inspection.uuid] = (await response.json()).items;
      onChange();
    } catch (error) {
      // Offline after all: the phone's own suggestions stay.
    }
  },

  async retry(seq) {
    await outbox.retry(seq);
    await refreshCounts();
    kick(0);
  },

  async retryOnCurrent(seq) {
    await outbox.retryOnCurrent(seq);
    await loadInspections();
    await refreshCounts();
    kick(0);
  },

  sendNow() {
    kick(0);
    toast("Đang gửi…");
  },

  async logout() {
    const counts = await outbox.summary(owner());
    const waiting = counts.pending + counts.failed;
    if (
      waiting &&
      !confirm(
        `Còn ${waiting} bản ghi chưa gửi lên máy chủ.\n` +
          `Chúng vẫn được giữ trên máy này và chỉ được gửi khi tài khoản ${owner()} đăng nhập lại. Vẫn đăng xuất?`
      )
    ) {
      return;
    }
    let response;
    try {
      response = await fetch("/api/v1/me", { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (error) {
      toast("Không có mạng nên chưa đăng xuất được. Hãy thử lại khi có mạng.");
      return;
    }
    // A shared phone: the next person must not see this account's premises or profile.
    await caches.delete("field-api").catch(() => {});
    await setMeta("me", null);
    await setMeta(`premises:${owner()}`, null);
    await forgetPremises(owner());
    await setMeta(`standards:${owner()}`, null);
    await setMeta(`followUps:${owner()}`, null);
    await setMeta(`complaints:${owner()}`, null);
    if (response.status === 401) {
      location.href = "/login";
      return;
    }
    const { csrf_token: csrf } = await response.json();
    const form = h(
      "form",
      { method: "post", action: "/logout", hidden: true },
      h("input", { type: "hidden", name: "csrf_token", value: csrf }),
      // Already confirmed here: the service worker's own warning page is not needed.
      h("input", { type: "hidden", name: "confirmed", value: "1" })
    );
    document.body.append(form);
    form.submit();
  },
};

async function refreshCounts() {
  app.sync = { ...app.sync, ...(await outbox.summary(owner())) };
  drawStatus();
}

// ---- start --------------------------------------------------------------------------------------------------------

async function boot() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => console.warn("service worker", error));
  }
  window.addEventListener("online", drawStatus);
  window.addEventListener("offline", drawStatus);
  await loadMe();
  if (!app.me) {
    drawStatus();
    screens.renderNoAccount(view);
    return;
  }
  // The premises list is asked for once, near the phone if the GPS answers within a few seconds.
  const located = locate();
  // The things to do are in the first screen, above the premises: asked for before it is drawn, so nothing moves
  // under the finger when they arrive (offline, the kept copy answers at once).
  await Promise.all([
    loadCatalogue(),
    loadInspections(),
    loadFollowUps({ redraw: false }),
    Promise.race([located, new Promise((r) => setTimeout(r, 3000))]),
  ]);
  const near = Boolean(app.position);
  app.premisesFeed = (await feedState("premises", owner())) || null;
  app.instrumentsFeed = (await feedState("instruments", owner())) || null;
  await loadPremises();
  if (!app.catalogue) {
    mount(view, h("p", { class: "warn" }, "Chưa tải được danh mục kiểm tra. Hãy kết nối mạng rồi mở lại ứng dụng."));
    return;
  }
  drawStatus();
  window.addEventListener("hashchange", () => route());
  await route();
  startSync(owner(), { onStatus, onMe, onApplied });
  // The phone's copy of the premises is refreshed behind the first screen, and whenever the network comes back.
  refreshPremiseCache();
  window.addEventListener("online", onOnline);
  loadMetrology();
  await located;
  if (!near && app.position && app.premisesPartial) await loadPremises();
  if (!near) redrawHome();
}

boot();
