// The full task form: every field of a task, with a builder for recurrence rules and a
// list of reminders; the due is a time (due_at) or, ticked "All day", a day (due_date). It
// creates a task or patches one (with If-Match, so that a concurrent edit is not lost),
// sending only the members the person changed.

import { ApiError, get, request } from './api.js';
import { $, $$, h } from './dom.js';
import { formatDue, formatDuration, formatFull, instantToLocal, isZone, parseDuration } from './time.js';
import { DAYS, build, describe, parse } from './rrule.js';

const dialog = $('#task-dialog');
const form = $('#task-form');
let current = null; // {task, onSaved, shown, saving, sent, discard}
const readFrom = new WeakMap(); // reminder row -> {value, key}: the reminder it showed when added

for (const [code, name] of DAYS) {
  $('#f-days').append(h('span', { class: 'day' },
    h('input', { type: 'checkbox', id: `f-day-${code}`, value: code }), h('label', { for: `f-day-${code}` }, name)));
}

let zonesFilled = false;
function fillZones() {
  if (zonesFilled || !Intl.supportedValuesOf) return;
  zonesFilled = true;
  $('#zones').replaceChildren(...Intl.supportedValuesOf('timeZone').map((z) => h('option', { value: z })));
}

/**
 * Opens the form for a new task (with an optional title) or for task. onSaved gets the
 * task saved and, for an edit, the patch that takes the save back; onEnded the task
 * completed as the last of its series; onCopied the new task "Save as a copy" made.
 */
export function openTaskForm({ task = null, title = '', zone, onSaved, onEnded, onCopied }) {
  current = { task, onSaved, onEnded, onCopied, saving: false, zone };
  fillZones();
  form.reset();
  resetHistory(task);
  $('#task-form-error').textContent = '';
  $('#task-dialog-title').textContent = task ? `Edit task #${task.number}` : 'New task';
  const t = task || { title, description: '', priority: 'none', tags: [], checklist: [], due_at: null, due_date: null, time_zone: zone, recurrence: null, repeat_from: 'schedule', reminders: [] };
  const tz = t.time_zone || zone;
  $('#f-title').value = t.title;
  $('#f-description').value = t.description || '';
  $('#f-priority').value = t.priority || 'none';
  $('#f-tags').value = (t.tags || []).join(', ');
  $('#f-checklist').value = (t.checklist || []).map((s) => s.text).join('\n');
  $('#f-zone').value = tz;
  // An all-day task's due_at is the end of its day: the form shows its day, and no time.
  $('#f-allday').checked = !!t.due_date;
  $('#f-due-date').value = t.due_date || '';
  $('#f-due').value = t.due_date ? '' : instantToLocal(t.due_at, tz);
  showAllDay();
  const length = t.duration ? parseDuration(t.duration) : { n: '', unit: 'minutes' };
  if (length.unit === 'weeks') Object.assign(length, { n: length.n * 7, unit: 'days' });
  $('#f-length').value = length.n;
  $('#f-length-unit').value = length.unit;
  setRule(t.recurrence);
  $(t.repeat_from === 'completion' ? '#f-from-completion' : '#f-from-schedule').checked = true;
  $('#f-reminders').replaceChildren();
  for (const r of t.reminders || []) addReminder(r, tz);
  update();
  current.shown = values(); // what a member must differ from to be sent
  $('#task-form button[type="submit"]').disabled = false;
  $('#f-end-series').hidden = !(task?.recurrence && task.status === 'open');
  $('#f-copy').hidden = !task;
  dialog.showModal();
  $('#f-title').focus();
}

// ---- the task's history: what happened to it, read when "History" is opened ----

