// Status reports waiting to be sent, kept in IndexedDB so that they outlive a closed page and
// a phone that restarts in a dead zone. Each report gets its Idempotency-Key when it is made:
// whatever is retried is applied once by the server. They go out strictly in the order made.

import { api, ApiError } from "./api.js";

const DB = "ambulant-outbox";
const STORE = "reports";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result?.result ?? result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export function pending() {
  return run("readonly", (store) => store.getAll());
}

export function add(report) {
  const key = crypto.randomUUID();
  return run("readwrite", (store) => store.add({ ...report, key, made_at: new Date().toISOString() }));
}

function remove(seq) {
  return run("readwrite", (store) => store.delete(seq));
}

let flushing = null;

// Sends what waits, oldest first; stops at the first network failure (the rest keeps its order).
// A report the server refuses (e.g. a visit cancelled meanwhile) leaves the outbox with the reason.
export function flush(onRefused = () => {}) {
  if (flushing) return flushing;
  flushing = (async () => {
    let sent = 0;
    for (const report of await pending()) {
      try {
        await api(`/visits/${report.visit_id}/status`, {
          method: "POST",
          body: { status: report.status, at: report.at },
          headers: { "Idempotency-Key": report.key },
        });
      } catch (error) {
        if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429) {
          onRefused(report, error);
        } else {
          break; // offline or the server is away: try again later, in the same order
        }
      }
      await remove(report.seq);
      sent += 1;
    }
    return sent;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}
