// RFC 5545 RRULEs as the form's builder edits them: daily, weekly on days, monthly on a
// day of the month, yearly; an interval; an end by count or date. Rules the builder
// cannot show are kept as written.

export const DAYS = [['MO', 'Mon'], ['TU', 'Tue'], ['WE', 'Wed'], ['TH', 'Thu'], ['FR', 'Fri'], ['SA', 'Sat'], ['SU', 'Sun']];
const FREQS = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' };
// BYMONTHDAY counted from the end of the month.
const FROM_END = { '-1': 'the last day', '-2': 'the second-to-last day', '-3': 'the third-to-last day' };

/** Reads a rule into builder state, or null when the builder cannot express it. */
export function parse(rule) {
  const state = { freq: 'DAILY', interval: 1, byday: [], bymonthday: null, count: null, until: null };
  if (!rule) return null;
  for (const part of rule.replace(/^RRULE:/i, '').split(';')) {
    const [k, v] = part.split('=');
    switch ((k || '').toUpperCase()) {
      case 'FREQ': if (!FREQS[v]) return null; state.freq = v; break;
      case 'INTERVAL': state.interval = Math.max(1, parseInt(v, 10) || 1); break;
      case 'BYDAY': {
        const days = v.split(',');
        if (!days.every((d) => DAYS.some(([c]) => c === d))) return null;
        state.byday = days; break;
      }
      case 'BYMONTHDAY': if (!/^-?\d+$/.test(v)) return null; state.bymonthday = parseInt(v, 10); break;
      case 'COUNT': state.count = parseInt(v, 10); break;
      case 'UNTIL': state.until = v; break;
      case 'WKST': break;
      default: return null;
    }
  }
  if (state.byday.length && state.freq !== 'WEEKLY') return null;
  if (state.bymonthday !== null && state.freq !== 'MONTHLY') return null;
  return state;
}

/** Writes builder state as a rule. */
export function build(s) {
  const parts = [`FREQ=${s.freq}`];
  if (s.interval > 1) parts.push(`INTERVAL=${s.interval}`);
  if (s.freq === 'WEEKLY' && s.byday?.length) parts.push(`BYDAY=${s.byday.join(',')}`);
  if (s.freq === 'MONTHLY' && s.bymonthday) parts.push(`BYMONTHDAY=${s.bymonthday}`);
  if (s.count) parts.push(`COUNT=${s.count}`);
  else if (s.until) parts.push(`UNTIL=${s.until}`);
  return parts.join(';');
}

/**
 * The times of day of a rule that repeats several times a day (BYHOUR with one BYMINUTE,
 * as quick add writes "every day at 8am and 8pm"), in words: "08:00 and 20:00"; null
 * for a rule without them, or with times the words would not say right.
 */
function timesOf(rule) {
  const hours = /(?:^|;)BYHOUR=([\d,]+)(?:;|$)/i.exec(rule);
  const minute = /(?:^|;)BYMINUTE=(\d+)(?:;|$)/i.exec(rule);
  if (!hours || !minute || /(?:^|;)BYSECOND=/i.test(rule)) return null;
  const t = hours[1].split(',').map((h) => `${h.padStart(2, '0')}:${minute[1].padStart(2, '0')}`);
  return t.length > 1 ? `${t.slice(0, -1).join(', ')} and ${t[t.length - 1]}` : t[0];
}

const UNITS = { HOURLY: 'hour', ...FREQS };
const WEEKDAYS = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };
const PLACES = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', '-1': 'last' };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];

