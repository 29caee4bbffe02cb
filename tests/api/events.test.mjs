// events.test.mjs — live progress and the list header (issue 4 items 11, 12): the event stream
// GET /api/v1/events (an event within a second of the write, scope: another outlet's user and
// another customer receive nothing, a customer gets only the public rows of their own orders,
// Last-Event-ID resumes, no session → 401, the per-node cap → 503, SIGTERM ends open streams),
// the per-state summary against a GROUP BY of the orders, the wall board, saved filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, smallestOrder, assertProblem, assertFieldError, listAll,
} from './lib.mjs';
import { openEvents, quiet } from './events_lib.mjs';

let srv, admin, orgA, orgB, userA, userB, techA, techAId, cust, custOrder;
const streams = [];
const open = async (opts) => {
  const s = await openEvents(srv.url, opts);
  streams.push(s);
  return s;
};

let phoneSeq = 0;
async function newOrder(over = {}, client = admin) {
  phoneSeq++;
  const res = await client.post('/api/v1/work-orders', smallestOrder({
    customer: { name: '陈静', phone: `1371234${String(1000 + phoneSeq).slice(-4)}` },
    fault_description: `热水器不出热水 ${phoneSeq}`, ...over,
  }));
  assert.equal(res.status, 201, res.text);
  return res.body;
}
const ev = async (client, o, event, body = {}) => {
  const res = await client.post(`/api/v1/work-orders/${o.id}/${event}`, body);
  assert.equal(res.status, 200, `${event}: ${res.text}`);
  return res.body;
};

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  const root = admin.session.user.org_id;
  const mk = async (name) => {
    const r = await admin.post('/api/v1/organizations', { type: 'outlet', name, parent_id: root });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  orgA = await mk('天河网点');
  orgB = await mk('海珠网点');
  const user = async (loginName, org, roles, extra = {}) => {
    const r = await admin.post('/api/v1/users', { login: loginName, name: loginName, password: 'pass12345', org_id: org, roles, ...extra });
    assert.equal(r.status, 201, r.text);
    const s = await login(srv.url, loginName, 'pass12345');
    const c = api(srv.url, s.token);
    c.session = s;
    c.id = r.body.id;
    return c;
  };
  userA = await user('ev_disp_a', orgA.id, ['dispatcher']);
  userB = await user('ev_disp_b', orgB.id, ['dispatcher']);
  techA = await user('ev_tech_a', orgA.id, ['technician']);
  techAId = techA.id;
  custOrder = await newOrder({ customer: { name: '周敏', phone: '13600001111' }, org_id: orgA.id });
  cust = await user('ev_cust', root, ['customer'], { customer_id: custOrder.customer_id });
});

after(async () => {
  for (const s of streams) s.close();
  await srv?.stop();
});

test('no session → 401; a bad Last-Event-ID → 400', async () => {
  const s = await open({});
  assert.equal(s.status, 401);
  assert.equal(s.body.code, 'unauthorized');
  const bad = await open({ token: 'fws_not_a_token' });
  assert.equal(bad.status, 401);
  const badId = await open({ token: admin.token, headers: { 'Last-Event-ID': 'abc' } });
  assert.equal(badId.status, 400);
  assert.equal(badId.body.code, 'validation_failed');
});

test('a connected client gets the create and each transition within a second', async () => {
  const s = await open({ token: admin.token });
  assert.equal(s.status, 200);
  assert.match(s.headers['content-type'], /^text\/event-stream/);
  assert.match(s.headers['cache-control'], /no-cache/);
  let t0 = Date.now();
  const o = await newOrder();
  const created = await s.next((e) => e.data.order_id === o.id && e.data.event === 'create', 1000);
  assert.ok(created.at - t0 < 1000, `create after ${created.at - t0} ms`);
  assert.equal(created.event, 'wo');
  assert.ok(Number.isInteger(created.id) && created.id > 0);
  assert.deepEqual(Object.keys(created.data).sort(), ['actor', 'at', 'event', 'number', 'order_id', 'status']);
  assert.equal(created.data.number, o.number);
  assert.equal(created.data.status, 'new');
  assert.equal(created.data.actor.id, admin.session.user.id);
  assert.ok(!Number.isNaN(Date.parse(created.data.at)));
  t0 = Date.now();
  await ev(admin, o, 'accept');
  const acc = await s.next((e) => e.data.order_id === o.id, 1000);
  assert.equal(acc.data.event, 'accept');
  assert.equal(acc.data.status, 'accepted');
  assert.ok(acc.id > created.id);
  assert.ok(acc.at - t0 < 1000);
  await ev(admin, o, 'dispatch', { assignee_id: techAId });
  const dis = await s.next((e) => e.data.order_id === o.id, 1000);
  assert.equal(dis.data.status, 'dispatched');
});

