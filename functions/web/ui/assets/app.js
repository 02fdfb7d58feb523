// Taskwire's page: sign-in, the task list with its filters, quick add, live changes and
// notifications. Saved filters live in saved.js, the progress against the daily goal in
// stats.js, the form in form.js, the trash ("Recently deleted") in trash.js, export and
// import ("Your data") in data.js and the assistant in chat.js.

import { ApiError, get, post, request, setToken, signedIn, stream } from './api.js';
import { $, $$, debounce, h, toast } from './dom.js';
import { addDays, dayOf, describeDuration, formatDay, formatDayHeading, formatDue, formatFull, formatFullDay, parseDuration, startOfDay } from './time.js';
import { describe as describeRule } from './rrule.js';
import { confirmed } from './confirm.js';
import { startShortcuts } from './keys.js';

// The form, saved filters, the trash, "Your data" and the assistant are not needed for the first screen: they load after it.
const openTaskForm = async (opts) => (await import('./form.js')).openTaskForm(opts);
const openTrash = async (opts) => (await import('./trash.js')).openTrash(opts);
const openData = async (opts) => (await import('./data.js')).openData(opts);
const chat = () => import('./chat.js');
// Saved filters fill their control once the list is there; one promise, so that calls keep their order.
let savedModule = null;
const saved = () => (savedModule ??= import('./saved.js'));
// The progress (today against the daily goal, the streak, the last days) too.
let statsModule = null;
const progress = () => (statsModule ??= import('./stats.js'));
/** Loads the progress again, once a burst of changes is over (nothing before sign-in loaded it). */
const scheduleStats = () => { if (statsModule) progress().then((m) => m.scheduleStats()); };

const PRIORITIES = { urgent: 'Urgent', high: 'High', medium: 'Medium', low: 'Low', none: '' };
const PAGE = 50;
// The sort a list starts with, "My order": the user's own order of tasks, in which a task
// can be moved by hand. A task made goes to its end, so at first it is the order of making.
const DEFAULT_SORT = 'position';

const state = {
  me: null,
  zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  tasks: [],          // the loaded tasks, in list order
  listSort: '',       // the sort the loaded tasks came in
  sortFollowsStatus: false, // the sort was set to "Latest done" by choosing Completed
  cursor: '',         // next_cursor of the last page loaded
  listQuery: '',      // the listing the loaded tasks and the cursor belong to (filters and sort)
  loading: false,
  generation: 0,      // bumps with every reload, so that late answers of an old one are dropped
  listed: 0,          // the generation whose answer is shown: behind generation while a reload is on its way
  firstRender: true,
  pendingDeletes: new Map(), // task id -> {task, timer}
  live: null,         // AbortController of the stream
  signingIn: false,
  meLoaded: Promise.resolve(),
  lastEventId: '',
  notifTimer: null,
  seenNotifs: new Set(),
  notifsRead: false,  // whether the unread notifications were read once since sign-in
  toggling: new Set(), // ids of the tasks being completed or reopened
  moving: 0,          // moves made and not yet answered: a list loaded meanwhile would show an order they change
  extra: null,        // URLSearchParams: what the saved filter chosen lists by that the filters cannot show
  selecting: false,   // the rows have boxes to select them, and the bar acts on the selected
  selected: new Set(), // ids of the tasks selected
};

// ---- sign-in ----

/** Takes a token handed over in the URL fragment (#token=…, a redirect sign-in) and removes it from the URL. */
function tokenFromFragment() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return '';
  history.replaceState(null, '', location.pathname + location.search);
  return decodeURIComponent(m[1]);
}

async function boot() {
  const token = tokenFromFragment();
  if (token) await signIn(token);
  else showSignIn();
}

addEventListener('hashchange', () => {
  const token = tokenFromFragment();
  if (token) signIn(token);
});

async function showSignIn(message = '') {
  $('#app').hidden = true;
  $('#chat').hidden = true;
  $('#account').hidden = true;
  $('#signin').hidden = false;
  $('#signin-error').textContent = message;
  // The development route answers 422 to a blank name where it exists, 404 where not.
  try {
    await post('/v1/dev/token', { name: '' });
  } catch (err) {
    const dev = err instanceof ApiError && err.status === 422;
    $('#dev-form').hidden = !dev;
    $('#token-box').open = !dev;
  }
  ($('#dev-form').hidden ? $('#token-input') : $('#dev-name')).focus();
}

$('#dev-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { token } = await post('/v1/dev/token', { name: $('#dev-name').value });
    await signIn(token);
  } catch (err) {
    $('#signin-error').textContent = err.message;
  }
});

$('#token-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  await signIn($('#token-input').value.trim().replace(/^Bearer\s+/i, ''));
});

async function signIn(token) {
  flushDeletes(); // another user's, while their token is still there
  setToken(token);
  state.live?.abort();
  clearUserView();
  state.signingIn = true;
  const me = get('/v1/me');
  state.meLoaded = me.then((m) => { state.me = m; state.zone = m.time_zone || 'UTC'; }, () => {});
  const first = reload(); // the list loads beside the settings and renders once both are in
  try {
    await me;
  } catch (err) {
    state.generation++; // drop the list's answer
    setToken('');
    state.signingIn = false;
    showSignIn(err instanceof ApiError && err.status === 401 ? `That token was not accepted: ${err.message}` : err.message);
    return;
  }
  state.signingIn = false;
  $('#token-input').value = '';
  $('#signin').hidden = true;
  $('#app').hidden = false;
  $('#chat').hidden = false;
  $('#account').hidden = false;
  $('#who').textContent = state.me.id;
  if (await adoptBrowserZone()) reload();
  renderZoneNote();
  loadTags();
  saved().then((m) => m.startSaved({ query: () => filterQuery().toString(), apply: applyQuery, leave: leaveSaved, onError: handleError }));
  progress().then((m) => m.startStats({ onError: handleError }));
  await first;
  $('#quick-input').focus();
  follow();
  pollNotifications();
  // The assistant may save or delete filters too, and set the daily goal.
  (await chat()).startChat({ onToolCall: () => { scheduleReload(); scheduleSaved(); scheduleStats(); }, zone: () => state.zone });
}

$('#sign-out').addEventListener('click', () => signOut('You are signed out.'));

/** Signs out: forgets the token and what the page shows of the user, and shows the sign-in with message. */
function signOut(message) {
  flushDeletes(); // while the token is still there
  setToken('');
  state.live?.abort();
  clearTimeout(state.notifTimer);
  clearUserView();
  $('#dev-form').reset();
  $('#token-input').value = '';
  $('#live').textContent = 'Offline';
  showSignIn(message);
}

/**
 * Forgets what the page shows of the user signed in: their list, the filters and search
 * they set, lines typed and not sent, notifications, toasts and open dialogs. The next
 * person to sign in on this page starts from a clean page.
 */
function clearUserView() {
  state.me = null;
  state.tasks = [];
  state.cursor = '';
  state.listQuery = '';
  state.lastEventId = '';
  state.generation++; // drop the answers still on their way
  state.seenNotifs.clear();
  state.notifsRead = false;
  state.toggling.clear();
  state.sortFollowsStatus = false;
  renderedRows.clear();
  state.listSort = '';
  movesDropped = moveSeq; // the answers of moves still on their way are another user's
  $('#move-status').textContent = '';
  $('#filters').reset();
  $('#flt-tag').replaceChildren(h('option', { value: '' }, 'Any'));
  if (savedModule) saved().then((m) => m.stopSaved());
  if (statsModule) progress().then((m) => m.stopStats());
  state.extra = null;
  renderExtra();
  syncFiltersToggle();
  setSelecting(false);
  $('#tasks').replaceChildren();
  $('#list-status').textContent = '';
  $('#more').hidden = true;
  $('#zone-note').replaceChildren();
  $('#who').textContent = '';
  $('#quick-form').reset();
  $('#quick-preview').replaceChildren();
  quickSeq++;
  quickSent = { text: '', key: '' };
  pasted = null;
  $('#chat-form').reset();
  chat().then((c) => c.stopChat()); // the conversation and the list of them too
  showUnread(0);
  $('#notif-button').removeAttribute('aria-label');
  $('#notif-list').replaceChildren();
  $('#trash-list').replaceChildren();
  $('#trash-empty').disabled = true;
  $('#data-status').textContent = '';
  $('#data-error').textContent = '';
  $('#data-delete-form').reset();
  $('#toasts').replaceChildren();
  for (const d of $$('dialog[open]')) d.close();
}

/**
 * Reads the settings again: the time zone may have been changed in another tab or on
 * another device since the page read it. A new zone redraws the times (and loads the
 * list again when the due filter's days depend on it).
 */
