// The crew's outbox: every action and photo is written to IndexedDB first (through idb) and sent
// from there, in the order it was taken, when the network allows. Each item is sent until the
// server has it once: commands carry an idempotency key, photos are addressed by their SHA-256.
// A refusal (409: the task changed meanwhile; 4xx: the server will not take it) stays in the
// outbox, shown to the crew, and holds back the later items of the same task until it is resolved.
import { openDB } from '/crew/vendor/idb/index.js';

const DB_NAME = 'roadloop-crew';
let database = null;

function db() {
  database ??= openDB(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      d.createObjectStore('drafts', { keyPath: 'taskId' });
    },
  });
  return database;
}

/** Adds an item ({ kind: 'command' | 'photo', taskId, … }) at the end of the outbox. */
export async function enqueue(item) {
  return (await db()).add('outbox', { ...item, state: 'pending', error: null, createdAt: new Date().toISOString() });
}

/** Every item, oldest first. */
export async function allItems() {
  return (await db()).getAll('outbox');
}

export async function removeItem(seq) {
  await (await db()).delete('outbox', seq);
}

/** Puts a refused item back in line (after the crew chose to send it again). */
export async function retryItem(seq, changes = {}) {
  const d = await db();
  const item = await d.get('outbox', seq);
  if (item) await d.put('outbox', { ...item, ...changes, state: 'pending', error: null });
}

async function markRefused(item, state, error) {
  await (await db()).put('outbox', { ...item, state, error });
}

/** The crew's unsent evidence of a task: { taskId, photos: [{ sha256, name, type, size }], notes }. */
export async function draftOf(taskId) {
  return (await (await db()).get('drafts', taskId)) ?? { taskId, photos: [], notes: '' };
}

export async function saveDraft(draft) {
  await (await db()).put('drafts', draft);
}

export async function dropDraft(taskId) {
  await (await db()).delete('drafts', taskId);
}

/** Forgets everything (signing out on a shared phone). */
export async function clearAll() {
  const d = await db();
  await d.clear('outbox');
  await d.clear('drafts');
}

let running = null;
let again = false;

/**
 * Sends the waiting items in order. `send(item)` answers { ok, status, body } or throws when the
 * network is down; `onSent(item, result)` is told of each item sent or refused. Calls while a flush
 * runs make it go round once more, so an item added meanwhile is not left waiting.
 */
export function flush(send, onSent) {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await pass(send, onSent);
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}

async function pass(send, onSent) {
  const held = new Set();
  for (const item of await allItems()) {
    if (item.state !== 'pending' || held.has(item.taskId)) {
      held.add(item.taskId);
      continue;
    }
    let result;
    try {
      result = await send(item);
    } catch {
      return; // no network: everything waits, in order, for the next try
    }
    if (result.ok) {
      await removeItem(item.seq);
      onSent(item, result);
      continue;
    }
    // The server is unwell, busy or wants a new sign-in: the same item is tried again later.
    if (result.status >= 500 || result.status === 401 || result.status === 429) return;
    await markRefused(item, result.status === 409 ? 'conflict' : 'refused', result.body ?? { message: `HTTP ${result.status}` });
    held.add(item.taskId);
    onSent(item, result);
  }
}
