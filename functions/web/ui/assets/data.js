// "Your data": the whole account downloaded as one JSON file (GET /v1/export), the tasks
// as CSV for a spreadsheet (GET /v1/export/tasks.csv), such a JSON file or a project
// Todoist exported as CSV imported (POST /v1/import), which adds the tasks the account does not have,
// the calendar feed (/v1/calendar-feed), the secret address at which a calendar app reads
// the open tasks that have a due time, where reminders (and task changes) are delivered and
// the daily goal (PATCH /v1/me), and the account deleted for good (DELETE /v1/me), once the
// user's id is typed again.

import { ApiError, get, post, request, send } from './api.js';
import { confirmed } from './confirm.js';
import { $ } from './dom.js';

const MAX_BYTES = 16 << 20; // what POST /v1/import takes
const panel = $('#data-panel');
const file = $('#data-file');
const confirmInput = $('#data-delete-confirm');
let opts = { userId: '', onImported: () => {}, onDeleted: () => {}, onSettings: () => {}, onError: () => {} };
let busy = false; // a download, an import, a save or the deletion is on its way
let next = null;  // a save asked for while busy: it runs once the job on its way is done
let seq = 0;      // bumps when the panel opens or closes, so that late answers about the feed are dropped

/**
 * Opens the panel for the user signed in as userId. onImported() runs after an import added
 * tasks or saved filters, onDeleted() after the account was deleted, onSettings(me) after the settings were
 * saved, onError(err) is the page's error handling.
 */
export function openData(o) {
  opts = o;
  say('');
  $('#data-delete-id').textContent = o.userId;
  confirmInput.value = '';
  sync();
  seq++;
  showFeed(undefined);
  showDelivery(null);
  if (!panel.open) panel.showModal(); // a second click while the module loaded
  loadFeed();
  loadDelivery();
}

// The feed's address and the signing secret are credentials: they leave the page with the
// panel (a sign-out closes it).
panel.addEventListener('close', () => {
  seq++;
  next = null; // the form is emptied: a save waiting to run would send nothing typed
  showFeed(undefined);
  showDelivery(null);
});
$('#data-close').addEventListener('click', () => panel.close());
$('#data-export').addEventListener('click', () => run(() => download('/v1/export', 'taskwire-export', 'json')));
$('#data-csv').addEventListener('click', () => run(() => download('/v1/export/tasks.csv', 'taskwire-tasks', 'csv')));
$('#data-ics').addEventListener('click', () => run(() => download('/v1/export/tasks.ics', 'taskwire-tasks', 'ics')));
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
  $('#data-status').scrollIntoView({ block: 'nearest' }); // at the panel's top, out of view from its Save
}

/** Shows err in the panel and through the page's error handling (a 401 signs out: the panel closes). */
function fail(err) {
  if (err instanceof ApiError && err.status === 401) panel.close();
  $('#data-status').textContent = '';
  $('#data-error').textContent = err.message;
  $('#data-error').scrollIntoView({ block: 'nearest' });
  opts.onError(err);
}

/**
 * Runs job unless another is on its way, and shows what it throws. A press of a button
 * while busy does nothing (a second download, a second deletion), but a job that says
 * later runs once the one on its way is done: a Save pressed meanwhile saves what was
 * typed since, and the last such press counts.
 */
async function run(job, later = false) {
  if (busy) {
    if (later) next = job;
    return;
  }
  busy = true;
  try {
    await job();
  } catch (err) {
    fail(err);
  } finally {
    busy = false;
    const queued = next;
    next = null;
    if (queued) run(queued);
  }
}

/** Downloads the file at path under the name the server gives it, else stem-YYYY-MM-DD.ext. */
async function download(path, stem, ext) {
  say('Preparing your file…');
  const res = await send('GET', path);
  const name = /filename="?([^";]+)/.exec(res.headers.get('Content-Disposition') || '')?.[1] ||
    `${stem}-${new Date().toISOString().slice(0, 10)}.${ext}`;
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