// The fields of a task in words, as an update's change says them; bookkeeping is left out.
const FIELDS = {
  title: 'title', description: 'description', priority: 'priority', tags: 'tags', checklist: 'steps',
  due_at: 'due', due_date: 'due', duration: 'length', time_zone: 'time zone', recurrence: 'repeat',
  repeat_from: 'repeat', reminders: 'reminders', position: 'place in my order',
};
const HAPPENED = {
  'dev.taskwire.task.created.v1': 'Created', 'dev.taskwire.task.completed.v1': 'Completed',
  'dev.taskwire.task.reopened.v1': 'Reopened', 'dev.taskwire.task.deleted.v1': 'Deleted',
};

// The history is read latest first, a page at a time: the form shows the latest changes
// of a task changed thousands of times at once, and "Show earlier changes" reads on.
const HISTORY_PAGE = 50;
let past = null; // the history read so far: {task, zone, items (oldest first), cursor (of the earlier events; '' when none)}

/** Closes and empties the history, shown only for a task that exists. */
function resetHistory(task) {
  const box = $('#f-history');
  box.open = false;
  box.hidden = !task;
  past = null;
  $('#f-history-list').replaceChildren();
  $('#f-history-status').textContent = '';
  $('#f-history-earlier').hidden = true;
}

/**
 * What event e of the history did, in words: "Created", "Changed the due and priority";
 * a creation after a deletion is the task restored from the trash.
 */
function happened(e, before) {
  if (e.type === 'dev.taskwire.task.created.v1' && before?.type === 'dev.taskwire.task.deleted.v1') return 'Restored';
  if (HAPPENED[e.type]) return HAPPENED[e.type];
  const fields = [...new Set(Object.keys(FIELDS).filter((k) => k in (e.changes || {})).map((k) => FIELDS[k]))]; // in the form's order
  if (!fields.length) return 'Changed';
  const list = fields.length === 1 ? fields[0] : `${fields.slice(0, -1).join(', ')} and ${fields.at(-1)}`;
  return `Changed the ${list}`;
}

/** Reads the page of the history before the events read so far, and shows them all. */
async function readHistory() {
  const read = past; // the form's history still, unless reset meanwhile
  if (read.busy) return; // a second click while the page is on its way
  read.busy = true;
  const status = $('#f-history-status');
  const earlier = $('#f-history-earlier'); // not disabled meanwhile: that would drop its focus
  status.textContent = 'Loading…';
  try {
    const q = new URLSearchParams({ order: 'newest', limit: HISTORY_PAGE });
    if (read.cursor) q.set('cursor', read.cursor);
    const page = await get(`/v1/tasks/${encodeURIComponent(read.task.id)}/history?${q}`);
    if (past !== read) return; // another form by now
    read.items = [...page.items.reverse(), ...read.items];
    read.cursor = page.has_more ? page.next_cursor : '';
    // While earlier events remain, the oldest read is left out: what it did (a creation
    // that restored the task) depends on the one before it.
    const { items, zone } = read;
    const from = read.cursor ? 1 : 0;
    $('#f-history-list').replaceChildren(...items.slice(from).map((e, i) => {
      const said = happened(e, items[from + i - 1]);
      const when = formatDue(e.time, zone);
      const back = e.type === 'dev.taskwire.task.updated.v1' && PUT_BACK.some((k) => k in (e.changes || {}))
        ? [' ', h('button', { type: 'button', class: 'put-back', 'aria-label': `Put back as before: ${said}, ${when}`, onclick: () => putBack(e) }, 'Put back')]
        : [];
      return h('li', {}, `${said} · `, h('time', { datetime: e.time, title: formatFull(e.time, zone) }, when), ...back);
    }));
    status.textContent = items.length ? '' : 'Nothing recorded yet.';
    if (!read.cursor && document.activeElement === earlier) $('#f-history-list').focus();
    earlier.hidden = !read.cursor;
  } catch (err) {
    if (past !== read) return;
    status.textContent = `The history could not be read: ${err.message}`;
    if (!read.items.length) past = null; // read again when History is next opened
  } finally {
    read.busy = false;
  }
}

// The members a change of the history can put back, as PATCH takes them.
const PUT_BACK = ['title', 'description', 'priority', 'tags', 'checklist', 'due_at', 'due_date', 'duration', 'time_zone', 'recurrence', 'repeat_from', 'reminders'];