async function refreshMe() {
  if (!signedIn() || state.signingIn || !state.me) return;
  let m;
  try {
    m = await get('/v1/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) handleError(err);
    return; // offline: the next time the page is shown or the stream reconnects
  }
  if (m.id !== state.me?.id) return; // signed out, or someone else signed in meanwhile
  const goal = state.me.daily_goal;
  state.me = m;
  const zone = m.time_zone || 'UTC';
  if (m.daily_goal !== goal || zone !== state.zone) scheduleStats(); // the days are the zone's
  if (zone === state.zone) return;
  state.zone = zone;
  renderZoneNote();
  if (new FormData($('#filters')).get('due')) reload();
  else renderList();
}
document.addEventListener('visibilitychange', () => {
  if (document.hidden) return;
  refreshMe();
  if (state.me) saved().then((m) => m.loadSaved(true)); // saved or deleted on another device meanwhile
  if (state.me) scheduleStats(); // tasks done elsewhere, or a day passed, meanwhile
});
const scheduleSaved = debounce(() => saved().then((m) => m.loadSaved(true)), 500);

/**
 * Gives a new account the browser's zone: the server starts every account in UTC, which
 * nobody signing in from a browser in Berlin means, and "dentist 3pm" typed next would be
 * 15:00 UTC. An account with a task (the API's, or the assistant's) keeps the zone it has,
 * and the note offers the browser's. Reports whether it changed the zone.
 */
async function adoptBrowserZone() {
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (state.me.time_zone !== 'UTC' || !browser || browser === 'UTC') return false;
  try {
    if ((await get('/v1/tasks?status=all&limit=1')).items.length) return false;
    state.me = await request('PATCH', '/v1/me', { time_zone: browser });
    state.zone = state.me.time_zone;
    return true;
  } catch {
    return false; // the note still offers it
  }
}

function renderZoneNote() {
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const note = $('#zone-note');
  note.replaceChildren(`Times in ${state.zone}.`);
  if (browser && browser !== state.zone) {
    // The server moves the tasks in the old zone along, at the same local times.
    // It cannot be taken back (moved back, tasks set in the new zone would move too): a
    // second press, as a deletion's, with what it does said on the button.
    note.append(' ', h('button', {
      type: 'button', class: 'link', title: `Your tasks in ${state.zone} keep their times of day in ${browser}`, onclick: async (e) => {
        if (!confirmed(e, { text: `Move your tasks' times to ${browser}? Press again`, timeout: 5000 })) return;
        try {
          state.me = await request('PATCH', '/v1/me', { time_zone: browser });
          state.zone = state.me.time_zone;
          renderZoneNote();
          reload();
          scheduleStats();
        } catch (err) { toast(err.message, { kind: 'error' }); }
      },
    }, `Use ${browser}`));
  }
}

// ---- the list ----

function filterQuery() {
  const f = new FormData($('#filters'));
  const q = new URLSearchParams();
  q.set('status', f.get('status'));
  if (f.get('priority')) q.set('priority', f.get('priority'));
  if (f.get('tag')) q.set('tag', f.get('tag'));
  if (f.get('q').trim()) q.set('q', f.get('q').trim());
  switch (f.get('due')) {
    case 'overdue': q.set('overdue', 'true'); break;
    // What is left to do today (or this week), as Todoist's Today (or Upcoming) lists it.
    case 'today+overdue': case 'week+overdue': q.set('due', f.get('due').split('+')[0]); q.set('with_overdue', 'true'); break;
    // The server knows the user's day: a saved filter's "today" is the day it is listed on.
    case 'today': case 'week': case 'later': case 'none': q.set('due', f.get('due')); break;
  }
  q.set('sort', f.get('sort'));
  // What the saved filter chosen has that the filters cannot show goes with them, in place of theirs.
  if (state.extra) {
    for (const k of new Set(state.extra.keys())) {
      q.delete(k);
      for (const v of state.extra.getAll(k)) q.append(k, v);
    }
  }
  return q;
}

// ---- saved filters (saved.js): the filters set from one, and saved as one ----

/**
 * Sets the filters from m, a saved filter's query string of GET /v1/tasks as saved.js's
 * listingParams reads it (each name with its values, the listing's defaults filled in),
 * and lists its tasks. What they cannot show (a second tag or priority, due tomorrow, a
 * window of dates, a sort they do not offer) is kept in state.extra, said under the
 * control, and goes with the listing until a filter is changed by hand; a limit is left
 * to the page, which loads a page at a time.
 */
function applyQuery(m) {
  const extra = new URLSearchParams();
  /** The single value of k when fits(it), the filters showing it; else '' and the values kept aside. */
  const one = (k, fits) => {
    const v = m.get(k) || [];
    m.delete(k);
    if (v.length === 1 && fits(v[0])) return v[0];
    for (const x of v) extra.append(k, x);
    return '';
  };
  const offered = (sel) => (v) => [...$(sel).options].some((o) => o.value === v);
  $('#filters').reset();
  $(`#st-${one('status', (v) => ['open', 'completed', 'all'].includes(v)) || 'open'}`).checked = true;
  $('#flt-priority').value = one('priority', offered('#flt-priority'));
  const tag = one('tag', () => true);
  if (tag) offerTag(tag);
  $('#flt-tag').value = tag;
  $('#flt-q').value = one('q', () => true);
  $('#flt-sort').value = one('sort', offered('#flt-sort')) || DEFAULT_SORT;
  // One due condition the Due select has; more (a window between two dates) are kept aside.
  const dues = ['due', 'overdue', 'due_before', 'due_after', 'with_overdue'].filter((k) => m.has(k));
  const only = (k) => (m.get(k)?.length === 1 ? m.get(k)[0] : '');
  if (dues.length === 2 && ['today', 'week'].includes(only('due')) && only('with_overdue') === 'true') {
    $('#flt-due').value = `${only('due')}+overdue`;
    m.delete('due');
    m.delete('with_overdue');
  } else if (dues.length === 1) {
    const [k] = dues;
    const v = only(k);
    const due = k === 'due' && ['today', 'week', 'later', 'none'].includes(v) ? v : k === 'overdue' && v === 'true' ? 'overdue' : '';
    if (due) m.delete(k);
    $('#flt-due').value = due;
  }
  for (const [k, vs] of m) for (const v of vs) extra.append(k, v);
  state.extra = extra.size ? extra : null;
  state.sortFollowsStatus = false;
  renderExtra();
  state.tasks = [];
  reload();
}

/** No saved filter is chosen any more: what the filters could not show of it is dropped. */
function leaveSaved() {
  if (!state.extra) return;
  state.extra = null;
  renderExtra();
  state.tasks = [];
  reload();
}

/** A filter was changed by hand: the saved filter's settings kept aside go, and the control follows. */
function filtersChanged() {
  state.extra = null;
  renderExtra();
  syncFiltersToggle();
  saved().then((s) => s.followForm());
}

/**
 * Gives the filters' button (shown at a phone's width, where the filters fold behind it) the
 * number of filters on, so that a list filtered out of sight says so.
 */
function syncFiltersToggle() {
  const f = new FormData($('#filters'));
  const on = ['q', 'priority', 'tag', 'due'].filter((k) => String(f.get(k) || '').trim()).length + (state.extra ? 1 : 0);
  $('#filters-toggle').textContent = on ? `Filters (${on})` : 'Filters';
}

/** Unfolds the filters at a phone's width when open, folds them when not. */
function unfoldFilters(open) {
  $('#list-card').classList.toggle('filters-open', open);
  $('#filters-toggle').setAttribute('aria-expanded', String(open));
}

$('#filters-toggle').addEventListener('click', () => unfoldFilters(!$('#list-card').classList.contains('filters-open')));

/** Says what the saved filter chosen lists by that the filters cannot show. */
function renderExtra() {
  const p = $('#saved-extra');
  p.hidden = !state.extra;
  p.textContent = state.extra ? `This saved filter also lists by what the filters cannot show: ${describeParams(state.extra)}. Changing a filter leaves that out.` : '';
}

/** Words for listing parameters: "due tomorrow; tagged #work and #home". */
function describeParams(params) {
  const when = (v) => (/(Z|[+-]\d\d:?\d\d)$/i.test(v) && !Number.isNaN(Date.parse(v)) ? formatDue(new Date(v).toISOString(), state.zone) : v.replace('T', ' '));
  const words = [];
  for (const k of new Set(params.keys())) {
    const v = params.getAll(k);
    switch (k) {
      case 'due': words.push({ week: 'due in the next 7 days', none: 'no due date' }[v[0]] || `due ${v[0]}`); break;
      case 'overdue': words.push(`overdue ${v[0]}`); break;
      case 'with_overdue': words.push(v[0] === 'true' ? 'and overdue' : `with overdue ${v[0]}`); break;
      case 'due_before': case 'due_after': case 'completed_before': case 'completed_after':
        words.push(`${k.startsWith('due') ? 'due' : 'done'} ${k.endsWith('before') ? 'before' : 'after'} ${when(v[0])}`); break;
      case 'priority': words.push(`priority ${v.join(' or ')}`); break;
      case 'tag': words.push(`tagged ${v.map((t) => `#${t}`).join(' and ')}`); break;
      case 'sort': words.push(`sorted by ${v[0].replace(/^-/, '').replace(/_at$/, '').replace('_', ' ')}${v[0].startsWith('-') ? ', descending' : ''}`); break;
      default: words.push(`${k} ${v.join(', ')}`);
    }
  }
  return words.join('; ');
}

/** Loads the list again from the first page, as many tasks as are shown (at least a page). */
async function reload() {
  syncTagTools();
  syncFiltersToggle();
  const gen = ++state.generation;
  const q = filterQuery();
  const listing = q.toString();
  q.set('limit', String(Math.min(200, Math.max(PAGE, state.tasks.length))));
  $('#list-status').textContent = state.tasks.length ? '' : 'Loading…';
  try {
    const page = await get(`/v1/tasks?${q}`);
    await state.meLoaded;
    if (gen !== state.generation || state.moving) return; // a move's end loads the list again
    state.tasks = page.items.filter((t) => !state.pendingDeletes.has(t.id));
    state.listSort = q.get('sort');
    state.listQuery = listing;
    state.listed = gen;
    state.cursor = page.next_cursor || '';
    renderList();
    watchMore();
  } catch (err) {
    if (gen === state.generation) handleError(err);
  }
}

const scheduleReload = debounce(() => { if (signedIn()) reload(); }, 150);

async function loadMore() {
  // While a reload is on its way, the list it answers replaces this one: its next page
  // would be lost, and the cursor may be another listing's (its filters changed).
  if (!state.cursor || state.loading || state.listed !== state.generation) return;
  state.loading = true;
  const gen = state.generation;
  // The next page of the listing shown, not of the filters as they are now: they may have
  // changed since (a reload is on its way), and a cursor goes on only the listing it came
  // from.
  const q = new URLSearchParams(state.listQuery);
  q.set('limit', String(PAGE));
  q.set('cursor', state.cursor);
  try {
    const page = await get(`/v1/tasks?${q}`);
    if (gen !== state.generation) return;
    const known = new Set(state.tasks.map((t) => t.id));
    state.tasks.push(...page.items.filter((t) => !known.has(t.id) && !state.pendingDeletes.has(t.id)));
    state.cursor = page.next_cursor || '';
    renderList();
    watchMore();
  } catch (err) {
    if (gen === state.generation) handleError(err);
  } finally {
    state.loading = false;
  }
}

/** The rendered row of each task shown, with what it was rendered from. */
const renderedRows = new Map();

/**
 * Where the i-th task listed can be moved by its buttons: null when the list is not in the
 * user's own order; else whether it can go up (it is not the first) and down (it is not
 * the last loaded).
 */
function movesOf(i) {
  if (state.listSort !== 'position' || state.selecting) return null;
  return { up: i > 0, down: i < state.tasks.length - 1 };
}

/** What t's row shows, t the i-th task listed: the row is drawn again when this changes. */
function rowKey(t, i = state.tasks.findIndex((x) => x.id === t.id)) {
  return [t.version, t.status, state.zone, isOverdue(t), t.due_at && dueText(t),
    t.completed_at && formatDue(t.completed_at, state.zone), state.toggling.has(t.id), JSON.stringify(movesOf(i)),
    state.selecting && state.selected.has(t.id)].join('|');
}

/** Returns the row of t, the i-th task listed: the one rendered before when nothing it shows has changed since. */
function rowOf(t, i) {
  const key = rowKey(t, i);
  const old = renderedRows.get(t.id);
  if (old && old.key === key) return old.node;
  const node = renderTask(t, movesOf(i));
  renderedRows.set(t.id, { key, node });
  return node;
}

// The days drawn, by their heading's text: the same elements while the text is the same.
const dayGroups = new Map();
let dayIds = 0; // numbers the headings' ids, which label their days' lists

/**
 * The heading t goes under in a list by due date, as [text, day]: its day in the user's
 * zone ("Today · Sun 6 Dec", "Tue 8 Dec"), "Overdue" for a day gone when the list holds
 * open tasks only (so they are all overdue), or "No date". An all-day task's day is its
 * own, whatever its zone. today is today's day.
 */
function dayGroup(t, today, openOnly) {
  if (!t.due_at) return ['No date', null];
  const day = t.due_date || dayOf(Date.parse(t.due_at), state.zone);
  return openOnly && day < today ? ['Overdue', ''] : [formatDayHeading(day, state.zone), day];
}

/**
 * The heading t goes under in the log of what was done, as [text, day]: the day of its
 * completion in the user's zone, or "Not done" for an open task (they come last).
 */
function doneGroup(t) {
  if (!t.completed_at) return ['Not done', null];
  const day = dayOf(Date.parse(t.completed_at), state.zone);
  return [formatDayHeading(day, state.zone), day];
}

/**
 * The rows of the loaded tasks; where the sort goes by days, a day each, its heading above
 * a list of its tasks (so that a screen reader counts the days in the list, then each
 * day's tasks, not the headings among the tasks): by due date, as a day planner reads,
 * and by the latest done, as a log of what was done reads. Each day's tasks stay in list
 * order under one heading, and the days go in the sort's direction, the tasks without a
 * day last. The list's order is by instant, and an all-day task ends its day in its own
 * zone: one of a zone behind the user's sorts among the next day's first tasks (New
 * York's Monday ends at 06:00 on Tuesday in Berlin), yet it belongs under Monday.
 */
function listRows() {
  const today = dayOf(Date.now(), state.zone);
  const openOnly = new FormData($('#filters')).get('status') === 'open';
  const groupOf = { due_at: (t) => dayGroup(t, today, openOnly), '-due_at': (t) => dayGroup(t, today, openOnly), '-completed_at': doneGroup }[state.listSort];
  if (!groupOf) return state.tasks.map((t, i) => rowOf(t, i));
  const groups = new Map(); // heading text → { day, rows }
  state.tasks.forEach((t, i) => {
    const [text, day] = groupOf(t);
    if (!groups.has(text)) groups.set(text, { day, rows: [] });
    groups.get(text).rows.push(rowOf(t, i));
  });
  const down = state.listSort.startsWith('-') ? -1 : 1;
  const order = [...groups].sort(([, a], [, b]) =>
    a.day === b.day ? 0 : a.day === null ? 1 : b.day === null ? -1 : (a.day < b.day ? -1 : 1) * down);
  const days = order.map(([text, group]) => {
    if (!dayGroups.has(text)) {
      const id = `day-${++dayIds}`;
      dayGroups.set(text, h('li', { class: 'day-group' }, h('h3', { class: 'day-head', id }, text), h('ul', { class: 'tasks', 'aria-labelledby': id })));
    }
    const day = dayGroups.get(text);
    fill(day.lastChild, group.rows);
    return day;
  });
  for (const text of dayGroups.keys()) if (!groups.has(text)) dayGroups.delete(text);
  return days;
}

/**
 * Puts rows in list, unless they are there already: rows that did not change stay the same
 * elements, and an unchanged list is not touched, so that a click under way on a row
 * survives a live update of the list.
 */
function fill(list, rows) {
  if (rows.length !== list.children.length || rows.some((row, i) => row !== list.children[i])) {
    list.replaceChildren(...rows);
  }
}

function renderList() {
  const list = $('#tasks');
  const focused = document.activeElement?.closest?.('.task');
  const focusKey = focused && document.activeElement.dataset.role;
  const focusId = focused?.dataset.id;
  fill(list, listRows());
  const shown = new Set(state.tasks.map((t) => t.id));
  for (const id of renderedRows.keys()) if (!shown.has(id)) renderedRows.delete(id);
  const status = new FormData($('#filters')).get('status');
  const word = { open: 'open tasks', completed: 'completed tasks', all: 'tasks' }[status];
  const n = state.tasks.length;
  $('#list-status').textContent = n === 0 ? `No ${word} here.` :
    `${n}${state.cursor ? '+' : ''} ${n === 1 && !state.cursor ? word.replace('tasks', 'task') : word}`;
  $('#more').hidden = !state.cursor;
  renderOverdueToday();
  renderBulk();
  if (focusId && focusKey) $(`.task[data-id="${focusId}"] [data-role="${focusKey}"]`)?.focus();
  if (state.firstRender) {
    state.firstRender = false;
    performance.mark('taskwire:list-rendered');
  }
}

/**
 * The open tasks shown that were due before today (the user's), at most as many as one
 * bulk request takes: what "Move overdue to today" moves. A task due earlier today stays
 * due today at its time, so it is not among them.
 */
function overdueBeforeToday() {
  const today = dayOf(Date.now(), state.zone);
  return state.tasks.filter((t) => isOverdue(t) && (t.due_date || dayOf(Date.parse(t.due_at), state.zone)) < today).slice(0, 200);
}

/** Offers to move the overdue tasks shown to today, in the views of what is overdue (Todoist's "Reschedule"). */
function renderOverdueToday() {
  const button = $('#overdue-today');
  const due = new FormData($('#filters')).get('due');
  const tasks = due === 'overdue' || due.endsWith('+overdue') ? overdueBeforeToday() : [];
  button.hidden = tasks.length === 0;
  button.textContent = `Move ${tasks.length} overdue to today`;
}

$('#overdue-today').addEventListener('click', async () => {
  const tasks = overdueBeforeToday();
  if (!tasks.length) return;
  try {
    const moved = await bulk('reschedule', tasks, { date: dayOf(Date.now(), state.zone) });
    toast(`${count(moved.length)} due today.`, { action: 'Undo', onAction: () => unschedule(tasks, moved, 'today') });
  } catch (err) { handleError(err); reload(); }
});

/**
 * Whether t is open and past its due. An all-day task's due_at is the last second of its
 * day in its zone: it is overdue once its day is over, not during it.
 */
function isOverdue(t) {
  return t.status === 'open' && t.due_at && Date.parse(t.due_at) < Date.now();
}

/**
 * What t's due says: the day alone for an all-day task ("Tomorrow"), else the day and
 * time ("Tomorrow 09:00"), and the end of a task that takes hours or minutes
 * ("Tomorrow 09:00–10:30"); a task in a zone whose clock says otherwise says its time
 * there too ("Tomorrow 02:00 (09:00 in Tokyo)").
 */
function dueText(t) {
  if (t.due_date) return formatDay(t.due_date, state.zone);
  const start = formatDue(t.due_at, state.zone);
  const ms = clockLength(t);
  if (!ms) return start + elsewhere(t, start);
  const end = formatDue(new Date(Date.parse(t.due_at) + ms).toISOString(), state.zone);
  return (dayPart(end) === dayPart(start) ? `${start}–${timePart(end)}` : `${start} – ${end}`) + elsewhere(t, start);
}

const dayPart = (s) => s.slice(0, s.lastIndexOf(' '));
const timePart = (s) => s.slice(s.lastIndexOf(' ') + 1);

/**
 * " (09:00 in Tokyo)" for timed task t when its own zone's clock says otherwise than the
 * user's, whose due start is; the day too when that differs ("(Tomorrow 09:00 in Tokyo)").
 */
function elsewhere(t, start) {
  if (!t.time_zone || t.time_zone === state.zone) return '';
  const there = formatDue(t.due_at, t.time_zone);
  if (there === start) return '';
  const place = t.time_zone.slice(t.time_zone.lastIndexOf('/') + 1).replaceAll('_', ' ');
  return ` (${dayPart(there) === dayPart(start) ? timePart(there) : there} in ${place})`;
}

/** How long timed task t takes in milliseconds, when it says so in hours, minutes or seconds only; else 0. */
function clockLength(t) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(t.due_at && !t.due_date ? t.duration || '' : '');
  return m ? ((+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0)) * 1000 : 0;
}

/** What a relative reminder r says; those of an all-day task count back from 09:00 on its day. */
function beforeText(r, allDay) {
  if (!allDay) return `${describeDuration(r.before)} before`;
  return parseDuration(r.before).n === 0 ? 'at 09:00' : `${describeDuration(r.before)} before 09:00`;
}

/**
 * Draws t's row; moves (of movesOf) says where its buttons can move it, null for a list
 * not in the user's own order, in which a row has neither its handle nor those buttons.
 */
function renderTask(t, moves = null) {
  const overdue = isOverdue(t);
  const done = t.status === 'completed';
  const busy = state.toggling.has(t.id);
  const meta = h('p', { class: 'meta' });
  if (PRIORITIES[t.priority]) meta.append(h('span', { class: `prio prio-${t.priority}` }, PRIORITIES[t.priority]));
  if (t.due_at) {
    const title = t.due_date ? formatFullDay(t.due_date) : formatFull(t.due_at, state.zone);
    meta.append(h('time', { class: overdue ? 'due overdue' : 'due', datetime: t.due_date || t.due_at, title },
      overdue ? `Overdue · ${dueText(t)}` : dueText(t)));
  }
  if (t.duration && !clockLength(t)) meta.append(h('span', { class: 'length' }, `takes ${describeDuration(t.duration)}`));
  if (t.recurrence) meta.append(h('span', { class: 'repeat' }, h('span', { 'aria-hidden': 'true' }, '↻ '), describeRule(t.recurrence),
    t.repeat_from === 'completion' ? ' after completion' : ''));
  if (t.reminders?.length) {
    meta.append(h('span', { class: 'reminder' }, 'Reminder ',
      t.reminders.map((r) => (r.before ? beforeText(r, !!t.due_date) : `at ${formatDue(r.at, state.zone)}`)).join(', ')));
  }
  const steps = t.checklist || [];
  if (steps.length) meta.append(h('span', { class: 'steps-count' }, `${steps.filter((s) => s.done).length}/${steps.length} steps`));
  for (const tag of t.tags || []) {
    meta.append(h('button', { type: 'button', class: 'tag', title: `Show tasks tagged ${tag}`, onclick: () => filterByTag(tag) }, `#${tag}`));
  }
  if (done && t.completed_at) meta.append(h('span', { class: 'done-at' }, `Done ${formatDue(t.completed_at, state.zone)}`));

  // While selecting, a row's box selects it, and the row does nothing else: the bar acts.
  const selecting = state.selecting;
  const selected = selecting && state.selected.has(t.id);
  return h('li', { class: `task${overdue ? ' is-overdue' : ''}${done ? ' is-done' : ''}${moves ? ' movable' : ''}${selected ? ' is-selected' : ''} p-${t.priority}`, dataset: { id: t.id } },
    // The handle is for a pointer; the Move up and Move down buttons do the same from the keyboard.
    moves && h('span', { class: 'grip', draggable: 'true', title: 'Drag to move', 'aria-hidden': 'true' }, '⠿'),
    selecting ? h('input', {
      type: 'checkbox', class: 'select', checked: selected, dataset: { role: 'select' },
      'aria-label': `Select “${t.title}”`, onchange: (e) => select(t.id, e.target.checked),
    }) : h('input', {
      type: 'checkbox', id: `done-${t.id}`, checked: done, dataset: { role: 'done' }, disabled: busy, 'aria-busy': busy ? 'true' : null,
      'aria-label': `${done ? 'Reopen' : 'Complete'} “${t.title}”`, onchange: (e) => toggle(t, e.target.checked, e.target),
    }),
    h('div', { class: 'task-body' },
      h('p', { class: 'title' }, h('span', { class: 'num' }, `#${t.number}`), ' ', t.title),
      t.description && h('p', { class: 'desc' }, t.description),
      steps.length > 0 && h('ul', { class: 'steps', 'aria-label': `Steps of “${t.title}”` }, ...steps.map((s, i) => h('li', { class: s.done ? 'step is-done' : 'step' },
        h('input', {
          type: 'checkbox', id: `step-${t.id}-${i}`, checked: s.done, dataset: { role: `step-${i}` },
          onchange: (e) => tickStep(t, i, e.target.checked, e.target),
        }),
        h('label', { for: `step-${t.id}-${i}` }, s.text)))),
      meta),
    !selecting && h('div', { class: 'actions' },
      t.recurrence && !done && h('button', {
        type: 'button', dataset: { role: 'skip' }, 'aria-label': `Skip this “${t.title}”`,
        title: 'Move it to its next occurrence without marking it done', onclick: () => skip(t),
      }, 'Skip'),
      moves && h('button', {
        type: 'button', class: 'move', dataset: { role: 'move-up' }, 'aria-label': `Move “${t.title}” up`, title: 'Move up',
        disabled: !moves.up, onclick: () => moveBy(t.id, -1),
      }, h('span', { 'aria-hidden': 'true' }, '↑')),
      moves && h('button', {
        type: 'button', class: 'move', dataset: { role: 'move-down' }, 'aria-label': `Move “${t.title}” down`, title: 'Move down',
        disabled: !moves.down, onclick: () => moveBy(t.id, 1),
      }, h('span', { 'aria-hidden': 'true' }, '↓')),
      h('button', { type: 'button', dataset: { role: 'edit' }, 'aria-label': `Edit “${t.title}”`, onclick: () => edit(t) }, 'Edit'),
      h('button', { type: 'button', class: 'danger', dataset: { role: 'delete' }, 'aria-label': `Delete “${t.title}”`, onclick: () => remove(t) }, 'Delete')));
}

// ---- the user's own order: moving a task by hand ----

let moveSeq = 0;                  // bumps with every move, so that a refusal restores only the latest
let moveQueue = Promise.resolve(); // the moves on their way: sent one at a time, in the order made

/**
 * Moves the task with id to index to of the list (sorted by "My order"): the list shows it
 * there at once, and the server is asked to put it right after the task above it there,
 * or before the first task listed when it goes to the top. (Tasks the filters hide keep
 * their places: the task lands beside its visible neighbour.) The moves go one at a time,
 * each after the answer to the one before, and the list loads again once the last is
 * answered. One refused puts the list back as it was before it, when no other move
 * followed, and says why.
 */
function moveTask(id, to) {
  const from = state.tasks.findIndex((t) => t.id === id);
  if (from < 0 || to < 0 || to >= state.tasks.length || to === from || state.listSort !== 'position') return;
  const before = state.tasks.slice();
  const [t] = state.tasks.splice(from, 1);
  state.tasks.splice(to, 0, t);
  const where = to === 0 ? { before: state.tasks[1].number } : { after: state.tasks[to - 1].number };
  const seq = ++moveSeq;
  renderList();
  $('#move-status').textContent = `Moved “${t.title}” to place ${to + 1} of ${state.tasks.length}${state.cursor ? '+' : ''}.`;
  state.moving++;
  moveQueue = moveQueue.then(async () => {
    try {
      if (seq <= movesDropped) return; // made before a sign-out
      const moved = await post(`/v1/tasks/${id}/move`, where);
      if (seq > movesDropped) replaceTask(moved);
    } catch (err) {
      if (seq <= movesDropped) return;
      if (seq === moveSeq) {
        state.tasks = before.filter((x) => !state.pendingDeletes.has(x.id));
        renderList();
      }
      $('#move-status').textContent = '';
      handleError(err);
    } finally {
      // The list as the server has it, once every move is in: it dropped what came meanwhile.
      if (--state.moving === 0) scheduleReload();
    }
  });
}

/** The moves made before a sign-out: their answers are dropped. */
let movesDropped = 0;

/**
 * Moves the task with id one place up (step -1) or down (1), from its Move up or Move down
 * button: the focus stays on that button, or, when the task reached the end it moved
 * toward (the button is disabled there), goes to the other one.
 */
function moveBy(id, step) {
  const i = state.tasks.findIndex((t) => t.id === id);
  if (i < 0) return;
  moveTask(id, i + step);
  const row = $(`.task[data-id="${id}"]`);
  if (!row || row.contains(document.activeElement)) return;
  const same = $(`[data-role="${step < 0 ? 'move-up' : 'move-down'}"]`, row);
  (same && !same.disabled ? same : $(`[data-role="${step < 0 ? 'move-down' : 'move-up'}"]`, row))?.focus();
}

// Dragging a row by its handle: the place it would go shows as a line above or below the
// row under the pointer, and dropping it there moves the task (moveTask).
let dragged = ''; // id of the task being dragged

/** Where a drop at event e goes: the index in the list the task would have then, or -1 for nowhere. */
function dropIndex(e) {
  const row = e.target.closest?.('.task');
  if (!row || !dragged) return { row: null, to: -1 };
  const r = state.tasks.findIndex((t) => t.id === row.dataset.id);
  const from = state.tasks.findIndex((t) => t.id === dragged);
  if (r < 0 || from < 0) return { row: null, to: -1 };
  const box = row.getBoundingClientRect();
  const after = e.clientY >= box.top + box.height / 2;
  const gap = after ? r + 1 : r; // the gap between rows, counted with the dragged row still in place
  return { row, after, to: gap > from ? gap - 1 : gap };
}

function clearDropMarks() {
  for (const el of $$('#tasks .drop-before, #tasks .drop-after')) el.classList.remove('drop-before', 'drop-after');
}

const taskList = $('#tasks');
taskList.addEventListener('dragstart', (e) => {
  const row = e.target.closest?.('.task.movable');
  if (!row || !e.target.classList?.contains('grip')) return;
  dragged = row.dataset.id;
  e.dataTransfer.effectAllowed = 'move';
  e.dataTransfer.setData('text/plain', row.querySelector('.title')?.textContent || '');
  e.dataTransfer.setDragImage(row, 16, 16);
  row.classList.add('dragging');
});
taskList.addEventListener('dragover', (e) => {
  const { row, after } = dropIndex(e);
  if (!row) return;
  e.preventDefault(); // a drop is welcome here
  e.dataTransfer.dropEffect = 'move';
  const cls = after ? 'drop-after' : 'drop-before';
  if (!row.classList.contains(cls)) {
    clearDropMarks();
    row.classList.add(cls);
  }
});
taskList.addEventListener('dragleave', (e) => {
  if (!taskList.contains(e.relatedTarget)) clearDropMarks();
});
taskList.addEventListener('drop', (e) => {
  const { row, to } = dropIndex(e);
  clearDropMarks();
  if (!row) return;
  e.preventDefault();
  const id = dragged;
  dragged = '';
  moveTask(id, to);
});
taskList.addEventListener('dragend', () => {
  dragged = '';
  clearDropMarks();
  for (const el of $$('#tasks .dragging')) el.classList.remove('dragging');
});

// ---- several tasks at once: select them, then complete, reopen, tag or delete them ----

/** Turns selecting on or off: the rows get their boxes, or lose them with the selection. */
function setSelecting(on) {
  state.selecting = on;
  state.selected.clear();
  const button = $('#select-toggle');
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? 'Done selecting' : 'Select';
  $('#bulk').hidden = !on;
  renderList();
}

function select(id, on) {
  if (on) state.selected.add(id);
  else state.selected.delete(id);
  renderList();
}

/** The selected tasks that the list shows, in its order. */
function selectedTasks() {
  return state.tasks.filter((t) => state.selected.has(t.id));
}

/** Says how many tasks are selected, and enables what they can have done. */
function renderBulk() {
  if (!state.selecting) return;
  const tasks = selectedTasks();
  $('#bulk-count').textContent = `${tasks.length} selected`;
  $('#bulk-complete').disabled = !tasks.some((t) => t.status === 'open');
  $('#bulk-reopen').disabled = !tasks.some((t) => t.status === 'completed');
  for (const id of ['#bulk-tag-add', '#bulk-delete', '#bulk-today', '#bulk-tomorrow']) $(id).disabled = tasks.length === 0;
  $('#bulk-all').disabled = state.tasks.length === 0 || tasks.length === state.tasks.length;
}

/** Does action to tasks in one request (all of them or none), and loads the list again. */
async function bulk(action, tasks, extra = {}) {
  const done = await post('/v1/tasks/bulk', { tasks: tasks.map((t) => t.id), action, ...extra });
  state.selected.clear();
  renderList(); // the boxes empty at once, not when the list is back
  reload();
  scheduleStats();
  if (action !== 'complete' && action !== 'reopen') scheduleTags();
  return done.items;
}

/** "3 tasks", "1 task". */
function count(n) {
  return `${n} task${n === 1 ? '' : 's'}`;
}

$('#select-toggle').addEventListener('click', () => setSelecting(!state.selecting));
$('#bulk-all').addEventListener('click', () => {
  for (const t of state.tasks) state.selected.add(t.id);
  renderList();
});

for (const [id, action, word, undo] of [['#bulk-complete', 'complete', 'Completed', 'reopen'], ['#bulk-reopen', 'reopen', 'Reopened', 'complete']]) {
  $(id).addEventListener('click', async () => {
    const want = action === 'complete' ? 'open' : 'completed';
    const tasks = selectedTasks().filter((t) => t.status === want);
    try {
      const changed = await bulk(action, tasks);
      toast(`${word} ${count(changed.length)}.`, {
        action: 'Undo',
        onAction: async () => {
          try { await bulk(undo, changed); } catch (err) { handleError(err); reload(); }
        },
      });
    } catch (err) { handleError(err); reload(); }
  });
}

// Due today or tomorrow (the user's days): each task at the time of day it has, or all day.
for (const [id, days, word] of [['#bulk-today', 0, 'today'], ['#bulk-tomorrow', 1, 'tomorrow']]) {
  $(id).addEventListener('click', async () => {
    const tasks = selectedTasks();
    if (!tasks.length) return;
    try {
      const moved = await bulk('reschedule', tasks, { date: addDays(dayOf(Date.now(), state.zone), days) });
      toast(`${count(moved.length)} due ${word}.`, { action: 'Undo', onAction: () => unschedule(tasks, moved, word) });
    } catch (err) { handleError(err); reload(); }
  });
}

/**
 * Undoes a reschedule: each task in moved (as the reschedule left it) is due again as it
 * was in before (at its time, all day, or not at all), one PATCH each with If-Match, so
 * that a task changed since keeps that change, and is said to.
 */
async function unschedule(before, moved, word) {
  const was = new Map(before.map((t) => [t.id, t]));
  const results = await Promise.allSettled(moved.map((t) => {
    const b = was.get(t.id);
    const due = b?.due_date ? { due_date: b.due_date } : { due_at: b?.due_at || null };
    return request('PATCH', `/v1/tasks/${t.id}`, due, { 'If-Match': `"${t.version}"` });
  }));
  reload();
  scheduleStats();
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  const other = failed.find((err) => !(err instanceof ApiError && err.status === 412));
  if (other) handleError(other);
  else if (failed.length) toast(`${count(failed.length)} changed since: due ${word} still.`, { kind: 'error' });
  else toast(`${count(moved.length)} due as before.`);
}

$('#bulk-tag').addEventListener('submit', async (e) => {
  e.preventDefault();
  const tag = $('#bulk-tag-name').value.trim();
  const tasks = selectedTasks();
  if (!tag || !tasks.length) return;
  try {
    const changed = await bulk('update', tasks, { add_tags: [tag] });
    $('#bulk-tag-name').value = '';
    toast(`Tagged ${count(changed.length)} #${tag.toLowerCase()}.`);
  } catch (err) { handleError(err); }
});

$('#bulk-delete').addEventListener('click', async (e) => {
  const tasks = selectedTasks();
  if (!tasks.length || !confirmed(e, { text: 'Press again to delete', label: `Press again to delete ${count(tasks.length)}` })) return;
  try {
    const gone = await bulk('delete', tasks);
    toast(`Deleted ${count(gone.length)}.`, {
      action: 'Undo',
      onAction: async () => {
        try { await bulk('restore', gone); } catch (err) { handleError(err); reload(); }
      },
    });
  } catch (err) { handleError(err); reload(); }
});

// ---- a tag on every task: rename it, or remove it ----

/** Shows the tag tools for the tag the list is filtered by, and hides them without one. */
function syncTagTools() {
  const tag = $('#flt-tag').value;
  $('#tag-tools').hidden = !tag;
  if (tag && $('#tag-current').textContent !== `#${tag}`) {
    $('#tag-current').textContent = `#${tag}`;
    $('#tag-new-name').value = tag;
  }
}

$('#tag-rename').addEventListener('submit', async (e) => {
  e.preventDefault();
  const from = $('#flt-tag').value;
  const to = $('#tag-new-name').value;
  try {
    const tag = await request('PATCH', `/v1/tags/${encodeURIComponent(from)}`, { name: to });
    await loadTags();
    filterByTag(tag.name);
    toast(`Renamed #${from} to #${tag.name} on every task.`);
  } catch (err) { handleError(err); }
});

$('#tag-remove').addEventListener('click', async (e) => {
  const tag = $('#flt-tag').value;
  if (!confirmed(e, { text: 'Press again to remove', label: `Press again to remove #${tag} from every task` })) return;
  try {
    await request('DELETE', `/v1/tags/${encodeURIComponent(tag)}`);
    $('#flt-tag').value = '';
    filtersChanged();
    state.tasks = [];
    reload();
    loadTags();
    toast(`Removed #${tag} from every task.`);
  } catch (err) { handleError(err); }
});

function filterByTag(tag) {
  offerTag(tag);
  $('#flt-tag').value = tag;
  filtersChanged();
  state.tasks = [];
  reload();
}

/** Makes tag one of the Tag filter's options (a tag no open task has is not among them). */
function offerTag(tag) {
  const select = $('#flt-tag');
  if (![...select.options].some((o) => o.value === tag)) select.append(h('option', { value: tag }, `#${tag}`));
}

async function loadTags() {
  try {
    const tags = await get('/v1/tags');
    const select = $('#flt-tag');
    const current = select.value;
    select.replaceChildren(h('option', { value: '' }, 'Any'), ...tags.map((t) => h('option', { value: t.name }, `#${t.name} (${t.open_count})`)));
    if (current && ![...select.options].some((o) => o.value === current)) select.append(h('option', { value: current }, `#${current}`));
    select.value = current;
  } catch (err) { handleError(err); }
}
const scheduleTags = debounce(loadTags, 500);

function replaceTask(t) {
  const i = state.tasks.findIndex((x) => x.id === t.id);
  if (i >= 0) state.tasks[i] = t;
  renderList();
}

/**
 * Completes or reopens t; box is the checkbox that asked for it, if one did. Until the
 * answer is in, the task's box is disabled: a second click (a double click) would ask for
 * the opposite at once.
 */
async function toggle(t, complete, box) {
  if (state.toggling.has(t.id)) return;
  const shown = box || $(`.task[data-id="${t.id}"] [data-role="done"]`);
  const hadFocus = !!shown && shown === document.activeElement;
  state.toggling.add(t.id);
  if (shown) {
    shown.disabled = true;
    shown.setAttribute('aria-busy', 'true');
  }
  const row = renderedRows.get(t.id);
  if (row) row.key = rowKey(t); // the row as it is now: busy, its box as the click left it
  const settle = () => {
    state.toggling.delete(t.id);
    // A disabled box loses the focus: give it to the box drawn in its place.
    if (hadFocus && !document.activeElement?.closest?.('.task')) $(`.task[data-id="${t.id}"] [data-role="done"]`)?.focus();
  };
  try {
    const updated = await post(`/v1/tasks/${t.id}/${complete ? 'complete' : 'reopen'}`);
    state.toggling.delete(t.id);
    replaceTask(updated);
    settle();
    scheduleStats(); // today's count, whether or not the live stream is up
    const status = new FormData($('#filters')).get('status');
    if (status !== 'all') {
      toast(`${complete ? 'Completed' : 'Reopened'} “${t.title}”.`, {
        action: 'Undo', onAction: () => toggle(updated, !complete),
      });
      const gen = state.generation;
      setTimeout(() => {
        // A list loaded since (another filter, or a live update) is already right.
        if (state.generation !== gen) return;
        const gone = state.tasks.some((x) => x.id === t.id && x.status !== status);
        if (!gone) return;
        const focus = neighbour(t.id, 'done');
        state.tasks = state.tasks.filter((x) => x.id !== t.id);
        renderList();
        focus?.();
      }, 400);
    }
  } catch (err) {
    // The box shows what was asked, not what is: put it back, and draw the row again from
    // the task (its cached row still has the box as the click left it), so that the next
    // click asks for the same again.
    if (box) box.checked = !complete;
    state.toggling.delete(t.id);
    renderedRows.delete(t.id);
    renderList();
    settle();
    handleError(err);
    reload();
  }
}

/**
 * Ticks step i of t's checklist off or on: the list the row shows, sent with If-Match, so
 * that a step ticked elsewhere meanwhile is not undone (the list loads again instead).
 */
async function tickStep(t, i, done, box) {
  const checklist = t.checklist.map((s, j) => (j === i ? { ...s, done } : s));
  const hadFocus = box === document.activeElement;
  box.disabled = true; // a second click before the answer would send the old version
  try {
    replaceTask(await request('PATCH', `/v1/tasks/${t.id}`, { checklist }, { 'If-Match': `"${t.version}"` }));
    // A disabled box loses the focus: give it to the box drawn in its place.
    if (hadFocus) $(`.task[data-id="${t.id}"] [data-role="step-${i}"]`)?.focus();
  } catch (err) {
    box.checked = !done;
    box.disabled = false;
    if (err instanceof ApiError && err.status === 412) toast(`“${t.title}” changed elsewhere: here it is as it is now. Tick the step again if it still needs it.`, { kind: 'error' });
    else handleError(err);
    reload();
  }
}

/**
 * Moves a repeating task to its next occurrence without completing it. If-Match: a click
 * on a row drawn before the task changed (a second click) skips nothing more.
 */
async function skip(t) {
  try {
    const moved = await request('POST', `/v1/tasks/${t.id}/skip`, undefined, { 'If-Match': `"${t.version}"` });
    replaceTask(moved);
    $(`.task[data-id="${t.id}"] [data-role="skip"]`)?.focus();
    toast(`Skipped “${t.title}”: next ${dueText(moved)}.`, { action: 'Undo', onAction: () => unskip(moved) });
  } catch (err) {
    handleError(err);
    reload();
  }
}

/**
 * Takes back the skip that moved the task to moved: due, steps and reminders as they were.
 * If-Match: after another change (here or elsewhere) the skip stays, and the list shows
 * the task as it is.
 */
async function unskip(moved) {
  try {
    const back = await request('POST', `/v1/tasks/${moved.id}/unskip`, undefined, { 'If-Match': `"${moved.version}"` });
    replaceTask(back);
    $(`.task[data-id="${moved.id}"] [data-role="skip"]`)?.focus();
    toast(`“${moved.title}” is due ${dueText(back)} again.`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 412 || err.status === 409)) {
      toast(`“${moved.title}” changed since the skip: it stays skipped.`, { kind: 'error' });
    } else handleError(err);
    reload();
  }
}

