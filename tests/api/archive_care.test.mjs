// archive_care.test.mjs — customer care campaigns (issue 3 item 8): customers picked by rule
// (class, churn, brand, city), those who refused contact left out, the message queued for
// each, and who came back afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, assertFieldError, assertProblem, smallestOrder, undocumentedCalls } from './lib.mjs';

let srv, admin, a1, a2, b1, c1;
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  const cust = async (name, phone, cls, extra = {}) => {
    const r = await admin.post('/api/v1/customers', { name, phones: [phone], class: cls, ...extra });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  a1 = await cust('甲A', '13100000101', 'A', { addresses: [{ text: '广东省广州市天河区1号', city: '广州市' }] });
  a2 = await cust('乙A', '13100000102', 'A', { addresses: [{ text: '广东省深圳市南山区2号' }] });
  b1 = await cust('丙B', '13100000103', 'B', { addresses: [{ text: '广州市越秀区3号' }] });
  c1 = await cust('丁C', '13100000104', 'C', { consent: { allowed: false } });
  const m = (await admin.post('/api/v1/product-models', { brand: '丰田', category: '轿车', model: '凯美瑞' })).body;
  assert.equal((await admin.post('/api/v1/assets', { customer_id: a2.id, model_id: m.id, serial: 'VIN-CARE-1', purchase_date: '2025-05-01' })).status, 201);
});
after(async () => { await srv?.stop(); });

const ids = (items) => items.map((x) => x.customer_id).sort((x, y) => x - y);

test('a campaign picks customers by class and churn, never those who refused contact', async () => {
  const res = await admin.post('/api/v1/campaigns', {
    name: '冬季空调保养', channel: 'sms', message: '尊敬的客户，冬季保养优惠进行中', rule: { class: ['A', 'B', 'C'], churn: ['active'] },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.target_count, 3);
  assert.equal(res.body.came_back_count, 0);
  assert.deepEqual(res.body.rule, { churn: ['active'], class: ['A', 'B', 'C'] });
  const t = await admin.get(`/api/v1/campaigns/${res.body.id}/targets`);
  assert.deepEqual(ids(t.body.items), [a1.id, a2.id, b1.id].sort((x, y) => x - y));
  assert.ok(t.body.items.every((x) => x.status === 'queued' && x.address.startsWith('+86')));
  const lost = await admin.post('/api/v1/campaigns', { name: '流失挽回', channel: 'letter', message: '…', rule: { churn: ['lost'] } });
  assert.equal(lost.body.target_count, 0);
});

test('by brand of an asset and by city', async () => {
  const brand = await admin.post('/api/v1/campaigns', { name: '丰田车主', channel: 'sms', message: '…', rule: { brand: '丰田' } });
  assert.equal(brand.body.target_count, 1);
  assert.deepEqual(ids((await admin.get(`/api/v1/campaigns/${brand.body.id}/targets`)).body.items), [a2.id]);
  const city = await admin.post('/api/v1/campaigns', { name: '广州客户', channel: 'phone', message: '…', rule: { city: '广州市', class: ['A', 'B'] } });
  assert.deepEqual(ids((await admin.get(`/api/v1/campaigns/${city.body.id}/targets`)).body.items), [a1.id, b1.id].sort((x, y) => x - y));
});

test('who came back: a work order after the campaign', async () => {
  const cp = (await admin.post('/api/v1/campaigns', { name: '回访', channel: 'sms', message: '…', rule: { class: ['A'] } })).body;
  await new Promise((r) => setTimeout(r, 5));
  assert.equal((await admin.post('/api/v1/work-orders', smallestOrder({ customer: undefined, customer_id: a1.id }))).status, 201);
  const got = (await admin.get(`/api/v1/campaigns/${cp.id}`)).body;
  assert.equal(got.target_count, 2);
  assert.equal(got.came_back_count, 1);
  const t = (await admin.get(`/api/v1/campaigns/${cp.id}/targets`)).body.items;
  assert.ok(t.find((x) => x.customer_id === a1.id).came_back_at);
  assert.equal(t.find((x) => x.customer_id === a2.id).came_back_at, null);
  const list = await admin.get('/api/v1/campaigns');
  assert.ok(list.body.items.length >= 5);
});

test('bad rules and unknown campaigns', async () => {
  const base = { name: 'x', channel: 'sms', message: 'm' };
  assertFieldError(await admin.post('/api/v1/campaigns', { ...base, rule: { class: ['D'] } }), 'rule.class');
  assertFieldError(await admin.post('/api/v1/campaigns', { ...base, rule: { churn: ['gone'] } }), 'rule.churn');
  assertFieldError(await admin.post('/api/v1/campaigns', { ...base, rule: { planet: 'mars' } }), 'rule.planet');
  assertFieldError(await admin.post('/api/v1/campaigns', { ...base, rule: { city: '' } }), 'rule.city');
  assertFieldError(await admin.post('/api/v1/campaigns', { ...base, channel: 'pigeon', rule: {} }), 'channel');
  assertFieldError(await admin.post('/api/v1/campaigns', { name: 'x', channel: 'sms', rule: {} }), 'message');
  assertProblem(await admin.get('/api/v1/campaigns/999999'), 404, 'not_found');
  assertProblem(await admin.get('/api/v1/campaigns/999999/targets'), 404, 'not_found');
});

test('every route called here is documented', async () => {
  assert.deepEqual(await undocumentedCalls(srv.url), []);
});
