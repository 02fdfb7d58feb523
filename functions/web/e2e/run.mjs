// Browser tests of Taskwire's web app: Debian's chromium driven by playwright-core, the
// whole app (API, event flow, web page) at TASKWIRE_URL, started by the Go test
// TestWeb_Browser in the root module. Each scenario prints "ok - NAME" or fails the run;
// screenshots and the first-load measurements go to OUT_DIR.
//
//   TASKWIRE_URL=http://127.0.0.1:8080 CHROMIUM=/usr/bin/chromium OUT_DIR=out node run.mjs

import { chromium } from 'playwright-core';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const BASE = (process.env.TASKWIRE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const OUT = process.env.OUT_DIR || path.join(import.meta.dirname, 'out');
const CHAT = process.env.CHAT_SCRIPTED === '1'; // the Go test scripted the model for the chat scenario
const ZONE = 'Europe/Berlin';
const started = Date.now();
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
await mkdir(OUT, { recursive: true });
for (const f of await readdir(OUT)) if (f.startsWith('failed-')) await rm(path.join(OUT, f)); // from an earlier run

let passed = 0;
let failed = 0;
let skipped = 0;

/** Runs one scenario; a failure is reported with a screenshot and fails the run. */
async function scenario(name, page, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    failed++;
    console.log(`not ok - ${name}: ${err.stack || err}`);
    await page?.screenshot({ path: path.join(OUT, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    // Leave the page usable for the next scenario.
    await page?.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => d.close())).catch(() => {});
  }
}

function skip(name, why) {
  skipped++;
  console.log(`skip - ${name}: ${why}`);
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * Clicks the Edit button of the task titled title until its dialog opens, and returns the
 * dialog. A live update that re-renders the clicked row (the task itself changed) between
 * the press and the release of the button swallows the click; a person clicks again, and
 * so does this.
 */
async function openEditor(page, title) {
  const dialog = page.getByRole('dialog', { name: /Edit task/ });
  await until(async () => {
    if (await dialog.isVisible()) return true;
    await taskItem(page, title).getByRole('button', { name: `Edit “${title}”` }).click();
    return await dialog.waitFor({ timeout: 2000 }).then(() => true, () => false);
  }, `the editor of ${title}`);
  return dialog;
}

/** Polls fn until it returns a truthy value. */
async function until(fn, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) { last = err; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Calls the API directly, as a script would (for seeding and checking). */
async function api(token, method, p, body) {
  const res = await fetch(BASE + p, {
    method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function devToken(name) {
  const res = await fetch(`${BASE}/v1/dev/token`, { method: 'POST', body: JSON.stringify({ name }) });
  assert(res.ok, `POST /v1/dev/token: ${res.status}`);
  return (await res.json()).token;
}

/** The wall-clock time in zone, ms from now, as a datetime-local value with seconds. */
function wallClock(ms, zone) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(new Date(Date.now() + ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

const taskItem = (page, title) => page.locator('#tasks > li', { has: page.locator('.title', { hasText: title }) });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

const user = `ada-${Date.now().toString(36)}`;
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE, locale: 'en-GB' });
await context.grantPermissions(['notifications'], { origin: BASE });
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
// Count browser notifications the page shows.
await page.addInitScript(() => {
  window.__shown = [];
  const Real = window.Notification;
  if (!Real) return;
  window.Notification = class extends Real {
    constructor(title, opts) { window.__shown.push({ title, body: opts?.body }); super(title, opts); }
  };
  Object.defineProperty(window.Notification, 'permission', { get: () => Real.permission });
  window.Notification.requestPermission = Real.requestPermission.bind(Real);
});
page.setDefaultTimeout(20000); // generous: CI runs this beside the race-enabled app
let token = '';

await scenario('sign in as a name with the development issuer', page, async () => {
  await page.goto(BASE + '/');
  await page.getByLabel('Your name').waitFor();
  await page.screenshot({ path: path.join(OUT, 'signin.png') });
  await page.getByLabel('Your name').fill(user);
  await page.getByRole('button', { name: 'Continue' }).click();
  token = await devToken(user); // the same user, for the scenarios' own API calls
  await page.getByLabel('Quick add').waitFor();
  assert(await page.locator('#who').textContent() === user, 'the page names the user');
  await until(() => page.evaluate(() => document.activeElement.id === 'quick-input'), 'focus to move to quick add');
  // The user's zone starts as UTC; the page offers the browser's.
  await page.getByRole('button', { name: `Use ${ZONE}` }).click();
  await until(async () => (await page.locator('#zone-note').textContent()).includes(`Times in ${ZONE}`), 'the zone note');
  await until(async () => (await page.locator('#live').textContent()) === 'Live', 'the live stream');
});

const quick = (await api(token, 'POST', '/v1/tasks/quick?dry_run=true', { text: 'x' })).status;
const recurringTitle = 'Water the plants';
if (quick === 404 || quick === 405) {
  skip('quick add', 'the API does not serve POST /v1/tasks/quick');
} else {
  await scenario('quick add a recurring task with a reminder: see it understood, then listed', page, async () => {
    const input = page.getByLabel('Quick add');
    await input.fill(`${recurringTitle} every day at 9am #home !high remind 1h before`);
    const preview = page.locator('#quick-preview');
    await until(async () => (await preview.textContent()).includes('every day'), 'the dry run preview');
    const text = await preview.textContent();
    for (const want of [recurringTitle, 'High', '#home', '1 hour before', '09:00']) {
      assert(text.includes(want), `the preview shows ${want}: got ${text}`);
    }
    assert(await page.locator('#quick-preview .chips li').count() >= 3, 'the preview lists what it understood');
    await page.screenshot({ path: path.join(OUT, 'quick-add.png') });
    assert(await page.locator('#tasks > li').count() === 0, 'a dry run saves nothing');
    await input.press('Enter');
    const item = taskItem(page, recurringTitle);
    await item.waitFor();
    const meta = await item.locator('.meta').textContent();
    for (const want of ['High', '09:00', 'every day', '1 hour before', '#home']) {
      assert(meta.includes(want), `the listed task shows ${want}: got ${meta}`);
    }
    assert(await input.inputValue() === '', 'the line is cleared');
  });
}

await scenario('the full form: RRULE builder, reminders, and the reminder notification', page, async () => {
  let item = taskItem(page, recurringTitle);
  if (await item.count() === 0) {
    // Without quick add, the full form makes the recurring task.
    await page.getByRole('button', { name: 'Open the full form' }).click();
    await page.locator('#f-title').fill(recurringTitle);
    await page.locator('#f-due').fill(wallClock(86400000, ZONE).slice(0, 11) + '09:00');
    await page.locator('#f-priority').selectOption('high');
    await page.locator('#f-tags').fill('home');
    await page.getByLabel('Repeats').selectOption('DAILY');
    await page.getByRole('button', { name: 'Add a reminder' }).click();
    await page.getByLabel('Reminder 1: how long before').fill('1');
    await page.getByLabel('Reminder 1: unit').selectOption('hours');
    await page.getByRole('button', { name: 'Save' }).click();
    item = taskItem(page, recurringTitle);
    await item.waitFor();
  }
  const dialog = await openEditor(page, recurringTitle);
  assert(await page.getByLabel('Repeats').inputValue() === 'DAILY', 'the builder reads the rule');
  // Weekly on Mon and Thu every 2 weeks, shown as a rule, then back to daily.
  await page.getByLabel('Repeats').selectOption('WEEKLY');
  await page.getByLabel('Every').fill('2');
  await page.getByLabel('Mon', { exact: true }).check();
  await page.getByLabel('Thu', { exact: true }).check();
  const rule = await page.locator('#f-rule').textContent();
  assert(rule.includes('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH'), `the builder writes the rule: got ${rule}`);
  await page.getByLabel('Repeats').selectOption('MONTHLY');
  await page.getByLabel('Day of the month').fill('1');
  assert(/FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=1\b/.test(await page.locator('#f-rule').textContent()), 'every 2 months on the 1st');
  await page.getByLabel('Repeats').selectOption('YEARLY');
  assert((await page.locator('#f-rule').textContent()).includes('FREQ=YEARLY'), 'yearly');
  await page.getByLabel('Repeats').selectOption('DAILY');
  await page.getByLabel('Every').fill('1');
  await page.getByText('Completion', { exact: true }).click();
  assert(await page.locator('#f-from-completion').isChecked(), 'repeat from completion');
  await page.getByText('The schedule', { exact: true }).click();
  // A second reminder at a time a few seconds from now, in the user's zone.
  await page.getByRole('button', { name: 'Add a reminder' }).click();
  await page.getByLabel('Reminder 2: when').selectOption('at');
  await page.getByLabel('Reminder 2: date and time').fill(wallClock(5000, ZONE));
  await page.screenshot({ path: path.join(OUT, 'form.png') });
  await page.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await until(async () => (await item.locator('.meta').textContent()).includes('at Today'), 'the saved reminder');

  // The reminder fires in the whole app (reminders, then notify) and the page shows it.
  const toast = page.locator('.toast-reminder', { hasText: recurringTitle });
  await toast.waitFor({ timeout: 30000 });
  await until(() => page.evaluate((t) => window.__shown.some((n) => n.body.includes(t)), recurringTitle), 'the browser notification');
  assert(await page.locator('#notif-count').textContent() === '1', 'one unread notification');
  await page.getByRole('button', { name: /Notifications/ }).click();
  const panel = page.getByRole('dialog', { name: 'Notifications' });
  await panel.getByRole('button', { name: `Mark read: ${recurringTitle}` }).waitFor();
  await page.screenshot({ path: path.join(OUT, 'notifications.png') });
  await panel.getByRole('button', { name: `Mark read: ${recurringTitle}` }).click();
  await until(async () => await page.locator('#notif-count').isHidden(), 'the unread count to clear');
  await panel.getByRole('button', { name: 'Close' }).click();
});

await scenario('complete the recurring task and see the next occurrence appear', page, async () => {
  const item = taskItem(page, recurringTitle);
  const number = Number((await item.locator('.num').textContent()).slice(1));
  await item.getByRole('checkbox').check();
  // The event flow (outbox, broker, recurrence) creates the next one; the live stream shows it.
  const next = page.locator('#tasks > li', { has: page.locator('.num', { hasText: new RegExp(`^#(?!${number}$)\\d+$`) }) })
    .filter({ hasText: recurringTitle });
  await next.waitFor({ timeout: 30000 });
  const meta = await next.locator('.meta').textContent();
  assert(meta.includes('every day'), `the next occurrence recurs: ${meta}`);
  assert(/09:00/.test(meta), `the next occurrence is at 09:00: ${meta}`);
  await until(async () => (await taskItem(page, recurringTitle).count()) === 1, 'the completed one to leave the open list');
  await page.getByText('Completed', { exact: true }).click();
  await until(async () => (await page.locator('#tasks > li.is-done').count()) >= 1, 'the completed list');
  await page.getByText('Open', { exact: true }).click();
  await until(async () => (await taskItem(page, recurringTitle).count()) === 1, 'the open list again');
});

await scenario('filter and sort', page, async () => {
  for (const t of [
    { title: 'Buy milk', priority: 'low', tags: ['errands'] },
    { title: 'Call the bank', priority: 'urgent', tags: ['money'], due_at: new Date(Date.now() - 3600e3).toISOString() },
    { title: 'Archive photos', priority: 'medium', tags: ['home'] },
  ]) {
    const res = await api(token, 'POST', '/v1/tasks', t);
    assert(res.status === 201, `seed ${t.title}: ${res.status}`);
  }
  await taskItem(page, 'Archive photos').waitFor(); // the live stream brought them
  const titles = async () => (await page.locator('#tasks .title').allTextContents()).map((s) => s.replace(/^#\d+\s*/, ''));
  assert(await taskItem(page, 'Call the bank').evaluate((el) => el.classList.contains('is-overdue')), 'overdue is highlighted');
  assert((await taskItem(page, 'Call the bank').textContent()).includes('Overdue'), 'overdue is said in words');

  await page.locator('#flt-priority').selectOption('urgent');
  await until(async () => JSON.stringify(await titles()) === '["Call the bank"]', 'the urgent filter');
  await page.locator('#flt-priority').selectOption('');
  await page.locator('#flt-tag').selectOption('home');
  await until(async () => { const t = await titles(); return t.length === 2 && t.includes('Archive photos'); }, 'the tag filter');
  await page.locator('#flt-tag').selectOption('');
  await page.locator('#flt-due').selectOption('overdue');
  await until(async () => JSON.stringify(await titles()) === '["Call the bank"]', 'the overdue filter');
  await page.locator('#flt-due').selectOption('');
  await page.getByLabel('Search').pressSequentially('mi'); // typed, not yet a whole word
  await until(async () => JSON.stringify(await titles()) === '["Buy milk"]', 'the search as it is typed');
  await page.getByLabel('Search').fill('');
  await page.locator('#flt-sort').selectOption('title');
  await until(async () => {
    const t = await titles();
    return t.length === 4 && JSON.stringify(t) === JSON.stringify([...t].sort((a, b) => a.localeCompare(b)));
  }, 'title order');
  await page.locator('#flt-sort').selectOption('-priority');
  await until(async () => (await titles())[0] === 'Call the bank', 'priority order');
  await page.screenshot({ path: path.join(OUT, 'list.png') });
});

await scenario('edit inline, delete with undo', page, async () => {
  await openEditor(page, 'Buy milk');
  await page.locator('#f-title').fill('Buy oat milk');
  await page.getByRole('button', { name: 'Save' }).click();
  await taskItem(page, 'Buy oat milk').waitFor();

  await taskItem(page, 'Buy oat milk').getByRole('button', { name: 'Delete “Buy oat milk”' }).click();
  assert(await taskItem(page, 'Buy oat milk').count() === 0, 'deleted from the list at once');
  const focused = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
  assert(/^Delete “/.test(focused), `focus moves to the next task's Delete: got ${focused}`);
  await page.locator('.toast', { hasText: 'Deleted' }).getByRole('button', { name: 'Undo' }).click();
  await taskItem(page, 'Buy oat milk').waitFor();
  const kept = await api(token, 'GET', '/v1/tasks?q=oat');
  assert(kept.body.items.length === 1, 'undo kept the task');

  await taskItem(page, 'Buy oat milk').getByRole('button', { name: 'Delete “Buy oat milk”' }).click();
  await page.locator('.toast', { hasText: 'Deleted' }).getByRole('button', { name: 'Dismiss' }).click();
  await until(async () => (await api(token, 'GET', '/v1/tasks?q=oat')).body.items.length === 0, 'the deletion to reach the API');
});

await scenario('the live stream resumes with Last-Event-ID after a drop', page, async () => {
  const streams = [];
  const onRequest = async (req) => {
    if (new URL(req.url()).pathname === '/v1/stream') streams.push((await req.allHeaders())['last-event-id'] || '');
  };
  page.on('request', onRequest);
  console.log('DROP CONNECTIONS'); // the Go test closes every connection to the app
  await until(async () => (await page.locator('#live').textContent()) === 'Reconnecting…', 'the page to notice the drop');
  // Made while the page waits to reconnect (1 s): only a resumed stream brings it.
  const res = await api(token, 'POST', '/v1/tasks', { title: 'Made while offline' });
  assert(res.status === 201, `create: ${res.status}`);
  await taskItem(page, 'Made while offline').waitFor({ timeout: 20000 });
  await until(async () => (await page.locator('#live').textContent()) === 'Live', 'live again');
  page.off('request', onRequest);
  assert(streams.length >= 1 && /^\d+$/.test(streams[0]), `the stream is resumed with Last-Event-ID: got ${JSON.stringify(streams)}`);
  await api(token, 'DELETE', `/v1/tasks/${res.body.id}`);
  await until(async () => (await taskItem(page, 'Made while offline').count()) === 0, 'the deletion to arrive live');
});

await scenario('infinite scroll follows the cursor', page, async () => {
  for (let i = 1; i <= 55; i++) {
    const res = await api(token, 'POST', '/v1/tasks', { title: `Bulk ${String(i).padStart(2, '0')}`, tags: ['bulk'] });
    assert(res.status === 201, `seed ${i}: ${res.status}`);
  }
  await page.locator('#flt-sort').selectOption('title');
  await page.locator('#flt-tag option[value="bulk"]').waitFor({ state: 'attached' }); // the tags follow the stream
  await page.locator('#flt-tag').selectOption('bulk');
  await until(async () => (await page.locator('#tasks > li').count()) === 50, 'the first page of 50');
  assert(await page.locator('#more').isVisible(), 'more to load');
  await page.locator('#more').scrollIntoViewIfNeeded();
  await until(async () => (await page.locator('#tasks > li').count()) === 55, 'the second page, on scrolling');
  assert(await page.locator('#more').isHidden(), 'nothing more');
  const last = (await page.locator('#tasks .title').last().textContent()).replace(/^#\d+\s*/, '');
  assert(last === 'Bulk 55', `in order to the end: got ${last}`);
  await page.locator('#flt-tag').selectOption('');
  await page.locator('#flt-sort').selectOption('-created_at'); // newest first, for what follows
});

const chatServed = CHAT && ![404, 405].includes((await api(token, 'POST', '/v1/chat', {})).status);
if (!CHAT) {
  skip('chat panel', 'no scripted model (CHAT_SCRIPTED unset)');
} else if (!chatServed) {
  skip('chat panel', 'the app does not serve POST /v1/chat');
} else {
  await scenario('chat panel against the scripted model', page, async () => {
    await page.getByLabel('Message to the assistant').fill('Add a task to book the dentist');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = page.locator('.msg-assistant').last();
    await until(async () => !(await reply.getAttribute('aria-busy')), 'the reply to finish', 15000);
    assert(await reply.locator('.tool summary').count() >= 1, 'the reply shows the tools that ran');
    assert((await reply.locator('.tool summary').first().textContent()) === 'Ran add_task', 'the tool is named');
    assert((await reply.locator('.text').textContent()).includes('I added “Book the dentist”'), 'the streamed reply');
    // The task list follows what the assistant did.
    await taskItem(page, 'Book the dentist').waitFor();
    assert((await taskItem(page, 'Book the dentist').textContent()).includes('#health'), 'the new task is listed as made');
    // The conversation goes on.
    await page.getByLabel('Message to the assistant').fill('Thanks');
    await page.keyboard.press('Enter');
    await until(async () => (await page.locator('.msg-assistant').count()) === 2 && !(await page.locator('.msg-assistant').last().getAttribute('aria-busy')), 'the second reply', 15000);
    await page.screenshot({ path: path.join(OUT, 'chat.png') });
  });
}

await scenario('accessibility: axe-core finds no serious or critical violations', page, async () => {
  const scan = async (label) => {
    await page.evaluate(axeSource); // evaluate runs beside the page's CSP, which refuses inline scripts
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert(bad.length === 0, `${label}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`).join('; ')}`);
    return result.violations.length;
  };
  await scan('the task list');
  await page.getByRole('button', { name: 'Open the full form' }).click();
  await page.getByLabel('Repeats').selectOption('WEEKLY');
  await page.getByRole('button', { name: 'Add a reminder' }).click();
  await scan('the task form');
  await page.getByRole('button', { name: 'Cancel' }).click();
  // Keyboard: the skip link comes first in the focus order and leads to the content.
  const first = await page.evaluate(() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
    .find((el) => el.tabIndex >= 0)?.textContent);
  assert(first === 'Skip to content', `the skip link is first: got ${first}`);
  await page.locator('.skip').focus();
  await page.keyboard.press('Enter');
  await until(() => page.evaluate(() => document.activeElement.id === 'main'), 'focus on the content');
});

await scenario('the token stays in memory: no storage, no cookies', page, async () => {
  const stored = await page.evaluate(async () => ({
    local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
    idb: (await indexedDB.databases()).length, url: location.href,
  }));
  assert(stored.local === 0 && stored.session === 0 && stored.cookie === '' && stored.idb === 0, `storage: ${JSON.stringify(stored)}`);
  assert((await context.cookies()).length === 0, 'no cookies');
  assert(!stored.url.includes(token.slice(0, 20)), 'no token in the URL');
  await page.reload();
  await page.getByLabel('Your name').waitFor(); // a reload signs out
});

await scenario('a token in the URL fragment signs in and leaves the URL', page, async () => {
  await page.goto(`${BASE}/#token=${encodeURIComponent(token)}`);
  await page.getByLabel('Quick add').waitFor();
  assert(!page.url().includes('token'), `the fragment is removed: ${page.url()}`);
  assert(await page.evaluate(() => localStorage.length + sessionStorage.length) === 0, 'still nothing stored');
});

await scenario('phone width', null, async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, timezoneId: ZONE });
  const p = await phone.newPage();
  await p.goto(`${BASE}/#token=${encodeURIComponent(token)}`);
  await p.locator('#tasks > li').first().waitFor();
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `no sideways scrolling: ${overflow}px too wide`);
  await p.screenshot({ path: path.join(OUT, 'phone.png'), fullPage: true });
  await phone.close();
});

// First load, cold: bytes and time to the rendered list, from the browser's own clock.
const metrics = {};
await scenario('first load: weight and time to the rendered list', null, async () => {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const cold = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE });
    const p = await cold.newPage();
    const encodings = {};
    p.on('response', async (r) => {
      // A response still arriving (the live stream, a poll) when the context closes has
      // no headers to read any more; it is not one of the first load's.
      try { encodings[new URL(r.url()).pathname] = (await r.allHeaders())['content-encoding'] || 'identity'; } catch { /* closed */ }
    });
    await p.goto(`${BASE}/#token=${encodeURIComponent(token)}`);
    await p.waitForFunction(() => performance.getEntriesByName('taskwire:list-rendered').length > 0);
    runs.push(await p.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      const isAsset = (e) => new URL(e.name).pathname.startsWith('/assets/');
      const sum = (list, k) => list.reduce((n, e) => n + (e[k] || 0), 0);
      const assets = res.filter(isAsset);
      const data = res.filter((e) => !isAsset(e));
      return {
        list_rendered_ms: performance.getEntriesByName('taskwire:list-rendered')[0].startTime,
        first_contentful_paint_ms: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        page_bytes: nav.encodedBodySize + sum(assets, 'encodedBodySize'),
        page_bytes_uncompressed: nav.decodedBodySize + sum(assets, 'decodedBodySize'),
        api_bytes: sum(data, 'encodedBodySize'),
        transfer_bytes: nav.transferSize + sum(res, 'transferSize'),
        requests: 1 + res.length,
      };
    }));
    runs[runs.length - 1].encodings = encodings;
    await cold.close();
  }
  const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  Object.assign(metrics, {
    measured_at: new Date().toISOString(),
    runs: runs.length,
    list_rendered_ms: Math.round(median('list_rendered_ms')),
    first_contentful_paint_ms: Math.round(median('first_contentful_paint_ms')),
    page_bytes: median('page_bytes'),
    page_bytes_uncompressed: median('page_bytes_uncompressed'),
    api_bytes: median('api_bytes'),
    transfer_bytes: median('transfer_bytes'),
    requests: median('requests'),
    encodings: runs[0].encodings,
    targets: { page_bytes: 150 * 1024, list_rendered_ms: 300 },
  });
  await writeFile(path.join(OUT, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  console.log(`first load: ${metrics.page_bytes} bytes compressed (${metrics.page_bytes_uncompressed} uncompressed), list rendered at ${metrics.list_rendered_ms} ms`);
});

if (errors.length) {
  failed++;
  console.log(`not ok - the page threw: ${errors.join('; ')}`);
}
await browser.close();
console.log(`browser tests: ${passed} passed, ${failed} failed, ${skipped} skipped in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${OUT}`);
process.exit(failed ? 1 : 0);
