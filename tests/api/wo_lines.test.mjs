// wo_lines.test.mjs — issue 4 items 4-6: estimate and actual lines priced on the wire (hours ×
// rate × the model's coefficient, qty × unit price), the pay type defaulted from the 三包
// decision, every bad input refused per field, additional items and the customer's consent,
// approval of the estimate and the "call me above X" limit, frozen lines of a settled order,
// 412 on a stale If-Match, the car reception sheet feeding the asset's mileage readings, and
// signatures (an empty pad refused).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, assertProblem, assertFieldError, undocumentedCalls,
} from './lib.mjs';
import { png, dataUrl, SIGNED, BLANK } from './png_lib.mjs';

let srv;
let admin;
after(async () => { await srv?.stop(); });

const SPECK = dataUrl(png(300, 100, (x, y) => x === 10 && y < 5)); // 5 pixels: still empty

// --- fixtures --------------------------------------------------------------------------------
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const daysAgo = (n) => new Date(Date.now() + 8 * 3600e3 - n * 86400e3).toISOString().slice(0, 10);

let model;
let cust;
let newCar; // in warranty
let oldCar; // out of warranty
let tech;
let labourOp;
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  model = (await admin.post('/api/v1/product-models', {
    brand: '丰田', category: '轿车', model: `卡罗拉 1.2T ${Date.now()}`, warranty_months: 36, complexity: '1.15', warranty_km: 100000,
  })).body;
  assert.ok(model.id, JSON.stringify(model));
  cust = (await admin.post('/api/v1/customers', { name: '陈志强', phones: ['13926011234'] })).body;
  newCar = (await admin.post('/api/v1/assets', {
    customer_id: cust.id, model_id: model.id, serial: 'LVGBE40K5NG000001', plate: '粤A·12345', purchase_date: daysAgo(200),
  })).body;
  oldCar = (await admin.post('/api/v1/assets', {
    customer_id: cust.id, model_id: model.id, serial: 'LVGBE40K5NG000002', plate: '粤A·67890', purchase_date: daysAgo(5 * 366),
  })).body;
  assert.ok(newCar.id && oldCar.id);
  tech = (await admin.post('/api/v1/users', {
    login: 'tech_lines', name: '李师傅', password: 'password123', org_id: admin.session.user.org_id, roles: ['technician'],
  })).body;
  labourOp = (await admin.post('/api/v1/labour-operations', { code: 'BRK-PAD-F', name: '更换前刹车片', standard_hours: '1.50' })).body;
  assert.ok(labourOp.id, JSON.stringify(labourOp));
});

