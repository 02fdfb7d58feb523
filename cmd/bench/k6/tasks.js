// k6 load for Taskwire's task API; bench/run.sh runs it once per row group.
//
// Each VU loops over the ops in OPS (default: create, list 50, get, patch) as one user
// (USERS=one) or as a user drawn at random per iteration from the spread tokens
// (USERS=spread). A warm-up scenario runs first at the same VU count; only the
// "measure" scenario is reported. Every request carries an op tag, so handleSummary
// writes per-op p50/p95/p99, counts and failures to SUMMARY (JSON).
//
// Env: BASE_URL, TOKENS (path of {"one": tok, "spread": [tok, ...]}), USERS (one|spread),
// VUS, DURATION (e.g. 10s), WARMUP (e.g. 3s), OPS (comma list; default all four), SUMMARY.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const USERS = __ENV.USERS || 'one';
const VUS = parseInt(__ENV.VUS || '16', 10);
const DURATION = __ENV.DURATION || '10s';
const WARMUP = __ENV.WARMUP || '3s';
const OPS = (__ENV.OPS || 'create,list,get,patch').split(',');
const ALL_OPS = ['create', 'list', 'get', 'patch'];
const tokens = JSON.parse(open(__ENV.TOKENS));

// opErrors counts requests whose check failed (wrong status, or a list not of 50 rows).
const opErrors = new Counter('op_errors');

const thresholds = {};
for (const op of ALL_OPS) {
  // Thresholds that always pass: they only make k6 keep the per-op sub-metrics of the
  // measured scenario for handleSummary. run.sh judges the targets itself.
  thresholds[`http_req_duration{op:${op},scenario:measure}`] = ['max>=0'];
  thresholds[`http_reqs{op:${op},scenario:measure}`] = ['count>=0'];
  thresholds[`http_req_failed{op:${op},scenario:measure}`] = ['rate>=0'];
  thresholds[`op_errors{op:${op},scenario:measure}`] = ['count>=0'];
}
thresholds['http_reqs{scenario:measure}'] = ['count>=0'];
thresholds['http_req_duration{scenario:measure}'] = ['max>=0'];
thresholds['http_req_failed{scenario:measure}'] = ['rate>=0'];
thresholds['op_errors{scenario:measure}'] = ['count>=0'];
thresholds['iteration_duration{scenario:measure}'] = ['max>=0'];

export const options = {
  summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max', 'count'],
  thresholds,
  scenarios: {
    warmup: { executor: 'constant-vus', vus: VUS, duration: WARMUP, gracefulStop: '5s' },
    measure: { executor: 'constant-vus', vus: VUS, duration: DURATION, startTime: WARMUP, gracefulStop: '30s' },
  },
};

const titles = ['Water the plants', 'Call the dentist', 'Renew passport', 'Pay rent',
  'Buy birthday present', 'Book train tickets', 'Submit expense report', 'Fix the bike'];
const priorities = ['none', 'low', 'medium', 'high', 'urgent'];
const tagSets = [['home'], ['work', 'admin'], ['errands'], ['home', 'garden'], ['family']];

let logged = 0; // failures logged by this VU; a few are enough to see the cause

function ok(res, op, want, extra) {
  const good = check(res, { [`${op} ${want}`]: (r) => r.status === want && (!extra || extra(r)) }, { op });
  if (!good) {
    opErrors.add(1, { op });
    if (logged < 3) {
      logged++;
      console.error(`${op}: status ${res.status} ${res.error || ''} ${String(res.body || '').slice(0, 200)}`);
    }
  }
  return good;
}

// params asks k6 to keep the body only where the check reads it (the list); the rest of
// the bodies are dropped unread, so that k6, which shares the CPUs with the server, spends
// less of them.
function params(token, op, name, keepBody) {
  return {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    tags: { op, name },
    responseType: keepBody ? 'text' : 'none',
  };
}

// countItems counts the tasks in a listing without parsing it: each task has one "number".
function countItems(body) {
  let n = 0;
  for (let i = body.indexOf('"number":'); i >= 0; i = body.indexOf('"number":', i + 9)) n++;
  return n;
}

export default function () {
  const token = USERS === 'one'
    ? tokens.one
    : tokens.spread[Math.floor(Math.random() * tokens.spread.length)];
  const n = __ITER % titles.length;
  let id = null;

  if (OPS.includes('create')) {
    const due = new Date(Date.now() + (1 + (__ITER % 14)) * 86400000);
    due.setUTCHours(9, 0, 0, 0);
    const body = JSON.stringify({
      title: `${titles[n]} #${__VU}-${__ITER}`,
      priority: priorities[__ITER % priorities.length],
      tags: tagSets[__ITER % tagSets.length],
      due_at: due.toISOString(),
      time_zone: 'Europe/Berlin',
      reminders: [{ before: 'PT15M' }],
    });
    const res = http.post(`${BASE}/v1/tasks`, body, params(token, 'create', 'POST /v1/tasks'));
    const location = res.headers.Location || '';
    if (ok(res, 'create', 201, () => location.startsWith('/v1/tasks/'))) {
      id = location.slice('/v1/tasks/'.length);
    }
  }
  if (OPS.includes('list')) {
    const res = http.get(`${BASE}/v1/tasks?limit=50`, params(token, 'list', 'GET /v1/tasks?limit=50', true));
    ok(res, 'list', 200, (r) => countItems(r.body) === 50);
  }
  if (id && OPS.includes('get')) {
    const res = http.get(`${BASE}/v1/tasks/${id}`, params(token, 'get', 'GET /v1/tasks/{id}'));
    ok(res, 'get', 200);
  }
  if (id && OPS.includes('patch')) {
    const res = http.patch(`${BASE}/v1/tasks/${id}`, JSON.stringify({ title: `${titles[(n + 1) % titles.length]} (edited)` }),
      params(token, 'patch', 'PATCH /v1/tasks/{id}'));
    ok(res, 'patch', 200);
  }
}

export function handleSummary(data) {
  const out = {};
  out[__ENV.SUMMARY || 'summary.json'] = JSON.stringify(data, null, 1);
  const reqs = data.metrics['http_reqs{scenario:measure}'];
  const count = reqs ? reqs.values.count : 0;
  out.stdout = `k6: users=${USERS} vus=${VUS} ops=${OPS.join('+')}: ${count} requests measured over ${DURATION}\n`;
  return out;
}
