// wo_kill.test.mjs — nothing lost (issue 4, "bad input and nothing lost"): orders with actual
// lines and a bill, then a burst of concurrent payments and transitions (settle, close) while
// the server is SIGKILLed. After a restart on the same database, for every order: its state
// equals the last state event of its timeline; every payment row has its timeline row and every
// payment event its row (same amount); the bill's paid_fen is the sum of its payments and its
// state agrees with the balance; a settled or closed order owes nothing; and the money is at
// least what the clients saw acknowledged (201) and at most that plus what was in flight.
// Runs on SQLite and PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, pool } from './lib.mjs';
import { orderAt, buildBill } from './billing_lib.mjs';

const ORDERS = 12;
const CONCURRENCY = 12;
const KILL_AFTER = 14; // acknowledged payments

let first;
let second;
after(async () => {
  await first?.kill();
  await second?.stop();
  first?.cleanup();
});

// Split a total into n payments (the last takes the remainder).
function split(total, n) {
  const part = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? total - part * (n - 1) : part));
}

test('SIGKILL during a burst of payments and transitions: state, lines and payments agree with the timeline', async (t) => {
  first = await startServer();
  const admin = await adminClient(first.url);

  // Orders at qc_passed with a bill; order i is paid in (i % 4) + 1 payments.
  const orders = await pool(Array.from({ length: ORDERS }, (_, i) => i), 4, async (i) => {
    const o = await orderAt(admin, { over: { fault_description: `断电结算 ${i}` } });
    const b = await buildBill(admin, o.id);
    const lines = (await admin.get(`/api/v1/work-orders/${o.id}/lines`)).body.actual.map((l) => [l.id, l.amount_fen]);
    return { id: o.id, bill: b.id, total: b.total_fen, parts: split(b.total_fen, (i % 4) + 1), lines, acked: 0, inflight: 0, ackedIds: [] };
  });

  // The burst, round-robin over the orders: each order's payments, then settle, then close.
  const ops = [];
  for (let round = 0; round < 6; round++)
    for (const o of orders) {
      if (round < o.parts.length) ops.push({ o, kind: 'pay', amount: o.parts[round], key: `kill-pay-${o.id}-${round}` });
      else if (round === o.parts.length) ops.push({ o, kind: 'settle' });
      else if (round === o.parts.length + 1) ops.push({ o, kind: 'close' });
    }
  let acked = 0;
  let killing = null;
  const unexpected = [];
  await pool(ops, CONCURRENCY, async (op) => {
    if (first.exited || killing) return;
    const { o } = op;
    if (op.kind === 'pay') {
      let res;
      try {
        res = await admin.post(`/api/v1/bills/${o.bill}/payments`, { method: 'wechat', amount_fen: op.amount, reference: op.key },
          { 'Idempotency-Key': op.key });
      } catch {
        o.inflight += op.amount; // no answer: it may or may not have been written
        return;
      }
      if (res.status === 201) {
        o.acked += op.amount;
        o.ackedIds.push(res.body.payment.id);
        if (++acked === KILL_AFTER && !killing) killing = first.kill();
      } else {
        unexpected.push(`pay ${o.id}: ${res.status} ${res.text}`);
      }
      return;
    }
    try {
      const res = await admin.post(`/api/v1/work-orders/${o.id}/${op.kind}`, {});
      // refused while not paid yet, or raced by a payment (stale): both leave the order as it was
      if (![200, 409, 412].includes(res.status)) unexpected.push(`${op.kind} ${o.id}: ${res.status} ${res.text}`);
    } catch { /* the server is gone */ }
  });
  await killing;
  assert.ok(first.exited, 'the server was killed');
  assert.equal(first.exited.signal, 'SIGKILL');
  assert.deepEqual(unexpected, [], 'no payment refused, no 5xx before the kill');
  const totalPay = orders.reduce((s, o) => s + o.parts.length, 0);
  assert.ok(acked >= KILL_AFTER && acked < totalPay, `killed in the middle (${acked} of ${totalPay} payments acknowledged)`);
  t.diagnostic(`${acked} of ${totalPay} payments acknowledged, ${orders.filter((o) => o.inflight).length} orders with payments in flight`);

  second = await startServer({ db: first.db });
  const admin2 = await adminClient(second.url);
  const bad = [];
  let settledOrClosed = 0;
  await pool(orders, 6, async (o) => {
    const order = (await admin2.get(`/api/v1/work-orders/${o.id}`)).body;
    const bills = (await admin2.get(`/api/v1/work-orders/${o.id}/bills`)).body.items;
    const events = (await admin2.get(`/api/v1/work-orders/${o.id}/timeline`)).body.items;
    const lines = (await admin2.get(`/api/v1/work-orders/${o.id}/lines`)).body.actual.map((l) => [l.id, l.amount_fen]);
    const say = (m) => bad.push(`order ${o.id}: ${m}`);
    if (JSON.stringify(lines) !== JSON.stringify(o.lines)) say(`lines changed: ${JSON.stringify(lines)}`);
    // the state is the last state event's
    const moves = events.filter((e) => e.data && typeof e.data.to === 'string');
    const last = moves.length ? moves[moves.length - 1].data.to : 'new';
    if (order.status !== last) say(`status ${order.status} but the last state event says ${last}`);
    if (['settled', 'closed'].includes(order.status)) settledOrClosed++;
    // one bill, its money consistent
    if (bills.length !== 1) return say(`${bills.length} bills`);
    const b = bills[0];
    const rows = b.payments.filter((p) => p.kind === 'payment');
    const sum = rows.reduce((s, p) => s + p.amount_fen, 0);
    if (b.paid_fen !== sum) say(`paid_fen ${b.paid_fen} but the payments sum to ${sum}`);
    if (b.total_fen !== o.total) say(`total ${b.total_fen}, was ${o.total}`);
    if (b.balance_fen !== b.total_fen - b.paid_fen + b.refunded_fen) say('balance is not total − paid + refunded');
    if ((b.state === 'paid') !== (b.balance_fen === 0)) say(`state ${b.state} with balance ${b.balance_fen}`);
    if (['settled', 'closed'].includes(order.status) && b.balance_fen !== 0) say(`${order.status} with a balance of ${b.balance_fen}`);
    // acknowledged ≤ written ≤ acknowledged + in flight
    if (sum < o.acked) say(`payments ${sum} < acknowledged ${o.acked}`);
    if (sum > o.acked + o.inflight) say(`payments ${sum} > acknowledged ${o.acked} + in flight ${o.inflight}`);
    for (const id of o.ackedIds) if (!rows.some((p) => p.id === id)) say(`acknowledged payment ${id} lost`);
    // every payment row has its timeline row and every payment event its row
    const evs = events.filter((e) => e.event === 'payment');
    const evIds = evs.map((e) => e.data.payment_id).sort((x, y) => x - y);
    const rowIds = rows.map((p) => p.id).sort((x, y) => x - y);
    if (JSON.stringify(evIds) !== JSON.stringify(rowIds)) say(`payment events ${evIds} vs rows ${rowIds}`);
    for (const e of evs) {
      const p = rows.find((x) => x.id === e.data.payment_id);
      if (p && p.amount_fen !== e.data.amount_fen) say(`payment ${p.id}: row ${p.amount_fen}, event ${e.data.amount_fen}`);
    }
  });
  assert.deepEqual(bad, []);
  t.diagnostic(`${settledOrClosed} of ${ORDERS} orders settled or closed before the kill`);

  // After the restart the flow goes on: pay the rest, settle, deliver (closes).
  for (const o of orders.slice(0, 3)) {
    const b = (await admin2.get(`/api/v1/bills/${o.bill}`)).body;
    if (b.balance_fen > 0) {
      const r = await admin2.post(`/api/v1/bills/${o.bill}/payments`, { method: 'cash', amount_fen: b.balance_fen });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.state, 'paid');
    }
    const cur = (await admin2.get(`/api/v1/work-orders/${o.id}`)).body;
    if (cur.status === 'qc_passed') assert.equal((await admin2.post(`/api/v1/work-orders/${o.id}/settle`, {})).status, 200);
    if (cur.status !== 'closed') {
      const d = await admin2.post(`/api/v1/work-orders/${o.id}/delivery`, { explanation: '重启后交车' });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.body.status, 'closed');
    }
  }
});