function edit(t) {
  openTaskForm({
    task: t, zone: state.zone,
    onSaved: (saved, back) => {
      replaceTask(saved);
      scheduleTags();
      toast(`Saved “${saved.title}”.`, { action: 'Undo', onAction: () => undoSave(saved, back) });
    },
    onCopied: (copy) => { toast(`Added “${copy.title}”, a copy of #${t.number}, as #${copy.number}.`); reload(); scheduleTags(); },
    onEnded: (done) => {
      replaceTask(done);
      scheduleStats();
      toast(`Completed “${done.title}”, the last of its series.`, { action: 'Undo', onAction: () => resumeSeries(t, done) });
    },
  });
}

/**
 * Takes a change of a task back: one PATCH of back, under If-Match of after, the task as
 * that change left it. A change made since (say on another device, or by the assistant)
 * makes it 412: that change is kept, and the toast says so, naming since. Returns the
 * task taken back, or null.
 */
async function takeBack(after, back, since) {
  try {
    const task = await request('PATCH', `/v1/tasks/${after.id}`, back, { 'If-Match': `"${after.version}"` });
    replaceTask(task);
    return task;
  } catch (err) {
    if (err instanceof ApiError && err.status === 412) {
      toast(`“${after.title}” changed since ${since}: it stays as it is now.`, { kind: 'error' });
    } else handleError(err);
    reload();
    return null;
  }
}

