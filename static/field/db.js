// A small promise wrapper around the app's IndexedDB database: the outbox, local inspections, each user's copy of
// the premises in their scope and of the instruments at them, and cached reference data.

const NAME = "field";
const VERSION = 3;
let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        if (event.oldVersion < 1) {
          // Outbox items are sent in the order they were made, so the key is an increasing number.
          const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          outbox.createIndex("owner", "owner");
          const inspections = db.createObjectStore("inspections", { keyPath: "uuid" });
          inspections.createIndex("owner", "owner");
          db.createObjectStore("meta", { keyPath: "key" });
        }
        if (event.oldVersion < 2) {
          // The premises of each user's scope, from the server's change feed: {owner, id, premise}.
          const premises = db.createObjectStore("premises", { keyPath: ["owner", "id"] });
          premises.createIndex("owner", "owner");
        }
        if (event.oldVersion < 3) {
          // The instruments at those premises, from their own change feed: {owner, id: uuid, premise_id, instrument}.
          const instruments = db.createObjectStore("instruments", { keyPath: ["owner", "id"] });
          instruments.createIndex("owner", "owner");
          instruments.createIndex("premise", ["owner", "premise_id"]);
        }
      };
      request.onsuccess = () => {
        // Another tab with a newer version of the app wants to upgrade: let it.
        request.result.onversionchange = () => request.result.close();
        resolve(request.result);
      };
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Runs `work(stores)` in one transaction over `names`; resolves with its result once the transaction commits. */
export async function tx(names, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(names, mode);
    const stores = {};
    for (const name of names) stores[name] = transaction.objectStore(name);
    let result;
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("transaction aborted"));
    Promise.resolve(work(stores, done)).then(
      (value) => (result = value),
      (error) => {
        transaction.abort();
        reject(error);
      }
    );
  });
}

export const get = (store, key) => tx([store], "readonly", (s) => done(s[store].get(key)));
export const put = (store, value) => tx([store], "readwrite", (s) => done(s[store].put(value)));
export const del = (store, key) => tx([store], "readwrite", (s) => done(s[store].delete(key)));
export const byOwner = (store, owner) =>
  tx([store], "readonly", (s) => done(s[store].index("owner").getAll(owner)));
export const all = (store) => tx([store], "readonly", (s) => done(s[store].getAll()));

export async function getMeta(key) {
  const row = await get("meta", key);
  return row ? row.value : undefined;
}

export const setMeta = (key, value) => put("meta", { key, value });

// ---- the premises and their instruments kept for offline use, per user (a shared phone must not mix two people's
// lists) ---------------------------------------------------------------------------------------------------------------

// Each change feed: how a server row is kept, and whether it stays (the server's lists offer active premises only;
// a closed one is dropped from the phone).
const FEEDS = {
  premises: { row: (owner, p) => ({ owner, id: p.id, premise: p }), id: (p) => p.id, keep: (p) => p.status === "active" },
  instruments: {
    row: (owner, i) => ({ owner, id: i.uuid, premise_id: i.premise_id, instrument: i }),
    id: (i) => i.uuid,
    keep: () => true,
  },
};
const feedKey = (store, owner) => `${store}Feed:${owner}`;
const everyRowOf = (owner) => IDBKeyRange.bound([owner], [owner, []]);

/** {since, at, count, received} of the owner's last complete fetch of a change feed ("premises", "instruments"). */
export const feedState = (store, owner) => getMeta(feedKey(store, owner));

export const keptPremises = async (owner) => (await byOwner("premises", owner)).map((row) => row.premise);

/** The instruments kept for one premise. */
export const keptInstrumentsAt = async (owner, premiseId) =>
  (await tx(["instruments"], "readonly", (s, done) => done(s.instruments.index("premise").getAll([owner, premiseId])))).map(
    (row) => row.instrument
  );

/**
 * Applies one complete fetch of a change feed in one transaction: changed rows replace the kept ones, those no longer
 * kept are dropped, and `since` is stored with them, so the copy and its `since` always agree.
 */
export function saveChanges(store, owner, items, since) {
  const feed = FEEDS[store];
  return tx([store, "meta"], "readwrite", async (s, done) => {
    for (const item of items) {
      if (feed.keep(item)) s[store].put(feed.row(owner, item));
      else s[store].delete([owner, feed.id(item)]);
    }
    const count = await done(s[store].index("owner").count(owner));
    const state = { since, at: new Date().toISOString(), count, received: items.length };
    s.meta.put({ key: feedKey(store, owner), value: state });
    return state;
  });
}

/** The server's whole list for one premise, read online: it replaces what is kept for that premise. */
export function savePremiseInstruments(owner, premiseId, items) {
  return tx(["instruments"], "readwrite", async (s, done) => {
    const index = s.instruments.index("premise");
    for (const key of await done(index.getAllKeys([owner, premiseId]))) s.instruments.delete(key);
    for (const item of items) s.instruments.put(FEEDS.instruments.row(owner, item));
  });
}

/** Logout on a shared phone: the owner's premises, instruments and their `since` go (the next login fetches them). */
export function forgetPremises(owner) {
  return tx(["premises", "instruments", "meta"], "readwrite", (s) => {
    for (const store of ["premises", "instruments"]) {
      s[store].delete(everyRowOf(owner));
      s.meta.delete(feedKey(store, owner));
    }
  });
}
