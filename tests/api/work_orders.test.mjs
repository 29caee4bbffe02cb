// work_orders.test.mjs — the work-order slice: the smallest create of docs/api.md, GET, list
// filters and cursor paging, PATCH + If-Match / 412, Idempotency-Key, concurrent numbering
// without gaps, timeline and audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, assertProblem, smallestOrder, listAll, pool, sleep, undocumentedCalls,
} from './lib.mjs';

let srv;
let url;
let admin;
before(async () => {
  srv = await startServer();
  url = srv.url;
  admin = await adminClient(url);
});
after(async () => { await srv?.stop(); });

const NUMBER = /^WO(\d{8})-(\d{5})$/;

// The exact request of docs/api.md, as bytes.
const SMALLEST = `{"type":"repair","priority":"P2","channel":"phone",
 "customer":{"name":"张伟","phone":"13800138000"},
 "address":"广东省广州市天河区天河路385号","fault_description":"空调不制冷"}`;

let first;
test('create: the smallest create of docs/api.md → 201 with number, status new, version 1, ETag, Location', async () => {
  const t0 = Date.now();
  const res = await admin.post('/api/v1/work-orders', SMALLEST);
  assert.equal(res.status, 201, res.text);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const b = res.body;
  first = b;
  assert.equal(typeof b.id, 'number');
  assert.match(b.number, NUMBER);
  assert.equal(b.status, 'new');
  assert.equal(b.version, 1);
  assert.equal(b.type, 'repair');
  assert.equal(b.priority, 'P2');
  assert.equal(b.channel, 'phone');
  assert.equal(b.address, '广东省广州市天河区天河路385号');
  assert.equal(b.fault_description, '空调不制冷');
  assert.equal(typeof b.customer_id, 'number');
  assert.equal(b.customer.id, b.customer_id);
  assert.equal(b.customer.name, '张伟');
  assert.equal(b.customer.phone, '+8613800138000', 'phone normalised to +86');
  assert.equal(b.org_id, admin.session.user.org_id);
  assert.equal(b.created_by, admin.session.user.id);
  assert.match(b.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'UTC ISO 8601');
  assert.ok(Math.abs(Date.parse(b.created_at) - t0) < 60000, 'created_at is now');
  assert.equal(b.updated_at, b.created_at);
  assert.equal(res.headers.get('etag'), '"1"');
  assert.equal(res.headers.get('location'), `/api/v1/work-orders/${b.id}`);
  // The number's date is today in the tenant's zone (Asia/Shanghai by default), give or take a day.
  const [, ymd, counter] = NUMBER.exec(b.number);
  const days = [-1, 0, 1].map((d) => new Date(Date.now() + 8 * 3600e3 + d * 86400e3).toISOString().slice(0, 10).replace(/-/g, ''));
  assert.ok(days.includes(ymd), `number date ${ymd} near today`);
  assert.equal(counter, '00001', 'the first order of the day on a fresh database is 00001');
  // Defaults: priority P3, channel api.
  const d = await admin.post('/api/v1/work-orders', { type: 'install', fault_description: '安装新空调', customer: { name: '李娜', phone: '020-38888888' } });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.body.priority, 'P3');
  assert.equal(d.body.channel, 'api');
  assert.match(d.body.customer.phone, /^\+86/);
  // With customer_id instead of customer.
  const c = await admin.post('/api/v1/work-orders', { type: 'maintenance', customer_id: b.customer_id, fault_description: '例行保养' });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.body.customer_id, b.customer_id);
  assert.equal(c.body.customer.name, '张伟');
  // The same phone again finds the same customer.
  const again = await admin.post('/api/v1/work-orders', smallestOrder({ fault_description: '同一个客户再次报修' }));
  assert.equal(again.body.customer_id, b.customer_id);
  // An unknown customer_id is refused.
  const bad = await admin.post('/api/v1/work-orders', { type: 'repair', customer_id: 999999, fault_description: 'x' });
  assert.ok([400, 404].includes(bad.status), `unknown customer_id: ${bad.status} ${bad.text}`);
});

test('GET /work-orders/{id} returns the same object with its ETag', async () => {
  const res = await admin.get(`/api/v1/work-orders/${first.id}`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, first);
  assert.equal(res.headers.get('etag'), '"1"');
  assertProblem(await admin.get('/api/v1/work-orders/999999'), 404, 'not_found');
});