/** Sends the file chosen (an export, a Todoist or TickTick CSV, a calendar's tasks, Todoist's backup) to POST /v1/import and says what it added. */
async function importFile() {
  const f = file.files[0];
  if (!f) return;
  if (f.size > MAX_BYTES) throw new Error(`“${f.name}” is larger than 16 MiB, the most an import takes.`);
  say(`Importing “${f.name}”…`);
  // A .csv file is a project Todoist exported (named for it) or a TickTick backup, an .ics
  // file a calendar's tasks, a .zip file Todoist's backup; anything else, a Taskwire export.
  let type = 'application/json';
  if (f.type === 'text/csv' || /\.csv$/i.test(f.name)) type = 'text/csv';
  else if (f.type === 'text/calendar' || /\.(ics|ical|ifb|vcs)$/i.test(f.name)) type = 'text/calendar';
  else if (/zip/.test(f.type) || /\.zip$/i.test(f.name)) type = 'application/zip';
  const body = type === 'application/zip' ? await f.arrayBuffer() : await f.text();
  const res = await send('POST', `/v1/import?name=${encodeURIComponent(f.name)}`, { body, headers: { 'Content-Type': type } });
  const { added, present, filters = 0 } = await res.json();
  say(imported(added, present, filters));
  if (added || filters) opts.onImported();
}

