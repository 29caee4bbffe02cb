// dispatch_server.mjs — the requests of bench/dispatch_server.sh: GET /dispatch/suggestions for
// random waiting orders, one at a time over keep-alive, each with its own X-Request-Id so that its
// server time is read back from the server's access log ("ms": first byte of the request to the
// answer). Orders with a position and without one are reported apart. The first DSP_COMPARE
// orders are also asked of a second server on the same database that loads the technicians itself
// (FUWU_DISPATCH_CACHE=off: the technicians loaded on every request, as before the cache), right after: its times,
// and whether both answered the same (technicians, order, reasons, travel). Prints "DSP key value"
// lines for the shell script.
//
// Environment: DSP_URL DSP_LOG (the caching server and its log), DSP_WHOLE_URL
// DSP_WHOLE_LOG, FUWU_BENCH_TOKEN, DSP_IDS (the loader's "id located" lines), DSP_REQUESTS (500),
// DSP_WARMUP (50), DSP_COMPARE (100), DSP_LIMIT (5), DSP_CHURN (20 changes a second; 0: no such phase).
import { readFileSync } from 'node:fs';

const token = process.env.FUWU_BENCH_TOKEN;
const n = Number(process.env.DSP_REQUESTS || 500);
const warm = Number(process.env.DSP_WARMUP || 50);
const compare = Number(process.env.DSP_COMPARE || 100);
const limit = Number(process.env.DSP_LIMIT || 5);
const orders = readFileSync(process.env.DSP_IDS, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));

let seed = 12345; // the same orders in the same order for every engine
const rand = (k) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % k;
};

const tag = `s${process.pid}x`;
const kind = new Map(); // request id → 'L' (located) | 'U'
let errors = 0, empty = 0, same = 0, compared = 0;
const differ = [];
async function ask(base, id, rid) {
  const res = await fetch(`${base}/api/v1/dispatch/suggestions?order=${id}&limit=${limit}`, {
    headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': rid },
  });
  const body = await res.text();
  return res.status === 200 ? JSON.parse(body) : null;
}
const key = (j) => JSON.stringify([j.items.map((i) => [i.technician_id, i.reason, i.travel_min]), j.excluded, j.technicians]);

for (let i = 0; i < warm + n; i++) {
  const [id, located] = orders[rand(orders.length)];
  const rid = `${tag}${i}`;
  const j = await ask(process.env.DSP_URL, id, rid);
  if (i < warm) continue;
  if (!j) {
    errors++;
    continue;
  }
  kind.set(rid, located ? 'L' : 'U');
  if (!j.items.length) empty++;
  if (i - warm < compare && process.env.DSP_WHOLE_URL) {
    const w = await ask(process.env.DSP_WHOLE_URL, id, rid);
    compared++;
    if (w && key(w) === key(j)) same++;
    else differ.push(id);
  }
}

// Then the same requests while technicians change: DSP_CHURN (20) a second, each a technician's
// base moved a little through the caching server (GET for the version, PATCH with If-Match), so
// that nearly every suggestion first reloads the technicians changed since the one before.
const churn = Number(process.env.DSP_CHURN ?? 20);
const churnTag = `c${process.pid}x`;
let changes = 0;
if (churn > 0) {
  const auth = { Authorization: `Bearer ${token}` };
  const list = await (await fetch(`${process.env.DSP_URL}/api/v1/technicians?limit=200`, { headers: auth })).json();
  const techIds = (list.items || []).map((t) => t.id);
  let stop = false;
  const writer = (async () => {
    while (!stop && techIds.length) {
      const t0 = Date.now();
      const id = techIds[rand(techIds.length)];
      const cur = await (await fetch(`${process.env.DSP_URL}/api/v1/technicians/${id}`, { headers: auth })).json();
      const r = await fetch(`${process.env.DSP_URL}/api/v1/technicians/${id}`, {
        method: 'PATCH',
        headers: { ...auth, 'Content-Type': 'application/json', 'If-Match': `"${cur.version}"` },
        body: JSON.stringify({ base_lat: 23.1 + rand(1000) / 10000, base_lon: 113.3 + rand(1000) / 10000 }),
      });
      await r.text();
      if (r.status === 200) changes++;
      await new Promise((res) => setTimeout(res, Math.max(0, 1000 / churn - (Date.now() - t0))));
    }
  })();
  for (let i = 0; i < n / 2; i++) {
    const [id, located] = orders[rand(orders.length)];
    const rid = `${churnTag}${i}`;
    const j = await ask(process.env.DSP_URL, id, rid);
    if (!j) errors++;
    else kind.set(rid, located ? 'L' : 'U');
    await new Promise((res) => setTimeout(res, 5));
  }
  stop = true;
  await writer;
}

await new Promise((r) => setTimeout(r, 300)); // the last access-log lines
function times(file, want = tag) {
  const t = { L: [], U: [] };
  if (!file) return t;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes(want)) continue;
    try {
      const o = JSON.parse(line);
      const k = kind.get(o.req_id);
      if (k && o.route === '/api/v1/dispatch/suggestions') t[k].push(o.ms);
    } catch {}
  }
  return t;
}
const q = (a, p) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const put = (k, v) => console.log(`DSP ${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}`);
for (const [prefix, file] of [['', process.env.DSP_LOG], ['whole_', process.env.DSP_WHOLE_LOG]]) {
  const t = times(file);
  for (const [k, name] of [['L', 'located'], ['U', 'unlocated']]) {
    put(`${prefix}${name}_n`, t[k].length);
    put(`${prefix}${name}_p50`, q(t[k], 0.5));
    put(`${prefix}${name}_p99`, q(t[k], 0.99));
  }
  const all = [...t.L, ...t.U];
  put(`${prefix}all_n`, all.length);
  put(`${prefix}all_p50`, q(all, 0.5));
  put(`${prefix}all_p99`, q(all, 0.99));
  put(`${prefix}all_max`, q(all, 1));
}
{
  const t = times(process.env.DSP_LOG, churnTag);
  const all = [...t.L, ...t.U];
  put('churn_n', all.length);
  put('churn_p50', q(all, 0.5));
  put('churn_p99', q(all, 0.99));
  put('churn_max', q(all, 1));
  put('churn_changes', changes);
}
put('errors', errors);
put('empty', empty);
put('compared', compared);
put('same', same);
if (differ.length) put('differ', differ.slice(0, 10).join(','));
