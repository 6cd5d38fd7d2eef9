// The outbox: every write waits here (IndexedDB) until the server answers 200/201; edits are merged into what waits.
// Each change to a local inspection and its outbox item happens in one transaction, so neither exists without the other.
//
// An item: {seq, owner, kind, inspection, target, code, body, blob, label, rev, attempts, lastStatus, state, error}
//   kind: "inspection" (create) | "finding" (create) | "finding_patch" | "photo" | "inspection_patch"
//         | "instrument" (create at the premise) | "reading" (create) | "lot" (create) | "meter_check" (create)
//         | "instrument_photo" (a photo of an instrument, sent after it: multipart to /instruments/<uuid>/photos)
//   state: "pending" (will be sent) | "failed" (the server refused it: waits for the person, blocks its inspection)
//   rev: bumped on every merge, so a send that raced with an edit does not delete the newer content.

import { tx } from "./db.js";

// Answers that prove the server stored nothing, so the request may still change before it is sent again.
const NOT_STORED = new Set([400, 401, 403, 404, 413, 422]);

function fresh(fields) {
  return { rev: 1, attempts: 0, lastStatus: null, state: "pending", error: null, createdAt: Date.now(), ...fields };
}

/** A create can absorb an edit only if the server cannot have stored the earlier content. */
export function mergeable(item) {
  return item.attempts === 0 || NOT_STORED.has(item.lastStatus);
}

function touch(item, body, label) {
  item.body = { ...item.body, ...body };
  if (label) item.label = label;
  item.rev += 1;
  item.state = "pending";
  item.error = null;
}

const ownerItems = (s, done, owner) => done(s.outbox.index("owner").getAll(owner));

/** A new inspection: the local record and its create request. */
export function createInspection(inspection, body, label) {
  return tx(["outbox", "inspections"], "readwrite", (s, done) => {
    s.inspections.put(inspection);
    const item = fresh({ owner: inspection.owner, kind: "inspection", inspection: inspection.uuid, target: inspection.uuid, body, label });
    return done(s.outbox.add(item));
  });
}

/**
 * A finding's answer/note/count changed: update the local record, then merge into the waiting create or edit,
 * or queue a new one. Nothing is queued until the item has an answer. Resolves with the updated inspection.
 */
export function saveFinding(uuid, item, changes, labelOf) {
  return tx(["outbox", "inspections"], "readwrite", async (s, done) => {
    const inspection = await done(s.inspections.get(uuid));
    const finding = (inspection.findings[item] ||= {
      uuid: crypto.randomUUID(),
      item_code: item,
      answer: null,
      note: "",
      affected_count: null,
      version: null,
      sent: false,
    });
    Object.assign(finding, changes);
    s.inspections.put(inspection);
    if (!finding.answer) return inspection;
    const label = labelOf(finding);
    const content = { answer: finding.answer, note: finding.note || "", affected_count: finding.affected_count ?? null };
    const mine = (await ownerItems(s, done, inspection.owner)).filter((i) => i.target === finding.uuid);
    const create = mine.find((i) => i.kind === "finding");
    const patch = mine.find((i) => i.kind === "finding_patch");
    if (create && mergeable(create)) {
      touch(create, content, label);
      s.outbox.put(create);
    } else if (!create && !finding.sent) {
      const body = { uuid: finding.uuid, item_code: item, ...content };
      s.outbox.add(fresh({ owner: inspection.owner, kind: "finding", inspection: uuid, target: finding.uuid, code: item, body, label }));
    } else if (patch) {
      touch(patch, content, label);
      s.outbox.put(patch);
    } else {
      s.outbox.add(fresh({ owner: inspection.owner, kind: "finding_patch", inspection: uuid, target: finding.uuid, code: item, body: content, label }));
    }
    return inspection;
  });
}

/** A photo (already shrunk) for the inspection or one of its items. */
export function addPhoto(uuid, photo, blob, label) {
  return tx(["outbox", "inspections"], "readwrite", async (s, done) => {
    const inspection = await done(s.inspections.get(uuid));
    inspection.photos.push(photo);
    s.inspections.put(inspection);
    const body = { uuid: photo.uuid, item_code: photo.item_code || null, caption: photo.caption || "" };
    s.outbox.add(fresh({ owner: inspection.owner, kind: "photo", inspection: uuid, target: photo.uuid, body, blob, label }));
    return inspection;
  });
}

const RECORD_LISTS = {
  instrument: "instruments",
  reading: "readings",
  lot: "lots",
  meter_check: "meter_checks",
  instrument_photo: "instrument_photos",
};

/**
 * A metrology record made during the inspection: an instrument added at the premise, a reading, a pre-packaged lot,
 * a meter check or a photo of an instrument. Kept in the local inspection (`instruments`, `readings`, `lots`,
 * `meter_checks`, `instrument_photos`) and queued as a create; the server never gets an edit of these, a mistake is
 * a new record. An instrument is queued before the records that name it by UUID.
 */
export function addRecord(uuid, kind, record, body, label, extra = {}) {
  return addRecords(uuid, [{ kind, record, body, label, extra }]);
}

/** Several records saved together (a new meter, its check and its photos): all of them or none, in this order. */
export function addRecords(uuid, entries) {
  return tx(["outbox", "inspections"], "readwrite", async (s, done) => {
    const inspection = await done(s.inspections.get(uuid));
    for (const { kind, record, body, label, extra = {} } of entries) {
      (inspection[RECORD_LISTS[kind]] ||= []).push(record);
      s.outbox.add(fresh({ owner: inspection.owner, kind, inspection: uuid, target: record.uuid, body, label, ...extra }));
    }
    s.inspections.put(inspection);
    return inspection;
  });
}