let batch1;
let batch2;
test('list: status filter, q=不制冷 text search, created_from / created_to', async () => {
  const mk = (fault) => admin.post('/api/v1/work-orders', smallestOrder({ fault_description: fault })).then((r) => {
    assert.equal(r.status, 201, r.text);
    return r.body;
  });
  batch1 = [await mk('冰箱不制冷，压缩机不启动'), await mk('洗衣机漏水')];
  await sleep(30);
  batch2 = [await mk('热水器不加热'), await mk('空调外机噪音大、不制冷')];

  const all = await admin.get('/api/v1/work-orders');
  assert.equal(all.status, 200, all.text);
  assert.ok(Array.isArray(all.body.items));
  assert.ok('next_cursor' in all.body, 'next_cursor is present (null at the end)');
  assert.equal(all.body.next_cursor, null);

  const byStatus = await listAll(admin, '/api/v1/work-orders?status=new');
  assert.ok(byStatus.length >= 8 && byStatus.every((x) => x.status === 'new'));
  assert.equal((await admin.get('/api/v1/work-orders?status=closed')).body.items.length, 0);
  assert.equal((await listAll(admin, '/api/v1/work-orders?status=new,accepted')).length, byStatus.length);

  const q = await listAll(admin, `/api/v1/work-orders?q=${encodeURIComponent('不制冷')}&status=new`);
  const ids = new Set(q.map((x) => x.id));
  for (const o of [first, batch1[0], batch2[1]]) assert.ok(ids.has(o.id), `q=不制冷 finds ${o.fault_description}`);
  for (const o of [batch1[1], batch2[0]]) assert.ok(!ids.has(o.id), `q=不制冷 does not find ${o.fault_description}`);
  assert.ok(q.every((x) => x.fault_description.includes('不制冷') || x.address.includes('不制冷') || x.number.includes('不制冷')
    || (x.customer && x.customer.name.includes('不制冷'))), 'every hit matches');
  const qNone = await admin.get(`/api/v1/work-orders?q=${encodeURIComponent('绝对没有这种故障')}`);
  assert.equal(qNone.body.items.length, 0);
  const byNumber = await admin.get(`/api/v1/work-orders?q=${encodeURIComponent(batch2[0].number)}`);
  assert.ok(byNumber.body.items.some((x) => x.id === batch2[0].id), 'q finds an order by its number');

  // A time between the two batches splits them.
  const t1 = Date.parse(batch1[1].created_at);
  const t2 = Date.parse(batch2[0].created_at);
  assert.ok(t2 > t1, 'batch 2 was created later');
  const mid = new Date(Math.floor((t1 + t2) / 2)).toISOString();
  const from = new Set((await listAll(admin, `/api/v1/work-orders?created_from=${encodeURIComponent(mid)}`)).map((x) => x.id));
  const to = new Set((await listAll(admin, `/api/v1/work-orders?created_to=${encodeURIComponent(mid)}`)).map((x) => x.id));
  for (const o of batch2) assert.ok(from.has(o.id) && !to.has(o.id), `${o.id} after ${mid}`);
  for (const o of [first, ...batch1]) assert.ok(to.has(o.id) && !from.has(o.id), `${o.id} before ${mid}`);
  const future = new Date(Date.now() + 86400e3).toISOString();
  assert.equal((await admin.get(`/api/v1/work-orders?created_from=${encodeURIComponent(future)}`)).body.items.length, 0);
  assert.equal((await admin.get('/api/v1/work-orders?created_to=2000-01-01T00:00:00Z')).body.items.length, 0);
  const both = await listAll(admin, `/api/v1/work-orders?created_from=${encodeURIComponent(mid)}&created_to=${encodeURIComponent(future)}`);
  assert.deepEqual(new Set(both.map((x) => x.id)), from);
  // A bad date is a 400, not silently ignored.
  assertProblem(await admin.get('/api/v1/work-orders?created_from=yesterday'), 400, 'validation_failed');
  // Filter by type and priority.
  const inst = await listAll(admin, '/api/v1/work-orders?type=install');
  assert.ok(inst.length >= 1 && inst.every((x) => x.type === 'install'));
  const p2 = await listAll(admin, '/api/v1/work-orders?priority=P2');
  assert.ok(p2.length >= 1 && p2.every((x) => x.priority === 'P2'));
});