/**
 * "Put back" on a change of the history: the members change e made go back as they were
 * before it, in one PATCH under If-Match, and the save that makes has Undo as any other.
 * A description cleared by mistake last week comes back without typing it again.
 */
async function putBack(e) {
  const mine = current;
  if (!mine?.task || mine.saving) return;
  if (unsaved()) {
    showError('', 'Save or cancel your changes first: putting back a change saves the task as it was saved, with that change undone.');
    return;
  }
  // The task as it was before the change: after it, with the old value of each member changed.
  const was = { ...e.task, ...Object.fromEntries(Object.entries(e.changes).map(([k, c]) => [k, c.old])) };
  const patch = before(was, Object.fromEntries(PUT_BACK.filter((k) => k in e.changes).map((k) => [k, true])));
  const { task } = mine;
  mine.saving = true;
  try {
    const saved = await request('PATCH', `/v1/tasks/${task.id}`, patch, { 'If-Match': `"${task.version}"` });
    if (current === mine) dialog.close();
    mine.onSaved?.(saved, before(task, patch));
  } catch (err) {
    if (current !== mine) return;
    showError('', err instanceof ApiError && err.status === 412
      ? 'This task changed elsewhere since you opened it. Close the form to see the latest version, then put the change back.'
      : err.message);
  } finally {
    mine.saving = false;
  }
}

$('#f-history').addEventListener('toggle', () => {
  const task = current?.task;
  if (!$('#f-history').open || !task || past) return;
  past = { task, zone: current.zone, items: [], cursor: '', busy: false };
  readHistory();
});
$('#f-history-earlier').addEventListener('click', () => readHistory());

/** Shows the input of the due's kind: a day for an all-day task, else a date and time. */
function showAllDay() {
  const on = $('#f-allday').checked;
  $('#f-due').hidden = on;
  $('#f-due-date').hidden = !on;
  $('#f-due-label').htmlFor = on ? 'f-due-date' : 'f-due';
  $('#f-reminders-allday').hidden = !on;
}

/**
 * "All day" ticked or unticked: the due keeps its day. A time comes back as it was when
 * the day is the same, else at 09:00, the time an all-day task's reminders count from.
 */
$('#f-allday').addEventListener('change', () => {
  const timed = $('#f-due').value;
  if ($('#f-allday').checked) {
    if (timed) $('#f-due-date').value = timed.slice(0, 10);
  } else {
    const day = $('#f-due-date').value;
    $('#f-due').value = !day ? '' : timed.startsWith(day) ? timed : `${day}T09:00`;
  }
  showAllDay();
});

/** Whether the builder's day of the month can show d: a day from 1 to 31, or −1 (the last day). */
const monthdayShown = (d) => d === null || d === -1 || (d >= 1 && d <= 31);

function setRule(rule) {
  let s = parse(rule);
  if (s && !monthdayShown(s.bymonthday)) s = null; // such as the second-to-last day: a custom rule, kept as written
  $('#f-rrule').value = rule || '';
  $('#f-interval').value = s?.interval || 1;
  for (const [code] of DAYS) $(`#f-day-${code}`).checked = !!s?.byday.includes(code);
  $('#f-monthday-last').checked = s?.bymonthday === -1;
  $('#f-monthday').value = s?.bymonthday > 0 ? s.bymonthday : '';
  $('#f-count').value = s?.count || '';
  $('#f-until').value = s?.until ? `${s.until.slice(0, 4)}-${s.until.slice(4, 6)}-${s.until.slice(6, 8)}` : '';
  $('#f-end').value = s?.count ? 'count' : s?.until ? 'until' : '';
  $('#f-freq').value = !rule ? '' : s ? s.freq : 'CUSTOM';
  if (rule && !s) showEnds(rule);
}

