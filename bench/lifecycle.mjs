// lifecycle.mjs — the work-order lifecycle benchmark of issue 4, run by bench/lifecycle.sh
// against a running server (the one bench/run.sh loaded with a million orders):
//
//   flow     one order through every state via the API — accept, dispatch, take, depart,
//            arrive, complete, qc-pass, bill + payment, settle, close — timed by the server
//            itself: the growth of fuwu_http_request_duration_seconds_sum (/metrics) around
//            each request (target: ≤ 50 ms in total per order)
//   summary  GET /work-orders/summary, as the admin (whole network) and as an outlet's user
//            (a subtree): server time per request from /metrics, client p50/p99 (≤ 20 ms)
//   latency  ~200 timeline writes while one client listens on /events: arrival minus the
//            event's own "at" (stamped when the row is written), p50/p99 (≤ 100 ms)
//   clients  1,000 open /events streams: the server's VmRSS before and with them (≤ 50 MB),
//            and how long one event takes to reach all of them
//
// Environment: FUWU_BENCH_URL, FUWU_BENCH_TOKEN (admin bearer), FUWU_BENCH_PID (for RSS),
// LIFECYCLE_ORDERS (flows, default 20), LIFECYCLE_EVENTS (200), LIFECYCLE_CLIENTS (1000),
// LIFECYCLE_PASSES="flow summary latency clients". Prints "LC key value" lines and a summary.
import { readFileSync } from 'node:fs';
import { openEvents } from '../tests/api/events_lib.mjs';

const URL_ = process.env.FUWU_BENCH_URL;
const TOKEN = process.env.FUWU_BENCH_TOKEN;
const PID = process.env.FUWU_BENCH_PID;
const ORDERS = Number(process.env.LIFECYCLE_ORDERS || 20);
const EVENTS = Number(process.env.LIFECYCLE_EVENTS || 200);
const CLIENTS = Number(process.env.LIFECYCLE_CLIENTS || 1000);
const PASSES = (process.env.LIFECYCLE_PASSES || 'flow summary latency clients').split(/\s+/);
if (!URL_ || !TOKEN) {
  console.error('lifecycle.mjs: set FUWU_BENCH_URL and FUWU_BENCH_TOKEN');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const out = (k, v) => console.log(`LC ${k} ${v}`);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

async function call(method, path, body, token = TOKEN) {
  const res = await fetch(URL_ + '/api/v1' + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* text */ }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return json;
}

/** Server-side seconds spent so far per route (from /metrics), /metrics itself left out. */
async function serverTime() {
  const text = await (await fetch(URL_ + '/metrics')).text();
  const per = {};
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^fuwu_http_request_duration_seconds_sum\{method="(\w+)",route="([^"]+)"\} ([0-9.e+-]+)$/.exec(line);
    if (!m || m[2] === '/metrics') continue;
    per[`${m[1]} ${m[2]}`] = Number(m[3]);
    total += Number(m[3]);
  }
  return { per, total };
}

/** Run fn (one API request) and return its server time in ms. */
async function timed(fn) {
  const a = await serverTime();
  const r = await fn();
  const b = await serverTime();
  return { ms: (b.total - a.total) * 1000, r };
}

// --- flow ------------------------------------------------------------------------------------
async function flow() {
  const users = await call('GET', '/users?limit=500');
  const tech = users.items.find((u) => (u.roles || []).includes('technician') && u.status === 'active');
  if (!tech) throw new Error('no technician to dispatch to');
  const steps = ['accept', 'dispatch', 'take', 'depart', 'arrive', 'complete', 'qc-pass', 'bill', 'payment', 'settle', 'close'];
  const per = Object.fromEntries(steps.map((s) => [s, []]));
  const totals = [], creates = [], lines = [];
  for (let i = 0; i < ORDERS; i++) {
    const c = await timed(() => call('POST', '/work-orders', {
      type: 'repair', priority: 'P2', channel: 'phone',
      customer: { name: '压测客户', phone: `1390000${String(i % 10000).padStart(4, '0')}` },
      address: '广东省广州市天河区天河路385号', fault_description: `生命周期压测 ${Date.now()} ${i}`,
    }));
    creates.push(c.ms);
    const id = c.r.id;
    let total = 0, lineMs = 0, bill = null;
    const ev = async (name, body = {}) => {
      const t = await timed(() => call('POST', `/work-orders/${id}/${name}`, body));
      per[name].push(t.ms);
      total += t.ms;
      return t.r;
    };
    await ev('accept');
    await ev('dispatch', { assignee_id: tech.id });
    await ev('take');
    await ev('depart');
    await ev('arrive');
    // the work: one actual line (an additional item: the customer's consent first), done
    const l = await timed(() => call('POST', `/work-orders/${id}/lines`, { stage: 'actual', kind: 'fee', name: '上门费', unit_price_fen: 5000 }));
    lineMs += l.ms;
    const line = l.r.line;
    if (line.additional) lineMs += (await timed(() => call('POST', `/work-orders/${id}/lines/${line.id}/consent`, { by_name: '压测客户', channel: 'phone' }))).ms;
    lineMs += (await timed(() => call('POST', `/work-orders/${id}/lines/${line.id}/done`, {}))).ms;
    lines.push(lineMs);
    await ev('complete');
    await ev('qc-pass');
    const b = await timed(() => call('POST', `/work-orders/${id}/bill`, {}));
    per.bill.push(b.ms);
    total += b.ms;
    bill = b.r;
    const p = await timed(() => call('POST', `/bills/${bill.id}/payments`, { method: 'wechat', amount_fen: bill.total_fen }));
    per.payment.push(p.ms);
    total += p.ms;
    const s = await ev('settle');
    if (s.status !== 'settled') throw new Error('not settled: ' + s.status);
    const z = await ev('close');
    if (z.status !== 'closed') throw new Error('not closed: ' + z.status);
    totals.push(total);
  }
  out('flow_orders', ORDERS);
  out('flow_total_p50_ms', fmt(pct(totals, 50)));
  out('flow_total_p90_ms', fmt(pct(totals, 90)));
  out('flow_total_max_ms', fmt(Math.max(...totals)));
  out('flow_create_p50_ms', fmt(pct(creates, 50)));
  out('flow_lines_p50_ms', fmt(pct(lines, 50)));
  for (const s of steps) out(`flow_step_${s}_p50_ms`, fmt(pct(per[s], 50)));
}

