// Saved filters: the list's filters and sort under a name, kept by the server
// (/v1/filters), so that one choice shows them again, here or on another device. The
// "Saved filter" select lists them; choosing one sets the filters from its query and
// lists its tasks (app.js does that). The module loads at sign-in, after the first screen. "Save filter…" saves the filters as they are under
// a name; a name the user has already (in any case) can replace that filter's query
// instead. Delete, pressed twice, deletes the one chosen.

import { ApiError, get, post, request } from './api.js';
import { confirmed, disarm } from './confirm.js';
import { $, h, toast } from './dom.js';

const select = $('#saved-select');
const form = $('#saved-form');
const opener = $('#saved-new');
const del = $('#saved-delete');
const input = $('#saved-name');
const error = $('#saved-error');
const replace = $('#saved-replace');

let filters = [];      // the user's, as the server lists them: by name, whatever its case
let seq = 0;           // bumps at sign-in and sign-out: answers for the user before are dropped
let started = false;   // a user is signed in
let busy = false;      // a save, a replace or a delete is on its way
let replacing = null;  // {name, query} a 409 offers to replace a filter with
let opts = { query: () => '', apply: () => {}, leave: () => {}, onError: () => {} };

/**
 * The parameters of a query string of GET /v1/tasks as the listing reads them: each name
 * with its values, empty ones and the page's own (limit, cursor) left out, priorities
 * given as a list split, tags trimmed and lower-case, and the defaults the listing takes
 * filled in (status open, or completed with a window of completion times; sort
 * created_at; their aliases as what they stand for).
 */
export function listingParams(query) {
  const m = new Map();
  for (const [k, v] of new URLSearchParams(String(query).replace(/^\?/, ''))) {
    if (k === 'limit' || k === 'cursor') continue;
    let vals = (k === 'priority' ? v.split(',') : [v]).map((x) => x.trim()).filter(Boolean);
    if (k === 'tag') vals = vals.map((x) => x.toLowerCase().normalize('NFC'));
    if (vals.length) m.set(k, [...(m.get(k) || []), ...vals]);
  }
  const status = m.get('status')?.[0];
  if (status === 'pending') m.set('status', ['open']);
  else if (!status) m.set('status', [m.has('completed_before') || m.has('completed_after') ? 'completed' : 'open']);
  const sort = m.get('sort')?.[0] || 'created_at';
  m.set('sort', [sort.replace(/^(-?)due_date$/, '$1due_at').replace(/^(-?)created$/, '$1created_at')]);
  return m;
}

/** What query lists, as a string: two queries that list the same tasks in the same order have the same. */
function listingKey(query) {
  return JSON.stringify([...listingParams(query)].map(([k, v]) => [k, [...v].sort()]).sort());
}

const byName = (a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0);
const named = (name) => filters.find((f) => f.name.toLowerCase() === name.trim().toLowerCase());
const chosen = () => filters.find((f) => f.id === select.value);

/**
 * Makes the control ready for a user signed in, and loads their filters. o.query() is the
 * query string the list asks for now; o.apply(params) sets the filters from a saved
 * filter's query (as listingParams reads it) and lists its tasks; o.leave() is called when
 * no saved filter is chosen any more; o.onError(err) is the page's error handling.
 */
export function startSaved(o) {
  opts = o;
  seq++;
  started = true;
  filters = [];
  render('');
  loadSaved();
}

/** Forgets the user's filters (a sign-out): the control is empty, the save form closed. */
export function stopSaved() {
  seq++;
  started = false;
  busy = false;
  filters = [];
  render('');
  closeForm(false);
}

/**
 * Loads the user's filters again (they may have been saved or deleted elsewhere, or by
 * the assistant), keeping the one chosen; quiet, a failure other than a 401 says nothing.
 * With none chosen, the one that lists what the filters ask for now is shown as chosen.
 */
export async function loadSaved(quiet = false) {
  if (!started) return;
  const mine = seq;
  try {
    const page = await get('/v1/filters');
    if (mine !== seq) return;
    const had = select.value;
    filters = page.items;
    render(had);
    if (!had) followForm();
    else if (!select.value) opts.leave(); // deleted elsewhere
  } catch (err) {
    if (mine === seq && (!quiet || (err instanceof ApiError && err.status === 401))) opts.onError(err);
  }
}

/** The filters were changed by hand: the saved filter that lists the same is shown as chosen, else none. */
export function followForm() {
  const key = listingKey(opts.query());
  select.value = filters.find((f) => listingKey(f.query) === key)?.id || '';
  sync();
}

/** Lists the filters in the select, selected chosen when it is still there. */
function render(selected) {
  select.replaceChildren(h('option', { value: '' }, 'None'), ...filters.map((f) => h('option', { value: f.id }, f.name)));
  select.value = filters.some((f) => f.id === selected) ? selected : '';
  sync();
}