test('list: cursor paging covers every item exactly once, newest first', async () => {
  await pool(Array.from({ length: 20 }, (_, i) => i), 4, async (i) => {
    const r = await admin.post('/api/v1/work-orders', smallestOrder({ fault_description: `分页测试 ${i}` }));
    assert.equal(r.status, 201, r.text);
  });
  const whole = await admin.get('/api/v1/work-orders?limit=500');
  assert.equal(whole.body.next_cursor, null);
  const expected = whole.body.items.map((x) => x.id);
  assert.ok(expected.length >= 28, `enough orders: ${expected.length}`);
  // Newest first: by id or by created_at (concurrent creates may interleave the two).
  const items = whole.body.items;
  const byId = items.every((x, i) => i === 0 || items[i - 1].id > x.id);
  const byTime = items.every((x, i) => i === 0 || items[i - 1].created_at >= x.created_at);
  assert.ok(byId || byTime, 'newest first');
  for (const limit of [1, 7, 10]) {
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const res = await admin.get(`/api/v1/work-orders?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.items.length <= limit);
      seen.push(...res.body.items.map((x) => x.id));
      cursor = res.body.next_cursor;
      pages++;
      assert.ok(pages <= expected.length + 1, 'paging ends');
    } while (cursor);
    assert.deepEqual(seen, expected, `limit=${limit}: every item once, in order`);
  }
  // Paging with a filter keeps the filter.
  const seen = [];
  let cursor = null;
  do {
    const res = await admin.get(`/api/v1/work-orders?q=${encodeURIComponent('分页测试')}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, res.text);
    seen.push(...res.body.items);
    cursor = res.body.next_cursor;
  } while (cursor);
  assert.equal(seen.length, 20);
  assert.equal(new Set(seen.map((x) => x.id)).size, 20);
});

test('PATCH with the current If-Match → 200, version 2, new ETag', async () => {
  const res = await admin.patch(`/api/v1/work-orders/${first.id}`, { priority: 'P1', address: '广州市天河区体育西路1号' },
    { 'If-Match': '"1"' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.version, 2);
  assert.equal(res.body.priority, 'P1');
  assert.equal(res.body.address, '广州市天河区体育西路1号');
  assert.equal(res.body.number, first.number, 'the number never changes');
  assert.equal(res.body.fault_description, first.fault_description, 'untouched fields stay');
  assert.equal(res.headers.get('etag'), '"2"');
  assert.ok(res.body.updated_at >= first.updated_at);
  const get = await admin.get(`/api/v1/work-orders/${first.id}`);
  assert.deepEqual(get.body, res.body);
});

test('PATCH with a stale If-Match → 412 precondition_failed and nothing changes', async () => {
  const stale = await admin.patch(`/api/v1/work-orders/${first.id}`, { priority: 'P4', fault_description: '被覆盖' },
    { 'If-Match': '"1"' });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current_version, 2);
  const get = await admin.get(`/api/v1/work-orders/${first.id}`);
  assert.equal(get.body.version, 2);
  assert.equal(get.body.priority, 'P1');
  assert.equal(get.body.fault_description, '空调不制冷');
  assert.equal(get.headers.get('etag'), '"2"');
  // A weak or unquoted form of a stale version is stale too; a garbage If-Match is not a match.
  for (const h of ['W/"1"', '"999"', '"abc"']) {
    const r = await admin.patch(`/api/v1/work-orders/${first.id}`, { priority: 'P4' }, { 'If-Match': h });
    assert.ok([400, 412].includes(r.status), `If-Match ${h}: ${r.status} ${r.text}`);
  }
  assert.equal((await admin.get(`/api/v1/work-orders/${first.id}`)).body.version, 2);
  // PATCH validates like create.
  assertProblem(await admin.patch(`/api/v1/work-orders/${first.id}`, { priority: 'P9' }, { 'If-Match': '"2"' }), 400, 'validation_failed');
  assertProblem(await admin.patch(`/api/v1/work-orders/${first.id}`, { number: 'WO1' }, { 'If-Match': '"2"' }), 400, 'validation_failed');
  assertProblem(await admin.patch('/api/v1/work-orders/999999', { priority: 'P1' }, { 'If-Match': '"1"' }), 404, 'not_found');
  assert.equal((await admin.get(`/api/v1/work-orders/${first.id}`)).body.version, 2);
});

