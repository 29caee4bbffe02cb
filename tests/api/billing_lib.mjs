// billing_lib.mjs — helpers of the settlement tests (billing.test.mjs, wo_kill.test.mjs): a
// technician, and an order brought through the flow to completed or qc_passed with actual lines
// (labour, a part under 三包 warranty, a call-out fee) that are done.
import assert from 'node:assert/strict';
import { smallestOrder } from './lib.mjs';

let techSeq = 0;

/** A technician user (created once per client). → id */
export async function technician(admin) {
  if (admin._techId) return admin._techId;
  const me = (await admin.get('/api/v1/session')).body;
  const orgId = me.user ? me.user.org_id : 1;
  const login = `billtech${process.pid}${++techSeq}`;
  const res = await admin.post('/api/v1/users', { login, name: '结算测试技师', password: 'demo12345', org_id: orgId, roles: ['technician'] });
  assert.equal(res.status, 201, res.text);
  admin._techId = res.body.id;
  return res.body.id;
}

/** The lines most tests use: labour 1.5 h × ¥85.00 = ¥127.50 (coefficient 1), a compressor
 * under warranty ¥500.00, a call-out fee ¥30.00 → the customer pays ¥157.50. */
export const STD_LINES = [
  { stage: 'actual', kind: 'labour', name: '更换压缩机工时', hours: '1.5', rate_fen: 8500, pay_type: 'self_pay' },
  { stage: 'actual', kind: 'part', code: 'YS-001', name: '压缩机', qty: '1', unit_price_fen: 50000, pay_type: 'warranty' },
  { stage: 'actual', kind: 'fee', name: '上门费', qty: '1', unit_price_fen: 3000, pay_type: 'self_pay' },
];

async function ev(c, id, event, body = {}) {
  const r = await c.post(`/api/v1/work-orders/${id}/${event}`, body);
  assert.equal(r.status, 200, `${event}: ${r.status} ${r.text}`);
  return r.body;
}

/**
 * Create an order and take it to `to` (completed | qc_passed) with `lines` as its actual lines,
 * all done. over: fields of the create. → the order as it is then.
 */
export async function orderAt(admin, { to = 'qc_passed', lines = STD_LINES, over = {} } = {}) {
  const tech = await technician(admin);
  const cr = await admin.post('/api/v1/work-orders', smallestOrder(over));
  assert.equal(cr.status, 201, cr.text);
  const id = cr.body.id;
  await ev(admin, id, 'accept');
  const ids = [];
  for (const l of lines) {
    const r = await admin.post(`/api/v1/work-orders/${id}/lines`, l);
    assert.equal(r.status, 201, `line: ${r.text}`);
    ids.push(r.body.line.id);
  }
  await ev(admin, id, 'dispatch', { assignee_id: tech });
  await ev(admin, id, 'take');
  await ev(admin, id, 'arrive');
  for (const lid of ids) {
    const r = await admin.post(`/api/v1/work-orders/${id}/lines/${lid}/done`, { done: true });
    assert.ok(r.status === 200 || r.status === 201, `done: ${r.text}`);
  }
  let o = await ev(admin, id, 'complete');
  if (to === 'qc_passed') o = await ev(admin, id, 'qc-pass', {});
  return o;
}

/** Build the bill of an order. → the bill */
export async function buildBill(c, orderId) {
  const r = await c.post(`/api/v1/work-orders/${orderId}/bill`, {});
  assert.equal(r.status, 201, `bill: ${r.text}`);
  return r.body;
}