async function order(over = {}) {
  const res = await admin.post('/api/v1/work-orders', {
    // the customer by phone (found, not created again)
    type: 'repair', channel: 'walk_in', customer: { name: '陈志强', phone: '13926011234' }, fault_description: '刹车异响', asset_id: newCar.id, ...over,
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.customer_id, cust.id);
  return res.body;
}
const version = async (id) => (await admin.get(`/api/v1/work-orders/${id}`)).body.version;
const addLine = async (id, body, client = admin) =>
  client.post(`/api/v1/work-orders/${id}/lines`, body, { 'If-Match': `"${await version(id)}"` });
async function ev(id, event, body = {}) {
  const res = await admin.post(`/api/v1/work-orders/${id}/${event}`, body, { 'If-Match': `"${await version(id)}"` });
  assert.equal(res.status, 200, `${event}: ${res.text}`);
  return res.body;
}
async function toService(id) {
  await ev(id, 'accept');
  await ev(id, 'dispatch', { assignee_id: tech.id });
  await ev(id, 'take');
  await ev(id, 'arrive');
}

// --- pricing ---------------------------------------------------------------------------------

test('labour on the wire: 1.5 h × ¥85.00 × model 1.15 = 14663 fen (rounded once, half up)', async () => {
  const o = await order();
  const res = await addLine(o.id, { stage: 'estimate', kind: 'labour', code: 'BRK-01', name: '检查制动系统', hours: '1.5', rate_fen: 8500 });
  assert.equal(res.status, 201, res.text);
  const l = res.body.line;
  assert.equal(l.amount_fen, 14663);
  assert.equal(l.hours, '1.50');
  assert.equal(l.hours_x100, 150);
  assert.equal(l.rate_fen, 8500);
  assert.equal(l.coefficient, '1.15');
  assert.equal(l.coefficient_milli, 1150);
  assert.equal(l.stage, 'estimate');
  assert.equal(l.additional, false);
  assert.equal(res.body.version, o.version + 1, 'the order version moves with its lines');
  assert.equal(res.headers.get('etag'), `"${o.version + 1}"`);
  // hours as a JSON number work too
  const n = await addLine(o.id, { stage: 'estimate', kind: 'labour', name: '路试', hours: 0.5, rate_fen: 8500 });
  assert.equal(n.status, 201, n.text);
  assert.equal(n.body.line.amount_fen, 4888, '0.5 × 85 × 1.15 = 48.875 → 48.88');
});

test('labour from a standard operation and the tenant labour rate; parts and fees qty × price', async () => {
  const s = await admin.patch('/api/v1/settings', { labour_rate_fen: 8500 });
  assert.equal(s.status, 200, s.text);
  const o = await order();
  const res = await addLine(o.id, { stage: 'estimate', kind: 'labour', operation_id: labourOp.id });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.line.code, 'BRK-PAD-F');
  assert.equal(res.body.line.name, '更换前刹车片');
  assert.equal(res.body.line.rate_fen, 8500, 'rate from the tenant setting labour_rate_fen');
  assert.equal(res.body.line.amount_fen, 14663);
  const part = await addLine(o.id, { stage: 'estimate', kind: 'part', code: '04465-02220', name: '前刹车片', qty: '2', unit_price_fen: 38000 });
  assert.equal(part.status, 201, part.text);
  assert.equal(part.body.line.amount_fen, 76000);
  assert.equal(part.body.line.qty, '2');
  assert.equal(part.body.line.stock, null, 'no parts catalogue yet');
  const oil = await addLine(o.id, { stage: 'estimate', kind: 'part', name: '机油 5W-30', qty: 4.5, unit_price_fen: 6833 });
  assert.equal(oil.body.line.amount_fen, 30749, '4.5 × 68.33 = 307.485 → 307.49');
  const fee = await addLine(o.id, { stage: 'estimate', kind: 'fee', name: '上门费', unit_price_fen: 5000 });
  assert.equal(fee.status, 201, fee.text);
  assert.equal(fee.body.line.qty, '1', 'a fee defaults to one');
  const lines = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  assert.equal(lines.estimate.length, 4);
  assert.equal(lines.actual.length, 0);
  const t = lines.totals.estimate;
  assert.equal(t.labour_fen, 14663);
  assert.equal(t.parts_fen, 106749);
  assert.equal(t.fees_fen, 5000);
  assert.equal(t.total_fen, 14663 + 106749 + 5000);
  assert.equal(t.warranty_fen + t.customer_fen + t.claim_fen + t.insurance_fen, t.total_fen);
  assert.equal(lines.labour_rate_fen, 8500);
  assert.equal(lines.coefficient, '1.15');
  await admin.patch('/api/v1/settings', { labour_rate_fen: null });
  const d = await addLine(o.id, { stage: 'estimate', kind: 'labour', name: '洗车', hours: '1' });
  assert.equal(d.body.line.rate_fen, 12000, 'the default rate is ¥120.00');
  assert.equal(d.body.line.amount_fen, 13800);
});

test('pay type defaults from the warranty decision, with its rule; an explicit pay type wins', async () => {
  const inw = await order();
  const a = await addLine(inw.id, { stage: 'estimate', kind: 'part', name: '刹车片', unit_price_fen: 1000 });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.body.line.pay_type, 'warranty');
  assert.equal(a.body.warranty.in_warranty, true);
  assert.match(a.body.warranty.rule, /^sanbao\./);
  assert.ok(a.body.warranty.explanation_zh.length > 0);
  const out = await order({ asset_id: oldCar.id });
  const b = await addLine(out.id, { stage: 'estimate', kind: 'part', name: '刹车片', unit_price_fen: 1000 });
  assert.equal(b.body.line.pay_type, 'self_pay');
  assert.equal(b.body.warranty.in_warranty, false);
  assert.equal(b.body.warranty.rule, 'period.expired');
  const none = await order({ asset_id: undefined });
  const c = await addLine(none.id, { stage: 'estimate', kind: 'fee', name: '检测费', unit_price_fen: 5000 });
  assert.equal(c.body.line.pay_type, 'self_pay');
  assert.equal(c.body.warranty.rule, 'no_asset');
  const given = await addLine(inw.id, { stage: 'estimate', kind: 'part', name: '雨刮', unit_price_fen: 8000, pay_type: 'self_pay' });
  assert.equal(given.body.line.pay_type, 'self_pay');
  const view = (await admin.get(`/api/v1/work-orders/${inw.id}/lines`)).body;
  assert.equal(view.warranty.pay_type, 'warranty', 'GET lines says the default and why');
  assert.equal(view.totals.estimate.warranty_fen, 1000);
  assert.equal(view.totals.estimate.customer_fen, 8000);
});

