// Service worker of the field app: serves the app shell offline, keeps the last reference answers of the API,
// and warns before a logout that would leave unsent records behind.
"use strict";

const VERSION = {{ version|tojson }};
const SHELL_CACHE = "field-shell-" + VERSION;
const API_CACHE = "field-api";
const SHELL = {{ shell|tojson }};
const APP_URL = SHELL[0];
// Reference data the app needs in a market aisle with no signal; cached by exact path. The premises are not here: the
// app keeps its own copy in IndexedDB from the change feed (/api/v1/premises/changes), which must reach the network
// or fail, never be answered from a cache.
const API_PATHS = ["/api/v1/me", "/api/v1/checklists"];
// On a weak 3G link a request can hang for a minute; after this long the cached copy is served instead.
const NETWORK_TIMEOUT_MS = 5000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      for (const url of SHELL) {
        const response = await fetch(url, { credentials: "same-origin" });
        // /app answers with the login page when the session is gone: do not install a shell that is not the app.
        if (!response.ok || response.redirected) throw new Error("shell file unavailable: " + url);
        await cache.put(url, response);
      }
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("field-shell-") && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })()
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout" && request.mode === "navigate") {
    event.respondWith(guardLogout(request));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && url.pathname === APP_URL) {
    event.respondWith(networkFirst(request, SHELL_CACHE, APP_URL));
  } else if (API_PATHS.includes(url.pathname)) {
    // The sync loop asks with cache "no-store": it must learn that the network is down, not get an old answer.
    if (request.cache === "no-store") return;
    event.respondWith(networkFirst(request, API_CACHE, url.pathname));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(cacheFirst(request, url.pathname));
  }
});

function delay(ms) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

async function networkFirst(request, cacheName, key) {
  const cache = await caches.open(cacheName);
  const network = fetch(request).then((response) => {
    if (response.ok && !response.redirected) cache.put(key, response.clone());
    return response;
  });
  network.catch(() => {});
  try {
    return await Promise.race([network, delay(NETWORK_TIMEOUT_MS)]);
  } catch (error) {
    const cached = await cache.match(key);
    // Nothing cached yet: keep waiting for the network after all.
    return cached || network;
  }
}

async function cacheFirst(request, key) {
  const cached = await caches.match(key, { cacheName: SHELL_CACHE });
  return cached || fetch(request);
}

// ---- logout guard for the site's own logout form (pages outside /app cannot run the app's confirm()) ------------

function openDatabase() {
  return new Promise((resolve) => {
    const open = indexedDB.open("field");
    // The app has never run on this device: do not create an empty database the app would then not upgrade.
    open.onupgradeneeded = () => open.transaction.abort();
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => resolve(null);
  });
}

function read(db, store, method, arg) {
  return new Promise((resolve) => {
    const request = db.transaction(store).objectStore(store)[method](arg);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(undefined);
  });
}

async function unsentCount() {
  const db = await openDatabase();
  if (!db) return { count: 0 };
  try {
    const me = await read(db, "meta", "get", "me");
    const owner = me && me.value && me.value.user ? me.value.user.username : null;
    const items = (await read(db, "outbox", "getAll")) || [];
    return { count: items.filter((item) => !owner || item.owner === owner).length, owner };
  } finally {
    db.close();
  }
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}

async function guardLogout(request) {
  const form = await request.clone().formData();
  if (!form.get("confirmed")) {
    const { count } = await unsentCount();
    if (count > 0) {
      const page = `<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Còn bản ghi chưa gửi</title>
<link rel="stylesheet" href="{{ app_css }}"></head><body><main class="page"><section class="card narrow">
<h1>Còn ${count} bản ghi chưa gửi</h1>
<p>Các bản ghi kiểm tra này mới chỉ lưu trên máy, chưa gửi lên máy chủ. Nếu đăng xuất, chúng vẫn được giữ lại trên máy
và chỉ được gửi khi chính tài khoản này đăng nhập lại.</p>
<a class="btn btn-primary btn-block" href="${APP_URL}">Mở ứng dụng để gửi</a>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="${escapeHtml(form.get("csrf_token") || "")}">
<input type="hidden" name="confirmed" value="1"><button class="btn btn-block" type="submit">Vẫn đăng xuất</button></form>
</section></main></body></html>`;
      return new Response(page, { headers: { "Content-Type": "text/html; charset=utf-8" } });
    }
  }
  return fetch(request);
}
