// scheduler.test.mjs — one scheduler for the whole cluster: of several fuwu nodes on one
// PostgreSQL only the holder of the "scheduler" lease runs the jobs (here the SLA breach sweep);
// when it stops it hands the lease back and another node carries on at once, and when it dies
// another node takes over once the lease has run out. Nodes run the clock fast
// (FUWU_SCHEDULER_TICK_MS=200: the lease lasts 2 s, the 30 s sweep runs every 1.2 s).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, freshDb, adminClient, smallestOrder, sleep } from '../api/lib.mjs';

const PG = process.env.FUWU_TEST_PG;
const opts = { skip: !PG && 'needs FUWU_TEST_PG' };
const env = { FUWU_SCHEDULER_TICK_MS: '200' };
let db, nodes = [];

function psql(url, statement) {
  const r = spawnSync('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-At', url, '-c', statement], { encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr || r.error}`);
  return r.stdout.trim();
}

/** The scheduler's messages in a node's log. */
function said(node) {
  return node.log().split('\n').filter((l) => l.includes('"msg":"scheduler: ')).map((l) => {
    try { return JSON.parse(l).msg; } catch { return ''; }
  });
}
const nodeId = (node) => {
  const m = said(node).map((s) => /^scheduler: node (\S+) started/.exec(s)).find(Boolean);
  return m && m[1];
};
const took = (node) => said(node).filter((s) => s.startsWith('scheduler: took the scheduler lease')).length;
const swept = (node) => said(node).filter((s) => /job sla_breach_sweep recorded \d+ SLA breach/.test(s)).length;

async function until(fn, what, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** An order whose first-response deadline passes in a moment; resolves when its breach is recorded. */
async function breach(client, label) {
  const o = await client.post('/api/v1/work-orders', smallestOrder({ priority: 'P1', fault_description: `调度测试 ${label}` }));
  assert.equal(o.status, 201, o.text);
  psql(db.db, `UPDATE work_orders SET sla_response_due = ${Date.now() + 300} WHERE id = ${o.body.id}`);
  await until(async () => (await client.get(`/api/v1/work-orders/${o.body.id}`)).body.sla_breached === 'response',
    `the breach of ${label}`);
  const tl = await client.get(`/api/v1/work-orders/${o.body.id}/timeline`);
  assert.equal(tl.body.items.filter((e) => e.event === 'sla_breach').length, 1, 'recorded once');
}

before(async () => {
  if (!PG) return;
  db = freshDb('postgres');
  // one after the other: racing bootstraps are multinode.test.mjs's subject, not this file's
  nodes.push(await startServer({ db: db.db, env }));
  nodes.push(await startServer({ db: db.db, env }));
});

after(async () => {
  for (const n of nodes) await n?.stop();
  db?.drop();
});

test('of two nodes only the lease holder runs jobs; it hands over when it stops', opts, async () => {
  const [a, b] = nodes;
  await until(() => took(a) + took(b) >= 1, 'a node to take the lease');
  await sleep(1500); // a few more ticks: the other one keeps trying and never gets it
  assert.equal(took(a) + took(b), 1, `exactly one node took the lease: ${JSON.stringify([said(a), said(b)])}`);
  const [holder, other] = took(a) ? [a, b] : [b, a];
  assert.equal(psql(db.db, "SELECT holder FROM leases WHERE name = 'scheduler'"), nodeId(holder));

  // a breach is recorded, by the holder (an order made through the other node makes no difference)
  await breach(await adminClient(other.url), 'first');
  await until(() => swept(holder) >= 1, 'the holder to log the sweep');
  assert.equal(swept(other), 0, 'the other node ran no job');

  // the holder stops (SIGTERM): it releases the lease and the other takes it within a few ticks
  const t0 = Date.now();
  await holder.stop({ keep: true });
  assert.ok(said(holder).some((s) => s.startsWith('scheduler: released the scheduler lease')), said(holder).join('\n'));
  await until(() => took(other) === 1, 'the other node to take over', 5000);
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(psql(db.db, "SELECT holder FROM leases WHERE name = 'scheduler'"), nodeId(other));
  await breach(await adminClient(other.url), 'second');
  await until(() => swept(other) >= 1, 'the new holder to log the sweep');
  nodes = nodes.filter((n) => n !== holder);
  holder.cleanup();
});

test('when the holder dies, another node takes over once the lease runs out', opts, async () => {
  const [survivor] = nodes;
  await until(() => took(survivor) >= 1, 'the survivor to hold the lease');
  const c = await startServer({ db: db.db, env });
  nodes.push(c);
  await sleep(1000);
  assert.equal(took(c), 0, 'a new node waits while the lease is held');
  const t0 = Date.now();
  await survivor.kill(); // SIGKILL: no release
  await until(() => took(c) === 1, 'the new node to take over after the lease ran out', 8000);
  const waited = Date.now() - t0;
  assert.ok(waited >= 1000, `it waited for the lease to run out (${waited} ms)`);
  await breach(await adminClient(c.url), 'third');
  await until(() => swept(c) >= 1, 'the new holder to log the sweep');
  nodes = nodes.filter((n) => n !== survivor);
  survivor.cleanup();
});
