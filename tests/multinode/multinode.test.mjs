// multinode.test.mjs — several fuwu nodes on one PostgreSQL behave as one: a session made on
// one node works (and ends) on the others, an Idempotency-Key holds across nodes, the log-in
// rate limit counts failures from every node, numbers stay unique and gap-free when creates
// race on two nodes, and nodes starting together on an empty database migrate it once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDb, login, api, smallestOrder, assertProblem, request } from '../api/lib.mjs';

const PG = process.env.FUWU_TEST_PG;
const opts = { skip: !PG && 'needs FUWU_TEST_PG' };
let db, a, b;

before(async () => {
  if (!PG) return;
  db = freshDb('postgres');
  // Both nodes start at once on the empty database: migrations run under an advisory lock.
  [a, b] = await Promise.all([startServer({ db: db.db }), startServer({ db: db.db })]);
});

after(async () => {
  await a?.stop();
  await b?.stop();
  db?.drop();
});

test('a session from node A works on node B, and a logout on B ends it on A', opts, async () => {
  const s = await login(a.url, 'admin', 'admin12345');
  const onB = api(b.url, s.token);
  assert.equal((await onB.get('/api/v1/session')).status, 200);
  assert.equal((await onB.del('/api/v1/session')).status, 204);
  assertProblem(await api(a.url, s.token).get('/api/v1/work-orders'), 401, 'unauthorized');
});

test('an Idempotency-Key used on A replays on B', opts, async () => {
  const s = await login(a.url, 'admin', 'admin12345');
  const key = { 'Idempotency-Key': `k-${Date.now()}` };
  const body = smallestOrder({ fault_description: '跨节点幂等 洗衣机漏水' });
  const r1 = await api(a.url, s.token).post('/api/v1/work-orders', body, key);
  const r2 = await api(b.url, s.token).post('/api/v1/work-orders', body, key);
  assert.equal(r1.status, 201);
  assert.equal(r2.status, 201);
  assert.equal(r2.body.id, r1.body.id);
  assert.equal(r2.headers.get('idempotent-replayed'), 'true');
  const list = await api(b.url, s.token).get(`/api/v1/work-orders?q=${encodeURIComponent('跨节点幂等')}`);
  assert.equal(list.body.items.length, 1);
});

test('creates racing on two nodes get unique, gap-free numbers', opts, async () => {
  const s = await login(a.url, 'admin', 'admin12345');
  const clients = [api(a.url, s.token), api(b.url, s.token)];
  const res = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    clients[i % 2].post('/api/v1/work-orders', smallestOrder({ fault_description: `并发 ${i}` }))));
  for (const r of res) assert.equal(r.status, 201, r.text);
  const seqs = res.map((r) => Number(r.body.number.split('-')[1])).sort((x, y) => x - y);
  assert.equal(new Set(seqs).size, 60);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, 'no gaps');
});

test('the log-in rate limit counts failures made on every node', opts, async () => {
  const nodes = [a.url, b.url];
  for (let i = 0; i < 10; i++) {
    const r = await request(nodes[i % 2], 'POST', '/api/v1/session', { login: 'admin', password: `wrong-${i}` });
    assert.equal(r.status, 401);
  }
  const limited = await request(b.url, 'POST', '/api/v1/session', { login: 'admin', password: 'admin12345' });
  assertProblem(limited, 429, 'rate_limited');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
});