// --- summary ---------------------------------------------------------------------------------
async function summary() {
  // an outlet's user: the demo's tech01 (广州天河网点, demo password), if present
  let outlet = null;
  try {
    const r = await fetch(URL_ + '/api/v1/session', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'tech01', password: 'demo12345' }),
    });
    if (r.ok) outlet = (await r.json()).token;
  } catch { /* none */ }
  for (const [who, token] of [['admin', TOKEN], ['outlet', outlet]]) {
    if (!token) continue;
    for (let i = 0; i < 20; i++) await call('GET', '/work-orders/summary', undefined, token); // warm
    const client = [];
    const a = await serverTime();
    const n = 200;
    let last;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      last = await call('GET', '/work-orders/summary', undefined, token);
      client.push(performance.now() - t0);
    }
    const b = await serverTime();
    const route = 'GET /api/v1/work-orders/summary';
    out(`summary_${who}_server_mean_ms`, fmt((((b.per[route] || 0) - (a.per[route] || 0)) * 1000) / n));
    out(`summary_${who}_client_p50_ms`, fmt(pct(client, 50)));
    out(`summary_${who}_client_p99_ms`, fmt(pct(client, 99)));
    out(`summary_${who}_total`, last.total);
    out(`summary_${who}_late`, last.late);
    // the wall board (not a target of the issue; shown for scale)
    const ba = await serverTime();
    for (let i = 0; i < 20; i++) await call('GET', '/work-orders/board?limit=60', undefined, token);
    const bb = await serverTime();
    const br = 'GET /api/v1/work-orders/board';
    out(`board_${who}_server_mean_ms`, fmt((((bb.per[br] || 0) - (ba.per[br] || 0)) * 1000) / 20));
  }
}

// --- SSE latency -----------------------------------------------------------------------------
async function latency() {
  const s = await openEvents(URL_, { token: TOKEN });
  if (s.status !== 200) throw new Error('events: ' + s.status);
  const o = await call('POST', '/work-orders', {
    type: 'repair', customer: { name: '压测客户', phone: '13900009999' }, fault_description: `实时延迟压测 ${Date.now()}`,
  });
  await s.next((e) => e.data.order_id === o.id, 3000);
  const fromAt = [], fromSend = [];
  for (let i = 0; i < EVENTS; i++) {
    const t0 = Date.now();
    await call('POST', `/work-orders/${o.id}/comments`, { text: `延迟 ${i}` });
    const e = await s.next((x) => x.data.order_id === o.id && x.data.event === 'comment', 3000);
    fromAt.push(e.at - Date.parse(e.data.at));
    fromSend.push(e.at - t0);
    await sleep(Math.random() * 50); // land anywhere in the poller's 50 ms cycle
  }
  s.close();
  out('sse_events', EVENTS);
  out('sse_latency_p50_ms', fmt(pct(fromAt, 50)));
  out('sse_latency_p99_ms', fmt(pct(fromAt, 99)));
  out('sse_latency_max_ms', fmt(Math.max(...fromAt)));
  out('sse_from_request_p50_ms', fmt(pct(fromSend, 50)));
  out('sse_from_request_p99_ms', fmt(pct(fromSend, 99)));
}

// --- 1,000 clients ---------------------------------------------------------------------------
const rssKb = () => {
  if (!PID) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${PID}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
};

async function clients() {
  await sleep(500);
  const before = rssKb();
  const streams = [];
  for (let i = 0; i < CLIENTS; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, () => openEvents(URL_, { token: TOKEN })));
    streams.push(...batch);
  }
  const open = streams.filter((s) => s.status === 200).length;
  await sleep(1500);
  const with_ = rssKb();
  // one event to all of them
  const t0 = Date.now();
  const o = await call('POST', '/work-orders', {
    type: 'repair', customer: { name: '压测客户', phone: '13900008888' }, fault_description: `广播压测 ${Date.now()}`,
  });
  await Promise.all(streams.filter((s) => s.status === 200).map((s) => s.next((e) => e.data.order_id === o.id, 10000)));
  const fanout = Date.now() - t0;
  await sleep(500);
  const after = rssKb();
  for (const s of streams) s.close();
  out('clients_open', open);
  out('clients_rss_before_mb', fmt(before / 1024));
  out('clients_rss_with_mb', fmt(with_ / 1024));
  out('clients_rss_after_event_mb', fmt(after / 1024));
  out('clients_rss_cost_mb', fmt((Math.max(with_, after) - before) / 1024));
  out('clients_fanout_all_ms', fanout);
}

for (const p of PASSES) {
  const t0 = Date.now();
  if (p === 'flow') await flow();
  else if (p === 'summary') await summary();
  else if (p === 'latency') await latency();
  else if (p === 'clients') await clients();
  else continue;
  out(`pass_${p}_s`, ((Date.now() - t0) / 1000).toFixed(1));
}