/** Takes back a save of the form: the members it changed as they were before (back). */
async function undoSave(saved, back) {
  const task = await takeBack(saved, back, 'the save');
  if (!task) return;
  scheduleTags();
  toast(`“${task.title}” is as it was before the save.`);
}

/**
 * Takes back "Complete and stop repeating": done, the task as that left it, is open
 * again with the rule t had, in one change (status, recurrence and repeat_from).
 */
async function resumeSeries(t, done) {
  const open = await takeBack(done, { status: 'open', recurrence: t.recurrence, repeat_from: t.repeat_from }, 'it was completed');
  if (!open) return;
  scheduleStats();
  toast(`Reopened “${open.title}”; it repeats again.`);
}

/** The task row after row in the list, else the one before it, from one day's tasks to the next. */
function besideRow(row) {
  const rows = $$('#tasks .task');
  const i = rows.indexOf(row);
  return rows[i + 1] || rows[i - 1];
}

/**
 * When the task with id leaves the list while focus is inside it, returns a function that
 * moves focus to the same control of the next task (or the one before, or the list).
 */
function neighbour(id, role) {
  const item = $(`.task[data-id="${id}"]`);
  if (!item || !item.contains(document.activeElement)) return null;
  const other = besideRow(item)?.dataset.id;
  return () => {
    const target = other && $(`.task[data-id="${other}"] [data-role="${role}"]`);
    if (target) target.focus();
    else $('#list-title').focus();
  };
}