/**
 * The server answered an instrument added on the phone with the one it already holds (same serial or stamp number at
 * the premise): inside the caller's transaction, every local record and waiting item that names the phone's UUID
 * names the server's from now on, so the readings, checks and photos go to that instrument.
 */
export async function renameInstrument(s, done, owner, from, to) {
  for (const item of await ownerItems(s, done, owner)) {
    let changed = false;
    if (item.body && item.body.instrument_uuid === from) {
      item.body = { ...item.body, instrument_uuid: to };
      changed = true;
    }
    if (item.instrument === from) {
      item.instrument = to;
      changed = true;
    }
    if (changed) s.outbox.put(item);
  }
  for (const inspection of await done(s.inspections.index("owner").getAll(owner))) {
    let changed = false;
    for (const list of ["instruments", "readings", "meter_checks", "instrument_photos"]) {
      for (const record of inspection[list] || []) {
        if (list === "instruments" ? record.uuid === from : record.instrument_uuid === from) {
          if (list === "instruments") record.uuid = to;
          else record.instrument_uuid = to;
          changed = true;
        }
      }
    }
    if (changed) s.inspections.put(inspection);
  }
}

/** The conclusion: outcome, handling and status "completed", merged into a waiting edit if there is one. */
export function completeInspection(uuid, fields, label) {
  return tx(["outbox", "inspections"], "readwrite", async (s, done) => {
    const inspection = await done(s.inspections.get(uuid));
    Object.assign(inspection, {
      outcome: fields.outcome,
      fix_deadline: fields.fix_deadline,
      referral_body: fields.referral_body,
      handling_note: fields.handling_note,
      endedAt: fields.ended_at,
      status: "completed",
    });
    s.inspections.put(inspection);
    const patch = (await ownerItems(s, done, inspection.owner)).find((i) => i.kind === "inspection_patch" && i.inspection === uuid);
    if (patch) {
      touch(patch, fields, label);
      s.outbox.put(patch);
    } else {
      s.outbox.add(fresh({ owner: inspection.owner, kind: "inspection_patch", inspection: uuid, target: uuid, body: fields, label }));
    }
    return inspection;
  });
}

export function listFor(owner) {
  return tx(["outbox"], "readonly", (s, done) => ownerItems(s, done, owner));
}

/** {pending, failed, others, byInspection}: this user's items, and how many belong to other accounts. */
export function summary(owner) {
  return tx(["outbox"], "readonly", async (s, done) => {
    const items = await done(s.outbox.getAll());
    const mine = items.filter((i) => i.owner === owner);
    const byInspection = {};
    for (const i of mine) byInspection[i.inspection] = (byInspection[i.inspection] || 0) + 1;
    return {
      pending: mine.filter((i) => i.state === "pending").length,
      failed: mine.filter((i) => i.state === "failed").length,
      others: items.length - mine.length,
      byInspection,
    };
  });
}

/** The person asks to send a refused item again as it is. */
export function retry(seq) {
  return tx(["outbox"], "readwrite", async (s, done) => {
    const item = await done(s.outbox.get(seq));
    if (!item) return;
    item.state = "pending";
    item.error = null;
    return done(s.outbox.put(item));
  });
}

/**
 * After a 409 that carried the server's current record: send the local content again on top of it.
 * A stale edit takes the current version; a create whose UUID (or checklist item) already has a record
 * becomes an edit of that record; a photo whose UUID is taken gets a new UUID.
 */
export function retryOnCurrent(seq) {
  return tx(["outbox", "inspections"], "readwrite", async (s, done) => {
    const item = await done(s.outbox.get(seq));
    if (!item) return;
    const current = item.error && item.error.current;
    const inspection = await done(s.inspections.get(item.inspection));
    if (["photo", "reading", "lot", "meter_check", "instrument_photo"].includes(item.kind)) {
      // The UUID is taken by another record on the server: this one is sent again as a new record.
      const uuid = crypto.randomUUID();
      const list = item.kind === "photo" ? inspection && inspection.photos : inspection && inspection[RECORD_LISTS[item.kind]];
      const record = list && list.find((p) => p.uuid === item.target);
      if (record) record.uuid = uuid;
      item.target = uuid;
      item.body = { ...item.body, uuid };
    } else if (current && inspection && (item.kind === "finding" || item.kind === "finding_patch")) {
      const finding = inspection.findings[item.code];
      const old = item.target;
      finding.uuid = current.uuid;
      finding.version = current.version;
      finding.sent = true;
      item.kind = "finding_patch";
      item.target = current.uuid;
      item.body = { answer: finding.answer, note: finding.note || "", affected_count: finding.affected_count ?? null };
      // Other waiting edits of the same finding follow it to the server's record.
      for (const other of await ownerItems(s, done, item.owner)) {
        if (other.seq !== item.seq && other.target === old) {
          other.target = current.uuid;
          s.outbox.put(other);
        }
      }
    } else if (current && inspection && (item.kind === "inspection" || item.kind === "inspection_patch")) {
      inspection.version = current.version;
      inspection.sent = true;
      if (item.kind === "inspection") {
        const { kind, basis, started_at, team, province_in_team, gps } = item.body;
        item.kind = "inspection_patch";
        item.body = { kind, basis, started_at, team, province_in_team, gps };
      }
    }
    if (inspection) s.inspections.put(inspection);
    Object.assign(item, { state: "pending", error: null, attempts: 0, lastStatus: null, rev: item.rev + 1 });
    return done(s.outbox.put(item));
  });
}