test('another outlet sees nothing of an order outside its subtree; its own outlet does', async () => {
  const a = await open({ token: userA.token });
  const b = await open({ token: userB.token });
  const inA = await newOrder({ org_id: orgA.id });
  const inB = await newOrder({ org_id: orgB.id });
  // rows fan out in id order: once B's own order arrived, A's (written before) was filtered out
  const gotB = await b.next((e) => e.data.order_id === inB.id, 1000);
  assert.equal(gotB.data.event, 'create');
  assert.equal(b.all((e) => e.data.order_id === inA.id).length, 0, 'outlet B saw outlet A');
  await a.next((e) => e.data.order_id === inA.id, 1000);
  await ev(admin, inB, 'accept');
  await ev(admin, inA, 'accept');
  await a.next((e) => e.data.order_id === inA.id && e.data.event === 'accept', 1000);
  assert.equal(a.all((e) => e.data.order_id === inB.id).length, 0, 'outlet A saw outlet B');
});

test('a customer gets the public rows of their own order only', async () => {
  const c = await open({ token: cust.session.token });
  assert.equal(c.status, 200);
  const other = await newOrder({ org_id: orgA.id });
  const internal = await admin.post(`/api/v1/work-orders/${custOrder.id}/comments`, { text: '内部备注：客户脾气急', public: false });
  assert.equal(internal.status, 201, internal.text);
  const note = await admin.post(`/api/v1/work-orders/${custOrder.id}/comments`, { text: '师傅明天上午到', public: true });
  assert.equal(note.status, 201, note.text);
  await ev(admin, other, 'accept');
  await ev(admin, custOrder, 'accept');
  await c.next((e) => e.data.order_id === custOrder.id && e.data.event === 'accept', 1000);
  const got = c.all();
  assert.deepEqual(got.map((e) => [e.data.order_id, e.data.event]),
    [[custOrder.id, 'comment'], [custOrder.id, 'accept']], JSON.stringify(got));
  assert.equal(got[1].data.status, 'accepted');
});

test('Last-Event-ID resumes with what the client missed, in order', async () => {
  const s = await open({ token: admin.token });
  const o = await newOrder();
  const first = await s.next((e) => e.data.order_id === o.id, 1000);
  s.close();
  await ev(admin, o, 'accept');
  await admin.post(`/api/v1/work-orders/${o.id}/comments`, { text: '已电话联系客户' });
  const again = await open({ token: admin.token, headers: { 'Last-Event-ID': String(first.id) } });
  const a1 = await again.next((e) => e.data.order_id === o.id, 1000);
  const a2 = await again.next((e) => e.data.order_id === o.id, 1000);
  assert.deepEqual([a1.data.event, a2.data.event], ['accept', 'comment']);
  assert.ok(a1.id > first.id && a2.id > a1.id);
  assert.ok(again.all((e) => e.id <= first.id).length === 0, 'nothing before the last id');
  // and new events keep coming on the resumed stream
  await ev(admin, o, 'cancel', { reason: '客户已自行修好' });
  const c = await again.next((e) => e.data.order_id === o.id, 1000);
  assert.equal(c.data.status, 'cancelled');
  // the same through ?last_event_id= (a page that remembers where it was)
  const q = await open({ token: admin.token, path: `/api/v1/events?last_event_id=${first.id}` });
  const q1 = await q.next((e) => e.data.order_id === o.id, 1000);
  assert.equal(q1.id, a1.id);
});

/** Orders per status in the caller's scope, counted from the list. */
async function groupBy(client) {
  const items = await listAll(client, '/api/v1/work-orders');
  const counts = {};
  for (const o of items) counts[o.status] = (counts[o.status] || 0) + 1;
  return { counts, total: items.length };
}