/** The COUNT and UNTIL (its day, YYYYMMDD) a rule written out has, null for none. */
function endsOf(rule) {
  const count = /(?:^|;)COUNT=(\d+)/i.exec(rule)?.[1];
  const until = /(?:^|;)UNTIL=(\d{8})/i.exec(rule)?.[1];
  return { count: count ? parseInt(count, 10) : null, until: until || null };
}

/** Ends shows the end of a custom rule as written. */
function showEnds(rule) {
  const { count, until } = endsOf(rule);
  $('#f-count').value = count || '';
  $('#f-until').value = until ? `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}` : '';
  $('#f-end').value = count ? 'count' : until ? 'until' : '';
}

// A custom rule and Ends say the same end: the rule typed sets Ends, and an end chosen
// under Ends is written into the rule, in place of the COUNT or UNTIL it had (a date: the
// whole day in the task's zone).
$('#f-rrule').addEventListener('input', () => showEnds($('#f-rrule').value));
for (const id of ['#f-end', '#f-count', '#f-until']) {
  $(id).addEventListener('input', () => {
    if ($('#f-freq').value !== 'CUSTOM') return;
    const parts = $('#f-rrule').value.trim().replace(/^RRULE:/i, '').split(';').filter((p) => p && !/^(COUNT|UNTIL)=/i.test(p));
    const end = $('#f-end').value;
    const count = parseInt($('#f-count').value, 10);
    const until = $('#f-until').value.replaceAll('-', '');
    if (end === 'count' && count > 0) parts.push(`COUNT=${count}`);
    if (end === 'until' && until) parts.push(`UNTIL=${until}`);
    $('#f-rrule').value = parts.join(';');
  });
}

/** The rule the builder shows, or null for none. */
function currentRule() {
  const freq = $('#f-freq').value;
  if (!freq) return null;
  if (freq === 'CUSTOM') return $('#f-rrule').value.trim().replace(/^RRULE:/i, '') || null;
  const until = $('#f-until').value;
  return build({
    freq,
    interval: parseInt($('#f-interval').value, 10) || 1,
    byday: DAYS.map(([c]) => c).filter((c) => $(`#f-day-${c}`).checked),
    bymonthday: $('#f-monthday-last').checked ? -1 : parseInt($('#f-monthday').value, 10) || null,
    count: $('#f-end').value === 'count' ? parseInt($('#f-count').value, 10) || null : null,
    until: $('#f-end').value === 'until' && until ? until.replaceAll('-', '') : null, // a date: the whole day in the task's zone
  });
}

/** Shows the parts of the builder that apply and the rule it makes. */
function update() {
  const freq = $('#f-freq').value;
  const show = (sel, on) => $$(sel, form).forEach((el) => { el.hidden = !on; });
  show('.when-repeat', !!freq);
  show('.when-built', !!freq && freq !== 'CUSTOM'); // a custom rule says its own interval
  show('.when-weekly', freq === 'WEEKLY');
  show('.when-monthly', freq === 'MONTHLY');
  show('.when-custom', freq === 'CUSTOM');
  show('.when-count', !!freq && $('#f-end').value === 'count');
  show('.when-until', !!freq && $('#f-end').value === 'until');
  $('#f-monthday').disabled = $('#f-monthday-last').checked;
  const n = parseInt($('#f-interval').value, 10) || 1;
  const unit = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year', CUSTOM: '' }[freq] || 'day';
  $('#f-interval-unit').textContent = unit ? `${unit}${n === 1 ? '' : 's'}` : '';
  const rule = currentRule();
  $('#f-rule').textContent = rule ? `Repeats ${describe(rule)} (${rule})` : '';
}
form.addEventListener('input', update);
form.addEventListener('change', update);