/**
 * Deletes t with an Undo. When the focus was on t, it moves to the same control of the
 * next task: its Delete, or role's control (the box, for a Delete key pressed on it).
 */
function remove(t, role = 'delete') {
  const index = state.tasks.findIndex((x) => x.id === t.id);
  const focus = neighbour(t.id, role);
  state.tasks = state.tasks.filter((x) => x.id !== t.id);
  renderList();
  const entry = { task: t, index };
  state.pendingDeletes.set(t.id, entry);
  entry.toast = toast(`Deleted “${t.title}”.`, {
    action: 'Undo',
    onAction: () => {
      state.pendingDeletes.delete(t.id);
      state.tasks.splice(Math.min(index, state.tasks.length), 0, t);
      renderList();
      $(`.task[data-id="${t.id}"] [data-role="delete"]`)?.focus();
    },
    onTimeout: () => commitDelete(t.id),
  });
  if (focus) focus();
}

async function commitDelete(id, keepalive = false) {
  const entry = state.pendingDeletes.get(id);
  if (!entry) return;
  state.pendingDeletes.delete(id);
  try {
    await request('DELETE', `/v1/tasks/${id}`, undefined, {}, { keepalive });
    scheduleTags();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) { handleError(err); reload(); }
  }
}

/** Sends the deletions still waiting for their undo to expire. */
function flushDeletes() {
  for (const id of [...state.pendingDeletes.keys()]) commitDelete(id, true);
}
addEventListener('pagehide', flushDeletes);
// Relative days ("Today") and overdue marks follow the clock.
setInterval(() => { if (signedIn() && !document.hidden) renderList(); }, 60000);

