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

/** Says a rule in words: "every 2 weeks on Mon, Thu", "every day at 08:00 and 20:00". */
export function describe(rule) {
  const times = rule && timesOf(rule);
  const s = parse(times ? rule.replace(/;?BY(?:HOUR|MINUTE)=[^;]*/gi, '') : rule);
  if (!s) return rule;
  const unit = FREQS[s.freq];
  let out = s.interval > 1 ? `every ${s.interval} ${unit}s` : `every ${unit}`;
  if (s.byday.length) out += ' on ' + s.byday.map((d) => DAYS.find(([c]) => c === d)[1]).join(', ');
  if (s.bymonthday < 0 && !FROM_END[s.bymonthday]) return rule; // shown as written rather than in wrong words
  if (s.bymonthday) out += s.bymonthday < 0 ? ` on ${FROM_END[s.bymonthday]}` : ` on day ${s.bymonthday}`;
  if (s.count) out += `, ${s.count} times`;
  else if (s.until) out += `, until ${s.until.slice(0, 4)}-${s.until.slice(4, 6)}-${s.until.slice(6, 8)}`;
  if (times) out += ` at ${times}`;
  return out;
}
