// archive.test.mjs — the customer and asset archive of issue 3 through the real server:
// the DESIGN.md contract shapes (customers, product models, assets, warranty decision),
// phone lookup by the last digits, duplicate phones, merge keeping every linked record,
// asset transfer with history, mileage readings, electronic warranty registration, and
// the "Bad input" list of the issue. Runs on SQLite and PostgreSQL (FUWU_TEST_ENGINE).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, assertProblem, assertFieldError, smallestOrder, undocumentedCalls,
} from './lib.mjs';

let srv, admin, model, lina, asset;

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
});
after(async () => { await srv?.stop(); });

test('POST /customers: the contract shape, phones normalised, 201 with Location and ETag', async () => {
  const res = await admin.post('/api/v1/customers', {
    name: '李娜', phones: ['13912345678'], class: 'A',
    addresses: [{ text: '广东省广州市天河区天河路385号', lat: 23.13, lon: 113.32 }],
  });
  assert.equal(res.status, 201, res.text);
  lina = res.body;
  assert.equal(lina.name, '李娜');
  assert.deepEqual(lina.phones, ['+8613912345678']);
  assert.equal(lina.class, 'A');
  assert.equal(lina.addresses.length, 1);
  assert.equal(lina.addresses[0].text, '广东省广州市天河区天河路385号');
  assert.equal(lina.addresses[0].lat, 23.13);
  assert.equal(lina.version, 1);
  assert.equal(res.headers.get('etag'), '"1"');
  assert.equal(res.headers.get('location'), `/api/v1/customers/${lina.id}`);
  const got = await admin.get(`/api/v1/customers/${lina.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, lina);
});

test('a phone of another customer → 409 with existing_id (in any spelling), nothing created', async () => {
  for (const phone of ['13912345678', '+86 139-1234-5678', '008613912345678']) {
    const res = await admin.post('/api/v1/customers', { name: '李娜(重复)', phones: [phone] });
    assertProblem(res, 409, 'conflict', phone);
    assert.equal(res.body.existing_id, lina.id);
  }
  const list = await admin.get(`/api/v1/customers?name=${encodeURIComponent('重复')}`);
  assert.equal(list.body.items.length, 0);
});

test('on_duplicate=merge: a known phone adds the new phones and addresses to that customer (200)', async () => {
  const res = await admin.post('/api/v1/customers', {
    name: '李娜', phones: ['13912345678', '13912340000'], addresses: [{ text: '广州市海珠区新港西路9号' }], on_duplicate: 'merge',
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.id, lina.id);
  assert.deepEqual(res.body.phones, ['+8613912345678', '+8613912340000']);
  assert.equal(res.body.addresses.length, 2);
  assert.equal(res.body.version, 2);
  // Unknown phones: created as usual.
  const fresh = await admin.post('/api/v1/customers', { name: '新客户', phones: ['13912349999'], on_duplicate: 'merge' });
  assert.equal(fresh.status, 201, fresh.text);
  // Phones of two different customers: refused.
  const two = await admin.post('/api/v1/customers', { name: 'x', phones: ['13912340000', '13912349999'], on_duplicate: 'merge' });
  assertProblem(two, 409, 'conflict');
  assertFieldError(await admin.post('/api/v1/customers', { name: 'x', phones: ['13912349998'], on_duplicate: 'maybe' }), 'on_duplicate');
  lina = (await admin.get(`/api/v1/customers/${lina.id}`)).body;
});

test('GET /customers?phone=5678 matches the end of any phone; name search; class filter', async () => {
  const other = await admin.post('/api/v1/customers', {
    name: '王建国', phones: ['13800001111', '020-87655678'], class: 'B', kind: 'person',
  });
  assert.equal(other.status, 201, other.text);
  const byTail = await admin.get('/api/v1/customers?phone=5678');
  assert.equal(byTail.status, 200);
  assert.deepEqual(byTail.body.items.map((c) => c.id).sort(), [lina.id, other.body.id].sort());
  const one = await admin.get('/api/v1/customers?phone=1111');
  assert.deepEqual(one.body.items.map((c) => c.id), [other.body.id]);
  const full = await admin.get('/api/v1/customers?phone=13912345678');
  assert.deepEqual(full.body.items.map((c) => c.id), [lina.id]);
  const byName = await admin.get(`/api/v1/customers?name=${encodeURIComponent('建国')}`);
  assert.deepEqual(byName.body.items.map((c) => c.id), [other.body.id]);
  const byClass = await admin.get('/api/v1/customers?class=A');
  assert.ok(byClass.body.items.every((c) => c.class === 'A'));
  assertFieldError(await admin.get('/api/v1/customers?phone=12'), 'phone');
  assertFieldError(await admin.get('/api/v1/customers?phone=abcd'), 'phone');
  assertFieldError(await admin.get('/api/v1/customers?class=D'), 'class');
});

test('customer bad input: invalid phone, no phone, unknown field, bad address, bad consent', async () => {
  assertFieldError(await admin.post('/api/v1/customers', { name: '张三', phones: ['12345'] }), 'phones[0]');
  assertFieldError(await admin.post('/api/v1/customers', { name: '张三', phones: [] }), 'phones');
  assertFieldError(await admin.post('/api/v1/customers', { name: '张三' }), 'phones');
  assertFieldError(await admin.post('/api/v1/customers', { name: '', phones: ['13700000001'] }), 'name');
  assertFieldError(await admin.post('/api/v1/customers', { name: '张三', phones: ['13700000001'], vip: true }), 'vip');
  assertFieldError(await admin.post('/api/v1/customers', { name: '张三', phones: ['13700000001'], class: 'Z' }), 'class');
  assertFieldError(await admin.post('/api/v1/customers',
    { name: '张三', phones: ['13700000001'], addresses: [{ lat: 1 }] }), 'addresses[0].text');
  assertFieldError(await admin.post('/api/v1/customers',
    { name: '张三', phones: ['13700000001'], addresses: [{ text: 'x', lat: 123 }] }), 'addresses[0]');
  assertFieldError(await admin.post('/api/v1/customers',
    { name: '张三', phones: ['13700000001'], consent: { allowed: true, channels: ['pigeon'] } }), 'consent.channels');
  const ok = await admin.post('/api/v1/customers', {
    name: '张三', phones: ['13700000001'], tags: ['老客户'], source: 'walk_in', kind: 'company',
    consent: { allowed: true, channels: ['sms', 'phone'] }, notes: '只在工作日联系',
  });
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual(ok.body.tags, ['老客户']);
  assert.deepEqual(ok.body.consent, { allowed: true, channels: ['sms', 'phone'] });
});

test('PATCH /customers/{id} with If-Match: stale → 412, phones replaced, a taken phone → 409', async () => {
  const c = (await admin.post('/api/v1/customers', { name: '赵六', phones: ['13600000001'] })).body;
  assertProblem(await admin.patch(`/api/v1/customers/${c.id}`, { class: 'B' }, { 'If-Match': '"9"' }), 412,
    'precondition_failed');
  const res = await admin.patch(`/api/v1/customers/${c.id}`, { class: 'B', phones: ['13600000001', '13600000002'] },
    { 'If-Match': '"1"' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.version, 2);
  assert.deepEqual(res.body.phones, ['+8613600000001', '+8613600000002']);
  const taken = await admin.patch(`/api/v1/customers/${c.id}`, { phones: ['13912345678'] });
  assertProblem(taken, 409, 'conflict');
  assert.equal(taken.body.existing_id, lina.id);
  assert.equal((await admin.get(`/api/v1/customers/${c.id}`)).body.version, 2, 'nothing written');
  assertProblem(await admin.get('/api/v1/customers/999999'), 404, 'not_found');
});

test('POST /product-models: the contract shape with its warranty policy', async () => {
  const res = await admin.post('/api/v1/product-models', {
    brand: '美的', category: '空调', model: 'KFR-35GW', warranty_months: 12, complexity: '1.20',
  });
  assert.equal(res.status, 201, res.text);
  model = res.body;
  assert.equal(model.complexity, '1.20');
  assert.equal(model.warranty_months, 12);
  assert.equal(model.refund_days, 7);
  assert.equal(model.exchange_days, 15);
  assert.equal(model.repairs_before_exchange, 2);
  const dup = await admin.post('/api/v1/product-models', { brand: '美的', category: '空调', model: 'KFR-35GW' });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.existing_id, model.id);
  assertFieldError(await admin.post('/api/v1/product-models',
    { brand: '美的', category: '空调', model: 'X1', complexity: '1,2' }), 'complexity');
  assertFieldError(await admin.post('/api/v1/product-models',
    { brand: '美的', category: '空调', model: 'X1', refund_days: 20, exchange_days: 10 }), 'exchange_days');
  assertFieldError(await admin.post('/api/v1/product-models',
    { brand: '美的', category: '空调', model: 'X1', warranty_months: -1 }), 'warranty_months');
  const list = await admin.get(`/api/v1/product-models?q=${encodeURIComponent('KFR')}`);
  assert.deepEqual(list.body.items.map((m) => m.id), [model.id]);
  const patched = await admin.patch(`/api/v1/product-models/${model.id}`, { complexity: '1.5' }, { 'If-Match': '"1"' });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.complexity, '1.50');
});

test('standard labour operations: code, name, standard hours; per model or for all', async () => {
  const all = await admin.post('/api/v1/labour-operations', { code: 'AC-CLEAN', name: '空调清洗', standard_hours: '1.5' });
  assert.equal(all.status, 201, all.text);
  assert.equal(all.body.standard_hours, '1.50');
  assert.equal(all.body.model_id, null);
  const own = await admin.post('/api/v1/labour-operations',
    { code: 'KFR-COMP', name: '更换压缩机', standard_hours: '3.25', model_id: model.id, category: '制冷系统' });
  assert.equal(own.status, 201, own.text);
  const dup = await admin.post('/api/v1/labour-operations', { code: 'AC-CLEAN', name: 'x', standard_hours: '1' });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.existing_id, all.body.id);
  assertFieldError(await admin.post('/api/v1/labour-operations', { code: 'X', name: 'x', standard_hours: '-1' }), 'standard_hours');
  assertFieldError(await admin.post('/api/v1/labour-operations', { code: 'X', name: 'x', standard_hours: '0' }), 'standard_hours');
  assertFieldError(await admin.post('/api/v1/labour-operations', { code: 'X', name: 'x', standard_hours: '1.5', model_id: 999999 }), 'model_id');
  const list = await admin.get(`/api/v1/labour-operations?model_id=${model.id}`);
  assert.deepEqual(list.body.items.map((x) => x.code).sort(), ['AC-CLEAN', 'KFR-COMP']);
  const p = await admin.patch(`/api/v1/labour-operations/${own.body.id}`, { standard_hours: '3.5' }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.standard_hours, '3.50');
  assertProblem(await admin.patch(`/api/v1/labour-operations/${own.body.id}`, { name: 'y' }, { 'If-Match': '"1"' }), 412, 'precondition_failed');
});

test('POST /assets: the contract shape; warranty end from the model', async () => {
  const res = await admin.post('/api/v1/assets',
    { customer_id: lina.id, model_id: model.id, serial: 'SN-2025-0001', purchase_date: '2025-11-01' });
  assert.equal(res.status, 201, res.text);
  asset = res.body;
  assert.equal(asset.customer_id, lina.id);
  assert.equal(asset.model_id, model.id);
  assert.equal(asset.purchase_date, '2025-11-01');
  assert.equal(asset.warranty_end, '2026-11-01');
  assert.equal(asset.model.brand, '美的');
  const dup = await admin.post('/api/v1/assets',
    { customer_id: lina.id, model_id: model.id, serial: 'SN-2025-0001', purchase_date: '2025-11-01' });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.existing_id, asset.id);
  const mine = await admin.get(`/api/v1/assets?customer_id=${lina.id}`);
  assert.deepEqual(mine.body.items.map((a) => a.id), [asset.id]);
  const bySerial = await admin.get('/api/v1/customers?serial=SN-2025-0001');
  assert.deepEqual(bySerial.body.items.map((c) => c.id), [lina.id]);
});

test('asset bad input: unknown model, impossible dates, override without reason', async () => {
  const base = { customer_id: lina.id, model_id: model.id, serial: 'SN-BAD' };
  assertFieldError(await admin.post('/api/v1/assets', { ...base, model_id: 999999 }), 'model_id');
  assertFieldError(await admin.post('/api/v1/assets', { ...base, customer_id: 999999 }), 'customer_id');
  assertFieldError(await admin.post('/api/v1/assets', { ...base, purchase_date: '2025-02-30' }), 'purchase_date');
  assertFieldError(await admin.post('/api/v1/assets', { ...base, purchase_date: '2999-01-01' }), 'purchase_date');
  assertFieldError(await admin.post('/api/v1/assets',
    { ...base, purchase_date: '2025-05-01', install_date: '2025-04-30' }), 'install_date');
  assertFieldError(await admin.post('/api/v1/assets',
    { ...base, purchase_date: '2025-05-01', warranty_end: '2028-05-01' }), 'warranty_end_reason');
  const over = await admin.post('/api/v1/assets', {
    ...base, purchase_date: '2025-05-01', install_date: '2025-05-03', warranty_end: '2028-05-01',
    warranty_end_reason: '延保卡 EXT-3Y',
  });
  assert.equal(over.status, 201, over.text);
  assert.equal(over.body.warranty_end, '2028-05-01');
  assert.equal(over.body.warranty_end_overridden, true);
});

test('GET /assets/{id}/warranty: the contract shape and each rule', async () => {
  const w = (q, h = {}) => admin.get(`/api/v1/assets/${asset.id}/warranty?${q}`, undefined, h);
  let res = await w('date=2025-11-08&fault=performance');
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body).filter((k) => ['in_warranty', 'entitlements', 'rule', 'explanation'].includes(k)).sort(),
    ['entitlements', 'explanation', 'in_warranty', 'rule']);
  assert.equal(res.body.in_warranty, true);
  assert.deepEqual(res.body.entitlements, ['refund', 'exchange', 'repair']);
  assert.match(res.body.explanation, /退货/);
  res = await w('date=2025-11-09&fault=performance');
  assert.deepEqual(res.body.entitlements, ['exchange', 'repair']);
  res = await w('date=2025-11-17&fault=performance');
  assert.deepEqual(res.body.entitlements, ['repair']);
  res = await w('date=2026-11-01&fault=performance');
  assert.equal(res.body.in_warranty, true, 'the last day of the period');
  res = await w('date=2026-11-02&fault=performance');
  assert.equal(res.body.in_warranty, false);
  assert.deepEqual(res.body.entitlements, []);
  assert.equal(res.body.rule, 'period.expired');
  res = await w('date=2025-11-03&fault=liquid');
  assert.equal(res.body.in_warranty, false);
  assert.equal(res.body.rule, 'exclusion.liquid');
  assert.match(res.body.explanation, /进液/);
  res = await w('date=2025-11-03&fault=misuse', { 'Accept-Language': 'en-US' });
  assert.match(res.body.explanation, /misuse/);
  assertFieldError(await w('date=2025-10-31&fault=performance'), 'date', 'failure before purchase');
  assertFieldError(await w('date=2025-13-01'), 'date');
  assertFieldError(await w('date=2025-11-05&fault=ghosts'), 'fault');
  assertProblem(await admin.get('/api/v1/assets/999999/warranty?date=2025-11-05'), 404, 'not_found');
});

test('mileage readings: decreasing refused unless an odometer change with a reason', async () => {
  const path = `/api/v1/assets/${asset.id}/readings`;
  assert.equal((await admin.post(path, { date: '2025-12-01', km: 5000 })).status, 201);
  assertFieldError(await admin.post(path, { date: '2025-12-02', km: 4000 }), 'km');
  assertFieldError(await admin.post(path, { date: '2025-12-02', km: -1 }), 'km');
  assertFieldError(await admin.post(path, { date: '2025-12-02', km: 4000, odometer_change: true }), 'reason');
  assertFieldError(await admin.post(path, { date: '2025-10-02', km: 6000 }), 'date', 'before purchase');
  const ok = await admin.post(path, { date: '2025-12-02', km: 10, odometer_change: true, reason: '更换仪表' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.odometer_change, true);
  const list = await admin.get(path);
  assert.deepEqual(list.body.items.map((r) => r.km), [5000, 10]);
});

test('asset transfer to another customer keeps the history', async () => {
  const buyer = (await admin.post('/api/v1/customers', { name: '二手买家', phones: ['13500000001'] })).body;
  const a = (await admin.post('/api/v1/assets',
    { customer_id: lina.id, model_id: model.id, serial: 'SN-MOVE', purchase_date: '2025-06-01' })).body;
  assertProblem(await admin.post(`/api/v1/assets/${a.id}/transfer`, { to_customer_id: buyer.id }, { 'If-Match': '"7"' }),
    412, 'precondition_failed');
  assertFieldError(await admin.post(`/api/v1/assets/${a.id}/transfer`, { to_customer_id: 999999 }), 'to_customer_id');
  const res = await admin.post(`/api/v1/assets/${a.id}/transfer`, { to_customer_id: buyer.id, reason: '转卖' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.customer_id, buyer.id);
  const hist = await admin.get(`/api/v1/assets/${a.id}/transfers`);
  assert.equal(hist.body.items.length, 1);
  assert.equal(hist.body.items[0].from_customer_id, lina.id);
  assert.equal(hist.body.items[0].to_customer_id, buyer.id);
  assert.equal(hist.body.items[0].reason, '转卖');
});

test('duplicates: a serial of the model → 409 with the asset; a plate of an active asset → 409 duplicate_plate unless confirmed', async () => {
  const owner = (await admin.post('/api/v1/customers', { name: '车主甲', phones: ['13500000011'] })).body;
  const other = (await admin.post('/api/v1/customers', { name: '车主乙', phones: ['13500000012'] })).body;
  const car = { model_id: model.id, purchase_date: '2025-03-01' };
  const plate = '粤A9D001';
  const byPlate = async () => (await admin.get(`/api/v1/assets?plate=${encodeURIComponent(plate)}`)).body.items.map((a) => a.id);
  const first = (await admin.post('/api/v1/assets', { ...car, customer_id: owner.id, serial: 'LVDUP000000000001', plate })).body;
  assert.equal(first.plate, plate);

  // the serial (VIN) names one product of its model: on create and on change
  const again = await admin.post('/api/v1/assets', { ...car, customer_id: other.id, serial: 'LVDUP000000000001' });
  assertProblem(again, 409, 'conflict');
  assert.equal(again.body.existing_id, first.id);
  assert.equal(again.body.field, 'serial');
  const second = (await admin.post('/api/v1/assets', { ...car, customer_id: other.id, serial: 'LVDUP000000000002' })).body;
  const renamed = await admin.patch(`/api/v1/assets/${second.id}`, { serial: 'LVDUP000000000001' }, { 'If-Match': '"1"' });
  assertProblem(renamed, 409, 'conflict');
  assert.equal(renamed.body.existing_id, first.id);

  // a plate another active asset has: the asset and its owner, nothing written
  const dup = await admin.post('/api/v1/assets', { ...car, customer_id: other.id, serial: 'LVDUP000000000003', plate });
  assertProblem(dup, 409, 'duplicate_plate');
  assert.equal(dup.body.field, 'plate');
  assert.equal(dup.body.existing_id, first.id);
  assert.equal(dup.body.existing_customer_id, owner.id);
  assert.equal(dup.body.existing_customer_name, '车主甲');
  assert.deepEqual(await byPlate(), [first.id]);
  assertProblem(await admin.patch(`/api/v1/assets/${second.id}`, { plate }, { 'If-Match': '"1"' }), 409, 'duplicate_plate');
  assertFieldError(await admin.post('/api/v1/assets',
    { ...car, customer_id: other.id, serial: 'LVDUP000000000003', plate, confirm_duplicate: 'yes' }), 'confirm_duplicate');

  // confirmed: saved; later edits that keep the plate do not ask again
  const sure = await admin.post('/api/v1/assets',
    { ...car, customer_id: other.id, serial: 'LVDUP000000000003', plate, confirm_duplicate: true });
  assert.equal(sure.status, 201, sure.text);
  assert.equal(sure.body.plate, plate);
  assert.equal(sure.body.confirm_duplicate, undefined, 'not stored');
  const edit = await admin.patch(`/api/v1/assets/${sure.body.id}`, { invoice_no: 'FP-0001' }, { 'If-Match': '"1"' });
  assert.equal(edit.status, 200, edit.text);

  // sold and scrapped vehicles free the plate for the next one; bringing one back asks again
  assert.equal((await admin.patch(`/api/v1/assets/${first.id}`, { status: 'sold' }, { 'If-Match': '"1"' })).status, 200);
  assert.equal((await admin.patch(`/api/v1/assets/${sure.body.id}`, { status: 'scrapped' }, { 'If-Match': '"2"' })).status, 200);
  const next = await admin.post('/api/v1/assets', { ...car, customer_id: owner.id, serial: 'LVDUP000000000004', plate });
  assert.equal(next.status, 201, next.text);
  const back = await admin.patch(`/api/v1/assets/${first.id}`, { status: 'active' }, { 'If-Match': '"2"' });
  assertProblem(back, 409, 'duplicate_plate');
  assert.equal(back.body.existing_id, next.body.id);
  assert.deepEqual((await byPlate()).sort((a, b) => a - b), [first.id, sure.body.id, next.body.id]);
});

test('merge keeps every linked record: phones, addresses, assets, work orders; atomic refusal leaves both', async () => {
  const keep = (await admin.post('/api/v1/customers', {
    name: '陈静', phones: ['13300000001'], class: 'C', addresses: [{ text: '深圳市南山区1号' }],
  })).body;
  const dup = (await admin.post('/api/v1/customers', {
    name: '陈静(旧)', phones: ['13300000002'], class: 'A', addresses: [{ text: '深圳市福田区2号' }],
  })).body;
  const a = (await admin.post('/api/v1/assets',
    { customer_id: dup.id, model_id: model.id, serial: 'SN-MERGE', purchase_date: '2025-06-01' })).body;
  const wo = (await admin.post('/api/v1/work-orders', smallestOrder({ customer: undefined, customer_id: dup.id }))).body;
  assert.equal(wo.customer_id, dup.id);
  assertFieldError(await admin.post(`/api/v1/customers/${keep.id}/merge`, { from_id: keep.id }), 'from_id');
  assertFieldError(await admin.post(`/api/v1/customers/${keep.id}/merge`, { from_id: 999999 }), 'from_id');
  assertProblem(await admin.post(`/api/v1/customers/${keep.id}/merge`, { from_id: dup.id }, { 'If-Match': '"5"' }),
    412, 'precondition_failed');
  assert.equal((await admin.get(`/api/v1/customers/${dup.id}`)).body.merged_into, null, 'refused merge wrote nothing');
  const res = await admin.post(`/api/v1/customers/${keep.id}/merge`, { from_id: dup.id });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.phones.sort(), ['+8613300000001', '+8613300000002']);
  assert.equal(res.body.addresses.length, 2);
  assert.equal(res.body.class, 'A', 'the better class is kept');
  assert.equal((await admin.get(`/api/v1/assets/${a.id}`)).body.customer_id, keep.id);
  assert.equal((await admin.get(`/api/v1/work-orders/${wo.id}`)).body.customer_id, keep.id);
  const gone = await admin.get(`/api/v1/customers/${dup.id}`);
  assert.equal(gone.body.merged_into, keep.id);
  const list = await admin.get('/api/v1/customers?phone=3300000002');
  assert.deepEqual(list.body.items.map((c) => c.id), [keep.id], 'the merged-away customer is not listed');
  // A work order by the old phone now finds the kept customer.
  const wo2 = await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '陈静', phone: '13300000002' } }));
  assert.equal(wo2.body.customer_id, keep.id);
  assertProblem(await admin.post(`/api/v1/customers/${dup.id}/merge`, { from_id: keep.id }), 409, 'conflict');
  const tl = await admin.get(`/api/v1/customers/${keep.id}/timeline`);
  assert.equal(tl.status, 200);
  assert.ok(tl.body.items.some((e) => e.event === 'merge'), tl.text);
  assert.ok(tl.body.items.some((e) => e.entity === 'work_order'), tl.text);
});

test('two opposite merges at once: exactly one wins, the other is refused', async () => {
  for (let round = 0; round < 5; round++) {
    const a = (await admin.post('/api/v1/customers', { name: `对合并A${round}`, phones: [`13100000${round}01`] })).body;
    const b = (await admin.post('/api/v1/customers', { name: `对合并B${round}`, phones: [`13100000${round}02`] })).body;
    const [x, y] = await Promise.all([
      admin.post(`/api/v1/customers/${a.id}/merge`, { from_id: b.id }),
      admin.post(`/api/v1/customers/${b.id}/merge`, { from_id: a.id }),
    ]);
    const codes = [x.status, y.status].sort();
    assert.deepEqual(codes, [200, 409], `${x.text} | ${y.text}`);
    const ga = (await admin.get(`/api/v1/customers/${a.id}`)).body;
    const gb = (await admin.get(`/api/v1/customers/${b.id}`)).body;
    assert.ok((ga.merged_into === null) !== (gb.merged_into === null), 'exactly one was merged away');
    const kept = ga.merged_into === null ? ga : gb;
    assert.equal(kept.phones.length, 2);
  }
});

test('electronic warranty registration: creates the asset, a serial once (409)', async () => {
  const body = { serial: 'REG-0001', model_id: model.id, customer_id: lina.id, purchase_date: '2025-11-20', channel: 'web' };
  const res = await admin.post('/api/v1/warranty-registrations', body);
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.serial, 'REG-0001');
  assert.equal(res.body.asset.registered, true);
  assert.equal(res.body.asset.customer_id, lina.id);
  const again = await admin.post('/api/v1/warranty-registrations', body);
  assertProblem(again, 409, 'conflict');
  assert.equal(again.body.existing_id, res.body.id);
  assert.match(again.body.detail, /already registered/);
  // An existing asset gets registered rather than duplicated.
  const reg2 = await admin.post('/api/v1/warranty-registrations',
    { serial: 'SN-2025-0001', model_id: model.id, customer_id: lina.id, purchase_date: '2025-11-01' });
  assert.equal(reg2.status, 201, reg2.text);
  assert.equal(reg2.body.asset_id, asset.id);
  assertFieldError(await admin.post('/api/v1/warranty-registrations', { ...body, serial: 'REG-2', model_id: 999999 }),
    'model_id');
  assertFieldError(await admin.post('/api/v1/warranty-registrations', { ...body, serial: 'REG-3', purchase_date: 'today' }),
    'purchase_date');
  const list = await admin.get('/api/v1/warranty-registrations');
  assert.equal(list.body.items.length, 2);
});

test('permissions: a technician reads the archive but cannot write; a customer sees only itself', async () => {
  const root = admin.session.user.org_id;
  assert.equal((await admin.post('/api/v1/users', {
    login: 'tech1', name: '技师', password: 'password123', org_id: root, roles: ['technician'],
  })).status, 201);
  const tech = api(srv.url, (await login(srv.url, 'tech1', 'password123')).token);
  assert.equal((await tech.get(`/api/v1/customers/${lina.id}`)).status, 200);
  assertProblem(await tech.post('/api/v1/customers', { name: 'x', phones: ['13100000009'] }), 403, 'forbidden');
  assertProblem(await tech.post('/api/v1/product-models', { brand: 'a', category: 'b', model: 'c' }), 403, 'forbidden');
  assert.equal((await admin.post('/api/v1/users', {
    login: 'lina', name: '李娜', password: 'password123', org_id: root, roles: ['customer'], customer_id: lina.id,
  })).status, 201);
  const me = api(srv.url, (await login(srv.url, 'lina', 'password123')).token);
  const list = await me.get('/api/v1/customers');
  assert.deepEqual(list.body.items.map((c) => c.id), [lina.id]);
  assertProblem(await me.get(`/api/v1/customers/${lina.id + 1}`), 404, 'not_found');
  const assets = await me.get('/api/v1/assets');
  assert.ok(assets.body.items.every((a) => a.customer_id === lina.id));
  assert.equal((await me.get(`/api/v1/assets/${asset.id}/warranty?date=2025-11-20`)).status, 200);
  // A customer registers their own purchase (三包电子注册) — for themselves only.
  const reg = await me.post('/api/v1/warranty-registrations',
    { serial: 'SELF-REG-1', model_id: model.id, purchase_date: '2025-11-21', channel: 'web', customer_id: lina.id + 1 });
  assert.equal(reg.status, 201, reg.text);
  assert.equal(reg.body.customer_id, lina.id);
  assert.equal(reg.body.asset.customer_id, lina.id);
  assertProblem(await tech.post('/api/v1/warranty-registrations',
    { serial: 'TECH-REG', model_id: model.id, customer_id: lina.id, purchase_date: '2025-11-21' }), 403, 'forbidden');
  assertProblem(await me.post('/api/v1/customers', { name: 'x', phones: ['13100000008'] }), 403, 'forbidden');
});

test('customer care facts: churn by the 3-6-9 rule, next contact by the ABC plan, churn filter', async () => {
  const c = (await admin.post('/api/v1/customers', { name: '关怀客户', phones: ['13400000001'], class: 'A' })).body;
  assert.equal(c.churn, 'active');
  assert.equal(c.last_visit_at, null);
  const today = new Date(Date.now() + 8 * 3600e3);
  const week = new Date(today.getTime() + 7 * 86400e3).toISOString().slice(0, 10);
  assert.equal(c.next_contact, week, 'class A: contacted weekly');
  const wo = await admin.post('/api/v1/work-orders', smallestOrder({ customer: undefined, customer_id: c.id }));
  assert.equal(wo.status, 201);
  const again = (await admin.get(`/api/v1/customers/${c.id}`)).body;
  assert.equal(again.last_visit_at, wo.body.created_at);
  const active = await admin.get('/api/v1/customers?churn=active&limit=500');
  assert.ok(active.body.items.some((x) => x.id === c.id));
  for (const churn of ['at_risk', 'nearly_lost', 'lost']) {
    const res = await admin.get(`/api/v1/customers?churn=${churn}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(!res.body.items.some((x) => x.id === c.id), churn);
  }
  assertFieldError(await admin.get('/api/v1/customers?churn=gone'), 'churn');
});

test('Idempotency-Key on POST /customers replays the first answer', async () => {
  const h = { 'Idempotency-Key': 'cust-create-1' };
  const a = await admin.post('/api/v1/customers', { name: '幂等', phones: ['13200000001'] }, h);
  const b = await admin.post('/api/v1/customers', { name: '幂等', phones: ['13200000001'] }, h);
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.equal(b.body.id, a.body.id);
});

test('every route called here is documented', async () => {
  assert.deepEqual(await undocumentedCalls(srv.url), []);
});