test('the summary equals a GROUP BY over the orders, in each scope, after creates and transitions', async () => {
  const made = [];
  for (let i = 0; i < 12; i++) made.push(await newOrder({ org_id: i % 3 === 0 ? orgB.id : orgA.id }));
  for (const [i, o] of made.entries()) {
    if (i % 2 === 0) await ev(admin, o, 'accept');
    if (i % 4 === 0) await ev(admin, o, 'cancel', { reason: '重复报修' });
    if (i % 4 === 2 && o.org_id === orgA.id) {
      await ev(admin, o, 'dispatch', { assignee_id: techAId });
      await ev(techA, o, 'take');
      await ev(techA, o, 'arrive');
      await ev(techA, o, 'hold', { kind: 'parts' });
    }
  }
  // late: the promised time passed on open orders (two of A, one of B); a completed one does not count
  const ago = new Date(Date.now() - 3600e3).toISOString();
  const promise = async (o) => {
    const r = await admin.post(`/api/v1/work-orders/${o.id}/estimate`, { promised_at: ago });
    assert.equal(r.status, 200, r.text);
  };
  const openA = made.filter((o, i) => o.org_id === orgA.id && i % 4 !== 0);
  const openB = made.filter((o, i) => o.org_id === orgB.id && i % 4 !== 0);
  await promise(openA[0]);
  await promise(openA[1]);
  await promise(openB[0]);
  await promise(custOrder);
  for (const client of [admin, userA, userB, cust]) {
    const sum = await client.get('/api/v1/work-orders/summary');
    assert.equal(sum.status, 200, sum.text);
    const want = await groupBy(client);
    assert.deepEqual(sum.body.counts, want.counts, `${client.session.user.login}`);
    assert.equal(sum.body.total, want.total);
    const late = await listAll(client, '/api/v1/work-orders?late=true');
    assert.equal(sum.body.late, late.length, 'late = open orders past their deadline');
  }
  const b = (await userB.get('/api/v1/work-orders/summary')).body;
  const a = (await userA.get('/api/v1/work-orders/summary')).body;
  const all = (await admin.get('/api/v1/work-orders/summary')).body;
  assert.ok(a.total > 0 && b.total > 0 && a.total + b.total < all.total);
  assert.ok(a.counts.waiting_parts >= 1);
  assert.ok(a.late >= 3 && b.late >= 1 && all.late >= a.late + b.late, JSON.stringify({ a, b, all }));
  assert.equal((await cust.get('/api/v1/work-orders/summary')).body.late, 1);
  const board = (await userA.get('/api/v1/work-orders/board')).body.columns;
  const card = Object.values(board).flat().find((c) => c.id === openA[0].id);
  assert.equal(card.late, true);
  assert.ok(card.promised_at);
});

test('the wall board shows open orders by state, in scope', async () => {
  const o = await newOrder({ org_id: orgA.id });
  await ev(admin, o, 'accept');
  await ev(admin, o, 'dispatch', { assignee_id: techAId });
  const res = await userA.get('/api/v1/work-orders/board?limit=50');
  assert.equal(res.status, 200, res.text);
  const cols = res.body.columns;
  for (const s of ['new', 'accepted', 'dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts',
    'waiting_customer', 'completed', 'qc_passed', 'settled']) assert.ok(Array.isArray(cols[s]), s);
  assert.equal(cols.closed, undefined);
  const card = cols.dispatched.find((c) => c.id === o.id);
  assert.ok(card, 'the dispatched order is on the board');
  assert.equal(card.number, o.number);
  assert.equal(card.assignee_id, techAId);
  assert.equal(card.assignee_name, 'ev_tech_a');
  assert.equal(card.customer_name, '陈静');
  assert.equal(typeof card.late, 'boolean');
  assert.ok(!Number.isNaN(Date.parse(card.state_since)));
  const b = await userB.get('/api/v1/work-orders/board');
  assert.ok(!Object.values(b.body.columns).flat().some((c) => c.id === o.id), 'outlet B does not see it');
  assertFieldError(await admin.get('/api/v1/work-orders/board?limit=0'), 'limit');
  assertFieldError(await admin.get('/api/v1/work-orders/board?limit=x'), 'limit');
});

