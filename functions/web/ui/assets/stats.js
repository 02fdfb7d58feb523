// Progress: how many tasks the user completed today against their daily goal, the streak
// of days in a row that reached it, and a bar for each of the last days (GET /v1/stats),
// above the list. The module loads at sign-in, after the first screen; the page asks it to
// load the numbers again after a task is completed or reopened here, when the live stream
// reports a change, when the page is shown again and when the goal is saved. A task
// counts on the day it was completed while it stays completed: one reopened counts no more.

import { ApiError, get } from './api.js';
import { $, debounce, h } from './dom.js';
import { dayOf } from './time.js';

const DAYS = 7;
const box = $('#progress');
const todayLine = $('#progress-today');
const streakLine = $('#progress-streak');
const bars = $('#progress-days');
const goalLine = $('#progress-goal');
const dayName = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

let stats = null;     // GET /v1/stats's answer shown, or null (none yet, or signed out)
let seq = 0;          // bumps with every request, sign-in and sign-out: only the latest answer is shown
let started = false;  // a user is signed in
let opts = { onError: () => {} };

/** Starts the progress for a user signed in, and loads it; o.onError(err) is the page's error handling. */
export function startStats(o) {
  opts = o;
  started = true;
  stats = null;
  render();
  return loadStats();
}

/** Forgets the user's progress (a sign-out): the region hides. */
export function stopStats() {
  seq++;
  started = false;
  stats = null;
  render();
}

/**
 * Loads the progress again. Quiet, a failure other than a 401 says nothing: the numbers
 * shown stay until the next change loads them.
 */
export async function loadStats(quiet = false) {
  if (!started) return;
  const mine = ++seq;
  try {
    const s = await get(`/v1/stats?days=${DAYS}`);
    if (mine !== seq) return;
    stats = s;
    render();
  } catch (err) {
    if (mine === seq && (!quiet || (err instanceof ApiError && err.status === 401))) opts.onError(err);
  }
}

/** Loads the progress again once a burst of changes (a completion and its live event) is over: one request. */
export const scheduleStats = debounce(() => loadStats(true), 300);

// Today is another day at midnight in the user's zone: the bars move along, and a streak
// whose day passed unmet ends.
setInterval(() => {
  if (started && stats && !document.hidden && dayOf(Date.now(), stats.time_zone) !== stats.today) loadStats(true);
}, 60000);

/** "Fri 4 Dec" for "2026-12-04", in the page's language. */
function dayLabel(date) {
  const [y, m, d] = date.split('-').map(Number);
  return dayName.format(new Date(Date.UTC(y, m - 1, d)));
}

function render() {
  box.hidden = !stats;
  if (!stats) {
    todayLine.replaceChildren();
    streakLine.replaceChildren();
    bars.replaceChildren();
    return;
  }
  const goal = stats.daily_goal;
  const days = stats.days.slice(-DAYS);
  const today = days.at(-1)?.completed ?? 0;
  const met = today >= goal;
  todayLine.classList.toggle('met', met);
  todayLine.replaceChildren('Today ',
    h('strong', { 'aria-hidden': 'true' }, `${today} / ${goal}`),
    h('span', { class: 'visually-hidden' }, `${today} done of your daily goal of ${goal}${met ? ': met' : ''}`));
  const { current, longest } = stats.streak;
  streakLine.hidden = current < 1;
  streakLine.replaceChildren(current >= 1 ? `${current}-day streak` : '');
  if (current >= 1 && longest > current) streakLine.title = `Your longest: ${longest} days`;
  else streakLine.removeAttribute('title');

  // Heights against the larger of the goal and the best day, the goal drawn as a line across.
  const top = Math.max(goal, ...days.map((d) => d.completed), 1);
  goalLine.style.bottom = `${(goal / top) * 100}%`;
  bars.setAttribute('aria-label', `Tasks done on the last ${days.length} days`);
  bars.replaceChildren(...days.map((d, i) => {
    const last = i === days.length - 1;
    const label = `${last ? 'Today, ' : ''}${dayLabel(d.date)}: ${d.completed} done${d.completed >= goal ? ', goal met' : ''}`;
    const bar = h('span', { class: 'day-bar', 'aria-hidden': 'true' });
    bar.style.height = d.completed ? `max(3px, ${(d.completed / top) * 100}%)` : '';
    return h('li', { class: d.completed >= goal ? 'met' : null, title: label, 'aria-current': last ? 'date' : null },
      bar, h('span', { class: 'visually-hidden' }, label));
  }));
}