/**
 * What was done reads as a log, the latest first: choosing Completed while the sort is the
 * default turns it to "Latest done", and leaving it turns it back. A sort chosen by hand
 * stays.
 */
function followStatus(target) {
  const sort = $('#flt-sort');
  if (target === sort) {
    state.sortFollowsStatus = false;
  } else if (target.name === 'status' && target.value === 'completed' && sort.value === DEFAULT_SORT) {
    sort.value = '-completed_at';
    state.sortFollowsStatus = true;
  } else if (target.name === 'status' && state.sortFollowsStatus) {
    if (sort.value === '-completed_at') sort.value = DEFAULT_SORT;
    state.sortFollowsStatus = false;
  }
}

$('#filters').addEventListener('change', (e) => {
  if (e.target.id === 'flt-q') return;
  followStatus(e.target);
  filtersChanged();
  state.tasks = [];
  reload();
});
$('#flt-q').addEventListener('input', filtersChanged);
$('#flt-q').addEventListener('input', debounce(() => { state.tasks = []; reload(); }, 250));
$('#filters').addEventListener('submit', (e) => e.preventDefault());
$('#more').addEventListener('click', loadMore);
const moreObserver = new IntersectionObserver((entries) => {
  if (entries.some((e) => e.isIntersecting)) loadMore();
}, { rootMargin: '400px' });
moreObserver.observe($('#more'));

/**
 * Asks the observer again whether "Load more" is in view, once a page is drawn: it reports
 * only changes, and a button that stayed in view (a short page, or a list scrolled down
 * when the filters changed, which scroll anchoring keeps at the button) would load no
 * further page. A new observation reports the current state, after the page has settled.
 */
function watchMore() {
  moreObserver.unobserve($('#more'));
  moreObserver.observe($('#more'));
}

// ---- quick add ----

let quickAvailable = true;
let quickSeq = 0;
let quickBusy = false;      // a line is being added: Enter again must not add it twice
let quickSent = { text: '', key: '' }; // the line last sent and not added, with its Idempotency-Key

async function previewQuick() {
  if (pasted) {
    if ($('#quick-input').value === pastedOver) return; // a preview asked for before the paste
    pasted = null; // typing moves on from lines pasted and not added
  }
  const text = $('#quick-input').value.trim();
  const box = $('#quick-preview');
  const seq = ++quickSeq;
  if (!text) { box.replaceChildren(); return; }
  if (!quickAvailable) {
    box.replaceChildren(h('p', { class: 'hint' }, `Adds “${text}” as a task.`));
    return;
  }
  try {
    const res = await post('/v1/tasks/quick?dry_run=true', { text });
    if (seq !== quickSeq) return;
    box.replaceChildren(renderUnderstood(res));
  } catch (err) {
    if (seq !== quickSeq) return;
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
      quickAvailable = false;
      previewQuick();
      return;
    }
    box.replaceChildren(h('p', { class: 'error' }, err.message));
  }
}

