// kill.test.mjs — crash safety: SIGKILL the server in the middle of a burst of creates, restart
// it on the same database, and every order the client saw acknowledged (201) is there.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, smallestOrder, listAll, pool } from './lib.mjs';

const TOTAL = 300;
const CONCURRENCY = 16;
const KILL_AFTER = 100;

let first;
let second;
after(async () => {
  await first?.kill();
  await second?.stop();
  first?.cleanup();
});

test('SIGKILL during a burst of creates loses no acknowledged order', async (t) => {
  first = await startServer();
  const admin = await adminClient(first.url);
  const acked = new Map(); // id → number
  let failed = 0;
  let killing = null;
  await pool(Array.from({ length: TOTAL }, (_, i) => i), CONCURRENCY, async (i) => {
    if (first.exited) return;
    let res;
    try {
      res = await admin.post('/api/v1/work-orders', smallestOrder({ fault_description: `断电测试 ${i}` }),
        { 'Idempotency-Key': `kill-${i}` });
    } catch {
      failed++; // connection refused / reset once the server is gone
      return;
    }
    if (res.status === 201) {
      acked.set(res.body.id, res.body.number);
      if (acked.size === KILL_AFTER && !killing) killing = first.kill();
    } else {
      assert.fail(`create ${i}: ${res.status} ${res.text}`);
    }
  });
  await killing;
  assert.ok(first.exited, 'the server was killed');
  assert.equal(first.exited.signal, 'SIGKILL');
  assert.ok(acked.size >= KILL_AFTER, `${acked.size} acknowledged`);
  assert.ok(acked.size < TOTAL, `killed in the middle of the burst (${acked.size} of ${TOTAL} acknowledged, ${failed} failed)`);

  t.diagnostic(`${acked.size} of ${TOTAL} acknowledged before the kill, ${failed} failed`);
  second = await startServer({ db: first.db });
  const admin2 = await adminClient(second.url);
  const lost = [];
  await pool([...acked], 8, async ([id, number]) => {
    const res = await admin2.get(`/api/v1/work-orders/${id}`);
    if (res.status !== 200 || res.body.number !== number) lost.push(`${id} ${number} → ${res.status} ${res.body?.number ?? res.text}`);
  });
  assert.deepEqual(lost, [], 'every acknowledged order survived the crash');

  // After the restart: numbers stay unique and new creates do not reuse a number.
  const after = await admin2.post('/api/v1/work-orders', smallestOrder({ fault_description: '重启后的新工单' }));
  assert.equal(after.status, 201, after.text);
  assert.ok(![...acked.values()].includes(after.body.number), `new number ${after.body.number} is not reused`);
  const all = await listAll(admin2, '/api/v1/work-orders');
  assert.equal(new Set(all.map((o) => o.number)).size, all.length, 'numbers unique after the crash');
  assert.ok(all.length >= acked.size + 1);
  // A retried create of an acknowledged order (same Idempotency-Key) replays, not duplicates.
  const [someId] = acked.keys();
  const idx = Number((await admin2.get(`/api/v1/work-orders/${someId}`)).body.fault_description.split(' ')[1]);
  const retry = await admin2.post('/api/v1/work-orders', smallestOrder({ fault_description: `断电测试 ${idx}` }),
    { 'Idempotency-Key': `kill-${idx}` });
  assert.equal(retry.status, 201, retry.text);
  assert.equal(retry.body.id, someId, 'the retry after the crash replays the acknowledged order');
});

test('SIGTERM during a burst: exit 0, every acknowledged order kept, no 5xx', async () => {
  const srv = await startServer();
  try {
    const admin = await adminClient(srv.url);
    const acked = new Map();
    const statuses = [];
    let stopping = null;
    await pool(Array.from({ length: 120 }, (_, i) => i), 8, async (i) => {
      if (srv.exited) return;
      try {
        const res = await admin.post('/api/v1/work-orders', smallestOrder({ fault_description: `停机测试 ${i}` }));
        statuses.push(res.status);
        if (res.status === 201) acked.set(res.body.id, res.body.number);
        if (acked.size === 30 && !stopping) stopping = srv.stop({ keep: true });
      } catch { /* refused once it stopped listening */ }
    });
    const exit = await stopping;
    assert.deepEqual(exit, { code: 0, signal: null }, 'a clean exit on SIGTERM');
    assert.deepEqual(statuses.filter((s) => s !== 201), [], 'every answered request succeeded (no 5xx while stopping)');
    const again = await startServer({ db: srv.db });
    try {
      const admin2 = await adminClient(again.url);
      const lost = [];
      for (const [id, number] of acked) {
        const r = await admin2.get(`/api/v1/work-orders/${id}`);
        if (r.status !== 200 || r.body.number !== number) lost.push(`${id} ${number} → ${r.status}`);
      }
      assert.deepEqual(lost, []);
    } finally {
      await again.stop();
    }
  } finally {
    await srv.kill();
    srv.cleanup();
  }
});