function addReminder(r = { before: 'PT15M' }, zone = $('#f-zone').value) {
  const i = $('#f-reminders').children.length + 1;
  const id = `rem-${Date.now().toString(36)}-${i}`;
  const d = parseDuration(r.before);
  const kind = h('select', { id: `${id}-kind`, 'aria-label': `Reminder ${i}: when`, class: 'rem-kind' },
    h('option', { value: 'before' }, 'Before due'), h('option', { value: 'at' }, 'At a time'));
  kind.value = r.at ? 'at' : 'before';
  const n = h('input', { type: 'number', min: '0', max: '527040', value: String(d.n), class: 'rem-n', 'aria-label': `Reminder ${i}: how long before` });
  const unit = h('select', { class: 'rem-unit', 'aria-label': `Reminder ${i}: unit` },
    ...['minutes', 'hours', 'days', 'weeks'].map((u) => h('option', { value: u }, u)));
  unit.value = d.unit;
  const at = h('input', { type: 'datetime-local', class: 'rem-at', 'aria-label': `Reminder ${i}: date and time`, value: r.at ? instantToLocal(r.at, zone) : '' });
  const before = h('span', { class: 'inline rem-before' }, n, unit);
  const sync = () => { before.hidden = kind.value !== 'before'; at.hidden = kind.value !== 'at'; };
  kind.addEventListener('change', sync);
  const li = h('li', { class: 'reminder-row' }, kind, before, at,
    h('button', { type: 'button', class: 'danger', 'aria-label': `Remove reminder ${i}`, onclick: () => { li.remove(); $('#f-add-reminder').focus(); } }, 'Remove'));
  $('#f-reminders').append(li);
  sync();
  readFrom.set(li, { value: r.at ? { at: r.at } : { before: r.before }, key: rowKey(li, zone) });
  return li;
}

/** What a reminder row shows, in zone: when it changes, the row means another reminder. */
function rowKey(row, zone) {
  const kind = $('.rem-kind', row).value;
  return kind === 'at' ? `at ${$('.rem-at', row).value} ${zone}` : `before ${$('.rem-n', row).value} ${$('.rem-unit', row).value}`;
}

/**
 * The reminder a row says. A row left as it was is the reminder it was read from: the
 * inputs hold minutes and wall-clock times, so reading them again would turn PT90S into
 * PT2M and an instant in a repeated hour into the first of the two.
 */
function reminderOf(row, zone) {
  const read = readFrom.get(row);
  if (read && read.key === rowKey(row, zone)) return read.value;
  return $('.rem-kind', row).value === 'at'
    ? { at: $('.rem-at', row).value } // a wall-clock time, which the API reads in the task's zone
    : { before: formatDuration($('.rem-n', row).value, $('.rem-unit', row).value) };
}

/** The task as the form says it, member by member as the API takes it. */
function values() {
  const zone = $('#f-zone').value.trim() || 'UTC';
  const allDay = $('#f-allday').checked;
  const due = allDay ? '' : $('#f-due').value;
  const day = allDay ? $('#f-due-date').value : '';
  return {
    title: $('#f-title').value.trim(),
    description: $('#f-description').value,
    priority: $('#f-priority').value,
    tags: $('#f-tags').value.split(',').map((s) => s.trim().replace(/^#/, '')).filter(Boolean),
    checklist: steps($('#f-checklist').value, current.task?.checklist || []),
    due_at: due || null, // a wall-clock time, read in time_zone by the API, as its DST rule says
    due_date: day || null, // a day in time_zone; at most one of the two is set, and the other is null
    duration: Number($('#f-length').value) > 0 ? formatDuration($('#f-length').value, $('#f-length-unit').value) : null,
    time_zone: zone,
    recurrence: currentRule(),
    repeat_from: $('#f-from-completion').checked ? 'completion' : 'schedule',
    reminders: $$('.reminder-row', form).map((row) => reminderOf(row, zone)),
  };
}

/**
 * The checklist that text says, a step a line: a step keeps its tick when a line has its
 * text (the first such step for the first such line), so that editing, adding or moving
 * lines loses no step's state.
 */
function steps(text, had) {
  const left = [...had];
  // A tab pasted inside a line is a space: a step holds no control characters.
  return text.split('\n').map((line) => line.replace(/[\t\r\v\f]/g, ' ').trim()).filter(Boolean).map((line) => {
    const i = left.findIndex((s) => s.text === line);
    const done = i >= 0 && left[i].done;
    if (i >= 0) left.splice(i, 1);
    return { text: line, done };
  });
}

/**
 * The members of body that differ from what the form showed when it opened. A member the
 * person did not touch is left out of the patch rather than sent as the inputs read it
 * back: they cannot hold all of it (WKST, an UNTIL with a time, seconds of a duration,
 * which of two equal wall-clock times).
 */
function changes(body, shown) {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(shown[k])));
}