test('bad lines are refused per field, nothing written', async () => {
  const o = await order();
  const v0 = o.version;
  const bad = [
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: 0, unit_price_fen: 100 }, 'qty'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: -1, unit_price_fen: 100 }, 'qty'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: '-2', unit_price_fen: 100 }, 'qty'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: '0.000', unit_price_fen: 100 }, 'qty'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: 'two', unit_price_fen: 100 }, 'qty'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: '1.0005', unit_price_fen: 100 }, 'qty'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: 1e9, unit_price_fen: 100 }, 'qty'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: 1, unit_price_fen: -100 }, 'unit_price_fen'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: 1, unit_price_fen: 1e13 }, 'unit_price_fen'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: 1, unit_price_fen: 1.5 }, 'unit_price_fen'],
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: 1 }, 'unit_price_fen'],
    [{ stage: 'estimate', kind: 'part', qty: 1, unit_price_fen: 100 }, 'name'],
    [{ stage: 'estimate', kind: 'part', name: '', qty: 1, unit_price_fen: 100 }, 'name'],
    [{ stage: 'estimate', kind: 'labour', name: 'x', hours: 0, rate_fen: 100 }, 'hours'],
    [{ stage: 'estimate', kind: 'labour', name: 'x', hours: '-1.5', rate_fen: 100 }, 'hours'],
    [{ stage: 'estimate', kind: 'labour', name: 'x', hours: '1000', rate_fen: 100 }, 'hours'],
    [{ stage: 'estimate', kind: 'labour', name: 'x', hours: '1.5', rate_fen: -1 }, 'rate_fen'],
    [{ stage: 'estimate', kind: 'labour', name: 'x' }, 'hours'],
    [{ stage: 'estimate', kind: 'labour', hours: '1' }, 'name'],
    [{ stage: 'estimate', kind: 'labour', name: 'x', hours: '1', qty: 2 }, 'qty'],
    [{ stage: 'estimate', kind: 'labour', operation_id: 999999 }, 'operation_id'],
    [{ stage: 'estimate', kind: 'fee', name: 'x', unit_price_fen: 100, hours: '1' }, 'hours'],
    [{ stage: 'plan', kind: 'part', name: 'x', unit_price_fen: 1 }, 'stage'],
    [{ stage: 'estimate', kind: 'gift', name: 'x', unit_price_fen: 1 }, 'kind'],
    [{ stage: 'estimate', kind: 'part', name: 'x', unit_price_fen: 1, pay_type: 'free' }, 'pay_type'],
    [{ stage: 'estimate', kind: 'part', name: 'x', unit_price_fen: 1, discount: 5 }, 'discount'],
    [{ stage: 'estimate', kind: 'part', name: 'x'.repeat(101), unit_price_fen: 1 }, 'name'],
    [{ stage: 'estimate', kind: 'part', name: 'x', unit_price_fen: 1, estimate_line_id: 999999 }, 'estimate_line_id'],
    // the largest line: 99,999.999 × ¥10,000,000 is above ¥100,000,000.00
    [{ stage: 'estimate', kind: 'part', name: 'x', qty: '99999.999', unit_price_fen: 1000000000 }, 'qty'],
  ];
  for (const [body, field] of bad) {
    const res = await addLine(o.id, body);
    assertFieldError(res, field, JSON.stringify(body));
  }
  const notJson = await admin.post(`/api/v1/work-orders/${o.id}/lines`, '[1,2]');
  assertProblem(notJson, 400, 'validation_failed');
  assert.equal(await version(o.id), v0, 'nothing written');
  assert.equal((await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body.estimate.length, 0);
  // unknown order / line → 404
  assertProblem(await admin.post('/api/v1/work-orders/999999/lines', { stage: 'estimate', kind: 'fee', name: 'x', unit_price_fen: 1 }), 404, 'not_found');
  assertProblem(await admin.patch(`/api/v1/work-orders/${o.id}/lines/999999`, { name: 'y' }), 404, 'not_found');
});

