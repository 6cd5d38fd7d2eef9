// A small promise wrapper around the app's IndexedDB database: the outbox, local inspections and cached reference data.

const NAME = "field";
const VERSION = 1;
let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        // Outbox items are sent in the order they were made, so the key is an increasing number.
        const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        outbox.createIndex("owner", "owner");
        const inspections = db.createObjectStore("inspections", { keyPath: "uuid" });
        inspections.createIndex("owner", "owner");
        db.createObjectStore("meta", { keyPath: "key" });
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
