// "Your data": the whole account downloaded as one JSON file (GET /v1/export), such a
// file imported back (POST /v1/import), which adds the tasks the account does not have,
// and the account deleted for good (DELETE /v1/me), once the user's id is typed again.

import { ApiError, request, send } from './api.js';
import { $ } from './dom.js';

const MAX_BYTES = 16 << 20; // what POST /v1/import takes
const panel = $('#data-panel');
const file = $('#data-file');
const confirmInput = $('#data-delete-confirm');
let opts = { userId: '', onImported: () => {}, onDeleted: () => {}, onError: () => {} };
let busy = false; // a download, an import or the deletion is on its way

/**
 * Opens the panel for the user signed in as userId. onImported() runs after an import added
 * tasks, onDeleted() after the account was deleted, onError(err) is the page's error handling.
 */
export function openData(o) {
  opts = o;
  say('');
  $('#data-delete-id').textContent = o.userId;
  confirmInput.value = '';
  sync();
  if (!panel.open) panel.showModal(); // a second click while the module loaded
}

$('#data-close').addEventListener('click', () => panel.close());
$('#data-export').addEventListener('click', () => run(download));
file.addEventListener('change', async () => {
  await run(importFile);
  file.value = ''; // the same file chosen again is a change too
});
confirmInput.addEventListener('input', sync);
$('#data-delete-form').addEventListener('submit', (e) => {
  e.preventDefault();
  run(deleteAccount);
});

/** Enables "Delete my account" only while the id typed is the user's, exactly. */
function sync() {
  $('#data-delete').disabled = !opts.userId || confirmInput.value !== opts.userId;
}

/** Writes text in the panel's status line, and clears its error. */
function say(text) {
  $('#data-status').textContent = text;
  $('#data-error').textContent = '';
}

/** Shows err in the panel and through the page's error handling (a 401 signs out: the panel closes). */
function fail(err) {
  if (err instanceof ApiError && err.status === 401) panel.close();
  $('#data-status').textContent = '';
  $('#data-error').textContent = err.message;
  opts.onError(err);
}

/** Runs job unless another is on its way, and shows what it throws. */
async function run(job) {
  if (busy) return;
  busy = true;
  try {
    await job();
  } catch (err) {
    fail(err);
  } finally {
    busy = false;
  }
}

/** Downloads the export under the name the server gives it. */
async function download() {
  say('Preparing your file…');
  const res = await send('GET', '/v1/export');
  const name = /filename="?([^";]+)/.exec(res.headers.get('Content-Disposition') || '')?.[1] ||
    `taskwire-export-${new Date().toISOString().slice(0, 10)}.json`;
  save(await res.blob(), name);
  say(`Downloaded “${name}”.`);
}

/** Saves blob as a file called name, through a link the page never shows. */
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60000); // the download may start later than the click
}

/** Sends the file chosen to POST /v1/import and says what it added. */
async function importFile() {
  const f = file.files[0];
  if (!f) return;
  if (f.size > MAX_BYTES) throw new Error(`“${f.name}” is larger than 16 MiB, the most an import takes.`);
  say(`Importing “${f.name}”…`);
  const res = await send('POST', '/v1/import', { body: await f.text(), headers: { 'Content-Type': 'application/json' } });
  const { added, present } = await res.json();
  say(imported(added, present));
  if (added) opts.onImported();
}

/** What an import did: "Added 3 tasks; 2 were already here." */
function imported(added, present) {
  const text = `Added ${added} ${added === 1 ? 'task' : 'tasks'}`;
  return present ? `${text}; ${present} ${present === 1 ? 'was' : 'were'} already here.` : `${text}.`;
}

/** Deletes the account and everything in it for good, then lets the page sign out. */
async function deleteAccount() {
  if (confirmInput.value !== opts.userId) return;
  say('Deleting your account…');
  await request('DELETE', '/v1/me', { confirm: confirmInput.value });
  panel.close();
  opts.onDeleted();
}
