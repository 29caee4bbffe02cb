// sla.test.mjs — SLA deadlines of work orders (DOMAIN §5, issue 4 item 3): the built-in
// defaults stamped at create, the most specific policy winning, the working calendar with a
// holiday week and a 调休 Saturday, and the breach sweep of the scheduler recording a passed
// deadline once (timeline + sla_breached) without touching the order's version.
//
// Passing a deadline in a test: the order's due time is moved to "in a moment" in the database
// (sqlite3 / psql, the same database the server uses) and the scheduler runs fast
// (FUWU_SCHEDULER_TICK_MS=200 → the 30 s sweep every 1.2 s).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, adminClient, smallestOrder, assertFieldError, assertProblem, sleep, undocumentedCalls } from './lib.mjs';

let srv, admin;

before(async () => {
  srv = await startServer({ env: { FUWU_SCHEDULER_TICK_MS: '200' } });
  admin = await adminClient(srv.url);
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

/** Run one SQL statement on the server's own database (a test's time machine). */
function sql(dbUrl, statement) {
  const r = dbUrl.startsWith('sqlite:')
    ? spawnSync('sqlite3', ['-cmd', '.timeout 10000', dbUrl.slice(7), statement], { encoding: 'utf8', timeout: 30000 })
    : spawnSync('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-At', dbUrl, '-c', statement], { encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr || r.error}`);
  return r.stdout.trim();
}

const ms = (iso) => Date.parse(iso);
const H = 3600000;
const M = 60000;

test('a new order carries the default deadlines: P1 on the 24x7 clock (2 h, 24 h, 24 h, 48 h)', async () => {
  const o = await admin.post('/api/v1/work-orders', smallestOrder({ priority: 'P1', fault_description: '燃气热水器漏气' }));
  assert.equal(o.status, 201, o.text);
  const c = ms(o.body.created_at);
  assert.equal(ms(o.body.sla_response_due) - c, 2 * H);
  assert.equal(ms(o.body.sla_answer_due) - c, 24 * H);
  assert.equal(ms(o.body.sla_onsite_due) - c, 24 * H);
  assert.equal(ms(o.body.sla_resolve_due) - c, 48 * H);
  assert.equal(o.body.sla_breached, null);
  // P3 on the working calendar: the deadlines fall inside 09:00–18:00 Beijing time on a weekday
  const p3 = await admin.post('/api/v1/work-orders', smallestOrder({ priority: 'P3' }));
  for (const k of ['response', 'answer', 'onsite', 'resolve']) {
    const due = new Date(ms(p3.body[`sla_${k}_due`]) + 8 * H);
    const minute = due.getUTCHours() * 60 + due.getUTCMinutes();
    assert.ok(minute >= 540 && minute <= 1080, `${k} due ${due.toISOString()} within working hours`);
    assert.ok(due.getUTCDay() >= 1 && due.getUTCDay() <= 5, `${k} due on a weekday`);
    assert.ok(ms(p3.body[`sla_${k}_due`]) > ms(p3.body.created_at));
  }
});

test('raising the priority re-stamps the deadlines from the creation time; the change is on the timeline', async () => {
  const o = await admin.post('/api/v1/work-orders', smallestOrder({ priority: 'P4', fault_description: '客户来电加急' }));
  assert.equal(o.status, 201, o.text);
  const c = ms(o.body.created_at);
  const p = await admin.patch(`/api/v1/work-orders/${o.body.id}`, { priority: 'P1' }, { 'If-Match': `"${o.body.version}"` });
  assert.equal(p.status, 200, p.text);
  assert.equal(ms(p.body.sla_response_due) - c, 2 * H);
  assert.equal(ms(p.body.sla_resolve_due) - c, 48 * H);
  assert.notEqual(p.body.sla_resolve_due, o.body.sla_resolve_due);
  // a change of the description alone leaves them as they are
  const q = await admin.patch(`/api/v1/work-orders/${o.body.id}`, { fault_description: '客户来电加急，已回电' }, { 'If-Match': `"${p.body.version}"` });
  assert.equal(q.status, 200, q.text);
  assert.equal(q.body.sla_resolve_due, p.body.sla_resolve_due);
});

test('preview: Friday 17:30 Beijing + 4 working hours (P2) → Monday 12:30', async () => {
  const r = await admin.get(`/api/v1/sla-policies/preview?priority=P2&created_at=${encodeURIComponent('2026-11-20T17:30:00+08:00')}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.policy.source, 'default');
  assert.equal(r.body.response_due, '2026-11-23T04:30:00.000Z'); // Monday 12:30 Beijing
  assert.equal(r.body.answer_due, '2026-11-23T09:30:00.000Z');   // one working day: Monday 17:30
  assertFieldError(await admin.get('/api/v1/sla-policies/preview?priority=P0'), 'priority');
  assertFieldError(await admin.get('/api/v1/sla-policies/preview?priority=P2&created_at=yesterday'), 'created_at');
});

