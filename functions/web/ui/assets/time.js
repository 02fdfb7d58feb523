// Times in the user's zone: formatting instants, and turning a wall-clock time in an IANA
// zone into an instant (and back) for the form's date inputs.

const formats = new Map();
function format(zone, opts) {
  const key = zone + JSON.stringify(opts);
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(undefined, { timeZone: zone, ...opts }));
  return formats.get(key);
}

/** The parts of an instant's wall-clock time in zone. */
function parts(ms, zone) {
  const f = format(zone, { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).filter((x) => x.type !== 'literal').map((x) => [x.type, Number(x.value)]));
  return p;
}

/** The wall-clock time in zone at instant ms, as ms since the epoch read as UTC. */
function wallAt(ms, zone) {
  const p = parts(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
}

/** The offset of zone from UTC at instant ms, in milliseconds. */
function offset(ms, zone) {
  return wallAt(ms, zone) - Math.floor(ms / 1000) * 1000;
}

/** Whether Intl knows zone (an unknown one makes it throw a RangeError). */
export function isZone(zone) {
  try {
    format(zone, {});
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns "2026-11-23T09:00" (wall clock in zone) into an RFC 3339 instant in UTC, as the
 * server resolves wall-clock times (recur.Resolve): a time in a DST gap moves forward by
 * the gap, a repeated time is the first of the two. The list's due-window filters need
 * instants; the form sends its wall-clock times as they are, for the API to read. Throws a
 * RangeError for a zone Intl does not know.
 */
function zonedToInstant(local, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  // Read with the offset in effect before any change of offset near this time, then with
  // the one after; a time that neither reads back as itself is in a gap.
  const first = wall - offset(wall - 26 * 3600000, zone);
  const second = wall - offset(wall + 26 * 3600000, zone);
  const ms = wallAt(first, zone) !== wall && wallAt(second, zone) === wall ? second : first;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Turns an instant into the value of a datetime-local input showing it in zone. */
export function instantToLocal(iso, zone) {
  if (!iso) return '';
  const p = parts(Date.parse(iso), zone);
  const pad = (n) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour % 24)}:${pad(p.minute)}` + (p.second ? `:${pad(p.second)}` : '');
}

/** The calendar day of an instant in zone, as YYYY-MM-DD. */
export function dayOf(ms, zone) {
  const p = parts(ms, zone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * The calendar day n days after day (YYYY-MM-DD). Days are counted on the calendar, not
 * in 24-hour steps: in a zone with DST a day is 23 or 25 hours long twice a year.
 */
export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * A day (YYYY-MM-DD) said the way the list says days, with no time: "Today", "Tomorrow",
 * "Yesterday", "Fri 4 Dec", and the year when it is not this year's. Today is today in zone.
 */
export function formatDay(day, zone, now = Date.now()) {
  return nearDay(day, zone, now) || formatDate(day, zone, now);
}

/**
 * A day's heading in a list by days (due, or done): the near ones say both, "Today · Sun
 * 6 Dec", the others the date, "Tue 8 Dec".
 */
export function formatDayHeading(day, zone, now = Date.now()) {
  const near = nearDay(day, zone, now);
  return near ? `${near} · ${formatDate(day, zone, now)}` : formatDate(day, zone, now);
}

/** "Today", "Tomorrow" or "Yesterday" for day (YYYY-MM-DD), today in zone; else ''. */
function nearDay(day, zone, now) {
  const today = dayOf(now, zone);
  if (day === today) return 'Today';
  if (day === addDays(today, 1)) return 'Tomorrow';
  if (day === addDays(today, -1)) return 'Yesterday';
  return '';
}

/** Day (YYYY-MM-DD) as a date, "Fri 4 Dec", with the year when it is not this year in zone. */
function formatDate(day, zone, now) {
  const [y, m, d] = day.split('-').map(Number);
  const sameYear = y === parts(now, zone).year;
  // A date, not an instant: read at midnight UTC and written in UTC, it is the same date anywhere.
  return format('UTC', { weekday: 'short', day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) }).format(Date.UTC(y, m - 1, d));
}

/** A short, readable due time: "Today 09:00", "Tomorrow 18:30", "Mon 24 Nov 09:00". */
export function formatDue(iso, zone, now = Date.now()) {
  const ms = Date.parse(iso);
  const time = format(zone, { hour: '2-digit', minute: '2-digit' }).format(ms);
  return `${formatDay(dayOf(ms, zone), zone, now)} ${time}`;
}

/** A full date and time in zone, for titles and screen readers. */
export function formatFull(iso, zone) {
  return format(zone, { dateStyle: 'full', timeStyle: 'short' }).format(Date.parse(iso)) + ` (${zone})`;
}

/** A full date (YYYY-MM-DD) of an all-day task, for titles and screen readers: "Friday 4 December 2026, all day". */
export function formatFullDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return format('UTC', { dateStyle: 'full' }).format(Date.UTC(y, m - 1, d)) + ', all day';
}

/** The start of the day in zone that is `days` after today, as an instant. */
export function startOfDay(zone, days = 0, now = Date.now()) {
  return zonedToInstant(`${addDays(dayOf(now, zone), days)}T00:00`, zone);
}

const units = [['W', 'weeks', 604800], ['D', 'days', 86400], ['H', 'hours', 3600], ['M', 'minutes', 60]];

/** Reads an ISO 8601 duration such as PT15M or P1D into {n, unit}; unit is one of minutes, hours, days, weeks. */
export function parseDuration(d) {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d || '');
  if (!m) return { n: 15, unit: 'minutes' };
  const secs = (+m[1] || 0) * 604800 + (+m[2] || 0) * 86400 + (+m[3] || 0) * 3600 + (+m[4] || 0) * 60 + (+m[5] || 0);
  for (const [, unit, size] of units) if (secs > 0 && secs % size === 0) return { n: secs / size, unit };
  return { n: Math.round(secs / 60), unit: 'minutes' };
}

/** Writes {n, unit} as an ISO 8601 duration. */
export function formatDuration(n, unit) {
  n = Math.max(0, Math.floor(Number(n) || 0));
  return { weeks: `P${n}W`, days: `P${n}D`, hours: `PT${n}H`, minutes: `PT${n}M` }[unit] || `PT${n}M`;
}

/** Says an ISO 8601 duration in words: "1 hour", "2 days". */
export function describeDuration(d) {
  const { n, unit } = parseDuration(d);
  return `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
}