/** Delete names the filter chosen, and is disabled without one. */
function sync() {
  const f = chosen();
  if (del.dataset.for === (f?.id || '')) return;
  disarm(del);
  del.dataset.for = f?.id || '';
  del.disabled = !f;
  if (f) del.setAttribute('aria-label', `Delete the saved filter “${f.name}”`);
  else del.removeAttribute('aria-label');
}

// Choosing None lists the tasks as no filter does, in the order chosen (until 2026-12-06
// the chosen filter's settings stayed, and the list with them, under None).
select.addEventListener('change', () => {
  sync();
  const f = chosen();
  const sort = new URLSearchParams(opts.query()).get('sort') || '';
  opts.apply(listingParams(f ? f.query : `sort=${encodeURIComponent(sort)}`));
});

// ---- saving under a name ----

function openForm() {
  form.hidden = false;
  opener.setAttribute('aria-expanded', 'true');
  clearError();
  input.value = '';
  input.focus();
}

/** Closes the save form; focus: to "Save filter…". */
function closeForm(focus = true) {
  if (form.hidden) return;
  form.hidden = true;
  opener.setAttribute('aria-expanded', 'false');
  clearError();
  input.value = '';
  if (focus) opener.focus();
}

function clearError() {
  error.textContent = '';
  replace.hidden = true;
  replacing = null;
  input.removeAttribute('aria-invalid');
}

/** Says why the filter was not saved, in the form (a 401 signs out instead). */
function showError(err) {
  if (err instanceof ApiError && err.status === 401) { opts.onError(err); return; }
  error.textContent = err.message || String(err);
  if (err instanceof ApiError && err.problem.field === 'name') input.setAttribute('aria-invalid', 'true');
}

opener.addEventListener('click', () => (form.hidden ? openForm() : closeForm(false)));
$('#saved-cancel').addEventListener('click', () => closeForm());
form.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') { e.preventDefault(); closeForm(); }
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (busy) return;
  clearError();
  const name = input.value.trim();
  const query = opts.query();
  const mine = seq;
  busy = true;
  try {
    const f = await post('/v1/filters', { name, query });
    if (mine === seq) saved(f, `Saved the filter “${f.name}”.`);
  } catch (err) {
    if (mine !== seq) return;
    if (err instanceof ApiError && err.status === 409) offerReplace(name, query);
    else showError(err);
  } finally {
    if (mine === seq) busy = false;
  }
});

/** A filter of that name exists: the form says so and offers to replace what it lists. */
function offerReplace(name, query) {
  const f = named(name);
  const shown = f?.name || name;
  replacing = { name, query };
  error.textContent = `You have a filter named “${shown}” already: replace it with these filters, or choose another name.`;
  input.setAttribute('aria-invalid', 'true');
  replace.textContent = `Replace “${shown}”`;
  replace.hidden = false;
}

replace.addEventListener('click', async () => {
  if (busy || !replacing) return;
  const { name, query } = replacing;
  const mine = seq;
  busy = true;
  try {
    let f = named(name);
    if (!f) { // saved elsewhere since the page loaded the list
      filters = (await get('/v1/filters')).items;
      if (mine !== seq) return;
      render(select.value);
      f = named(name);
    }
    if (!f) throw new ApiError(404, { detail: `No filter is named “${name}” any more: save again.` });
    const changed = await request('PATCH', `/v1/filters/${f.id}`, { query });
    if (mine === seq) saved(changed, `Replaced the filter “${changed.name}”.`);
  } catch (err) {
    if (mine !== seq) return;
    replace.hidden = true;
    replacing = null;
    if (err instanceof ApiError && err.status === 404) {
      error.textContent = `No filter is named “${name}” any more: save again.`;
      loadSaved(true);
    } else showError(err);
  } finally {
    if (mine === seq) busy = false;
  }
});

/** Filter f was saved (or replaced): listed in its place, and chosen; the form closes. */
function saved(f, message) {
  filters = filters.filter((x) => x.id !== f.id).concat(f).sort(byName);
  render(f.id);
  closeForm(false);
  select.focus();
  toast(message);
}

// ---- deleting ----

del.addEventListener('click', async (e) => {
  const f = chosen();
  if (!f || busy) return;
  if (!confirmed(e, { text: 'Press again to delete', label: `Press again to delete the saved filter “${f.name}”` })) return;
  const mine = seq;
  busy = true;
  try {
    await request('DELETE', `/v1/filters/${f.id}`);
  } catch (err) {
    if (mine === seq) busy = false;
    if (!(err instanceof ApiError && err.status === 404)) { // a 404: deleted elsewhere already
      if (mine === seq) opts.onError(err);
      return;
    }
  }
  if (mine !== seq) return;
  busy = false;
  filters = filters.filter((x) => x.id !== f.id);
  select.focus(); // before Delete is disabled, which would drop the focus
  render('');
  opts.leave();
  toast(`Deleted the saved filter “${f.name}”.`);
});