test('the most specific policy wins: priority + contract + region > + contract > + region > priority', async () => {
  const base = { priority: 'P4', answer_min: 600, onsite_min: 600, resolve_min: 600, calendar: '24x7' };
  const mk = async (extra, response) => {
    const r = await admin.post('/api/v1/sla-policies', { ...base, ...extra, response_min: response });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  const only = await mk({}, 100);
  const region = await mk({ region: '广州市' }, 90);
  const contract = await mk({ contract: 'VIP' }, 80);
  const both = await mk({ contract: 'VIP', region: '广州市' }, 70);
  const at = encodeURIComponent('2026-11-20T10:00:00+08:00');
  const pick = async (q) => (await admin.get(`/api/v1/sla-policies/preview?priority=P4&created_at=${at}${q}`)).body;
  assert.equal((await pick('')).policy.id, only);
  assert.equal((await pick('&region=深圳市')).policy.id, only);
  assert.equal((await pick(`&region=${encodeURIComponent('广州市')}`)).policy.id, region);
  assert.equal((await pick('&contract=VIP')).policy.id, contract);
  assert.equal((await pick(`&contract=VIP&region=${encodeURIComponent('深圳市')}`)).policy.id, contract);
  const b = await pick(`&contract=VIP&region=${encodeURIComponent('广州市')}`);
  assert.equal(b.policy.id, both);
  assert.equal(b.policy.source, 'policy');
  assert.equal(b.response_due, '2026-11-20T03:10:00.000Z'); // 10:00 + 70 min, 24x7
  // the order itself gets the same
  const o = await admin.post('/api/v1/work-orders', smallestOrder({ priority: 'P4', contract: 'VIP', region: '广州市' }));
  assert.equal(o.status, 201, o.text);
  assert.equal(ms(o.body.sla_response_due) - ms(o.body.created_at), 70 * M);
  assert.equal(ms(o.body.sla_resolve_due) - ms(o.body.created_at), 600 * M);
  for (const id of [only, region, contract, both]) assert.equal((await admin.del(`/api/v1/sla-policies/${id}`)).status, 204);
  assert.equal((await pick('&contract=VIP')).policy.source, 'default');
});

test('the working calendar: 国庆 2026 with the 调休 Saturday 10-10', async () => {
  const put = await admin.put('/api/v1/calendar', {
    weekdays: [1, 2, 3, 4, 5], start_min: 540, end_min: 1080,
    days: [
      ...[1, 2, 3, 4, 5, 6, 7].map((d) => ({ day: `2026-10-0${d}`, kind: 'holiday', name: '国庆节' })),
      { day: '2026-09-20', kind: 'workday', name: '国庆调休' },
      { day: '2026-10-10', kind: 'workday', name: '国庆调休' },
    ],
  });
  assert.equal(put.status, 200, put.text);
  const prev = async (iso, pr = 'P3') =>
    (await admin.get(`/api/v1/sla-policies/preview?priority=${pr}&created_at=${encodeURIComponent(iso)}`)).body;
  // Wednesday 09-30 17:00 + 540 working minutes: 1 h that evening, then 8 h on Thursday 10-08 → 17:00
  assert.equal((await prev('2026-09-30T17:00:00+08:00')).response_due, '2026-10-08T09:00:00.000Z');
  // Friday 10-09 17:00 + 4 h (P2): 1 h Friday, 3 h on the working Saturday 10-10 → 12:00
  assert.equal((await prev('2026-10-09T17:00:00+08:00', 'P2')).response_due, '2026-10-10T04:00:00.000Z');
  // created during the holiday: counting starts 10-08 09:00
  assert.equal((await prev('2026-10-03T11:00:00+08:00', 'P2')).response_due, '2026-10-08T05:00:00.000Z');
  // P1 ignores the calendar
  assert.equal((await prev('2026-10-03T11:00:00+08:00', 'P1')).response_due, '2026-10-03T05:00:00.000Z');
  await admin.put('/api/v1/calendar', { weekdays: [1, 2, 3, 4, 5], start_min: 540, end_min: 1080, days: [] });
});

async function until(fn, what, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

test('a deadline that passes unmet is recorded once: sla_breached and a timeline row, version unchanged', async () => {
  const late = await admin.post('/api/v1/work-orders', smallestOrder({ priority: 'P1', fault_description: '超时测试 未响应' }));
  const met = await admin.post('/api/v1/work-orders', smallestOrder({ priority: 'P1', fault_description: '超时测试 已受理' }));
  const gone = await admin.post('/api/v1/work-orders', smallestOrder({ priority: 'P1', fault_description: '超时测试 已取消' }));
  for (const o of [late, met, gone]) assert.equal(o.status, 201, o.text);
  const acc = await admin.post(`/api/v1/work-orders/${met.body.id}/accept`, {});
  assert.equal(acc.status, 200, acc.text);
  assert.ok(acc.body.responded_at, 'accepting is the first response');
  const can = await admin.post(`/api/v1/work-orders/${gone.body.id}/cancel`, { reason: '客户自行解决' });
  assert.equal(can.status, 200, can.text);
  const version = (await admin.get(`/api/v1/work-orders/${late.body.id}`)).body.version;

  // the first-response deadline of all three passes in a moment
  const soon = Date.now() + 1000;
  sql(srv.db, `UPDATE work_orders SET sla_response_due = ${soon} WHERE id IN (${late.body.id}, ${met.body.id}, ${gone.body.id})`);
  const o = await until(async () => {
    const g = await admin.get(`/api/v1/work-orders/${late.body.id}`);
    return g.body.sla_breached ? g.body : null;
  }, 'the breach of the first response');
  assert.equal(o.sla_breached, 'response');
  assert.equal(o.version, version, 'a clock running out is not an edit');
  await sleep(2500); // a couple more sweeps: nothing is recorded twice
  const tl = await admin.get(`/api/v1/work-orders/${late.body.id}/timeline`);
  const breaches = tl.body.items.filter((e) => e.event === 'sla_breach');
  assert.equal(breaches.length, 1, JSON.stringify(tl.body.items));
  assert.equal(breaches[0].data.kind, 'response');
  assert.equal(ms(breaches[0].data.due), soon);
  assert.equal(breaches[0].actor, null, 'recorded by the system');
  assert.equal((await admin.get(`/api/v1/work-orders/${met.body.id}`)).body.sla_breached, null, 'met in time');
  assert.equal((await admin.get(`/api/v1/work-orders/${gone.body.id}`)).body.sla_breached, null, 'cancelled');
  const audit = await admin.get(`/api/v1/audit-log?entity=work_order&entity_id=${late.body.id}`);
  assert.ok(audit.body.items.some((a) => a.action === 'sla_breach'));

  // a second kind is appended
  sql(srv.db, `UPDATE work_orders SET sla_resolve_due = ${Date.now() + 500} WHERE id = ${late.body.id}`);
  const o2 = await until(async () => {
    const g = await admin.get(`/api/v1/work-orders/${late.body.id}`);
    return g.body.sla_breached === 'response,resolve' ? g.body : null;
  }, 'the breach of the resolution');
  assert.equal(o2.version, version);
});

test('SLA preview is for staff, and bad ids answer 404', async () => {
  assertProblem(await admin.get('/api/v1/sla-policies/0'), 404, 'not_found');
  assertProblem(await admin.get('/api/v1/sla-policies/abc'), 404, 'not_found');
});
