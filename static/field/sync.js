// The sync loop: sends this user's outbox in order, keeps every item until the server answers 200/201,
// and backs off (2 s doubling to 1 min) while the network or the server is down.

import { tx } from "./db.js";
import { listFor, renameInstrument, summary } from "./outbox.js";

const TICK_MS = 30000;
// Where the local inspection keeps each kind of metrology record.
const RECORD_LISTS = {
  instrument: "instruments",
  reading: "readings",
  lot: "lots",
  meter_check: "meter_checks",
  instrument_photo: "instrument_photos",
};
const BACKOFF_START_MS = 2000;
const BACKOFF_CAP_MS = 60000;

const state = {
  running: false,
  timer: null,
  failures: 0,
  backoffUntil: 0, // while backing off, taps do not trigger a send
  again: false,
  authLost: false,
  trouble: null, // the last network or server failure, as a Vietnamese sentence
  owner: null,
};
let hooks = { onStatus() {}, onMe() {}, onApplied() {} };

export function syncState() {
  return { ...state };
}

/** Starts the loop for `owner` (the last known user; the server's /me answer replaces it on each pass). */
export function startSync(owner, callbacks) {
  state.owner = owner;
  hooks = { ...hooks, ...callbacks };
  window.addEventListener("online", () => {
    state.failures = 0;
    state.backoffUntil = 0;
    kick(0);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && Date.now() >= state.backoffUntil) kick(0);
  });
  kick(0);
}

/** Send soon, unless the loop is backing off (a tap while offline must not hammer the network). */
export function kickSoon() {
  if (Date.now() >= state.backoffUntil) kick(300);
}

export function kick(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(run, ms);
}

async function run() {
  if (state.running) {
    // Something was queued during a pass: go round again as soon as it ends.
    state.again = true;
    return;
  }
  state.running = true;
  state.again = false;
  let next = TICK_MS;
  try {
    // One tab sends at a time; another tab's loop just waits for its next turn.
    const outcome = navigator.locks
      ? await navigator.locks.request("field-sync", { ifAvailable: true }, (lock) => (lock ? pass() : "busy"))
      : await pass();
    if (outcome === "backoff") {
      state.failures += 1;
      const base = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * 2 ** (state.failures - 1));
      next = Math.round(base * (0.8 + Math.random() * 0.4));
      state.backoffUntil = Date.now() + next;
    } else {
      state.failures = 0;
      state.backoffUntil = 0;
      if (outcome === "more" || (state.again && outcome !== "wait")) next = 0;
    }
  } catch (error) {
    console.error(error);
    state.failures += 1;
    next = BACKOFF_CAP_MS;
    state.backoffUntil = Date.now() + next;
  } finally {
    state.running = false;
    await report();
    kick(next);
  }
}

async function report() {
  const counts = state.owner ? await summary(state.owner) : { pending: 0, failed: 0, others: 0, byInspection: {} };
  hooks.onStatus({ ...counts, authLost: state.authLost, trouble: state.trouble, retryAt: state.backoffUntil });
}

async function fetchMe() {
  // "no-store": the service worker lets this one through, so a dead network shows as an error, not an old answer.
  return fetch("/api/v1/me", { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } });
}

/** One pass over the outbox: "done", "more" (new items arrived meanwhile), "backoff" or "wait" (login needed). */
async function pass() {
  let response;
  try {
    response = await fetchMe();
  } catch (error) {
    state.trouble = "Không có kết nối mạng; sẽ tự gửi lại khi có mạng.";
    return "backoff";
  }
  if (response.status === 401) {
    state.authLost = true;
    state.trouble = null;
    return "wait";
  }
  if (!response.ok) {
    state.trouble = `Máy chủ đang lỗi (${response.status}); sẽ thử lại.`;
    return "backoff";
  }
  const me = await response.json();
  state.authLost = false;
  state.trouble = null;
  state.owner = me.user.username;
  await hooks.onMe(me);
  const blocked = new Set();
  let sent = 0;
  // Only this account's records: another person's records on a shared phone wait for that person.
  for (const listed of await listFor(state.owner)) {
    if (blocked.has(listed.inspection)) continue;
    const item = await tx(["outbox"], "readonly", (s, done) => done(s.outbox.get(listed.seq)));
    if (!item) continue;
    if (item.state === "failed") {
      // Later records of the same inspection depend on this one (a finding needs its inspection).
      blocked.add(item.inspection);
      continue;
    }
    const result = await send(item, me.csrf_token);
    if (result === "ok") sent += 1;
    else if (result === "failed") blocked.add(item.inspection);
    else return result; // "backoff" or "wait": stop the whole pass
  }
  const left = await listFor(state.owner);
  return sent && left.some((i) => i.state === "pending" && !blocked.has(i.inspection)) ? "more" : "done";
}