test('saved filters: the caller\'s own, name ≤ 40 characters, a flat object of list filters, at most 50', async () => {
  const f = await userA.post('/api/v1/saved-filters', { name: '待派工 P1', query: { status: 'new,accepted', priority: 'P1' } });
  assert.equal(f.status, 201, f.text);
  assert.equal(f.body.name, '待派工 P1');
  assert.deepEqual(f.body.query, { priority: 'P1', status: 'new,accepted' });
  assert.match(f.headers.get('location'), new RegExp(`/api/v1/saved-filters/${f.body.id}$`));
  const list = await userA.get('/api/v1/saved-filters');
  assert.deepEqual(list.body.items.map((x) => x.id), [f.body.id]);
  assert.deepEqual((await userB.get('/api/v1/saved-filters')).body.items, [], 'only your own');
  assertProblem(await userB.del(`/api/v1/saved-filters/${f.body.id}`), 404, 'not_found');

  assertFieldError(await userA.post('/api/v1/saved-filters', { name: '名'.repeat(41), query: {} }), 'name');
  assert.equal((await userA.post('/api/v1/saved-filters', { name: '名'.repeat(40), query: {} })).status, 201);
  assertFieldError(await userA.post('/api/v1/saved-filters', { name: '   ', query: {} }), 'name');
  assertFieldError(await userA.post('/api/v1/saved-filters', { query: {} }), 'name');
  assertFieldError(await userA.post('/api/v1/saved-filters', { name: 'x', query: 'status=new' }), 'query');
  assertFieldError(await userA.post('/api/v1/saved-filters', { name: 'x', query: { color: 'red' } }), 'query.color');
  assertFieldError(await userA.post('/api/v1/saved-filters', { name: 'x', query: { status: ['new'] } }), 'query.status');
  assertFieldError(await userA.post('/api/v1/saved-filters', { name: 'x', query: { q: 'a'.repeat(201) } }), 'query.q');
  assertFieldError(await userA.post('/api/v1/saved-filters', { name: 'x', query: {}, owner: 1 }), 'owner');
  const dup = await userA.post('/api/v1/saved-filters', { name: '待派工 P1', query: {} });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.field, 'name');

  // Idempotency-Key: the same save twice is one filter
  const key = { 'Idempotency-Key': `sf-${Date.now()}` };
  const k1 = await userA.post('/api/v1/saved-filters', { name: '超时', query: { status: 'in_service' } }, key);
  const k2 = await userA.post('/api/v1/saved-filters', { name: '超时', query: { status: 'in_service' } }, key);
  assert.equal(k1.status, 201, k1.text);
  assert.equal(k2.body.id, k1.body.id);
  assert.equal(k2.headers.get('idempotent-replayed'), 'true');

  const have = (await userA.get('/api/v1/saved-filters')).body.items.length;
  for (let i = have; i < 50; i++) {
    const r = await userA.post('/api/v1/saved-filters', { name: `筛选 ${i}`, query: { q: `k${i}` } });
    assert.equal(r.status, 201, r.text);
  }
  const over = await userA.post('/api/v1/saved-filters', { name: '第五十一个', query: {} });
  assertProblem(over, 409, 'conflict');
  assert.match(over.body.detail, /50/);
  assert.equal((await userA.del(`/api/v1/saved-filters/${f.body.id}`)).status, 204);
  assertProblem(await userA.del(`/api/v1/saved-filters/${f.body.id}`), 404, 'not_found');
  assert.equal((await userA.post('/api/v1/saved-filters', { name: '第五十一个', query: {} })).status, 201);
  const audit = await admin.get('/api/v1/audit-log?entity=saved_filter');
  assert.ok(audit.body.items.some((x) => x.action === 'delete' && x.entity_id === f.body.id));
});

test('the cap on streams per node answers 503 with Retry-After; SIGTERM ends open streams', async () => {
  const small = await startServer({ env: { FUWU_SSE_MAX_CLIENTS: '2' } });
  try {
    const s = await login(small.url, 'admin', 'admin12345');
    const one = await openEvents(small.url, { token: s.token });
    const two = await openEvents(small.url, { token: s.token });
    assert.equal(one.status, 200);
    assert.equal(two.status, 200);
    const three = await openEvents(small.url, { token: s.token });
    assert.equal(three.status, 503);
    assert.equal(three.body.code, 'unavailable');
    assert.equal(three.headers['retry-after'], '5');
    two.close();
    let four;
    for (let i = 0; i < 50; i++) { // the closed stream is noticed at the next write to it
      four = await openEvents(small.url, { token: s.token });
      if (four.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
      const x = await api(small.url, s.token).post('/api/v1/work-orders', smallestOrder());
      assert.equal(x.status, 201);
    }
    assert.equal(four.status, 200);
    const t0 = Date.now();
    const res = await small.stop({ keep: false });
    assert.equal(res.code, 0, JSON.stringify(res));
    assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms with open streams`);
    await quiet(one, 50);
    assert.ok(one.closed && four.closed, 'the open streams ended');
  } finally {
    await small.stop();
  }
});