test('412 on a stale If-Match with the fresh order; nothing of the first writer is lost', async () => {
  const o = await order();
  const first = await addLine(o.id, { stage: 'estimate', kind: 'fee', name: '检测费', unit_price_fen: 5000 });
  assert.equal(first.status, 201);
  const stale = await admin.post(`/api/v1/work-orders/${o.id}/lines`, { stage: 'estimate', kind: 'fee', name: '拖车费', unit_price_fen: 20000 },
    { 'If-Match': `"${o.version}"` });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current_version, first.body.version);
  assert.equal(stale.body.current.id, o.id, 'the fresh copy of the order');
  assert.equal(stale.body.current.version, first.body.version);
  const l = first.body.line.id;
  assertProblem(await admin.patch(`/api/v1/work-orders/${o.id}/lines/${l}`, { unit_price_fen: 6000 }, { 'If-Match': `"${o.version}"` }), 412);
  assertProblem(await admin.del(`/api/v1/work-orders/${o.id}/lines/${l}`, undefined, { 'If-Match': `"${o.version}"` }), 412);
  const view = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  assert.equal(view.estimate.length, 1);
  assert.equal(view.estimate[0].amount_fen, 5000);
  // the right version works: change, then remove (204 with the new version as ETag)
  const ch = await admin.patch(`/api/v1/work-orders/${o.id}/lines/${l}`, { unit_price_fen: 6000, qty: '2' }, { 'If-Match': `"${view.version}"` });
  assert.equal(ch.status, 200, ch.text);
  assert.equal(ch.body.line.amount_fen, 12000);
  const del = await admin.del(`/api/v1/work-orders/${o.id}/lines/${l}`, undefined, { 'If-Match': `"${ch.body.version}"` });
  assert.equal(del.status, 204, del.text);
  assert.equal(del.headers.get('etag'), `"${ch.body.version + 1}"`);
  // two advisors add a line at the same moment with the same version: one wins, the other gets 412
  const v = await version(o.id);
  const race = await Promise.all(['刹车油', '雨刮片'].map((name) => admin.post(`/api/v1/work-orders/${o.id}/lines`,
    { stage: 'estimate', kind: 'part', name, unit_price_fen: 9000 }, { 'If-Match': `"${v}"` })));
  assert.deepEqual(race.map((r) => r.status).sort(), [201, 412], race.map((r) => r.text).join('\n'));
  assert.equal((await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body.estimate.length, 1, 'exactly the winner\'s line');
  const tl = (await admin.get(`/api/v1/work-orders/${o.id}/timeline`)).body.items.map((e) => e.event);
  for (const e of ['line_add', 'line_change', 'line_remove']) assert.ok(tl.includes(e), `timeline has ${e}: ${tl}`);
  const change = (await admin.get(`/api/v1/work-orders/${o.id}/timeline`)).body.items.find((e) => e.event === 'line_change');
  assert.equal(change.data.before.amount_fen, 5000);
  assert.equal(change.data.after.amount_fen, 12000);
});

test('an additional item found during work needs consent before done and before complete', async () => {
  const o = await order({ asset_id: oldCar.id });
  const est = await addLine(o.id, { stage: 'estimate', kind: 'labour', name: '更换刹车片', hours: '1', rate_fen: 10000 });
  assert.equal(est.status, 201);
  await toService(o.id);
  const copy = await admin.post(`/api/v1/work-orders/${o.id}/lines/copy-estimate`, {}, { 'If-Match': `"${await version(o.id)}"` });
  assert.equal(copy.status, 200, copy.text);
  assert.equal(copy.body.copied, 1);
  assert.equal(copy.body.items[0].estimate_line_id, est.body.line.id);
  assert.equal(copy.body.items[0].additional, false, 'carrying out the estimate is no additional item');
  const again = await admin.post(`/api/v1/work-orders/${o.id}/lines/copy-estimate`, undefined, { 'If-Match': `"${await version(o.id)}"` });
  assert.equal(again.body.copied, 0, 'copied once only');
  // found during work: the brake disc too
  const add = await addLine(o.id, { stage: 'actual', kind: 'part', name: '前刹车盘', qty: 2, unit_price_fen: 45000 });
  assert.equal(add.status, 201, add.text);
  assert.equal(add.body.line.additional, true);
  assert.equal(add.body.line.consent_at, null);
  const lid = add.body.line.id;
  let view = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  assert.equal(view.consents_pending, 1);
  // not done, not completed without consent
  const done = await admin.post(`/api/v1/work-orders/${o.id}/lines/${lid}/done`, {}, { 'If-Match': `"${view.version}"` });
  assertProblem(done, 409, 'conflict');
  const cmp = await admin.post(`/api/v1/work-orders/${o.id}/complete`, {}, { 'If-Match': `"${view.version}"` });
  assertProblem(cmp, 409, 'invalid_transition');
  assert.equal(cmp.body.guard, 'consent_pending');
  // bad consents
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/lines/${lid}/consent`, { by_name: '陈志强', channel: 'fax' }), 'channel');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/lines/${lid}/consent`, { channel: 'phone' }), 'by_name');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/lines/${lid}/consent`, { by_name: '陈志强', channel: 'signature' }), 'signature');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/lines/${lid}/consent`, { by_name: '陈志强', channel: 'signature', signature: BLANK },
    { 'If-Match': `"${view.version}"` }), 'signature');
  const notAdd = await admin.post(`/api/v1/work-orders/${o.id}/lines/${copy.body.items[0].id}/consent`, { by_name: '陈志强', channel: 'phone' });
  assertProblem(notAdd, 409, 'conflict');
  // consent by phone
  const ok = await admin.post(`/api/v1/work-orders/${o.id}/lines/${lid}/consent`, { by_name: '陈志强', channel: 'phone' },
    { 'If-Match': `"${view.version}"`, 'Idempotency-Key': `consent-${lid}` });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.line.consent_by, '陈志强');
  assert.equal(ok.body.line.consent_channel, 'phone');
  assert.ok(ok.body.line.consent_at);
  const replay = await admin.post(`/api/v1/work-orders/${o.id}/lines/${lid}/consent`, { by_name: '陈志强', channel: 'phone' },
    { 'If-Match': `"${view.version}"`, 'Idempotency-Key': `consent-${lid}` });
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  view = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  assert.equal(view.consents_pending, 0);
  // raising the agreed price asks again
  const raise = await admin.patch(`/api/v1/work-orders/${o.id}/lines/${lid}`, { unit_price_fen: 52000 }, { 'If-Match': `"${view.version}"` });
  assert.equal(raise.status, 200, raise.text);
  assert.equal(raise.body.line.consent_at, null, 'a raised additional item needs consent again');
  const ok2 = await admin.post(`/api/v1/work-orders/${o.id}/lines/${lid}/consent`, { by_name: '陈志强', channel: 'signature', signature: SIGNED },
    { 'If-Match': `"${raise.body.version}"` });
  assert.equal(ok2.status, 200, ok2.text);
  assert.equal(ok2.body.line.consent_channel, 'signature');
  // every actual line done, then complete
  view = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  let v = view.version;
  for (const l of view.actual) {
    const d = await admin.post(`/api/v1/work-orders/${o.id}/lines/${l.id}/done`, undefined, { 'If-Match': `"${v}"` });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.body.line.done, true);
    v = d.body.version;
  }
  const estDone = await admin.post(`/api/v1/work-orders/${o.id}/lines/${est.body.line.id}/done`, {}, { 'If-Match': `"${v}"` });
  assertProblem(estDone, 409, 'conflict');
  const c2 = await admin.post(`/api/v1/work-orders/${o.id}/complete`, {}, { 'If-Match': `"${v}"` });
  assert.equal(c2.status, 200, c2.text);
  const tl = (await admin.get(`/api/v1/work-orders/${o.id}/timeline`)).body.items;
  const consent = tl.find((e) => e.event === 'consent');
  assert.ok(consent, 'consent on the timeline');
  assert.equal(consent.data.by_name, '陈志强');
  assert.equal(consent.data.channel, 'phone');
});

