// Prints the web app's first-load measurements (written by run.mjs) as a table, for
// make bench. A missed target is reported, not failed.

import { readFile } from 'node:fs/promises';
import path from 'node:path';

const file = path.join(process.env.OUT_DIR || path.join(import.meta.dirname, 'out'), 'metrics.json');
let m;
try {
  m = JSON.parse(await readFile(file, 'utf8'));
} catch {
  console.log(`web first load: no measurements in ${file} (the browser tests did not run: make web-deps, then make bench)`);
  process.exit(0);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [
  ['page weight, compressed (HTML, CSS, JS, icon)', kb(m.page_bytes), `< ${kb(m.targets.page_bytes)}`, m.page_bytes < m.targets.page_bytes],
  ['page weight, uncompressed', kb(m.page_bytes_uncompressed), '', null],
  ['API answers of the first screen', kb(m.api_bytes), '', null],
  ['on the wire, headers included', kb(m.transfer_bytes), '', null],
  ['requests', String(m.requests), '', null],
  ['first contentful paint', `${m.first_contentful_paint_ms} ms`, '', null],
  ['list rendered (from navigation start)', `${m.list_rendered_ms} ms`, `< ${m.targets.list_rendered_ms} ms`, m.list_rendered_ms < m.targets.list_rendered_ms],
];
const w = [Math.max(...rows.map((r) => r[0].length)), 10, 10];
console.log(`\nweb app, first load in headless Chromium on localhost (median of ${m.runs} cold loads, ${m.measured_at})`);
console.log(`${'measure'.padEnd(w[0])}  ${'result'.padStart(w[1])}  ${'target'.padStart(w[2])}`);
for (const [name, value, target, ok] of rows) {
  const mark = ok === null ? '' : ok ? '  met' : '  MISSED';
  console.log(`${name.padEnd(w[0])}  ${value.padStart(w[1])}  ${target.padStart(w[2])}${mark}`);
}