function renderUnderstood({ task, understood }) {
  const parts = [h('strong', { class: 'preview-title' }, task.title || '(no title)')];
  if (PRIORITIES[task.priority]) parts.push(h('span', { class: `prio prio-${task.priority}` }, PRIORITIES[task.priority]));
  // An all-day task (a date and no time: "tomorrow") comes back with due_date and no due_at.
  // A due already passed ("30 days before dec 31" typed on 5 December) is said as the list
  // will say it, overdue.
  const zone = task.time_zone || state.zone;
  const passed = task.due_date ? task.due_date < dayOf(Date.now(), zone) : Date.parse(task.due_at) < Date.now();
  // As the list will say it: in the user's zone, and in the task's own when that differs
  // ("webinar thursday 6pm EST" read in Tokyo: "Fri 11 Dec 08:00 (Thu 10 Dec 18:00 in New
  // York)"; until 2026-12-06 the preview said New York's time alone).
  const due = task.due_date ? formatDay(task.due_date, state.zone) : task.due_at && dueText(task);
  if (due) parts.push(h('span', { class: passed ? 'due overdue' : 'due' }, passed ? `Overdue · ${due}` : due));
  if (task.recurrence) parts.push(h('span', { class: 'repeat' }, `↻ ${describeRule(task.recurrence)}${task.repeat_from === 'completion' ? ' after completion' : ''}`));
  for (const r of task.reminders || []) {
    // A time that has passed ("remind me this morning" typed in the evening) rings as soon as the task is added.
    const gone = !r.before && Date.parse(r.at) < Date.now();
    parts.push(h('span', { class: gone ? 'reminder overdue' : 'reminder' }, r.before ? `Reminder ${beforeText(r, !!task.due_date)}` :
      `Reminder at ${formatDue(r.at, state.zone)}${gone ? ' (passed: it rings at once)' : ''}`));
  }
  for (const tag of task.tags || []) parts.push(h('span', { class: 'tag' }, `#${tag}`));
  return h('div', { class: 'understood' },
    h('p', { class: 'preview-line' }, h('span', { class: 'visually-hidden' }, 'Will add: '), ...parts),
    understood?.length ? h('ul', { class: 'chips', 'aria-label': 'Understood' },
      understood.map((u) => h('li', {}, h('q', {}, u.text), ' → ', u.meaning))) : null);
}

$('#quick-input').addEventListener('input', debounce(previewQuick, 250));
$('#quick-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $('#quick-input');
  const text = input.value.trim();
  if (!text || quickBusy) return;
  // The same line sent again (its answer was lost) goes with the same key, so the server
  // answers with the task it made rather than making another.
  if (quickSent.text !== text) quickSent = { text, key: crypto.randomUUID() };
  quickBusy = true; // not a disabled button: that would take the focus from a person who pressed it
  try {
    const task = await addLine(text, quickSent.key);
    quickSent = { text: '', key: '' };
    input.value = '';
    quickSeq++;
    $('#quick-preview').replaceChildren();
    toast(`Added “${task.title}”.`);
    reload();
    scheduleTags();
  } catch (err) {
    $('#quick-preview').replaceChildren(h('p', { class: 'error' }, err.message));
  } finally {
    quickBusy = false;
  }
});

/**
 * Adds one line as a task, with its Idempotency-Key: read by quick add where the server
 * has it, else the line is the title.
 */
async function addLine(text, key) {
  if (quickAvailable) {
    try {
      return await request('POST', '/v1/tasks/quick', { text }, { 'Idempotency-Key': key });
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 405))) throw err;
      quickAvailable = false;
    }
  }
  return request('POST', '/v1/tasks', { title: text }, { 'Idempotency-Key': key });
}

// ---- several lines pasted into quick add: a task a line ----

const MAX_PASTED = 50;
let pasted = null; // the lines pasted and not added yet, in order: [{text, key}]
let pastedOver = ''; // what the box held when they were pasted

/**
 * The lines of text pasted, without a list's bullets or numbers ("- ", "• ", "3. ") and
 * blank lines: a list copied from notes or a message.
 */
function pastedLines(text) {
  return text.split(/\r?\n/).map((l) => l.replace(/^\s*(?:[-*•]|\d{1,3}[.)])\s+/, '').trim()).filter(Boolean);
}

$('#quick-input').addEventListener('paste', (e) => {
  const lines = pastedLines(e.clipboardData?.getData('text') || '');
  if (lines.length < 2) return; // one line pastes as typed
  e.preventDefault(); // a one-line box would run the lines together
  quickSeq++;
  if (lines.length > MAX_PASTED) {
    pasted = null;
    $('#quick-preview').replaceChildren(h('p', { class: 'error' },
      `That is ${lines.length} lines: paste at most ${MAX_PASTED} at once, or import a file under “Your data”.`));
    return;
  }
  pasted = lines.map((text) => ({ text, key: crypto.randomUUID() }));
  pastedOver = e.target.value;
  showPasted('');
  $('#paste-add').focus();
});

/** Shows the lines pasted and not added yet, what went wrong if something did, and the choice. */
function showPasted(problem) {
  const n = pasted.length;
  $('#quick-preview').replaceChildren(h('div', { class: 'pasted' },
    problem ? h('p', { class: 'error', role: 'alert' }, problem) : h('p', {}, `Add ${n === 1 ? 'this line as a task' : `these ${n} lines as ${n} tasks`}, each read as quick add reads a line?`),
    h('ol', {}, pasted.map((l) => h('li', {}, l.text))),
    h('p', { class: 'pasted-actions' },
      h('button', { type: 'button', id: 'paste-add', class: 'primary', onclick: addPasted }, problem ? 'Try again' : `Add ${n === 1 ? '1 task' : `${n} tasks`}`),
      ' ', h('button', { type: 'button', onclick: cancelPasted }, 'Cancel'))));
}

/** Drops the lines pasted and not added (they are still on the clipboard). */
function cancelPasted() {
  pasted = null;
  $('#quick-preview').replaceChildren();
  $('#quick-input').focus();
}

/**
 * Adds the lines pasted, one after the other, each with its own Idempotency-Key: one that
 * fails stops there, and it and those after it stay, to try again (a line added already
 * is not sent again, nor made twice when its answer was lost).
 */
async function addPasted() {
  const mine = pasted;
  if (!mine || quickBusy) return;
  quickBusy = true;
  let added = 0;
  try {
    while (mine.length && pasted === mine) { // Cancel, or signing out, stops before the next line
      await addLine(mine[0].text, mine[0].key);
      mine.shift();
      added++;
    }
    if (pasted === mine) {
      pasted = null;
      $('#quick-preview').replaceChildren();
      $('#quick-input').focus();
    }
    if (added) toast(`Added ${count(added)}.`);
  } catch (err) {
    if (pasted === mine) {
      showPasted(`${added ? `Added ${count(added)}; ` : ''}“${mine[0].text}”: ${err.message}`);
      $('#paste-add').focus();
    }
  } finally {
    quickBusy = false;
    if (added) { reload(); scheduleTags(); }
  }
}

// Leaving the page asks first while words typed are not sent yet: a task in quick add,
// lines pasted and not added, a message to the assistant. (The form asks for its own.)
addEventListener('beforeunload', (e) => {
  if (signedIn() && ($('#quick-input').value.trim() || pasted || $('#chat-input').value.trim())) e.preventDefault();
});

$('#open-form').addEventListener('click', () => {
  openTaskForm({
    title: $('#quick-input').value.trim(), zone: state.zone,
    onSaved: (t) => { $('#quick-input').value = ''; toast(`Added “${t.title}”.`); reload(); scheduleTags(); },
  });
});

// ---- live changes ----

