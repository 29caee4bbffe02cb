// customer_scope.test.mjs — a customer account (role customer, tied to its customer record)
// sees and creates only its own work orders; staff-only resources answer 403; another
// customer's order answers 404 (ids do not leak).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, login, api, smallestOrder, assertProblem, assertFieldError } from './lib.mjs';

let srv, admin, mine, theirs, cust;

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  mine = await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '王芳', phone: '13911112222' }, fault_description: '冰箱异响 王芳' }));
  theirs = await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '赵强', phone: '13933334444' }, fault_description: '洗衣机漏水 赵强' }));
  assert.equal(mine.status, 201);
  assert.equal(theirs.status, 201);
  const u = await admin.post('/api/v1/users', {
    login: 'wangfang', name: '王芳', password: 'customer1', org_id: admin.session.user.org_id,
    roles: ['customer'], customer_id: mine.body.customer_id,
  });
  assert.equal(u.status, 201, u.text);
  assert.equal(u.body.customer_id, mine.body.customer_id);
  cust = api(srv.url, (await login(srv.url, 'wangfang', 'customer1')).token);
});

after(async () => { await srv?.stop(); });

test('a customer lists and reads only their own orders', async () => {
  const list = await cust.get('/api/v1/work-orders');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((o) => o.id), [mine.body.id]);
  assert.equal((await cust.get(`/api/v1/work-orders/${mine.body.id}`)).status, 200);
  assertProblem(await cust.get(`/api/v1/work-orders/${theirs.body.id}`), 404, 'not_found');
  assertProblem(await cust.get(`/api/v1/work-orders/${theirs.body.id}/timeline`), 404, 'not_found');
  const search = await cust.get(`/api/v1/work-orders?q=${encodeURIComponent('赵强')}`);
  assert.equal(search.body.items.length, 0);
});

test('a customer files an order for themselves only', async () => {
  const own = await cust.post('/api/v1/work-orders', { type: 'repair', channel: 'web', fault_description: '冰箱不制冷' });
  assert.equal(own.status, 201, own.text);
  assert.equal(own.body.customer_id, mine.body.customer_id);
  assert.equal(own.body.customer.name, '王芳');
  const other = await cust.post('/api/v1/work-orders', { type: 'repair', customer_id: theirs.body.customer_id, fault_description: 'x' });
  assertFieldError(other, 'customer_id');
});

test('staff resources are closed to customers', async () => {
  assertProblem(await cust.get('/api/v1/users'), 403, 'forbidden');
  assertProblem(await cust.get('/api/v1/organizations'), 403, 'forbidden');
  assertProblem(await cust.get('/api/v1/audit-log'), 403, 'forbidden');
  assertProblem(await cust.patch(`/api/v1/work-orders/${mine.body.id}`, { priority: 'P1' }), 403, 'forbidden');
});

test('customer accounts need their customer, and only them', async () => {
  const base = { name: '客户', password: 'customer1', org_id: admin.session.user.org_id };
  assertFieldError(await admin.post('/api/v1/users', { ...base, login: 'cust1', roles: ['customer'] }), 'customer_id');
  assertFieldError(await admin.post('/api/v1/users', { ...base, login: 'cust2', roles: ['customer'], customer_id: 999999 }), 'customer_id');
  assertFieldError(await admin.post('/api/v1/users', { ...base, login: 'cust3', roles: ['agent'], customer_id: mine.body.customer_id }), 'customer_id');
  assertFieldError(await admin.post('/api/v1/users', { ...base, login: 'cust4', roles: ['customer', 'agent'], customer_id: mine.body.customer_id }), 'roles');
});
