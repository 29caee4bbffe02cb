// archive_kill.test.mjs — merges are atomic (issue 3 "nothing lost"): SIGKILL the server in the
// middle of a burst of customer merges, restart it on the same database, and for every pair
// either both customers are intact or the kept one holds everything (phones, addresses,
// assets, work orders); every merge the client saw acknowledged is complete.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, smallestOrder, pool } from './lib.mjs';

const PAIRS = 60;
const KILL_AFTER = 15;

let first;
let second;
after(async () => {
  await first?.kill();
  await second?.stop();
  first?.cleanup();
});

test('SIGKILL during a burst of merges leaves every pair intact or fully merged', async (t) => {
  first = await startServer();
  const admin = await adminClient(first.url);
  const model = (await admin.post('/api/v1/product-models', { brand: '海尔', category: '冰箱', model: 'BCD-KILL' })).body;
  const pairs = await pool(Array.from({ length: PAIRS }, (_, i) => i), 8, async (i) => {
    const mk = async (k) => {
      const phone = `139${String(i * 2 + k).padStart(8, '0')}`;
      const c = await admin.post('/api/v1/customers', { name: `合并${i}-${k}`, phones: [phone], addresses: [{ text: `地址${i}-${k}` }] });
      assert.equal(c.status, 201, c.text);
      const a = await admin.post('/api/v1/assets', { customer_id: c.body.id, model_id: model.id, serial: `K-${i}-${k}`, purchase_date: '2025-01-01' });
      assert.equal(a.status, 201, a.text);
      const w = await admin.post('/api/v1/work-orders', smallestOrder({ customer: undefined, customer_id: c.body.id }));
      assert.equal(w.status, 201, w.text);
      return { id: c.body.id, phone: `+86${phone}`, asset: a.body.id, wo: w.body.id };
    };
    return { keep: await mk(0), from: await mk(1) };
  });

  const acked = new Set();
  let killing = null;
  await pool(pairs, 12, async (p, i) => {
    if (first.exited) return;
    let res;
    try {
      res = await admin.post(`/api/v1/customers/${p.keep.id}/merge`, { from_id: p.from.id });
    } catch {
      return; // the server is gone
    }
    if (res.status === 200) {
      acked.add(i);
      if (acked.size === KILL_AFTER && !killing) killing = first.kill();
    } else {
      assert.fail(`merge ${i}: ${res.status} ${res.text}`);
    }
  });
  await killing;
  assert.ok(first.exited, 'the server was killed');
  t.diagnostic(`${acked.size} of ${PAIRS} merges acknowledged before the kill`);

  second = await startServer({ db: first.db });
  const admin2 = await adminClient(second.url);
  const bad = [];
  let merged = 0;
  await pool(pairs, 8, async (p, i) => {
    const keep = (await admin2.get(`/api/v1/customers/${p.keep.id}`)).body;
    const from = (await admin2.get(`/api/v1/customers/${p.from.id}`)).body;
    const asset = (await admin2.get(`/api/v1/assets/${p.from.asset}`)).body;
    const wo = (await admin2.get(`/api/v1/work-orders/${p.from.wo}`)).body;
    if (from.merged_into === p.keep.id) {
      merged++;
      const ok = keep.phones.includes(p.from.phone) && keep.phones.includes(p.keep.phone) && keep.addresses.length === 2 &&
        from.phones.length === 0 && asset.customer_id === p.keep.id && wo.customer_id === p.keep.id;
      if (!ok) bad.push(`pair ${i} half merged: ${JSON.stringify({ keep, from, asset: asset.customer_id, wo: wo.customer_id })}`);
    } else {
      if (acked.has(i)) bad.push(`pair ${i}: acknowledged merge lost`);
      const ok = from.merged_into === null && from.phones.join() === p.from.phone && from.addresses.length === 1 &&
        keep.phones.join() === p.keep.phone && keep.addresses.length === 1 &&
        asset.customer_id === p.from.id && wo.customer_id === p.from.id;
      if (!ok) bad.push(`pair ${i} not intact: ${JSON.stringify({ keep, from, asset: asset.customer_id, wo: wo.customer_id })}`);
    }
  });
  assert.deepEqual(bad, []);
  assert.ok(merged >= acked.size, `${merged} merged, ${acked.size} acknowledged`);
  assert.ok(merged < PAIRS, `killed in the middle (${merged} of ${PAIRS} merged)`);
});