test('approval limit: above it the order may not complete until the customer approves', async () => {
  const o = await order({ asset_id: oldCar.id });
  const promised = new Date(Date.now() + 2 * 86400e3).toISOString();
  const bad = [
    [{ approval_limit_fen: -1 }, 'approval_limit_fen'],
    [{ approval_limit_fen: 'lots' }, 'approval_limit_fen'],
    [{ promised_at: 'tomorrow' }, 'promised_at'],
    [{ promised_at: '2099-01-01T00:00:00Z' }, 'promised_at'],
    [{}, 'promised_at'],
  ];
  for (const [body, field] of bad) assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/estimate`, body), field, JSON.stringify(body));
  const est = await admin.post(`/api/v1/work-orders/${o.id}/estimate`, { promised_at: promised, approval_limit_fen: 50000 },
    { 'If-Match': `"${o.version}"` });
  assert.equal(est.status, 200, est.text);
  assert.equal(est.body.approval_limit_fen, 50000);
  assert.equal(Date.parse(est.body.promised_at), Date.parse(promised));
  await addLine(o.id, { stage: 'estimate', kind: 'labour', name: '更换离合器', hours: '4', rate_fen: 10000 }); // 46000
  let view = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  assert.equal(view.payable_fen, 46000);
  assert.equal(view.approval_needed, false, 'below the limit');
  await addLine(o.id, { stage: 'estimate', kind: 'part', name: '离合器片', unit_price_fen: 80000 });
  view = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  assert.equal(view.payable_fen, 126000);
  assert.equal(view.approval_needed, true, 'above the limit and not approved');
  // the customer signs the estimate on the pad
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'estimate', by_name: '陈志强', channel: 'signature' }), 'signature');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'estimate', by_name: '陈志强', channel: 'signature', signature: SPECK }), 'signature');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'estimate', channel: 'phone' }), 'by_name');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'everything', by_name: 'x', channel: 'phone' }), 'kind');
  const ap = await admin.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'estimate', by_name: '陈志强', channel: 'signature', signature: SIGNED },
    { 'If-Match': `"${view.version}"` });
  assert.equal(ap.status, 201, ap.text);
  assert.equal(ap.body.approved_total_fen, 126000);
  assert.equal(ap.body.approval.kind, 'estimate');
  assert.ok(ap.body.approval.signature_id);
  view = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  assert.equal(view.approval_needed, false);
  assert.equal(view.approved_total_fen, 126000);
  // during work the actual lines grow above what was approved → a new approval is needed
  await toService(o.id);
  let v = await version(o.id);
  const cp = await admin.post(`/api/v1/work-orders/${o.id}/lines/copy-estimate`, {}, { 'If-Match': `"${v}"` });
  assert.equal(cp.body.copied, 2);
  const extra = await addLine(o.id, { stage: 'actual', kind: 'part', name: '分离轴承', unit_price_fen: 30000 });
  assert.equal(extra.body.line.additional, true);
  v = extra.body.version;
  await admin.post(`/api/v1/work-orders/${o.id}/lines/${extra.body.line.id}/consent`, { by_name: '陈志强', channel: 'phone' }, { 'If-Match': `"${v}"` });
  view = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  assert.equal(view.payable_fen, 156000);
  assert.equal(view.approval_needed, true, '156000 > limit 50000 and > approved 126000');
  for (const l of view.actual) {
    const d = await admin.post(`/api/v1/work-orders/${o.id}/lines/${l.id}/done`, {}, { 'If-Match': `"${await version(o.id)}"` });
    assert.equal(d.status, 200, d.text);
  }
  const cmp = await admin.post(`/api/v1/work-orders/${o.id}/complete`, {}, { 'If-Match': `"${await version(o.id)}"` });
  assertProblem(cmp, 409, 'invalid_transition');
  assert.equal(cmp.body.guard, 'approval_needed');
  const ap2 = await admin.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'estimate', by_name: '陈志强', channel: 'phone' },
    { 'If-Match': `"${await version(o.id)}"` });
  assert.equal(ap2.status, 201, ap2.text);
  assert.equal(ap2.body.approved_total_fen, 156000);
  const cmp2 = await admin.post(`/api/v1/work-orders/${o.id}/complete`, {}, { 'If-Match': `"${await version(o.id)}"` });
  assert.equal(cmp2.status, 200, cmp2.text);
  const list = (await admin.get(`/api/v1/work-orders/${o.id}/approvals`)).body.items;
  assert.equal(list.length, 3, 'two estimate approvals and one consent');
  const signed = list.find((x) => x.channel === 'signature');
  assert.match(signed.signature, /^data:image\/png;base64,/);
  // the printable 任务委托书
  const doc = await admin.get(`/api/v1/work-orders/${o.id}/estimate`);
  assert.equal(doc.status, 200, doc.text);
  assert.ok(doc.body.company_name, 'company name (setting or the tenant name)');
  assert.ok(doc.body.terms && doc.body.terms.length > 10, 'terms');
  assert.equal(doc.body.order.number, o.number);
  assert.equal(doc.body.asset.plate, '粤A·67890');
  assert.equal(doc.body.lines.estimate.length, 2);
  assert.equal(doc.body.lines.totals.estimate.labour_fen, 46000);
  assert.match(doc.body.approval_signature || '', /^data:image\/png;base64,/);
  assert.equal(doc.body.approval_signed_by, '陈志强');
  const tl = (await admin.get(`/api/v1/work-orders/${o.id}/timeline`)).body.items.map((e) => e.event);
  assert.ok(tl.includes('approval') && tl.includes('estimate'), `timeline: ${tl}`);
});

test('the customer approves their own estimate online from the portal, nobody else\'s', async () => {
  const o = await order({ asset_id: oldCar.id });
  await addLine(o.id, { stage: 'estimate', kind: 'part', name: '空调滤芯', unit_price_fen: 12000 });
  const u = await admin.post('/api/v1/users', {
    login: 'portal_chen', name: '陈志强', password: 'password123', org_id: admin.session.user.org_id, roles: ['customer'], customer_id: cust.id,
  });
  assert.equal(u.status, 201, u.text);
  const s = await login(srv.url, 'portal_chen', 'password123');
  const me = api(srv.url, s.token);
  const view = await me.get(`/api/v1/work-orders/${o.id}/lines`);
  assert.equal(view.status, 200, 'the customer sees their own lines');
  assertFieldError(await me.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'additional' }), 'kind');
  assertFieldError(await me.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'estimate', channel: 'phone' }), 'channel');
  const ap = await me.post(`/api/v1/work-orders/${o.id}/approvals`, { kind: 'estimate', by_name: '别人' });
  assert.equal(ap.status, 201, ap.text);
  assert.equal(ap.body.approval.channel, 'online');
  assert.equal(ap.body.approval.by_name, '陈志强', 'under their own name');
  assert.equal(ap.body.approved_total_fen, 12000);
  // not a line of their own to write, and not someone else's order
  assertProblem(await me.post(`/api/v1/work-orders/${o.id}/lines`, { stage: 'estimate', kind: 'fee', name: 'x', unit_price_fen: 1 }), 403, 'forbidden');
  const other = await admin.post('/api/v1/work-orders', { type: 'repair', customer: { name: '王芳', phone: '13711112222' }, fault_description: 'x' });
  await addLine(other.body.id, { stage: 'estimate', kind: 'fee', name: '检测费', unit_price_fen: 5000 });
  assertProblem(await me.post(`/api/v1/work-orders/${other.body.id}/approvals`, { kind: 'estimate' }), 404, 'not_found');
  assertProblem(await me.get(`/api/v1/work-orders/${other.body.id}/lines`), 404, 'not_found');
  // nothing to approve on an order without lines
  const empty = await admin.post('/api/v1/work-orders', { type: 'repair', customer: { name: '陈志强', phone: '13926011234' }, fault_description: 'y' });
  assertProblem(await me.post(`/api/v1/work-orders/${empty.body.id}/approvals`, { kind: 'estimate' }), 409, 'conflict');
});

test('a settled order refuses line changes: corrections go through a credit note', async () => {
  const o = await order({ asset_id: oldCar.id });
  await toService(o.id);
  const l = await addLine(o.id, { stage: 'actual', kind: 'labour', name: '四轮定位', hours: '1', rate_fen: 10000 });
  assert.equal(l.status, 201, l.text);
  assert.equal(l.body.line.additional, true, 'self-pay, found during work');
  await admin.post(`/api/v1/work-orders/${o.id}/lines/${l.body.line.id}/consent`, { by_name: '陈志强', channel: 'in_person' }, { 'If-Match': `"${l.body.version}"` });
  await admin.post(`/api/v1/work-orders/${o.id}/lines/${l.body.line.id}/done`, {}, { 'If-Match': `"${await version(o.id)}"` });
  await ev(o.id, 'complete');
  await ev(o.id, 'qc-pass', { checklist: [{ key: 'lines', label: '项目完成', checked: true }] });
  const bill = await admin.post(`/api/v1/work-orders/${o.id}/bill`, {}, { 'If-Match': `"${await version(o.id)}"` });
  assert.equal(bill.status, 201, bill.text);
  const bal = bill.body.total_fen - bill.body.paid_fen + bill.body.refunded_fen;
  if (bal > 0) {
    const pay = await admin.post(`/api/v1/bills/${bill.body.id}/payments`, { method: 'cash', amount_fen: bal });
    assert.equal(pay.status, 201, pay.text);
  }
  await ev(o.id, 'settle');
  const v = await version(o.id);
  const add = await admin.post(`/api/v1/work-orders/${o.id}/lines`, { stage: 'actual', kind: 'fee', name: '洗车', unit_price_fen: 3000 }, { 'If-Match': `"${v}"` });
  assertProblem(add, 409, 'conflict');
  assert.match(add.body.detail, /credit note/);
  assertProblem(await admin.patch(`/api/v1/work-orders/${o.id}/lines/${l.body.line.id}`, { hours: '2' }, { 'If-Match': `"${v}"` }), 409, 'conflict');
  assertProblem(await admin.del(`/api/v1/work-orders/${o.id}/lines/${l.body.line.id}`, undefined, { 'If-Match': `"${v}"` }), 409, 'conflict');
  assertProblem(await admin.post(`/api/v1/work-orders/${o.id}/lines/copy-estimate`, {}, { 'If-Match': `"${v}"` }), 409, 'conflict');
  assertProblem(await admin.put(`/api/v1/work-orders/${o.id}/reception`, { fuel: 10 }, { 'If-Match': `"${v}"` }), 409, 'conflict');
  assert.equal(await version(o.id), v, 'nothing written');
  // a cancelled order likewise
  const c = await order();
  await ev(c.id, 'cancel', { reason: '客户取消' });
  const ca = await addLine(c.id, { stage: 'estimate', kind: 'fee', name: 'x', unit_price_fen: 1 });
  assertProblem(ca, 409, 'conflict');
});

test('car reception: the sheet, mileage feeding the asset readings, a lower mileage refused, signature', async () => {
  const o = await order();
  const sheet = {
    damages: [
      { area: 'front_left', kind: 'scratch', note: '左前翼子板划痕 5cm', x: 22.5, y: 30 },
      { area: 'rear', kind: 'dent', x: 80, y: 50 },
    ],
    fuel: 50, mileage: 23456, valuables_reminded: true, valuables_note: '行车记录仪', old_parts: 'keep', wash: true, payment_method: 'wechat',
  };
  const empty = await admin.get(`/api/v1/work-orders/${o.id}/reception`);
  assert.equal(empty.status, 200, empty.text);
  assert.equal(empty.body.reception, null);
  const put = await admin.put(`/api/v1/work-orders/${o.id}/reception`, sheet, { 'If-Match': `"${o.version}"` });
  assert.equal(put.status, 200, put.text);
  const r = put.body.reception;
  assert.equal(r.fuel, 50);
  assert.equal(r.mileage, 23456);
  assert.equal(r.damages.length, 2);
  assert.equal(r.damages[0].area, 'front_left');
  assert.equal(r.old_parts, 'keep');
  assert.equal(r.payment_method, 'wechat');
  assert.equal(r.signed_at, null);
  const readings = (await admin.get(`/api/v1/assets/${newCar.id}/readings`)).body.items;
  assert.equal(readings.at(-1).km, 23456, 'the mileage became a reading of the asset');
  assert.equal(readings.at(-1).date, today());
  assert.equal((await admin.get(`/api/v1/work-orders/${o.id}`)).body.mileage, 23456);
  // saving the same sheet again adds no second reading
  const again = await admin.put(`/api/v1/work-orders/${o.id}/reception`, sheet, { 'If-Match': `"${put.body.version}"` });
  assert.equal(again.status, 200, again.text);
  assert.equal((await admin.get(`/api/v1/assets/${newCar.id}/readings`)).body.items.length, readings.length);
  // a lower mileage is refused unless it is an odometer change with a reason
  const lower = await admin.put(`/api/v1/work-orders/${o.id}/reception`, { ...sheet, mileage: 20000 }, { 'If-Match': `"${again.body.version}"` });
  assertFieldError(lower, 'mileage');
  assertFieldError(await admin.put(`/api/v1/work-orders/${o.id}/reception`, { ...sheet, mileage: 20000, odometer_change: true }), 'odometer_reason');
  // bad sheets
  const bad = [
    [{ fuel: 150 }, 'fuel'], [{ fuel: -1 }, 'fuel'], [{ mileage: -5 }, 'mileage'],
    [{ damages: [{ area: 'nose', kind: 'scratch' }] }, 'damages[0].area'],
    [{ damages: [{ area: 'front', kind: 'scratch', x: 120, y: 5 }] }, 'damages[0].x'],
    [{ damages: [{ area: 'front', kind: 'burnt' }] }, 'damages[0].kind'],
    [{ damages: ['scratch'] }, 'damages[0]'],
    [{ damages: Array.from({ length: 61 }, () => ({ area: 'front', kind: 'dent' })) }, 'damages'],
    [{ old_parts: 'sell' }, 'old_parts'], [{ payment_method: 'bitcoin' }, 'payment_method'], [{ wash: 'yes' }, 'wash'],
    [{ colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of bad) {
    assertFieldError(await admin.put(`/api/v1/work-orders/${o.id}/reception`, body, { 'If-Match': `"${again.body.version}"` }), field, JSON.stringify(body));
  }
  const odo = await admin.put(`/api/v1/work-orders/${o.id}/reception`, { ...sheet, mileage: 120, odometer_change: true, odometer_reason: '更换仪表' },
    { 'If-Match': `"${again.body.version}"` });
  assert.equal(odo.status, 200, odo.text);
  const last = (await admin.get(`/api/v1/assets/${newCar.id}/readings`)).body.items.at(-1);
  assert.equal(last.km, 120);
  assert.equal(last.odometer_change, true);
  // signing: an empty pad, a non-PNG and broken base64 are refused
  const sv = odo.body.version;
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/reception/sign`, { by_name: '陈志强', signature: BLANK }, { 'If-Match': `"${sv}"` }), 'signature');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/reception/sign`, { by_name: '陈志强', signature: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ' }), 'signature');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/reception/sign`, { by_name: '陈志强', signature: 'data:image/png;base64,!!!notbase64' }), 'signature');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/reception/sign`, { by_name: '陈志强', signature: dataUrl(Buffer.from('GIF89a not a png at all, really not')) }), 'signature');
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/reception/sign`, { signature: SIGNED }), 'by_name');
  const sign = await admin.post(`/api/v1/work-orders/${o.id}/reception/sign`, { by_name: '陈志强', signature: SIGNED }, { 'If-Match': `"${sv}"` });
  assert.equal(sign.status, 200, sign.text);
  assert.ok(sign.body.reception.signed_at);
  assert.equal(sign.body.reception.signed_by, '陈志强');
  assert.match(sign.body.reception.signature, /^data:image\/png;base64,/);
  // a sheet changed after signing must be signed again
  const changed = await admin.put(`/api/v1/work-orders/${o.id}/reception`, { ...sheet, mileage: 120, fuel: 25 }, { 'If-Match': `"${sign.body.version}"` });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.reception.signed_at, null);
  assert.equal(changed.body.reception.signature, null);
  const tl = (await admin.get(`/api/v1/work-orders/${o.id}/timeline`)).body.items.map((e) => e.event);
  assert.ok(tl.includes('reception') && tl.includes('reception_sign'), `timeline: ${tl}`);
  // no sheet yet → signing is refused
  const o2 = await order();
  assertProblem(await admin.post(`/api/v1/work-orders/${o2.id}/reception/sign`, { by_name: '陈志强', signature: SIGNED }), 409, 'conflict');
});

test('every route called is documented', async () => {
  assert.deepEqual(await undocumentedCalls(srv.url), []);
});
