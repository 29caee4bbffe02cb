// events.test.mjs (multi-node) — live events cross nodes: the stream reads the database, so a
// write made through node A reaches a client connected to node B within a second, and a burst
// of creates racing on both nodes (ids committed out of order on PostgreSQL) reaches a client
// of each node complete, each event once; the list header's counts agree on both nodes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDb, login, api, smallestOrder } from '../api/lib.mjs';
import { openEvents } from '../api/events_lib.mjs';

const PG = process.env.FUWU_TEST_PG;
const opts = { skip: !PG && 'needs FUWU_TEST_PG' };
let db, a, b, token, firstId;
const streams = [];

before(async () => {
  if (!PG) return;
  db = freshDb('postgres');
  a = await startServer({ db: db.db });
  b = await startServer({ db: db.db });
  token = (await login(a.url, 'admin', 'admin12345')).token;
});

after(async () => {
  for (const s of streams) s.close();
  await a?.stop();
  await b?.stop();
  db?.drop();
});

test('an event written through node A reaches a client connected to node B', opts, async () => {
  const onB = await openEvents(b.url, { token });
  streams.push(onB);
  assert.equal(onB.status, 200);
  const t0 = Date.now();
  const o = await api(a.url, token).post('/api/v1/work-orders', smallestOrder({ fault_description: '跨节点 实时 空调漏水' }));
  assert.equal(o.status, 201, o.text);
  firstId = o.body.id;
  const e = await onB.next((x) => x.data.order_id === o.body.id, 1000);
  assert.equal(e.data.event, 'create');
  assert.ok(Date.now() - t0 < 1000, `arrived after ${Date.now() - t0} ms`);
  const acc = await api(a.url, token).post(`/api/v1/work-orders/${o.body.id}/accept`, {});
  assert.equal(acc.status, 200, acc.text);
  const e2 = await onB.next((x) => x.data.order_id === o.body.id, 1000);
  assert.equal(e2.data.status, 'accepted');
});

test('creates racing on both nodes reach a client of each node complete, once each', opts, async () => {
  const sa = await openEvents(a.url, { token });
  const sb = await openEvents(b.url, { token });
  streams.push(sa, sb);
  const nodes = [api(a.url, token), api(b.url, token)];
  const res = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    nodes[i % 2].post('/api/v1/work-orders', smallestOrder({ fault_description: `并发实时 ${i}` }))));
  const ids = res.map((r) => {
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  });
  for (const s of [sa, sb]) {
    const want = new Set(ids);
    const got = () => new Set(s.all((x) => x.data.event === 'create' && want.has(x.data.order_id)).map((x) => x.data.order_id));
    await s.until(() => got().size === want.size, 5000);
    assert.equal(s.all((x) => x.data.order_id === firstId).length, 0, 'nothing from before the stream opened');
    const seen = s.all((x) => x.data.event === 'create' && ids.includes(x.data.order_id)).map((x) => x.id);
    assert.equal(new Set(seen).size, seen.length, 'no event twice');
    assert.equal(seen.length, 60);
  }
  const [ca, cb] = await Promise.all([nodes[0].get('/api/v1/work-orders/summary'), nodes[1].get('/api/v1/work-orders/summary')]);
  assert.deepEqual(ca.body, cb.body);
  assert.equal(ca.body.total, 61);
});
