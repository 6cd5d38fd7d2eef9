// A small promise wrapper around the app's IndexedDB database: the outbox, local inspections, each user's copy of
// the premises in their scope, and cached reference data.

const NAME = "field";
const VERSION = 2;
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

// ---- the premises kept for offline use, per user (a shared phone must not mix two people's lists) -------------------

const feedKey = (owner) => `premisesFeed:${owner}`;

/** {since, at, count, received} of the owner's last complete fetch of the change feed, or undefined. */
export const premisesFeed = (owner) => getMeta(feedKey(owner));

export const keptPremises = async (owner) => (await byOwner("premises", owner)).map((row) => row.premise);

/**
 * Applies one complete fetch of the change feed in one transaction: changed premises replace the kept ones by id,
 * those no longer active are dropped, and `since` is stored with them, so the copy and its `since` always agree.
 */
export function savePremiseChanges(owner, items, since) {
  return tx(["premises", "meta"], "readwrite", async (s, done) => {
    for (const premise of items) {
      // The server's lists offer active premises only; a closed one is dropped from the phone.
      if (premise.status === "active") s.premises.put({ owner, id: premise.id, premise });
      else s.premises.delete([owner, premise.id]);
    }
    const count = await done(s.premises.index("owner").count(owner));
    const feed = { since, at: new Date().toISOString(), count, received: items.length };
    s.meta.put({ key: feedKey(owner), value: feed });
    return feed;
  });
}

/** Logout on a shared phone: the owner's premises and their `since` go (the next login fetches them again). */
export function forgetPremises(owner) {
  return tx(["premises", "meta"], "readwrite", (s) => {
    s.premises.delete(IDBKeyRange.bound([owner, -Infinity], [owner, Infinity]));
    s.meta.delete(feedKey(owner));
  });
}