async function follow() {
  state.live?.abort();
  const ctrl = new AbortController();
  state.live = ctrl;
  let delay = 1000;
  let opened = false;
  while (!ctrl.signal.aborted && signedIn()) {
    try {
      await stream('GET', '/v1/stream', {
        signal: ctrl.signal,
        headers: state.lastEventId ? { 'Last-Event-ID': state.lastEventId } : {},
        onOpen: () => {
          $('#live').textContent = 'Live';
          delay = 1000;
          // Back after a drop: the settings may have changed meanwhile, and no event says so.
          if (opened) refreshMe();
          opened = true;
        },
        onEvent: (e) => {
          if (e.id) state.lastEventId = e.id;
          const ev = JSON.parse(e.data);
          if (ev.reminder) onReminder();
          else onTaskEvent(ev);
        },
      });
    } catch (err) {
      if (ctrl.signal.aborted) return;
      if (err instanceof ApiError && err.status === 401) { showSignIn('Your session ended: sign in again.'); return; }
    }
    if (ctrl.signal.aborted) return;
    $('#live').textContent = 'Reconnecting…';
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function onTaskEvent(ev) {
  const shown = state.tasks.findIndex((t) => t.id === ev.task_id);
  if (shown >= 0 && ev.task && !ev.type.endsWith('.deleted.v1')) {
    state.tasks[shown] = ev.task;
    renderList();
  }
  scheduleReload();
  scheduleTags();
  scheduleStats();
  pollNotifications();
}

// ---- notifications ----

// A reminder fired: its in-app notification follows as soon as the notify function has
// handled the event, so look for it then rather than at the next poll.
function onReminder() {
  for (const ms of [300, 1500]) setTimeout(pollNotifications, ms);
}

/**
 * Says that n notifications are unread (label: "20+" for many) where it is seen without
 * looking at the page: the header's badge, the tab's title ("(2) Taskwire", the installed
 * app's window too) and, where the browser has one, the installed app's icon badge.
 */
function showUnread(n, label = String(n)) {
  const count = $('#notif-count');
  count.hidden = n === 0;
  count.textContent = n ? label : '';
  document.title = n ? `(${label}) Taskwire` : 'Taskwire';
  (n ? navigator.setAppBadge?.(n) : navigator.clearAppBadge?.())?.catch(() => {}); // not installed: nothing to badge
}

async function pollNotifications() {
  clearTimeout(state.notifTimer);
  if (!signedIn()) return;
  try {
    const page = await get('/v1/notifications?unread=true&limit=20');
    const many = page.items.length >= 20 ? '20+' : String(page.items.length);
    showUnread(page.items.length, many);
    $('#notif-button').setAttribute('aria-label', `Notifications, ${many} unread`);
    const fresh = page.items.filter((n) => !state.seenNotifs.has(n.id));
    for (const n of fresh) state.seenNotifs.add(n.id);
    if (state.notifsRead) fresh.forEach(announce);
    else if (fresh.length) announceBacklog(many);
    state.notifsRead = true;
    if ($('#notif-panel').open) renderNotifications();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
  }
  state.notifTimer = setTimeout(pollNotifications, document.hidden ? 30000 : 5000);
}

/** What notification n says of its task's due: the day alone for an all-day task's, not the 23:59 of its end. */
function notifDue(n) {
  return n.due_date ? formatDay(n.due_date, state.zone) : formatDue(n.due_at, state.zone);
}

function announce(n) {
  const when = n.due_at ? ` (due ${notifDue(n)})` : '';
  const shown = toast(`Reminder: ${n.title}${when}`, {
    kind: 'reminder', timeout: 15000, action: 'Mark read', onAction: () => markRead(n.id),
    extra: [completeButton(n, () => shown.close()), snoozeChoices(n, () => shown.close())],
  });
  if ('Notification' in window && Notification.permission === 'granted') {
    try { new Notification('Taskwire reminder', { body: `${n.title}${when}`, tag: n.id }); } catch { /* not allowed here */ }
  }
}

/**
 * Says once how many reminders fired while the page was closed. One toast and one system
 * notification each, as for a reminder that fires while the page is open, would bury the
 * page under a stack of old news; the badge and the panel list them.
 */
function announceBacklog(many) {
  toast(`${many} ${many === '1' ? 'reminder' : 'reminders'} while you were away`, {
    kind: 'reminder', timeout: 15000, action: 'Show', onAction: () => $('#notif-button').click(),
  });
}

async function markRead(id) {
  try {
    await post(`/v1/notifications/${id}/read`);
  } catch (err) { handleError(err); }
  pollNotifications();
}

// What a reminder can be snoozed for: label, duration, words for its button's name.
const SNOOZES = [['10 min', 'PT10M', 'for 10 min'], ['1 hour', 'PT1H', 'for 1 hour'],
  ['Tomorrow', 'P1D', 'until this time tomorrow']];

/**
 * The Complete button of notification n: it completes the reminder's task (the reminder
 * was for doing it) and reads the notification; done runs once it is complete.
 */
function completeButton(n, done) {
  let busy = false; // a second click while the first is on its way completes once
  return h('button', {
    type: 'button', dataset: { role: 'complete' }, 'aria-label': `Complete the task “${n.title}”`,
    onclick: async () => {
      if (busy) return;
      busy = true;
      await completeFromReminder(n, done);
      busy = false;
    },
  }, 'Complete');
}

/**
 * Completes the task of notification n and marks n read; says so where the person looks
 * (the panel when it is open), with an Undo that reopens it. A task deleted since is said
 * to be gone, and its notification read.
 */
async function completeFromReminder(n, done) {
  const panel = $('#notif-panel').open;
  const say = (text, error = false) => {
    if (!panel) return;
    $('#notif-status').textContent = error ? '' : text;
    $('#notif-error').textContent = error ? text : '';
  };
  let t;
  try {
    t = await post(`/v1/tasks/${n.task_id}/complete`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      done?.();
      say(`“${n.title}” is no longer in your tasks.`, true);
      toast(`“${n.title}” is no longer in your tasks.`);
      await markRead(n.id);
      return;
    }
    say(err.message, true);
    handleError(err);
    return;
  }
  done?.();
  await markRead(n.id);
  say(`Completed “${t.title}”.`);
  toast(`Completed “${t.title}”.`, { action: 'Undo', onAction: () => toggle(t, false) });
  replaceTask(t);
  scheduleStats();
}

/** The snooze buttons of notification n, one per SNOOZES; done runs once it is snoozed. */
function snoozeChoices(n, done) {
  let busy = false; // a second click while the first is on its way snoozes once
  const pick = async (choice) => {
    if (busy) return;
    busy = true;
    await snooze(n, choice, done);
    busy = false;
  };
  return h('div', { class: 'snooze', role: 'group', 'aria-label': `Snooze “${n.title}”` }, 'Snooze',
    SNOOZES.map((c) => h('button', { type: 'button', dataset: { role: c[1] }, 'aria-label': `Snooze “${n.title}” ${c[2]}`, onclick: () => pick(c) }, c[0])));
}

/**
 * Snoozes notification n for choice (of SNOOZES): it is read, and its task has a reminder
 * again then; says until when, where the person looks (the panel when it is open).
 */
async function snooze(n, [, duration], done) {
  const panel = $('#notif-panel').open;
  let res;
  try {
    res = await post(`/v1/notifications/${n.id}/snooze`, { for: duration });
  } catch (err) {
    if (panel) $('#notif-error').textContent = err.message;
    handleError(err);
    return;
  }
  const text = `Snoozed “${n.title}” until ${formatDue(res.until, state.zone).replace(/^Today /, '')}.`;
  done?.();
  toast(text);
  if (panel) { $('#notif-status').textContent = text; $('#notif-error').textContent = ''; }
  replaceTask(res.task);
  pollNotifications();
}

async function markAllRead(through) {
  try {
    await post('/v1/notifications/read', { through });
  } catch (err) { handleError(err); }
  $('#notif-close').focus(); // the button hides once nothing listed is unread
  pollNotifications();
}

/** An entry of the Notifications panel: read, or with Mark read and the snooze choices. */
function renderNotification(n) {
  return h('li', { class: n.read_at ? 'read' : 'unread', dataset: { id: n.id } },
    h('p', {}, h('strong', {}, n.title)),
    h('p', { class: 'hint' }, `Reminded ${formatDue(n.remind_at, state.zone)}`, n.due_at ? ` · due ${notifDue(n)}` : ''),
    n.read_at ? h('span', { class: 'hint' }, 'Read') : h('div', { class: 'notif-actions' },
      completeButton(n, null),
      h('button', { type: 'button', dataset: { role: 'read' }, 'aria-label': `Mark read: ${n.title}`, onclick: async () => { await markRead(n.id); renderNotifications(); } }, 'Mark read'),
      snoozeChoices(n)));
}

/**
 * Lists the latest notifications in the panel. The list is drawn again only when what it
 * shows changed (not at every poll), and the focus stays on the same control of the same
 * entry, or, when that is gone (read, snoozed), moves to the list's first button.
 */
async function renderNotifications() {
  const list = $('#notif-list');
  try {
    const page = await get('/v1/notifications?limit=20');
    const key = startOfDay(state.zone) + JSON.stringify(page.items.map((n) => [n.id, n.read_at]));
    if (key !== list.dataset.key || !list.children.length) {
      list.dataset.key = key;
      const focused = list.contains(document.activeElement) && document.activeElement;
      list.replaceChildren(...(page.items.length ? page.items.map(renderNotification) : [h('li', { class: 'hint' }, 'No notifications yet.')]));
      if (focused) {
        ($(`#notif-list li[data-id="${focused.closest('li').dataset.id}"] [data-role="${focused.dataset.role}"]`) ||
          $('#notif-list button') || $('#notif-close')).focus();
      }
    }
    // Through the newest listed: one that fires while the panel is open stays unread.
    const readAll = $('#notif-read-all');
    readAll.hidden = !page.items.some((n) => !n.read_at);
    readAll.onclick = () => markAllRead(page.items[0].id);
  } catch (err) { handleError(err); }
  const perm = $('#notif-permission');
  perm.replaceChildren();
  if (!('Notification' in window)) perm.textContent = 'This browser cannot show system notifications.';
  else if (Notification.permission === 'default') {
    perm.append(h('button', { type: 'button', onclick: async () => { await Notification.requestPermission(); renderNotifications(); } }, 'Also show them as browser notifications'));
  } else perm.textContent = Notification.permission === 'granted' ? 'Browser notifications are on.' : 'Browser notifications are blocked for this site.';
}

$('#notif-button').addEventListener('click', () => {
  $('#notif-status').textContent = '';
  $('#notif-error').textContent = '';
  $('#notif-panel').showModal();
  renderNotifications();
});
$('#notif-close').addEventListener('click', () => $('#notif-panel').close());

// ---- the trash ----

/** A task back from the trash: the list loads again and shows it once, in its place, as its live event does. */
function onRestored(t) {
  toast(`Restored “${t.title}”.`);
  reload();
  scheduleTags();
}

/** Sends the deletions still waiting for their Undo now, so that the trash (and an export) has them. */
async function sendPendingDeletes() {
  const waiting = [...state.pendingDeletes.values()];
  await Promise.all(waiting.map((e) => commitDelete(e.task.id)));
  for (const e of waiting) e.toast.close();
}

$('#trash-button').addEventListener('click', async () => {
  await sendPendingDeletes();
  openTrash({ zone: state.zone, onRestored, onError: handleError });
});

// ---- your data ----

/** Tasks or saved filters added from a file: the list, the tags and the saved filters load again. */
function onImported() {
  reload();
  scheduleTags();
  scheduleSaved();
}

/** The account is gone: nothing is left to send (the token would sign in a new, empty user), so sign out. */
function onDeleted() {
  state.pendingDeletes.clear();
  signOut('Your account was deleted.');
}

$('#data-button').addEventListener('click', async () => {
  await sendPendingDeletes();
  openData({
    userId: state.me.id, onImported, onDeleted, onError: handleError,
    onSettings: (me) => {
      if (!state.me || me.id !== state.me.id) return;
      state.me = me;
      scheduleStats();
      if (me.time_zone === state.zone) return;
      state.zone = me.time_zone; // the server moved the tasks in the old zone along
      renderZoneNote();
      reload();
    },
  });
});

// ---- errors ----

function handleError(err) {
  if (err instanceof ApiError && err.status === 401) {
    if (state.signingIn) return; // signIn says why
    setToken('');
    state.live?.abort();
    showSignIn('Your session ended: sign in again.');
    return;
  }
  toast(err.message || String(err), { kind: 'error' });
}

addEventListener('unhandledrejection', (e) => handleError(e.reason));

// ---- keyboard shortcuts ----

/** The loaded task with id that a shortcut may act on: none while selecting, where the bar acts. */
const shortcutTask = (id) => (state.selecting ? null : state.tasks.find((t) => t.id === id));

startShortcuts({
  shown: () => !$('#app').hidden,
  quickAdd: () => $('#quick-input').focus(),
  search: () => {
    unfoldFilters(true);
    $('#flt-q').focus();
  },
  edit: (id) => {
    const t = shortcutTask(id);
    if (t) edit(t);
  },
  remove: (id) => {
    const t = shortcutTask(id);
    if (t) remove(t, document.activeElement?.dataset.role === 'delete' ? 'delete' : 'done');
  },
});

boot();