test('Idempotency-Key: the same POST twice → same id and body, one order; other body → 409', async () => {
  const count = async () => (await listAll(admin, '/api/v1/work-orders')).length;
  const n0 = await count();
  const body = smallestOrder({ fault_description: '幂等测试：电视黑屏' });
  const key = `idem-${Date.now()}`;
  const a = await admin.post('/api/v1/work-orders', body, { 'Idempotency-Key': key });
  assert.equal(a.status, 201, a.text);
  const b = await admin.post('/api/v1/work-orders', body, { 'Idempotency-Key': key });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.body.id, a.body.id);
  assert.deepEqual(b.body, a.body);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.equal(b.headers.get('location'), a.headers.get('location'));
  assert.equal(await count(), n0 + 1, 'only one order was created');
  const diff = await admin.post('/api/v1/work-orders', { ...body, priority: 'P1' }, { 'Idempotency-Key': key });
  assertProblem(diff, 409, 'conflict', 'same key, different body');
  assert.equal(await count(), n0 + 1, 'still one');
  // Concurrent retries with one key still make one order.
  const key2 = `idem-par-${Date.now()}`;
  const body2 = smallestOrder({ fault_description: '幂等并发：冰箱结霜' });
  const res = await Promise.all(Array.from({ length: 8 }, () => admin.post('/api/v1/work-orders', body2, { 'Idempotency-Key': key2 })));
  const ok = res.filter((r) => r.status === 201);
  assert.ok(ok.length >= 1, res.map((r) => r.status).join(','));
  assert.ok(res.every((r) => r.status === 201 || r.status === 409), `statuses ${res.map((r) => r.status)}`);
  assert.equal(new Set(ok.map((r) => r.body.id)).size, 1, 'one id for every retry');
  assert.equal(await count(), n0 + 2);
  // The key is per user: another user with the same key gets their own order.
  const u = await admin.post('/api/v1/users', { login: 'idem_agent', name: '坐席', password: 'password123', org_id: admin.session.user.org_id, roles: ['agent'] });
  assert.equal(u.status, 201, u.text);
  const other = api(url, (await login(url, 'idem_agent', 'password123')).token);
  const c = await other.post('/api/v1/work-orders', body, { 'Idempotency-Key': key });
  assert.equal(c.status, 201, c.text);
  assert.notEqual(c.body.id, a.body.id, 'another user\'s key does not replay mine');
  // A too-long key is refused.
  const long = await admin.post('/api/v1/work-orders', body, { 'Idempotency-Key': 'k'.repeat(201) });
  assertProblem(long, 400, 'validation_failed', 'Idempotency-Key over 200 chars');
});

test('concurrent creates: 50 in parallel → numbers unique and contiguous, no gaps for the day', async () => {
  const res = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    admin.post('/api/v1/work-orders', smallestOrder({ fault_description: `并发创建 ${i}` }))));
  for (const r of res) assert.equal(r.status, 201, r.text);
  const nums = res.map((r) => r.body.number);
  assert.equal(new Set(nums).size, 50, 'numbers unique');
  assert.equal(new Set(res.map((r) => r.body.id)).size, 50, 'ids unique');
  const byDay = new Map();
  for (const n of nums) {
    const [, day, c] = NUMBER.exec(n);
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day).push(Number(c));
  }
  if (byDay.size === 1) {
    const c = [...byDay.values()][0].sort((a, b) => a - b);
    assert.equal(c[c.length - 1] - c[0] + 1, 50, `contiguous: ${c[0]}..${c[c.length - 1]}`);
  }
  // Over the whole database: each day's counters are exactly 1..N.
  const all = await listAll(admin, '/api/v1/work-orders');
  const days = new Map();
  for (const o of all) {
    const [, day, c] = NUMBER.exec(o.number);
    if (!days.has(day)) days.set(day, []);
    days.get(day).push(Number(c));
  }
  for (const [day, counters] of days) {
    counters.sort((a, b) => a - b);
    assert.deepEqual(counters, counters.map((_, i) => i + 1), `day ${day}: counters 1..${counters.length} without gaps`);
  }
});