async function request(item, csrf) {
  const inspection = await tx(["inspections"], "readonly", (s, done) => done(s.inspections.get(item.inspection)));
  const base = `/api/v1/inspections/${encodeURIComponent(item.inspection)}`;
  const json = (method, url, body) => ({
    url,
    init: { method, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } },
  });
  switch (item.kind) {
    case "inspection":
      return json("POST", "/api/v1/inspections", item.body);
    case "finding":
      return json("POST", `${base}/findings`, item.body);
    case "finding_patch": {
      // The version is the one last confirmed by the server, read now: earlier edits may have moved it on.
      const finding = inspection && inspection.findings[item.code];
      return json("PATCH", `/api/v1/findings/${encodeURIComponent(item.target)}`, { version: finding ? finding.version : 0, ...item.body });
    }
    case "inspection_patch":
      return json("PATCH", base, { version: inspection ? inspection.version : 0, ...item.body });
    case "instrument":
      return json("POST", `/api/v1/premises/${encodeURIComponent(item.premise)}/instruments`, item.body);
    case "reading":
      return json("POST", `${base}/readings`, item.body);
    case "lot":
      return json("POST", `${base}/lots`, item.body);
    case "meter_check":
      return json("POST", `${base}/meter-checks`, item.body);
    case "instrument_photo": {
      // The instrument went before it in the outbox; the server finds it by the phone's UUID.
      const form = new FormData();
      form.append("uuid", item.body.uuid);
      form.append("caption", item.body.caption || "");
      form.append("file", item.blob, `${item.body.uuid}.jpg`);
      return { url: `/api/v1/instruments/${encodeURIComponent(item.instrument)}/photos`, init: { method: "POST", body: form, headers: {} } };
    }
    case "photo": {
      const form = new FormData();
      form.append("uuid", item.body.uuid);
      if (item.body.item_code) form.append("item_code", item.body.item_code);
      form.append("caption", item.body.caption || "");
      form.append("file", item.blob, `${item.body.uuid}.jpg`);
      return { url: `${base}/photos`, init: { method: "POST", body: form, headers: {} } };
    }
    default:
      throw new Error(`unknown outbox item ${item.kind}`);
  }
}

async function send(item, csrf) {
  const sentRev = item.rev;
  // Counted before sending: after an attempt the server may hold the record even if the answer never arrives.
  await tx(["outbox"], "readwrite", async (s, done) => {
    const now = await done(s.outbox.get(item.seq));
    if (now) {
      now.attempts += 1;
      s.outbox.put(now);
    }
  });
  const { url, init } = await request(item, csrf);
  init.headers = { ...init.headers, Accept: "application/json", "X-CSRFToken": csrf };
  init.credentials = "same-origin";
  init.cache = "no-store";
  let response;
  let body = null;
  try {
    response = await fetch(url, init);
    body = await response.json().catch(() => null);
  } catch (error) {
    await keep(item.seq, { status: 0, message: "Không có kết nối mạng." });
    state.trouble = "Không có kết nối mạng; sẽ tự gửi lại khi có mạng.";
    return "backoff";
  }
  const status = response.status;
  if (status === 200 || status === 201) {
    await applySuccess(item, sentRev, body);
    return "ok";
  }
  const message = (body && body.error) || `Lỗi ${status}`;
  if (status === 401) {
    state.authLost = true;
    await keep(item.seq, { status, message }, status);
    return "wait";
  }
  if (status >= 500 || status === 429) {
    await keep(item.seq, { status, message }, status);
    state.trouble = `Máy chủ chưa nhận (${status}): ${message} Sẽ thử lại.`;
    return "backoff";
  }
  await keep(item.seq, { status, message, fields: body && body.fields, current: body && body.current, locked: body && body.locked }, status, "failed");
  return "failed";
}

/** Record why an item was not accepted; it always stays in the outbox. */
function keep(seq, error, status = null, newState = "pending") {
  return tx(["outbox"], "readwrite", async (s, done) => {
    const item = await done(s.outbox.get(seq));
    if (!item) return;
    item.error = error;
    item.lastStatus = status;
    item.state = newState;
    s.outbox.put(item);
  });
}

/** 200/201: note the server's ids and versions locally, then let the item go (unless it was edited meanwhile). */
function applySuccess(item, sentRev, body) {
  return tx(["outbox", "inspections"], "readwrite", async (s, done) => {
    const inspection = await done(s.inspections.get(item.inspection));
    if (inspection) {
      if (item.kind === "inspection" || item.kind === "inspection_patch") {
        inspection.version = body.version;
        inspection.serverId = body.id;
        inspection.sent = true;
        inspection.serverStatus = body.status;
        inspection.serverWarnings = (body.gps && body.gps.warnings) || [];
      } else if (item.kind === "finding" || item.kind === "finding_patch") {
        const finding = inspection.findings[item.code];
        if (finding && finding.uuid === body.uuid) {
          finding.version = body.version;
          finding.sent = true;
        }
      } else if (item.kind in RECORD_LISTS) {
        // The server's record, with its own verdict for readings and lots: the screen shows that one from now on.
        // (An instrument may come back as the one the server already had, under its own UUID.)
        const record = (inspection[RECORD_LISTS[item.kind]] || []).find((r) => r.uuid === item.target);
        if (record) {
          record.server = body;
          record.id = body.id;
          record.sent = true;
        }
      } else if (item.kind === "photo") {
        const photo = inspection.photos.find((p) => p.uuid === body.uuid);
        if (photo) {
          photo.serverId = body.id;
          photo.sent = true;
          photo.width = body.width;
          photo.height = body.height;
        }
      }
      s.inspections.put(inspection);
    }
    if (item.kind === "instrument" && body.uuid !== item.target) await renameInstrument(s, done, item.owner, item.target, body.uuid);
    const now = await done(s.outbox.get(item.seq));
    if (!now) return;
    if (now.rev === sentRev) {
      s.outbox.delete(item.seq);
    } else {
      // Edited while on the way: the server has the older content; send the newer one as an edit.
      if (now.kind === "finding") {
        const { answer, note, affected_count } = now.body;
        now.kind = "finding_patch";
        now.body = { answer, note, affected_count };
      }
      now.attempts = 0;
      now.lastStatus = null;
      now.state = "pending";
      now.error = null;
      s.outbox.put(now);
    }
  }).then(() => hooks.onApplied(item, body));
}