/** What an import did: "Added 3 tasks and 1 saved filter; 2 were already here." */
function imported(added, present, filters) {
  let text = `Added ${added} ${added === 1 ? 'task' : 'tasks'}`;
  if (filters) text += ` and ${filters} saved ${filters === 1 ? 'filter' : 'filters'}`;
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

// ---- the time zone, where reminders and task changes are delivered, and the daily goal ----

/** Shows the user's settings (me, GET /v1/me's answer), or empty inputs while they load (null). */
function showDelivery(me) {
  $('#hooks-email').value = me?.email || '';
  $('#hooks-url').value = me?.webhook_url || '';
  $('#hooks-tasks').checked = !!me?.task_webhooks;
  $('#hooks-zone').value = me?.time_zone || '';
  $('#hooks-zone').removeAttribute('aria-invalid');
  const zones = $('#hooks-zones');
  if (!zones.options.length) zones.append(...Intl.supportedValuesOf('timeZone').map((z) => new Option(z)));
  $('#hooks-summary').value = me?.daily_summary_at || '';
  $('#hooks-goal').value = me?.daily_goal ?? '';
  $('#hooks-goal').removeAttribute('aria-invalid');
  $('#hooks-secret').value = me?.webhook_secret || '';
  $('#hooks-secret-box').hidden = !me?.webhook_secret;
  $('#hooks-save').disabled = !me;
}

/** The settings as the form holds them: what a save sends, to tell whether they changed while it was on its way. */
function typedDelivery() {
  return ['#hooks-email', '#hooks-url', '#hooks-zone', '#hooks-summary', '#hooks-goal'].map((sel) => $(sel).value)
    .concat($('#hooks-tasks').checked).join('\n');
}

/** Reads the settings into the form, unless the panel closed or opened again meanwhile. */
async function loadDelivery() {
  const mine = seq;
  try {
    const me = await get('/v1/me');
    if (mine === seq) showDelivery(me);
  } catch (err) {
    if (mine === seq) fail(err);
  }
}

$('#hooks-form').addEventListener('submit', (e) => {
  e.preventDefault();
  run(async () => {
    const goal = $('#hooks-goal');
    const zone = $('#hooks-zone');
    goal.removeAttribute('aria-invalid');
    zone.removeAttribute('aria-invalid');
    // What the input cannot read as a number ("1e") is said here; a number out of range, by the server.
    if (goal.validity.badInput) {
      goal.setAttribute('aria-invalid', 'true');
      throw new Error('The daily goal is a whole number of tasks, from 1 to 100.');
    }
    say('Saving…');
    const sent = typedDelivery();
    let me;
    try {
      me = await request('PATCH', '/v1/me', {
        email: $('#hooks-email').value.trim(), webhook_url: $('#hooks-url').value.trim(), task_webhooks: $('#hooks-tasks').checked,
        daily_summary_at: $('#hooks-summary').value.slice(0, 5) || null,
        daily_goal: goal.value === '' ? null : Number(goal.value), // empty: the default, 5
        time_zone: zone.value.trim(), // a new one takes the tasks in the old one along
      });
    } catch (err) {
      const field = err instanceof ApiError ? err.problem.field : '';
      if (field === 'daily_goal') goal.setAttribute('aria-invalid', 'true');
      if (field === 'time_zone') zone.setAttribute('aria-invalid', 'true');
      throw err;
    }
    opts.onSettings?.(me);
    if (typedDelivery() !== sent) {
      // Typed into while it saved: what was typed stays, to be saved next; the secret is the server's.
      $('#hooks-secret').value = me.webhook_secret || '';
      $('#hooks-secret-box').hidden = !me.webhook_secret;
      if (!next) say('Saved what was sent; your changes since are not saved yet.'); // else they are saved next
      return;
    }
    showDelivery(me);
    if (me.daily_summary_at && !me.email && !me.webhook_url) say('Saved, but the daily summary goes by email or webhook: add one for it to reach you.');
    else say(me.webhook_url ? 'Saved: reminders are sent to your webhook, signed with the secret shown.' : 'Saved.');
  }, true);
});

// ---- the calendar feed ----

const cal = $('#cal');
const calUrl = $('#cal-url');
const calButtons = ['#cal-create', '#cal-copy', '#cal-new', '#cal-off'].map((sel) => $(sel));
const CONFIRM_MS = 5000; // how long "New address" and "Turn off" wait for their second press

/**
 * Shows the feed: its address and what can be done with it, the button that creates one
 * (feed null: the user has none), or that the panel is still asking (feed undefined).
 */
function showFeed(feed) {
  const url = feed?.url || '';
  const loading = $('#cal-loading');
  loading.hidden = feed !== undefined;
  loading.textContent = 'Looking for your calendar address…';
  cal.setAttribute('aria-busy', String(feed === undefined));
  $('#cal-create').hidden = feed !== null;
  $('#cal-feed').hidden = !feed;
  calUrl.value = url;
  const open = $('#cal-open');
  if (url) open.href = url.replace(/^https?:/, 'webcal:');
  else open.removeAttribute('href');
}

/** Reads the user's feed as the panel opens: a 404 means there is none. */
async function loadFeed() {
  const mine = seq;
  try {
    const feed = await get('/v1/calendar-feed').catch((err) => {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    });
    if (mine === seq) showFeed(feed);
  } catch (err) {
    if (mine !== seq) return;
    $('#cal-loading').textContent = 'Your calendar address could not be read: close this panel and open it again to retry.';
    cal.setAttribute('aria-busy', 'false');
    fail(err);
  }
}

/**
 * Runs job, which changes the feed and returns what it is now, with the section's
 * buttons disabled until it answers; then shows the feed, says done and puts the focus
 * that was in the section on focus() (the button pressed, when focus returns nothing).
 * An answer that comes after the panel closed is dropped.
 */
async function changeFeed(job, done, focus) {
  const mine = seq;
  const pressed = document.activeElement;
  const hadFocus = cal.contains(pressed);
  for (const b of calButtons) b.disabled = true;
  try {
    const feed = await job();
    if (mine !== seq) return;
    showFeed(feed);
    say(done);
  } catch (err) {
    if (mine === seq) fail(err);
  } finally {
    for (const b of calButtons) b.disabled = false;
  }
  if (mine !== seq || !hadFocus) return;
  const target = focus?.();
  ((target && !target.closest('[hidden]') && target) || (pressed.closest('[hidden]') ? $('#data-close') : pressed)).focus();
}

$('#cal-create').addEventListener('click', () => changeFeed(
  () => post('/v1/calendar-feed'),
  'Your calendar address is ready: copy it into your calendar app.',
  () => $('#cal-copy')));

$('#cal-new').addEventListener('click', (e) => {
  const second = confirmed(e, {
    text: 'Press again to replace the address',
    timeout: CONFIRM_MS,
    onArm: () => say('Calendars subscribed to this address will stop updating: press again to replace it.'),
    onCancel: () => say(''),
  });
  if (second) {
    changeFeed(() => post('/v1/calendar-feed'),
      'The address is new: subscribe with it again, the old one no longer works.');
  }
});

$('#cal-off').addEventListener('click', (e) => {
  const second = confirmed(e, {
    text: 'Press again to turn off',
    timeout: CONFIRM_MS,
    onArm: () => say('Calendars subscribed to this address will stop updating: press again to turn the feed off.'),
    onCancel: () => say(''),
  });
  if (second) {
    changeFeed(async () => { await request('DELETE', '/v1/calendar-feed'); return null; },
      'The calendar feed is off: its address no longer works.',
      () => $('#cal-create'));
  }
});

$('#cal-copy').addEventListener('click', async () => {
  const mine = seq;
  try {
    await navigator.clipboard.writeText(calUrl.value); // no clipboard (not a secure context) throws too
    if (mine === seq) say('Address copied.');
  } catch {
    if (mine !== seq) return;
    calUrl.focus(); // which selects it all
    calUrl.select();
    say(`Press ${/Mac|iPhone|iPad/.test(navigator.platform) ? 'Command+C' : 'Ctrl+C'} to copy.`);
  }
});

// The address is taken whole: focus selects it all, and the click that focused it does not
// put the caret in place of the selection.
let justFocused = false;
calUrl.addEventListener('focus', () => {
  calUrl.select();
  justFocused = true;
});
calUrl.addEventListener('mouseup', (e) => {
  if (justFocused) e.preventDefault();
  justFocused = false;
});
calUrl.addEventListener('blur', () => { justFocused = false; });