test('timeline: the create event (and the update) with actor', async () => {
  const res = await admin.get(`/api/v1/work-orders/${first.id}/timeline`);
  assert.equal(res.status, 200, res.text);
  const items = res.body.items;
  assert.ok(Array.isArray(items) && items.length >= 1, res.text);
  const create = items.find((e) => e.event === 'create');
  assert.ok(create, `a create event: ${res.text}`);
  assert.ok(!Number.isNaN(Date.parse(create.at)));
  assert.equal(create.actor.id, admin.session.user.id);
  assert.equal(create.actor.name, admin.session.user.name);
  assert.equal(typeof create.data, 'object');
  assert.ok(items.length >= 2, 'the PATCH is on the timeline too');
  assertProblem(await admin.get('/api/v1/work-orders/999999/timeline'), 404, 'not_found');
});

test('audit log: create and update of the order with before/after (admin only)', async () => {
  const res = await admin.get(`/api/v1/audit-log?entity=work_order&entity_id=${first.id}`);
  assert.equal(res.status, 200, res.text);
  const items = res.body.items;
  assert.ok(items.every((e) => e.entity === 'work_order' && e.entity_id === first.id), 'filtered');
  const create = items.find((e) => e.action === 'create');
  const update = items.find((e) => e.action === 'update');
  assert.ok(create, `create entry: ${res.text}`);
  assert.ok(update, `update entry: ${res.text}`);
  assert.equal(items.filter((e) => e.action === 'update').length, 1, 'the refused 412 PATCH wrote nothing');
  assert.equal(create.user_id, admin.session.user.id);
  assert.equal(create.user_login, 'admin');
  assert.equal(create.after.number, first.number);
  assert.equal(update.before.priority, 'P2');
  assert.equal(update.after.priority, 'P1');
  assert.equal(update.before.version, 1);
  assert.equal(update.after.version, 2);
  // Non-admins may not read it.
  const agent = api(url, (await login(url, 'idem_agent', 'password123')).token);
  assertProblem(await agent.get('/api/v1/audit-log'), 403, 'forbidden');
  // Paging by user.
  const mine = await admin.get(`/api/v1/audit-log?user_id=${admin.session.user.id}&limit=5`);
  assert.equal(mine.status, 200);
  assert.ok(mine.body.items.length === 5 && mine.body.items.every((e) => e.user_id === admin.session.user.id));
  assert.ok(mine.body.next_cursor, 'more pages');
});

test('audit log: entries have the documented shape (before null on create, at ISO 8601, request_id)', async () => {
  const items = (await admin.get(`/api/v1/audit-log?entity=work_order&entity_id=${first.id}`)).body.items;
  const create = items.find((e) => e.action === 'create');
  for (const k of ['id', 'at', 'user_id', 'user_login', 'action', 'entity', 'entity_id', 'before', 'after', 'request_id']) {
    assert.ok(k in create, `audit entry lacks "${k}": ${JSON.stringify(create).slice(0, 300)}`);
  }
  assert.equal(create.before, null, 'before is null on create');
  assert.match(String(create.at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'at is UTC ISO 8601');
  assert.equal(typeof create.request_id, 'string', `request_id is the request's id: ${JSON.stringify(create.request_id)}`);
  // The request id of the audit row is the one the response carried.
  const rid = `test-${Date.now()}`;
  const p = await admin.patch(`/api/v1/work-orders/${first.id}`, { priority: 'P3' }, { 'If-Match': '"2"', 'X-Request-Id': rid });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.headers.get('x-request-id'), rid);
  const after = await admin.get(`/api/v1/audit-log?entity=work_order&entity_id=${first.id}`);
  assert.ok(after.body.items.some((e) => e.action === 'update' && e.request_id === rid),
    `audit row has the request id ${rid}: ${after.text.slice(0, 300)}`);
  // The log-in itself is audited.
  const logins = await listAll(admin, `/api/v1/audit-log?user_id=${admin.session.user.id}`);
  assert.ok(logins.some((e) => e.action === 'login'), 'a login entry');
});

test('openapi documents every route this file called', async () => {
  assert.deepEqual(await undocumentedCalls(url), []);
});