$('#f-add-reminder').addEventListener('click', () => addReminder().querySelector('select').focus());

// ---- changes not saved: a slip of Escape or Cancel does not lose them ----

/** Whether the form holds changes not saved: members that differ from what it showed. */
function unsaved() {
  return !!current && dialog.open && Object.keys(changes(values(), current.shown)).length > 0;
}

/**
 * Closes the form, unless it holds changes not saved and this is the first try since the
 * last change: then it says so and stays, and the next Cancel or Escape discards them. An
 * Escape pressed in a long description lost it at once.
 */
function closeUnlessUnsaved() {
  if (!current.discard && unsaved()) {
    current.discard = true;
    $('#task-form-error').textContent = 'Your changes are not saved: Save them, or press Cancel or Escape again to discard them.';
    return false;
  }
  dialog.close();
  return true;
}

$('#f-cancel').addEventListener('click', closeUnlessUnsaved);
dialog.addEventListener('cancel', (e) => {
  // A browser may not let the page hold its dialog open (Chrome's, without a user
  // activation since the last Escape held): an Escape that cannot be held closes the
  // form, as a second one would.
  if (e.cancelable && !closeUnlessUnsaved()) e.preventDefault();
});
form.addEventListener('input', () => {
  if (current?.discard) {
    current.discard = false; // a new change: the next Escape asks again
    $('#task-form-error').textContent = '';
  }
});
// Leaving the page asks first while the form holds changes not saved.
addEventListener('beforeunload', (e) => {
  if (unsaved()) e.preventDefault();
});

/**
 * Checks what the API would refuse, in the form's words: says the first problem, with the
 * focus on its field, and returns false.
 */
function checked() {
  if (!$('#f-title').value.trim()) {
    showError('title', 'Give the task a title.');
    return false;
  }
  if ($('#f-freq').value === 'MONTHLY' && !$('#f-monthday-last').checked && !$('#f-monthday').checkValidity()) {
    showError('monthday', 'The day of the month is a day from 1 to 31: for the last day of every month, tick “Last day”.');
    return false;
  }
  const zone = $('#f-zone').value.trim() || 'UTC';
  if (!isZone(zone)) {
    showError('time_zone', `“${zone}” is not a time zone: pick one from the list, such as Europe/Berlin.`);
    return false;
  }
  return true;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const mine = current;
  if (mine.saving) return; // a second press while the first is on its way
  if (!checked()) return;
  const { task, onSaved } = mine;
  const body = task ? changes(values(), mine.shown) : values();
  if (task && !Object.keys(body).length) {
    dialog.close(); // nothing changed: nothing to send
    return;
  }
  const submit = $('#task-form button[type="submit"]');
  mine.saving = true;
  submit.disabled = true;
  try {
    const saved = task
      ? await request('PATCH', `/v1/tasks/${task.id}`, body, { 'If-Match': `"${task.version}"` })
      : await request('POST', '/v1/tasks', body, { 'Idempotency-Key': keyFor(mine, body) });
    if (current === mine) dialog.close();
    onSaved?.(saved, task ? before(task, body) : null);
  } catch (err) {
    if (current !== mine) return; // the form was closed and opened again meanwhile
    if (err instanceof ApiError && err.status === 412) {
      showError('', 'This task changed elsewhere since you opened it. Close the form to see the latest version, then edit again.');
      return;
    }
    showError(err.problem?.field, err.message);
  } finally {
    mine.saving = false;
    if (current === mine) submit.disabled = false;
  }
});

