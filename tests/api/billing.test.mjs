// billing.test.mjs — settlement and delivery (issue 4 item 9, "bad input and nothing lost"):
// the bill from the actual lines (numbers, warranty lines at zero, labour/parts split), discounts
// within the role's limit, payments and refunds (never more than the balance / than was paid),
// credit notes for a settled order whose lines are frozen, delivery closing a settled order, the
// customer's confirmation and rating, and who may do what. Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, api, login, assertProblem, assertFieldError, smallestOrder, undocumentedCalls } from './lib.mjs';
import { orderAt, buildBill, STD_LINES } from './billing_lib.mjs';

let srv;
let admin;
const users = {};

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  const me = (await admin.get('/api/v1/session')).body.user;
  for (const role of ['advisor', 'cashier', 'manager', 'technician', 'agent']) {
    const r = await admin.post('/api/v1/users', { login: `bill_${role}`, name: `结算${role}`, password: 'demo12345', org_id: me.org_id, roles: [role] });
    assert.equal(r.status, 201, r.text);
    users[role] = api(srv.url, (await login(srv.url, `bill_${role}`, 'demo12345')).token);
  }
});
after(async () => {
  await srv?.stop();
});

const ORDER_PATH = (id) => `/api/v1/work-orders/${id}`;
const timeline = async (c, id) => (await c.get(`${ORDER_PATH(id)}/timeline`)).body.items;