/** Joins words as a list is said: "a", "a and b", "a, b and c". */
function andList(words) {
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}` : words.join('');
}

/**
 * The days of a rule in words, after its "every …": " on Mon, Thu", " on day 15", " on
 * days 1 and 15", " on day 15 and the last day", " on the second and fourth Friday",
 * " on 15 April", " on 1 January and July", " on the last weekday"; '' for none, null for
 * days the words would not say right.
 */
function daysOf(freq, parts) {
  const { BYDAY: byday, BYMONTHDAY: bymonthday, BYMONTH: bymonth, BYSETPOS: bysetpos } = parts;
  // The last business day: one place among Monday to Friday, in each month.
  if (bysetpos) {
    const place = /^[+-]?\d$/.test(bysetpos) && PLACES[parseInt(bysetpos, 10)];
    return freq === 'MONTHLY' && place && byday === 'MO,TU,WE,TH,FR' && !bymonthday && !bymonth ? ` on the ${place} weekday` : null;
  }
  if (freq === 'WEEKLY' && byday && !bymonthday && !bymonth) {
    const days = byday.split(',');
    return days.every((d) => WEEKDAYS[d]) ? ' on ' + days.map((d) => DAYS.find(([c]) => c === d)[1]).join(', ') : null;
  }
  // The second and fourth Friday: places of one weekday in the month, or in one month.
  const places = byday?.split(',').map((d) => /^([+-]?\d)([A-Z]{2})$/.exec(d));
  if (byday && !bymonthday && places.every((m) => m && PLACES[parseInt(m[1], 10)] && m[2] === places[0][2])) {
    const said = ` on the ${andList(places.map((m) => PLACES[parseInt(m[1], 10)]))} ${WEEKDAYS[places[0][2]]}`;
    if (freq === 'MONTHLY' && !bymonth) return said;
    const month = freq === 'YEARLY' && /^\d+$/.test(bymonth || '') && MONTHS[parseInt(bymonth, 10) - 1];
    return month ? `${said} of ${month}` : null;
  }
  if (byday) return null;
  if (freq === 'YEARLY' && bymonth && bymonthday) {
    // One day in one month or more: " on 15 April", " on 15 January, April and July".
    const months = bymonth.split(',').map((m) => /^\d+$/.test(m) && MONTHS[parseInt(m, 10) - 1]);
    return months.every(Boolean) && /^\d+$/.test(bymonthday) ? ` on ${parseInt(bymonthday, 10)} ${andList(months)}` : null;
  }
  if (bymonth || (bymonthday && freq !== 'MONTHLY')) return null;
  if (!bymonthday) return '';
  const days = bymonthday.split(',');
  if (!days.every((d) => /^-?\d+$/.test(d) && (parseInt(d, 10) > 0 || FROM_END[d]))) return null; // not in wrong words
  const counted = days.filter((d) => parseInt(d, 10) > 0);
  const said = counted.length ? [`${counted.length > 1 ? 'days' : 'day'} ${andList(counted.map((d) => String(parseInt(d, 10))))}`] : [];
  return ' on ' + andList([...said, ...days.filter((d) => parseInt(d, 10) < 0).map((d) => FROM_END[d])]);
}

/**
 * Says a rule in words: "every 2 weeks on Mon, Thu", "every day at 08:00 and 20:00",
 * "every month on the second and fourth Friday", "every month on the last weekday",
 * "every year on 15 April"; a rule that
 * the words would not say right is shown as written.
 */
export function describe(rule) {
  if (!rule) return rule;
  const times = timesOf(rule);
  const parts = {};
  for (const part of (times ? rule.replace(/;?BY(?:HOUR|MINUTE)=[^;]*/gi, '') : rule).replace(/^RRULE:/i, '').split(';')) {
    const [k, v] = part.split('=');
    if (!['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'COUNT', 'UNTIL', 'WKST'].includes(k?.toUpperCase()) || !v) return rule;
    parts[k.toUpperCase()] = v.toUpperCase();
  }
  const unit = UNITS[parts.FREQ];
  const days = unit ? daysOf(parts.FREQ, parts) : null;
  if (days === null || (parts.FREQ === 'HOURLY' && days)) return rule;
  const n = Math.max(1, parseInt(parts.INTERVAL, 10) || 1);
  let out = (n > 1 ? `every ${n} ${unit}s` : `every ${unit}`) + days;
  if (parts.COUNT) out += `, ${parseInt(parts.COUNT, 10)} times`;
  else if (parts.UNTIL) out += `, until ${parts.UNTIL.slice(0, 4)}-${parts.UNTIL.slice(4, 6)}-${parts.UNTIL.slice(6, 8)}`;
  if (times) out += ` at ${times}`;
  return out;
}
