// wo_full.test.mjs — the end of the flow through the API: a bill paid in two payments, settle,
// close with delivery, follow-up, reopen within the period as rework; settlement refused while
// unpaid or while the lines changed after the bill.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, assertProblem, assertFieldError } from './lib.mjs';
import { orderAt, buildBill } from './billing_lib.mjs';

let srv;
let admin;
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
});
after(async () => { await srv?.stop(); });

const ev = (o, event, body = {}) => admin.post(`/api/v1/work-orders/${o.id}/${event}`, body);

test('settle needs the bill paid; close, follow-up, reopen as rework; every step on the timeline', async () => {
  let o = await orderAt(admin, { to: 'qc_passed' });
  const bill = await buildBill(admin, o.id);
  assert.equal(bill.total_fen, 15750);
  let s = await ev(o, 'settle');
  assertProblem(s, 409, 'invalid_transition');
  assert.equal(s.body.guard, 'not_paid');
  assert.equal((await admin.post(`/api/v1/bills/${bill.id}/payments`, { method: 'wechat', amount_fen: 10000 })).status, 201);
  s = await ev(o, 'settle');
  assert.equal(s.body.guard, 'not_paid', 'half paid is not paid');
  assert.equal((await admin.post(`/api/v1/bills/${bill.id}/payments`, { method: 'cash', amount_fen: 5750 })).status, 201);
  s = await ev(o, 'settle');
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.status, 'settled');
  o = s.body;
  const d = await admin.post(`/api/v1/work-orders/${o.id}/delivery`, { explanation: '已更换压缩机，试机正常', old_parts_returned: true });
  assert.ok([200, 201].includes(d.status), d.text);
  o = (await admin.get(`/api/v1/work-orders/${o.id}`)).body;
  assert.equal(o.status, 'closed');
  assert.ok(o.closed_at);
  const f = await ev(o, 'follow-up');
  assert.equal(f.status, 200, f.text);
  assert.equal(f.body.status, 'followed_up');
  assertFieldError(await ev(f.body, 'reopen'), 'reason');
  const r = await ev(f.body, 'reopen', { reason: '三天后又不制冷' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'accepted');
  assert.equal(r.body.rework_count, 1);
  assert.equal(r.body.closed_at, null);
  const tl = (await admin.get(`/api/v1/work-orders/${o.id}/timeline`)).body.items.map((e) => e.event);
  for (const e of ['create', 'accept', 'dispatch', 'take', 'arrive', 'complete', 'qc-pass', 'bill', 'payment', 'settle', 'delivery', 'close', 'follow-up', 'reopen'])
    assert.ok(tl.includes(e), `timeline has ${e}: ${tl.join(' ')}`);
  assert.equal(tl.filter((e) => e === 'payment').length, 2);
});

test('settle is refused when the lines changed after the bill was made', async () => {
  const o = await orderAt(admin, { to: 'qc_passed' });
  const bill = await buildBill(admin, o.id);
  assert.equal((await admin.post(`/api/v1/bills/${bill.id}/payments`, { method: 'card', amount_fen: bill.total_fen })).status, 201);
  const lines = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body;
  const fee = lines.actual.find((l) => l.kind === 'fee');
  const ch = await admin.patch(`/api/v1/work-orders/${o.id}/lines/${fee.id}`, { unit_price_fen: 5000 });
  assert.equal(ch.status, 200, ch.text);
  const s = await ev(o, 'settle');
  assertProblem(s, 409, 'invalid_transition');
  assert.equal(s.body.guard, 'bill_outdated');
});

test('reopen after the period is refused', async () => {
  const set = await admin.patch('/api/v1/settings', { reopen_days: 0 });
  assert.equal(set.status, 200, set.text);
  let o = await orderAt(admin, { to: 'qc_passed', lines: [] });
  const bill = await buildBill(admin, o.id);
  assert.equal(bill.total_fen, 0);
  o = (await ev(o, 'settle')).body;
  assert.equal(o.status, 'settled');
  o = (await ev(o, 'close')).body;
  assert.equal(o.status, 'closed');
  await new Promise((r) => setTimeout(r, 20));
  const r = await ev(o, 'reopen', { reason: '又坏了' });
  assertProblem(r, 409, 'invalid_transition');
  assert.equal(r.body.guard, 'reopen_expired');
  assert.equal((await admin.patch('/api/v1/settings', { reopen_days: 30 })).status, 200);
});