test('the bill is built from the actual lines: numbers, labour/parts split, warranty lines at zero', async () => {
  const o = await orderAt(admin);
  const res = await users.cashier.post(`${ORDER_PATH(o.id)}/bill`, {}, { 'If-Match': `"${o.version}"` });
  assert.equal(res.status, 201, res.text);
  const b = res.body;
  assert.match(b.number, /^BL\d{8}-\d{5}$/);
  assert.equal(res.headers.get('location'), `/api/v1/bills/${b.id}`);
  assert.equal(b.kind, 'bill');
  assert.equal(b.state, 'open');
  // DOMAIN §3: labour 1.5 h × ¥85.00 × 1.000 = ¥127.50; the compressor is 三包: ¥0 to the customer
  assert.equal(b.labour_fen, 12750);
  assert.equal(b.parts_fen, 0);
  assert.equal(b.fees_fen, 3000);
  assert.equal(b.warranty_fen, 50000, 'warranty lines summed for the manufacturer claim');
  assert.equal(b.claim_fen, 0);
  assert.equal(b.insurance_fen, 0);
  assert.equal(b.total_fen, 15750);
  assert.equal(b.balance_fen, 15750);
  assert.equal(b.lines.length, 3);
  const part = b.lines.find((l) => l.kind === 'part');
  assert.equal(part.pay_type, 'warranty');
  assert.equal(part.amount_fen, 50000);
  assert.equal(part.customer_fen, 0);
  assert.deepEqual(b.payments, []);

  // numbers count up per tenant and day
  const o2 = await orderAt(admin, { to: 'completed' });
  const b2 = await buildBill(users.cashier, o2.id);
  const [d1, n1] = b.number.slice(2).split('-');
  const [d2, n2] = b2.number.slice(2).split('-');
  assert.equal(d2, d1);
  assert.equal(Number(n2), Number(n1) + 1);

  // the bill on the order's timeline, public (the customer sees it), and the order's version moved on
  const ev = (await timeline(admin, o.id)).find((e) => e.event === 'bill');
  assert.ok(ev, 'bill event on the timeline');
  assert.equal(ev.data.number, b.number);
  const now = (await admin.get(ORDER_PATH(o.id))).body;
  assert.ok(now.version > o.version);

  // GET one bill (with the order, asset and company for the receipt) and the order's bills
  const one = await users.cashier.get(`/api/v1/bills/${b.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.headers.get('etag'), `"${one.body.version}"`);
  assert.equal(one.body.order.number, o.number);
  assert.equal(one.body.order.customer.name, '张伟');
  assert.equal(typeof one.body.company_name, 'string');
  assert.ok(one.body.company_name.length > 0);
  const list = await users.cashier.get(`${ORDER_PATH(o.id)}/bills`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((x) => x.number), [b.number]);
});

test('claim and insurance lines are at zero to the customer and summed apart', async () => {
  const o = await orderAt(admin, {
    lines: [
      { stage: 'actual', kind: 'part', name: '前保险杠', qty: '1', unit_price_fen: 120000, pay_type: 'insurance' },
      { stage: 'actual', kind: 'labour', name: '索赔工时', hours: '2', rate_fen: 10000, pay_type: 'claim' },
      { stage: 'actual', kind: 'part', name: '机油滤清器', qty: '2', unit_price_fen: 3550, pay_type: 'self_pay' },
    ],
  });
  const b = await buildBill(admin, o.id);
  assert.equal(b.insurance_fen, 120000);
  assert.equal(b.claim_fen, 20000);
  assert.equal(b.parts_fen, 7100);
  assert.equal(b.labour_fen, 0);
  assert.equal(b.total_fen, 7100);
});

test('building needs a completed order, honours If-Match and replaces an unpaid bill; a paid one is frozen', async () => {
  const early = (await admin.post('/api/v1/work-orders', smallestOrder())).body;
  assertProblem(await users.cashier.post(`${ORDER_PATH(early.id)}/bill`, {}), 409, 'conflict', 'a new order has no bill yet');

  const o = await orderAt(admin);
  const stale = await users.cashier.post(`${ORDER_PATH(o.id)}/bill`, {}, { 'If-Match': `"${o.version - 1}"` });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current.id, o.id, 'a fresh copy of the order comes with the 412');
  assert.equal(stale.body.current.version, o.version);
  assertFieldError(await users.cashier.post(`${ORDER_PATH(o.id)}/bill`, { extra: 1 }), 'extra');
  assertProblem(await users.technician.post(`${ORDER_PATH(o.id)}/bill`, {}), 403, 'forbidden', 'a technician does not bill');

  const first = await buildBill(users.cashier, o.id);
  const second = await buildBill(users.cashier, o.id);
  assert.notEqual(second.id, first.id);
  const all = (await admin.get(`${ORDER_PATH(o.id)}/bills`)).body.items;
  assert.deepEqual(all.map((x) => [x.number, x.state]), [[first.number, 'void'], [second.number, 'open']]);

  // Idempotency-Key: the same build twice is one bill
  const k1 = await users.cashier.post(`${ORDER_PATH(o.id)}/bill`, {}, { 'Idempotency-Key': 'bill-idem-1' });
  const k2 = await users.cashier.post(`${ORDER_PATH(o.id)}/bill`, {}, { 'Idempotency-Key': 'bill-idem-1' });
  assert.equal(k1.status, 201, k1.text);
  assert.equal(k2.status, 201);
  assert.equal(k2.body.id, k1.body.id);
  assert.equal(k2.headers.get('idempotent-replayed'), 'true');

  const pay = await users.cashier.post(`/api/v1/bills/${k1.body.id}/payments`, { method: 'cash', amount_fen: 100 });
  assert.equal(pay.status, 201, pay.text);
  const frozen = await users.cashier.post(`${ORDER_PATH(o.id)}/bill`, {});
  assertProblem(frozen, 409, 'conflict', 'a bill with payments is not rebuilt');
  assert.match(frozen.body.detail, /frozen/);
  // a manager voids it only after the refund
  const bill = (await admin.get(`/api/v1/bills/${k1.body.id}`)).body;
  assertProblem(await users.manager.post(`/api/v1/bills/${bill.id}/void`, { reason: '项目录错' }), 409, 'conflict', 'not refunded yet');
  assertProblem(await users.cashier.post(`/api/v1/bills/${bill.id}/void`, { reason: '项目录错' }), 403, 'forbidden', 'a cashier does not void');
  assert.equal((await users.cashier.post(`/api/v1/bills/${bill.id}/refunds`, { method: 'cash', amount_fen: 100, reason: '作废重开' })).status, 201);
  assertFieldError(await users.manager.post(`/api/v1/bills/${bill.id}/void`, { reason: '  ' }), 'reason');
  const v = await users.manager.post(`/api/v1/bills/${bill.id}/void`, { reason: '项目录错' });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.body.state, 'void');
  assert.equal(v.body.void_reason, '项目录错');
  const again = await buildBill(users.cashier, o.id);
  assert.equal(again.state, 'open');
});

test('lines changed after the bill: payment refused until the bill is built again', async () => {
  const o = await orderAt(admin, { to: 'completed' });
  const b = await buildBill(users.cashier, o.id);
  const fee = (await admin.get(`${ORDER_PATH(o.id)}/lines`)).body.actual.find((l) => l.kind === 'fee');
  const ed = await admin.patch(`${ORDER_PATH(o.id)}/lines/${fee.id}`, { unit_price_fen: 5000 });
  assert.equal(ed.status, 200, ed.text);
  const listed = (await users.cashier.get(`${ORDER_PATH(o.id)}/bills`)).body.items;
  assert.equal(listed[0].lines_changed, true);
  const pay = await users.cashier.post(`/api/v1/bills/${b.id}/payments`, { method: 'cash', amount_fen: 100 });
  assertProblem(pay, 409, 'conflict');
  assert.match(pay.body.detail, /changed/);
  const b2 = await buildBill(users.cashier, o.id);
  assert.equal(b2.fees_fen, 5000);
  assert.equal(b2.total_fen, 12750 + 5000);
  assert.equal((await users.cashier.get(`${ORDER_PATH(o.id)}/bills`)).body.items[1].lines_changed, false);
  assert.equal((await users.cashier.post(`/api/v1/bills/${b2.id}/payments`, { method: 'cash', amount_fen: 100 })).status, 201);
});

test('discounts: a reason, the role limit (tenant setting discount_limits), exact rounding', async () => {
  const o = await orderAt(admin);
  const b = await buildBill(users.advisor, o.id); // customer part ¥157.50
  const p = `/api/v1/bills/${b.id}`;
  assertFieldError(await users.advisor.patch(p, { discount_fen: 500 }), 'discount_reason');
  assertFieldError(await users.advisor.patch(p, { discount_fen: 500, discount_reason: '   ' }), 'discount_reason');
  assertFieldError(await users.advisor.patch(p, { discount_reason: '老客户' }), 'discount_fen');
  assertFieldError(await users.advisor.patch(p, { discount_fen: -1, discount_reason: '老客户' }), 'discount_fen');
  assertFieldError(await users.advisor.patch(p, { discount_pct: 10001, discount_reason: '老客户' }), 'discount_pct');
  assertFieldError(await users.advisor.patch(p, { discount_fen: 1, discount_pct: 1, discount_reason: '老客户' }), 'discount_pct');
  assertFieldError(await users.advisor.patch(p, { discount_fen: 15751, discount_reason: '老客户' }), 'discount_fen');

  // an advisor may give 5 %: 6 % is refused with the limit named, nothing written
  const over = await users.advisor.patch(p, { discount_pct: 600, discount_reason: '老客户' });
  assertProblem(over, 403, 'forbidden');
  assert.match(over.body.detail, /5\.00%/);
  const over2 = await users.advisor.patch(p, { discount_fen: 788, discount_reason: '老客户' }); // 5.003 %
  assertProblem(over2, 403, 'forbidden');
  assert.equal((await admin.get(p)).body.discount_fen, 0);
  // a cashier may give none
  assertProblem(await users.cashier.patch(p, { discount_fen: 1, discount_reason: '抹零' }), 403, 'forbidden');
  assert.equal((await users.cashier.patch(p, { discount_fen: 0, discount_reason: '无优惠' })).status, 200);

  // within the limit: 5 % of ¥157.50 = ¥7.875 → ¥7.88 (half away from zero)
  const cur = (await admin.get(p)).body;
  const ok = await users.advisor.patch(p, { discount_pct: 500, discount_reason: '老客户' }, { 'If-Match': `"${cur.version}"` });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.discount_fen, 788);
  assert.equal(ok.body.total_fen, 15750 - 788);
  assert.equal(ok.body.discount_reason, '老客户');
  assert.equal(ok.headers.get('etag'), `"${ok.body.version}"`);
  const stale = await users.advisor.patch(p, { discount_fen: 100, discount_reason: '老客户' }, { 'If-Match': `"${cur.version}"` });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current.discount_fen, 788, 'the 412 carries the bill as it is');

  // a manager: 20 %; the tenant may change the limits
  assert.equal((await users.manager.patch(p, { discount_pct: 2000, discount_reason: '投诉补偿' })).status, 200);
  assertProblem(await users.manager.patch(p, { discount_pct: 2001, discount_reason: '投诉补偿' }), 403, 'forbidden');
  const set = await admin.patch('/api/v1/settings', { discount_limits: { cashier: 100 } });
  assert.equal(set.status, 200, set.text);
  assert.equal((await users.cashier.patch(p, { discount_fen: 157, discount_reason: '抹零' })).status, 200, 'cashier 1 %');
  assertProblem(await users.cashier.patch(p, { discount_fen: 158, discount_reason: '抹零' }), 403, 'forbidden');
  assert.equal((await admin.patch('/api/v1/settings', { discount_limits: null })).status, 200);

  // the discount on the timeline (internal), audit of before → after
  const ev = (await timeline(admin, o.id)).filter((e) => e.event === 'discount');
  assert.ok(ev.length >= 3);
});

test('payments: several per bill, then paid; more than the balance is refused and nothing written', async () => {
  const o = await orderAt(admin);
  const b = await buildBill(users.cashier, o.id); // ¥157.50
  const p = `/api/v1/bills/${b.id}/payments`;
  assertFieldError(await users.cashier.post(p, { method: 'cash', amount_fen: 0 }), 'amount_fen');
  assertFieldError(await users.cashier.post(p, { method: 'cash', amount_fen: -100 }), 'amount_fen');
  assertFieldError(await users.cashier.post(p, { method: 'bitcoin', amount_fen: 100 }), 'method');
  assertFieldError(await users.cashier.post(p, { method: 'cash', amount_fen: '100' }), 'amount_fen');
  assertFieldError(await users.cashier.post(p, { method: 'cash' }), 'amount_fen');
  assertProblem(await users.technician.post(p, { method: 'cash', amount_fen: 100 }), 403, 'forbidden');

  const one = await users.cashier.post(p, { method: 'wechat', amount_fen: 10000, reference: 'WX4200001' }, { 'Idempotency-Key': 'pay-a' });
  assert.equal(one.status, 201, one.text);
  assert.equal(one.body.paid_fen, 10000);
  assert.equal(one.body.balance_fen, 5750);
  assert.equal(one.body.state, 'open');
  assert.equal(one.body.payment.method, 'wechat');
  assert.equal(one.body.payment.reference, 'WX4200001');
  // the same key again: replayed, not paid twice
  const replay = await users.cashier.post(p, { method: 'wechat', amount_fen: 10000, reference: 'WX4200001' }, { 'Idempotency-Key': 'pay-a' });
  assert.equal(replay.status, 201);
  assert.equal(replay.body.paid_fen, 10000);

  const over = await users.cashier.post(p, { method: 'cash', amount_fen: 5751 });
  assertProblem(over, 409, 'conflict', 'more than the balance');
  assert.equal(over.body.field, 'amount_fen');
  assert.match(over.body.detail, /57\.50/);
  const after = (await admin.get(`/api/v1/bills/${b.id}`)).body;
  assert.equal(after.paid_fen, 10000, 'nothing written');
  assert.equal(after.payments.length, 1);

  const two = await users.cashier.post(p, { method: 'cash', amount_fen: 5750 });
  assert.equal(two.status, 201, two.text);
  assert.equal(two.body.balance_fen, 0);
  assert.equal(two.body.state, 'paid');
  assert.deepEqual(two.body.payments.map((x) => [x.kind, x.method, x.amount_fen]), [['payment', 'wechat', 10000], ['payment', 'cash', 5750]]);
  assertProblem(await users.cashier.post(p, { method: 'cash', amount_fen: 1 }), 409, 'conflict', 'a paid bill takes nothing more');

  // every payment is on the timeline, public, with its id
  const evs = (await timeline(admin, o.id)).filter((e) => e.event === 'payment');
  assert.deepEqual(evs.map((e) => e.data.payment_id).sort(), two.body.payments.map((x) => x.id).sort());
  // the order may settle now
  const st = await users.cashier.post(`${ORDER_PATH(o.id)}/settle`, {});
  assert.equal(st.status, 200, st.text);
  assert.equal(st.body.status, 'settled');
});

test('payments racing for the same balance: exactly enough succeed, the rest are refused', async () => {
  const o = await orderAt(admin);
  const b = await buildBill(users.cashier, o.id); // ¥157.50
  const quarter = b.total_fen / 6; // 2625: six fit exactly, ten are sent at once
  assert.equal(Number.isInteger(quarter), true);
  const res = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    users.cashier.post(`/api/v1/bills/${b.id}/payments`, { method: 'cash', amount_fen: quarter, reference: `race-${i}` })));
  const codes = res.map((r) => r.status).sort();
  assert.deepEqual(codes, [201, 201, 201, 201, 201, 201, 409, 409, 409, 409], res.map((r) => r.text).join('\n'));
  const now = (await admin.get(`/api/v1/bills/${b.id}`)).body;
  assert.equal(now.paid_fen, b.total_fen);
  assert.equal(now.balance_fen, 0);
  assert.equal(now.state, 'paid');
  assert.equal(now.payments.length, 6);
  assert.equal((await timeline(admin, o.id)).filter((e) => e.event === 'payment').length, 6);
});

test('refunds: at most what was paid; the balance opens again; a reason is required', async () => {
  const o = await orderAt(admin);
  const b = await buildBill(users.cashier, o.id);
  const r = `/api/v1/bills/${b.id}/refunds`;
  assertProblem(await users.cashier.post(r, { method: 'cash', amount_fen: 1, reason: '多收' }), 409, 'conflict', 'nothing paid yet');
  await users.cashier.post(`/api/v1/bills/${b.id}/payments`, { method: 'card', amount_fen: 15750 });
  assertFieldError(await users.cashier.post(r, { method: 'cash', amount_fen: 100 }), 'reason');
  assertFieldError(await users.cashier.post(r, { method: 'cash', amount_fen: 100, reason: '' }), 'reason');
  const tooMuch = await users.cashier.post(r, { method: 'card', amount_fen: 15751, reason: '多收' });
  assertProblem(tooMuch, 409, 'conflict');
  assert.equal(tooMuch.body.field, 'amount_fen');
  const ok = await users.cashier.post(r, { method: 'card', amount_fen: 5750, reason: '刷卡多收' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.refunded_fen, 5750);
  assert.equal(ok.body.balance_fen, 5750);
  assert.equal(ok.body.state, 'open');
  assertProblem(await users.cashier.post(r, { method: 'card', amount_fen: 10001, reason: '多收' }), 409, 'conflict', 'only the net paid');
  assert.equal((await users.cashier.post(r, { method: 'card', amount_fen: 10000, reason: '全退' })).status, 201);
  const evs = (await timeline(admin, o.id)).filter((e) => e.event === 'refund');
  assert.equal(evs.length, 2);
  assert.equal(evs[0].data.reason, '刷卡多收');
});

test('a settled order: its lines are frozen (409) and a credit note corrects it', async () => {
  const o = await orderAt(admin);
  const b = await buildBill(users.cashier, o.id);
  await users.cashier.post(`/api/v1/bills/${b.id}/payments`, { method: 'alipay', amount_fen: b.total_fen });
  const settled = (await users.cashier.post(`${ORDER_PATH(o.id)}/settle`, {})).body;
  assert.equal(settled.status, 'settled');

  // the lines engineer's refusal: no edits, additions or removals after settlement (409, nothing changed)
  const lines = (await admin.get(`${ORDER_PATH(o.id)}/lines`)).body.actual;
  const labour = lines.find((l) => l.kind === 'labour');
  const refused = (res, what) => {
    assert.equal(res.status, 409, `${what}: ${res.text}`);
    assert.equal(res.body.code, 'conflict', what);
    assert.match(res.body.detail, /credit note/, what);
  };
  refused(await admin.patch(`${ORDER_PATH(o.id)}/lines/${labour.id}`, { hours: '1' }), 'edit refused');
  refused(await admin.post(`${ORDER_PATH(o.id)}/lines`, STD_LINES[2]), 'add refused');
  refused(await admin.del(`${ORDER_PATH(o.id)}/lines/${labour.id}`), 'delete refused');
  assert.deepEqual((await admin.get(`${ORDER_PATH(o.id)}/lines`)).body.actual.map((l) => [l.id, l.amount_fen]), lines.map((l) => [l.id, l.amount_fen]));
  assertProblem(await users.cashier.post(`${ORDER_PATH(o.id)}/bill`, {}), 409, 'conflict', 'no rebuild');
  assertProblem(await users.manager.post(`/api/v1/bills/${b.id}/void`, { reason: 'x' }), 409, 'conflict', 'no void after settlement');

  // the credit note: bad input first
  const c = `/api/v1/bills/${b.id}/credit-notes`;
  assertFieldError(await users.cashier.post(c, { amount_fen: 1000 }), 'reason');
  assertFieldError(await users.cashier.post(c, { reason: '工时多算' }), 'amount_fen');
  assertFieldError(await users.cashier.post(c, { amount_fen: 0, reason: '工时多算' }), 'amount_fen');
  assertFieldError(await users.cashier.post(c, { amount_fen: 1, lines: [{ name: 'x', amount_fen: 1 }], reason: 'x' }), 'lines');
  assertFieldError(await users.cashier.post(c, { lines: [{ name: '工时', amount_fen: -5 }], reason: 'x' }), 'lines[0].amount_fen');
  assertProblem(await users.cashier.post(c, { amount_fen: b.total_fen + 1, reason: '全部冲销' }), 409, 'conflict', 'more than the bill');

  const cn = await users.cashier.post(c, { lines: [{ name: '更换压缩机工时（多算 0.5 h）', amount_fen: 4250, kind: 'labour', line_id: labour.id }], reason: '工时多算' });
  assert.equal(cn.status, 201, cn.text);
  assert.equal(cn.body.kind, 'credit');
  assert.equal(cn.body.credit_of, b.id);
  assert.match(cn.body.number, /^CN\d{8}-\d{5}$/);
  assert.equal(cn.body.total_fen, -4250);
  assert.equal(cn.body.labour_fen, -4250);
  assert.equal(cn.body.balance_fen, -4250);
  assert.equal(cn.body.reason, '工时多算');
  // credits of a bill never exceed it
  assertProblem(await users.cashier.post(c, { amount_fen: b.total_fen - 4250 + 1, reason: '再冲' }), 409, 'conflict');
  // a credit note is refunded, not paid; the refund settles it
  assertProblem(await users.cashier.post(`/api/v1/bills/${cn.body.id}/payments`, { method: 'cash', amount_fen: 100 }), 409, 'conflict');
  assertProblem(await users.cashier.post(`/api/v1/bills/${cn.body.id}/refunds`, { method: 'alipay', amount_fen: 4251, reason: '退多收工时费' }), 409, 'conflict');
  const rf = await users.cashier.post(`/api/v1/bills/${cn.body.id}/refunds`, { method: 'alipay', amount_fen: 4250, reason: '退多收工时费' });
  assert.equal(rf.status, 201, rf.text);
  assert.equal(rf.body.state, 'paid');
  assert.equal(rf.body.balance_fen, 0);

  // the original bill still counts (settle looked at it), the credit note is listed with it
  const all = (await admin.get(`${ORDER_PATH(o.id)}/bills`)).body.items;
  assert.deepEqual(all.map((x) => [x.kind, x.state]), [['bill', 'paid'], ['credit', 'paid']]);
  const evs = (await timeline(admin, o.id)).map((e) => e.event);
  assert.ok(evs.includes('credit_note') && evs.includes('refund'));
});

test('delivery: explanation required, suggestion of the next maintenance, closes a settled order', async () => {
  // a car with a maintenance schedule, so the suggestion has something to say
  const model = await admin.post('/api/v1/product-models', {
    brand: '大众', category: '轿车', model: '朗逸 1.5L', warranty_months: 36,
    maintenance: [{ name: '首保', km: 5000, months: 6 }, { name: '10000 公里保养', km: 10000, months: 12 }],
  });
  assert.equal(model.status, 201, model.text);
  const first = (await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '陈静', phone: '13600001111' } }))).body;
  const asset = await admin.post('/api/v1/assets', { customer_id: first.customer_id, model_id: model.body.id, serial: `LSVNV${Date.now()}`, purchase_date: '2026-01-10', plate: '粤A12345' });
  assert.equal(asset.status, 201, asset.text);
  const o = await orderAt(admin, { over: { customer: { name: '陈静', phone: '13600001111' }, asset_id: asset.body.id, type: 'maintenance' } });
  const sug = await users.advisor.get(`${ORDER_PATH(o.id)}/delivery/suggestion`);
  assert.equal(sug.status, 200, sug.text);
  assert.equal(sug.body.available, true, sug.text);
  assert.equal(sug.body.service.name, '10000 公里保养', 'the first service is done by this maintenance order');
  assert.match(sug.body.text, /10000 公里保养/);
  assert.match(sug.body.due_date, /^\d{4}-\d{2}-\d{2}$/);
  const none = await users.advisor.get(`${ORDER_PATH(first.id)}/delivery/suggestion`);
  assert.deepEqual(none.body, { available: false, reason: 'no_asset' });

  const d = `${ORDER_PATH(o.id)}/delivery`;
  assertFieldError(await users.advisor.post(d, { next_maintenance: 'x' }), 'explanation');
  assertFieldError(await users.advisor.post(d, { explanation: '  ' }), 'explanation');
  assertFieldError(await users.advisor.post(d, { explanation: '说明', next_appointment_offer: '下周' }), 'next_appointment_offer');
  assertFieldError(await users.advisor.post(d, { explanation: '说明', old_parts_returned: 'yes' }), 'old_parts_returned');
  assertProblem(await users.cashier.post(d, { explanation: '说明' }), 403, 'forbidden');
  assertProblem(await users.advisor.post(`${ORDER_PATH(first.id)}/delivery`, { explanation: '说明' }), 409, 'conflict', 'not completed yet');

  // before settlement the delivery is recorded, the order stays
  const body = { explanation: '更换机油机滤，检查制动系统；工时 ¥127.50，配件三包。', next_maintenance: sug.body.text, next_appointment_offer: '2027-01-10T02:00:00Z', old_parts_returned: true };
  const rec = await users.advisor.post(d, body, { 'If-Match': `"${o.version}"` });
  assert.equal(rec.status, 200, rec.text);
  assert.equal(rec.body.status, 'qc_passed');
  assert.equal(rec.body.delivery.explanation, body.explanation);
  assert.equal(rec.body.delivery.next_appointment_offer, '2027-01-10T02:00:00.000Z');
  assert.equal(rec.body.delivery.old_parts_returned, true);
  assertProblem(await users.advisor.post(d, body, { 'If-Match': `"${o.version}"` }), 412, 'precondition_failed');

  const b = await buildBill(users.cashier, o.id);
  await users.cashier.post(`/api/v1/bills/${b.id}/payments`, { method: 'cash', amount_fen: b.total_fen });
  await users.cashier.post(`${ORDER_PATH(o.id)}/settle`, {});
  const closed = await users.advisor.post(d, { ...body, next_appointment_offer: null });
  assert.equal(closed.status, 200, closed.text);
  assert.equal(closed.body.status, 'closed', 'delivering a settled order closes it');
  assert.equal(closed.body.delivery.next_appointment_offer, null);
  const evs = await timeline(admin, o.id);
  const i = evs.findIndex((e) => e.event === 'delivery' && e.data.next_appointment_offer === null);
  assert.ok(i >= 0 && evs.slice(i).some((e) => e.event === 'close'), 'delivery then close, in one call');
});

test('confirmation and rating: 1..5, the customer only for their own order, once, closing a settled order', async () => {
  const mine = await orderAt(admin, { over: { customer: { name: '王芳', phone: '13911112222' } } });
  const theirs = await orderAt(admin, { over: { customer: { name: '赵强', phone: '13933334444' } } });
  for (const o of [mine, theirs]) {
    const b = await buildBill(users.cashier, o.id);
    await users.cashier.post(`/api/v1/bills/${b.id}/payments`, { method: 'cash', amount_fen: b.total_fen });
    assert.equal((await users.cashier.post(`${ORDER_PATH(o.id)}/settle`, {})).status, 200);
  }
  const me = (await admin.get('/api/v1/session')).body.user;
  const cu = await admin.post('/api/v1/users', { login: 'bill_cust', name: '王芳', password: 'demo12345', org_id: me.org_id, roles: ['customer'], customer_id: mine.customer_id });
  assert.equal(cu.status, 201, cu.text);
  const cust = api(srv.url, (await login(srv.url, 'bill_cust', 'demo12345')).token);

  const c = `${ORDER_PATH(mine.id)}/confirm`;
  for (const rating of [0, 6, -1]) assertFieldError(await cust.post(c, { rating }), 'rating');
  assertFieldError(await cust.post(c, { rating: 4.5 }), 'rating');
  assertFieldError(await cust.post(c, { rating: '5' }), 'rating');
  assertFieldError(await cust.post(c, {}), 'rating');
  assertFieldError(await cust.post(c, { rating: 5, channel: 'phone' }), 'channel');
  assertFieldError(await cust.post(c, { rating: 5, channel: 'signature' }), 'signature');
  assertFieldError(await cust.post(c, { rating: 5, signature: 'data:image/png;base64,' }), 'signature');
  assertFieldError(await cust.post(c, { rating: 5, signature: 'data:image/png;base64,aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=' }), 'signature');
  // another customer's order: not found (ids do not leak), nothing written
  assertProblem(await cust.post(`${ORDER_PATH(theirs.id)}/confirm`, { rating: 1 }), 404, 'not_found');
  assert.equal((await admin.get(ORDER_PATH(theirs.id))).body.confirmed_at, null);
  assertProblem(await cust.get(`${ORDER_PATH(theirs.id)}/bills`), 404, 'not_found');

  // the customer sees their bills and confirms in the portal; the settled order closes
  const bills = await cust.get(`${ORDER_PATH(mine.id)}/bills`);
  assert.equal(bills.status, 200);
  assert.equal(bills.body.items.length, 1);
  assertProblem(await cust.post(`/api/v1/bills/${bills.body.items[0].id}/payments`, { method: 'cash', amount_fen: 1 }), 403, 'forbidden');
  const ok = await cust.post(c, { rating: 5, comment: '师傅很专业，准时上门' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.rating, 5);
  assert.equal(ok.body.rating_comment, '师傅很专业，准时上门');
  assert.equal(ok.body.confirm_channel, 'portal');
  assert.ok(ok.body.confirmed_at);
  assert.equal(ok.body.status, 'closed');
  assertProblem(await cust.post(c, { rating: 4 }), 409, 'conflict', 'confirmed once');
  const tl = await cust.get(`${ORDER_PATH(mine.id)}/timeline`);
  assert.ok(tl.body.items.some((e) => e.event === 'confirm' && e.data.rating === 5), 'the customer sees the confirmation');
  assert.ok(tl.body.items.some((e) => e.event === 'payment'), 'and the payment');
  const ap = (await admin.get(`${ORDER_PATH(mine.id)}/approvals`)).body.items;
  assert.ok(ap.some((a) => a.kind === 'delivery' && a.channel === 'online'), 'recorded as the delivery approval');

  // staff record a confirmation by phone on the customer's behalf
  assertFieldError(await users.agent.post(`${ORDER_PATH(theirs.id)}/confirm`, { rating: 3 }), 'channel');
  assertProblem(await users.cashier.post(`${ORDER_PATH(theirs.id)}/confirm`, { rating: 3, channel: 'phone' }), 403, 'forbidden');
  const ph = await users.agent.post(`${ORDER_PATH(theirs.id)}/confirm`, { rating: 3, channel: 'phone', by_name: '赵强', comment: '等待时间有点长' });
  assert.equal(ph.status, 200, ph.text);
  assert.equal(ph.body.confirm_channel, 'phone');
  assert.equal(ph.body.status, 'closed');
});

test('every route used here is documented', async () => {
  assert.deepEqual(await undocumentedCalls(srv.url), []);
});