/**
 * The Idempotency-Key of a new task made of body from the form mine: the same while body
 * is, so that one sent again unchanged (its answer lost) is made once, the server
 * answering with the task it made.
 */
function keyFor(mine, body) {
  const json = JSON.stringify(body);
  if (mine.sent?.json !== json) mine.sent = { json, key: crypto.randomUUID() };
  return mine.sent.key;
}

/**
 * The patch that puts back the members patch changed, as task had them before: what
 * takes a save back. A due goes back whole (a time, or a day), as the form sends it, and
 * reminders as the API reads them (before, or at an instant).
 */
function before(task, patch) {
  const back = {};
  for (const k of Object.keys(patch)) {
    if (k === 'due_at' || k === 'due_date') Object.assign(back, task.due_date ? { due_date: task.due_date, due_at: null } : { due_at: task.due_at, due_date: null });
    else if (k === 'reminders') back.reminders = task.reminders.map((r) => (r.before ? { before: r.before } : { at: r.at }));
    else if (k === 'checklist') back.checklist = task.checklist.map(({ text, done }) => ({ text, done }));
    else back[k] = task[k];
  }
  return back;
}

/**
 * "Save as a copy": a new task made of what the form says, its steps not ticked, while
 * the task edited stays as it was saved: the same errand for another day, a list to pack
 * again. A copy sent again unchanged (its answer lost) goes with the same key.
 */
$('#f-copy').addEventListener('click', async () => {
  const mine = current;
  if (!mine?.task || mine.saving || !checked()) return;
  const body = values();
  body.checklist = body.checklist.map((step) => ({ ...step, done: false }));
  mine.saving = true;
  try {
    const copy = await request('POST', '/v1/tasks', body, { 'Idempotency-Key': keyFor(mine, body) });
    if (current === mine) dialog.close();
    mine.onCopied?.(copy);
  } catch (err) {
    if (current === mine) showError(err.problem?.field, err.message);
  } finally {
    mine.saving = false;
  }
});

/**
 * "Complete and stop repeating": the task completed as the last of its series, its rule
 * taken off in the same change (POST …/complete with end_series), so that no next
 * occurrence follows. Changes not saved are not sent with it: the person saves or
 * cancels them first.
 */
$('#f-end-series').addEventListener('click', async () => {
  const mine = current;
  if (!mine?.task || mine.saving) return;
  if (Object.keys(changes(values(), mine.shown)).length) {
    showError('', 'Save or cancel your changes first: this completes the task as it was saved.');
    return;
  }
  mine.saving = true;
  try {
    const done = await request('POST', `/v1/tasks/${mine.task.id}/complete`, { end_series: true });
    if (current === mine) dialog.close();
    mine.onEnded?.(done);
  } catch (err) {
    if (current === mine) showError('', err.message);
  } finally {
    mine.saving = false;
  }
});

const dueInput = '#f-due:not([hidden]), #f-due-date:not([hidden])'; // the one shown: a time, or a day
const fieldInputs = { title: '#f-title', description: '#f-description', priority: '#f-priority', tags: '#f-tags', checklist: '#f-checklist', due_at: dueInput, due_date: dueInput, duration: '#f-length', time_zone: '#f-zone', recurrence: '#f-freq', repeat_from: '#f-from-schedule', monthday: '#f-monthday' };

/**
 * Says message above the form's fields and moves the focus to the field it is about, or
 * to the title; for the title, the message is scrolled into view with it, as it may have
 * been scrolled out of the dialog's view.
 */
function showError(field, message) {
  $('#task-form-error').textContent = message;
  const sel = fieldInputs[(field || '').split(/[.[]/)[0]];
  const el = sel ? $(sel) : (field || '').startsWith('reminders') ? $('.reminder-row select') : null;
  (el || $('#f-title')).focus();
  if (!el || el === $('#f-title')) $('#task-form-error').scrollIntoView({ block: 'nearest' });
}
