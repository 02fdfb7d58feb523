// "Recently deleted": the trash, the latest deletion first and a page at a time. A task in
// it is restored to the list, or deleted for good, which a second press confirms; "Empty
// trash", confirmed the same way, deletes every task in it for good at once.

import { ApiError, get, post, request } from './api.js';
import { confirmed, disarm } from './confirm.js';
import { $, $$, h } from './dom.js';
import { formatDue, formatFull } from './time.js';

const PAGE = 20;
const panel = $('#trash-panel');
const list = $('#trash-list');
const more = $('#trash-more');
const empty = $('#trash-empty');
const CONFIRM_MS = 5000; // how long "Empty trash" waits for its second press
let opts = { zone: 'UTC', onRestored: () => {}, onError: () => {} };
let cursor = '';   // next_cursor of the last page loaded
let seq = 0;       // bumps when the panel opens or closes, so that late answers are dropped
let loading = -1;  // the seq of the page on its way, if one is
let emptying = false; // DELETE /v1/trash is on its way

/**
 * Opens the panel on the first page of the trash. zone is the user's; onRestored(task)
 * runs after a restore, onError(err) is the page's error handling.
 */
export function openTrash(o) {
  opts = o;
  seq++;
  cursor = '';
  list.replaceChildren();
  more.hidden = true;
  sync();
  say('Loading…');
  if (!panel.open) panel.showModal(); // a second click while pending deletions were sent
  load();
}

panel.addEventListener('close', () => { seq++; });
$('#trash-close').addEventListener('click', () => panel.close());
more.addEventListener('click', load);
empty.addEventListener('click', emptyTrash);

/**
 * "Empty trash" can be pressed while the list shows a task and the trash is not being
 * emptied already: it is disabled while the first page loads and once nothing is left.
 */
function sync() {
  empty.disabled = emptying || !list.querySelector('li[data-id]');
  if (empty.disabled) disarm(empty);
}

/** Writes text in the panel's status line, and clears its error. */
function say(text) {
  $('#trash-status').textContent = text;
  $('#trash-error').textContent = '';
}

/** Shows err in the panel and through the page's error handling (a 401 signs out: the panel closes). */
function fail(err) {
  if (err instanceof ApiError && err.status === 401) panel.close();
  $('#trash-error').textContent = err.message;
  opts.onError(err);
}

const nothing = () => h('li', { class: 'hint' }, 'Nothing deleted.');

/** Appends the next page of the trash (the first while cursor is empty). */
async function load() {
  const mine = seq;
  if (loading === mine) return; // "Load more" pressed twice
  loading = mine;
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (cursor) q.set('cursor', cursor);
  try {
    const page = await get(`/v1/trash?${q}`);
    if (mine !== seq) return;
    const hadFocus = document.activeElement === more;
    const rows = page.items.map(row);
    list.append(...rows);
    if (!list.children.length) list.append(nothing());
    cursor = page.next_cursor || '';
    more.hidden = !cursor;
    sync();
    say('');
    // The button hid on the last page: the focus goes to the first row it brought.
    if (hadFocus && more.hidden) ($('button', rows[0] || panel)).focus();
  } catch (err) {
    if (mine === seq) fail(err);
  } finally {
    if (loading === mine) loading = -1;
  }
}

/** The row of a deleted task: its number and title, when it was deleted, and its actions. */
function row({ task: t, deleted_at: at }) {
  const li = h('li', { dataset: { id: t.id } },
    h('div', { class: 'what' },
      h('p', { class: 'title' }, h('span', { class: 'num' }, `#${t.number}`), ' ', t.title),
      h('p', { class: 'hint' }, h('time', { datetime: at, title: formatFull(at, opts.zone) }, `Deleted ${formatDue(at, opts.zone)}`))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', 'aria-label': `Restore “${t.title}”`, onclick: () => restore(t, li) }, 'Restore'),
      h('button', {
        type: 'button', class: 'danger', 'aria-label': `Delete for good “${t.title}”`, onclick: (e) => purge(t, li, e),
      }, 'Delete for good')));
  return li;
}

/**
 * Takes li out of the list and says text. Focus that was in it goes to the same button of
 * the next row (or the one before, or Close); an emptied list loads the next page, if any.
 */
function gone(li, text) {
  const index = [...li.querySelectorAll('button')].indexOf(document.activeElement);
  const next = li.nextElementSibling || li.previousElementSibling;
  li.remove();
  say(text);
  if (!list.children.length) {
    if (cursor) load();
    else list.append(nothing());
  }
  sync();
  if (index >= 0) ((next && $$('button', next)[index]) || $('#trash-close')).focus();
}

/** Puts t back in the task list. */
async function restore(t, li) {
  if (li.dataset.busy) return;
  li.dataset.busy = 'true';
  try {
    const task = await post(`/v1/tasks/${t.id}/restore`);
    gone(li, `Restored “${task.title}” as #${task.number}.`);
    opts.onRestored(task);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) gone(li, ''); // deleted for good elsewhere
    fail(err);
  } finally {
    delete li.dataset.busy;
  }
}

/** Deletes t for good at the second press of its button (the click e); the first asks for that press. */
async function purge(t, li, e) {
  if (li.dataset.busy) return;
  const second = confirmed(e, {
    text: 'Confirm delete',
    label: `Confirm: delete “${t.title}” for good`,
    onArm: () => say(`Press “Confirm delete” to delete “${t.title}” for good: it cannot be restored after that.`),
    onCancel: () => say(''),
  });
  if (!second) return;
  li.dataset.busy = 'true';
  try {
    await request('DELETE', `/v1/trash/${t.id}`);
    gone(li, `Deleted “${t.title}” for good.`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) gone(li, ''); // gone already
    fail(err);
  } finally {
    delete li.dataset.busy;
  }
}

/**
 * Deletes every task in the trash for good, those of pages not loaded yet too, at the
 * second press of "Empty trash" (the click e); the first asks for that press. The button
 * is disabled while the request is out; then the panel shows the empty trash, says how
 * many tasks went and puts the focus that was on the button on Close.
 */
async function emptyTrash(e) {
  if (emptying) return;
  const second = confirmed(e, {
    text: 'Press again to empty the trash',
    timeout: CONFIRM_MS,
    onArm: () => say('Every task in the trash will be deleted for good: they cannot be restored after that. Press again to empty the trash.'),
    onCancel: () => say(''),
  });
  if (!second) return;
  const mine = seq;
  const hadFocus = document.activeElement === empty;
  emptying = true;
  sync();
  say('Emptying the trash…');
  let stale = false;
  try {
    const { purged } = await request('DELETE', '/v1/trash');
    stale = mine !== seq;
    if (stale) return;
    seq++; // a page still on its way lists tasks that are gone now
    cursor = '';
    more.hidden = true;
    list.replaceChildren(nothing());
    say(purged ? `Removed ${purged} ${purged === 1 ? 'task' : 'tasks'} for good.` : 'The trash was already empty.');
  } catch (err) {
    stale = mine !== seq;
    if (!stale) {
      say('');
      fail(err);
    }
  } finally {
    emptying = false;
    sync();
  }
  // The focus the disabled button lost goes to it again, or to Close once there is nothing left.
  const lost = !document.activeElement || document.activeElement === empty || document.activeElement === document.body;
  if (!stale && hadFocus && lost && panel.open) (empty.disabled ? $('#trash-close') : empty).focus();
}
