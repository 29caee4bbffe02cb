// appointments.test.mjs — appointments and capacity (issue 5 item 6): slots from technicians'
// shifts minus leave minus bookings (and minus appointments nobody works on yet), workshop bays
// with their daily capacity, the last place raced for by several requests at once (exactly one
// wins), a customer seeing and booking only their own order, no-shows, the appointment board,
// bad input, and the reminders of tomorrow sent once however often the job runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, smallestOrder, assertProblem, assertFieldError, undocumentedCalls, sleep,
} from './lib.mjs';

let srv, admin, outlet, shop, cust, custOrder, otherOrder, acModel;
const u = {};
let phoneSeq = 0;

// a civil day in Beijing, n days from today, and a local time of it as ISO with the zone
function day(n) {
  return new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
}
const D = day(3);
const at = (hm, d = D) => `${d}T${hm}:00+08:00`;
const same = (a, b) => Date.parse(a) === Date.parse(b);

async function org(name, type = 'outlet') {
  const res = await admin.post('/api/v1/organizations', { name, type, parent_id: admin.session.user.org_id, region: { province: '广东省', city: '广州市' } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function user(name, roles, orgId, extra = {}) {
  const res = await admin.post('/api/v1/users', { login: `ap_${name}`, name: `预约${name}`, password: 'password123', org_id: orgId, roles, ...extra });
  assert.equal(res.status, 201, res.text);
  u[name] = { id: res.body.id, client: api(srv.url, (await login(srv.url, `ap_${name}`, 'password123')).token) };
  return u[name];
}

async function tech(name, skill) {
  const t = await user(name, ['technician'], outlet);
  let cur = await admin.get(`/api/v1/technicians/${t.id}`);
  let r = await admin.patch(`/api/v1/technicians/${t.id}`, { skills: [{ skill, level: 3 }] }, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(r.status, 200, r.text);
  const shifts = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start_min: 540, end_min: 1080, break_start_min: 720, break_end_min: 780 }));
  cur = await admin.get(`/api/v1/technicians/${t.id}`);
  r = await admin.put(`/api/v1/technicians/${t.id}/shifts`, { shifts }, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(r.status, 200, r.text);
  return t;
}

async function order(orgId, over = {}) {
  phoneSeq++;
  const r = await admin.post('/api/v1/work-orders', smallestOrder({
    customer: { name: '预约客户', phone: `1371111${String(1000 + phoneSeq).slice(-4)}` }, org_id: orgId, ...over,
  }));
  assert.equal(r.status, 201, r.text);
  const a = await admin.post(`/api/v1/work-orders/${r.body.id}/accept`, {});
  assert.equal(a.status, 200, a.text);
  return a.body;
}

async function slots(query, client = admin) {
  const r = await client.get(`/api/v1/appointments/slots?${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}
const slotAt = (body, hm, d = D) => body.items.find((s) => same(s.start_at, at(hm, d)));

const book = (client, id, body, headers) => client.post(`/api/v1/work-orders/${id}/appointment`, body, headers);

before(async () => {
  srv = await startServer({ env: { FUWU_SCHEDULER: 'off' } });
  admin = await adminClient(srv.url);
  outlet = await org('预约天河网点');
  shop = await org('预约汽修车间');
  await tech('t1', '空调');
  await tech('t2', '空调');
  await tech('t3', '洗衣机');
  await user('agent', ['agent'], outlet);
  // t2 is away on D from 14:00 to 16:00
  const lv = await admin.post(`/api/v1/technicians/${u.t2.id}/leave`, { from_at: at('14:00'), to_at: at('16:00'), kind: 'training' });
  assert.equal(lv.status, 201, lv.text);
  const m = await admin.post('/api/v1/product-models', { brand: '格力', category: '空调', model: 'KFR-预约', warranty_months: 12 });
  assert.equal(m.status, 201, m.text);
  acModel = m.body.id;
  custOrder = await order(outlet, { customer: { name: '预约王芳', phone: '13722223333' } });
  otherOrder = await order(outlet);
  const c = await admin.post('/api/v1/users', {
    login: 'appt_cust', name: '预约王芳', password: 'customer1', org_id: outlet, roles: ['customer'], customer_id: custOrder.customer_id,
  });
  assert.equal(c.status, 201, c.text);
  cust = api(srv.url, (await login(srv.url, 'appt_cust', 'customer1')).token);
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

test('slots: shifts minus leave minus bookings, on the half-hour grid', async () => {
  let s = await slots(`date=${D}&org_id=${outlet}&category=${encodeURIComponent('空调')}`);
  assert.equal(s.mode, 'technicians');
  assert.equal(s.step_min, 30);
  assert.equal(s.duration_min, 60);
  assert.equal(s.category, '空调');
  assert.deepEqual([slotAt(s, '09:00').capacity, slotAt(s, '09:00').free], [2, 2]);
  assert.ok(slotAt(s, '11:00'), '11:00–12:00 fits before the break');
  for (const hm of ['08:30', '11:30', '12:00', '12:30', '17:30']) assert.equal(slotAt(s, hm), undefined, `${hm} is outside the shifts`);
  assert.ok(slotAt(s, '13:00') && slotAt(s, '17:00'));
  assert.deepEqual([slotAt(s, '14:00').capacity, slotAt(s, '15:30').capacity, slotAt(s, '16:00').capacity], [1, 1, 2], 't2 on leave 14–16');
  assert.equal(slotAt(s, '13:30').capacity, 1, '13:30–14:30 runs into the leave');
  // every technician when no skill is asked for
  s = await slots(`date=${D}&org_id=${outlet}`);
  assert.equal(slotAt(s, '09:00').capacity, 3);
  // a longer visit: fewer starts
  s = await slots(`date=${D}&org_id=${outlet}&category=${encodeURIComponent('空调')}&duration_min=120`);
  assert.ok(slotAt(s, '10:00') && !slotAt(s, '10:30') && !slotAt(s, '16:30') && slotAt(s, '16:00'));

  // a booking of t1 (dispatched with its appointment) takes t1's time
  const o1 = await order(outlet);
  const d1 = await admin.post(`/api/v1/work-orders/${o1.id}/dispatch`, { assignee_id: u.t1.id, appointment_start: at('09:00'), appointment_end: at('10:00') });
  assert.equal(d1.status, 200, d1.text);
  // an appointment nobody works on yet holds one technician
  const o2 = await order(outlet);
  const b2 = await book(u.agent.client, o2.id, { start: at('10:00') });
  assert.equal(b2.status, 200, b2.text);
  assert.ok(same(b2.body.appointment_start_at, at('10:00')) && same(b2.body.appointment_end_at, at('11:00')));
  assert.equal(b2.body.bay_id, null);
  assert.equal(b2.headers.get('etag'), `"${b2.body.version}"`);
  s = await slots(`date=${D}&org_id=${outlet}&category=${encodeURIComponent('空调')}`);
  assert.deepEqual([slotAt(s, '09:00').capacity, slotAt(s, '09:00').free], [2, 1], 't1 is booked at 9');
  assert.equal(slotAt(s, '09:30').free, 0, '09:30–10:30: t1 booked, t2 held by the 10:00 appointment');
  assert.deepEqual([slotAt(s, '10:00').capacity, slotAt(s, '10:00').free], [2, 1], 'the 10:00 appointment holds one');
  assert.equal(slotAt(s, '11:00').free, 2);
  assert.equal(slotAt(s, '09:00').available, true);

  // the timeline and the customer's SMS
  const tl = await admin.get(`/api/v1/work-orders/${o2.id}/timeline`);
  const ev = tl.body.items.find((e) => e.event === 'appointment');
  assert.ok(ev && ev.public && same(ev.data.start_at, at('10:00')) && ev.data.by === 'staff', JSON.stringify(tl.body.items));
  const ob = await admin.get(`/api/v1/work-orders/${o2.id}/outbox`);
  const sms = ob.body.items.find((x) => x.template === 'appointment_booked');
  assert.ok(sms, JSON.stringify(ob.body.items));
  assert.equal(sms.data.start, `${D} 10:00`);

  // moving it: its own booking does not stand in its way; the old time is on the timeline
  const mv = await book(u.agent.client, o2.id, { start: at('10:30'), duration_min: 30 }, { 'If-Match': `"${b2.body.version}"` });
  assert.equal(mv.status, 200, mv.text);
  assert.ok(same(mv.body.appointment_end_at, at('11:00')));
  const tl2 = await admin.get(`/api/v1/work-orders/${o2.id}/timeline`);
  assert.ok(same(tl2.body.items.filter((e) => e.event === 'appointment').pop().data.previous_start_at, at('10:00')));
  // a stale If-Match is refused, nothing written
  assertProblem(await book(u.agent.client, o2.id, { start: at('11:00') }, { 'If-Match': `"${b2.body.version}"` }), 412, 'precondition_failed');
  // the assigned order moves within its technician's time only
  const mv1 = await book(admin, o1.id, { start: at('14:00') });
  assert.equal(mv1.status, 200, mv1.text);
  const mv2 = await book(admin, o1.id, { start: at('12:00') });
  assertProblem(mv2, 409, 'outside_hours');
});

test('bad input: impossible dates, off-grid and out-of-hours starts, zero durations, unknown bays', async () => {
  const o = await order(outlet);
  assertFieldError(await admin.get(`/api/v1/appointments/slots?date=2026-02-30&org_id=${outlet}`), 'date');
  assertFieldError(await admin.get(`/api/v1/appointments/slots?org_id=${outlet}`), 'date');
  assertFieldError(await admin.get(`/api/v1/appointments/slots?date=${D}&duration_min=0`), 'duration_min');
  assertFieldError(await admin.get(`/api/v1/appointments/slots?date=${D}&duration_min=45`), 'duration_min');
  assertFieldError(await admin.get(`/api/v1/appointments/slots?date=${D}&duration_min=1000`), 'duration_min');
  assertFieldError(await admin.get(`/api/v1/appointments/slots?date=${D}&org_id=abc`), 'org_id');
  assertFieldError(await admin.get(`/api/v1/appointments/slots?date=${D}&org_id=99999999`), 'org_id');
  assertFieldError(await admin.get(`/api/v1/appointments/slots?date=${D}&bay_kind=garage`), 'bay_kind');
  assertProblem(await admin.get(`/api/v1/appointments/slots?date=${D}&order_id=99999999`), 404, 'not_found');
  assertFieldError(await book(admin, o.id, {}), 'start');
  assertFieldError(await book(admin, o.id, { start: 'tomorrow' }), 'start');
  assertFieldError(await book(admin, o.id, { start: at('09:10') }), 'start');
  assertFieldError(await book(admin, o.id, { start: `${D}T09:00:30+08:00` }), 'start');
  assertFieldError(await book(admin, o.id, { start: at('09:00', day(-1)) }), 'start');
  assertFieldError(await book(admin, o.id, { start: at('09:00'), duration_min: 0 }), 'duration_min');
  assertFieldError(await book(admin, o.id, { start: at('09:00'), duration_min: 45 }), 'duration_min');
  assertFieldError(await book(admin, o.id, { start: at('09:00'), end: at('08:30') }), 'end');
  assertFieldError(await book(admin, o.id, { start: at('09:00'), end: at('10:00'), duration_min: 60 }), 'end');
  assertFieldError(await book(admin, o.id, { start: at('09:00'), bay_id: 5 }), 'bay_id', 'the outlet has no bays');
  assertFieldError(await book(admin, o.id, { start: at('09:00'), colour: 'red' }), 'colour');
  const night = await book(admin, o.id, { start: at('20:00') });
  assertProblem(night, 409, 'outside_hours');
  assert.match(night.body.detail, /outside the working hours/);
  assertProblem(await book(admin, o.id, { start: at('12:00') }), 409, 'outside_hours', 'the lunch break');
  assertProblem(await book(admin, 99999999, { start: at('09:00') }), 404, 'not_found');
  // nothing was booked by the refusals
  assert.equal((await admin.get(`/api/v1/work-orders/${o.id}`)).body.appointment_start_at, null);
  // a cancelled order books nothing
  await admin.post(`/api/v1/work-orders/${o.id}/cancel`, { reason: '客户取消' });
  assertProblem(await book(admin, o.id, { start: at('09:00') }), 409, 'order_not_open');
});

test('the last free place: of several bookings at once exactly one wins, the others 409 slot_taken', async () => {
  // 空调 orders: only t1 and t2 count, and t2 is on leave at 15:00 — one place
  const orders = [];
  for (let i = 0; i < 4; i++) {
    const c = await admin.post('/api/v1/customers', { name: `抢位客户${i}`, phones: [`1365555000${i}`] });
    assert.equal(c.status, 201, c.text);
    const a = await admin.post('/api/v1/assets', { customer_id: c.body.id, model_id: acModel, serial: `APPT-RACE-${i}`, purchase_date: '2026-01-10' });
    assert.equal(a.status, 201, a.text);
    orders.push(await order(outlet, { customer: undefined, customer_id: c.body.id, asset_id: a.body.id }));
  }
  const s = await slots(`date=${D}&order_id=${orders[0].id}`);
  assert.equal(s.category, '空调', 'the order\'s category from its asset');
  assert.deepEqual([slotAt(s, '15:00').capacity, slotAt(s, '15:00').free], [1, 1]);
  const res = await Promise.all(orders.map((o) => book(admin, o.id, { start: at('15:00') })));
  const won = res.filter((r) => r.status === 200);
  assert.equal(won.length, 1, res.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join('\n'));
  for (const r of res.filter((x) => x.status !== 200)) {
    assertProblem(r, 409, 'slot_taken');
    assert.match(r.body.detail, /no technician is free/);
  }
  const winner = orders[res.findIndex((r) => r.status === 200)];
  const loser = orders.find((o) => o !== winner);
  const after = await slots(`date=${D}&order_id=${loser.id}`);
  assert.deepEqual([slotAt(after, '15:00').free, slotAt(after, '15:00').available], [0, false]);
  // the winner still fits where it is (its own booking is not in its way)
  assert.equal(slotAt(await slots(`date=${D}&order_id=${winner.id}`), '15:00').free, 1);
  assert.equal((await book(admin, winner.id, { start: at('15:00') })).status, 200);
});

test('bays: set up with equipment and capacity; slots and bookings by bay; full days refused', async () => {
  const B = '/api/v1/bays';
  const b1 = await admin.post(B, { org_id: shop, name: '1号工位', kind: 'mechanical', equipment: ['举升机', '四轮定位仪'], daily_capacity: 2, open_min: 480, close_min: 1080 });
  assert.equal(b1.status, 201, b1.text);
  assert.deepEqual([b1.body.daily_capacity, b1.body.active, b1.body.equipment, b1.body.org_id], [2, true, ['举升机', '四轮定位仪'], shop]);
  assert.equal(b1.headers.get('location'), `${B}/${b1.body.id}`);
  const b2 = await admin.post(B, { org_id: shop, name: '洗车位', kind: 'wash', daily_capacity: 1, open_min: 480, close_min: 1080 });
  assert.equal(b2.status, 201, b2.text);
  const dup = await admin.post(B, { org_id: shop, name: '1号工位', kind: 'paint' });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.existing_id, b1.body.id);
  assertFieldError(await admin.post(B, { org_id: shop, name: 'x', daily_capacity: 0 }), 'daily_capacity');
  assertFieldError(await admin.post(B, { org_id: shop, name: 'x', open_min: 600, close_min: 500 }), 'close_min');
  assertFieldError(await admin.post(B, { org_id: shop, name: 'x', open_min: 600 }), 'close_min');
  assertFieldError(await admin.post(B, { org_id: shop, name: 'x', kind: 'garage' }), 'kind');
  assertFieldError(await admin.post(B, { org_id: shop, name: '' }), 'name');
  assertFieldError(await admin.post(B, { org_id: 99999999, name: 'x' }), 'org_id');
  assertFieldError(await admin.post(B, { org_id: shop, name: 'x', equipment: [''] }), 'equipment');
  assertProblem(await u.agent.client.post(B, { org_id: shop, name: 'x' }), 403, 'forbidden');
  const list = await admin.get(`${B}?org_id=${shop}`);
  assert.deepEqual(list.body.items.map((b) => b.name), ['1号工位', '洗车位']);
  const theirs = await u.agent.client.get(B);
  assert.equal(theirs.status, 200, 'staff read bays');
  assert.deepEqual(theirs.body.items, [], 'of their own subtree only');
  assertProblem(await u.agent.client.get(`${B}/${b1.body.id}`), 404, 'not_found');

  let s = await slots(`date=${D}&org_id=${shop}`);
  assert.equal(s.mode, 'bays');
  assert.deepEqual([slotAt(s, '08:00').capacity, slotAt(s, '08:00').free], [2, 2]);
  assert.equal(slotAt(s, '07:30'), undefined);
  assert.equal(slotAt(s, '17:30'), undefined);
  assert.equal((await slots(`date=${D}&org_id=${shop}&bay_kind=wash`)).items[0].capacity, 1);

  const w = [];
  for (let i = 0; i < 5; i++) w.push(await order(shop));
  const r1 = await book(admin, w[0].id, { start: at('09:00'), bay_id: b2.body.id });
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r1.body.bay_id, b2.body.id);
  assert.equal(r1.body.bay_name, '洗车位');
  s = await slots(`date=${D}&org_id=${shop}`);
  assert.deepEqual([slotAt(s, '11:00').capacity, slotAt(s, '11:00').free], [2, 1], 'the wash bay is full for the day');
  const full = await book(admin, w[1].id, { start: at('11:00'), bay_id: b2.body.id });
  assertProblem(full, 409, 'slot_taken');
  assert.match(full.body.detail, /fully booked/);
  const r2 = await book(admin, w[1].id, { start: at('09:00') });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.body.bay_id, b1.body.id, 'a free bay is chosen');
  assertProblem(await book(admin, w[2].id, { start: at('09:30') }), 409, 'slot_taken', 'one car on a bay at a time');
  assert.equal((await book(admin, w[2].id, { start: at('10:00') })).status, 200);
  s = await slots(`date=${D}&org_id=${shop}`);
  assert.ok(s.items.every((x) => x.free === 0 && !x.available), 'every bay is full');
  assertProblem(await book(admin, w[3].id, { start: at('14:00') }), 409, 'slot_taken');
  assertProblem(await book(admin, w[3].id, { start: at('07:00') }), 409, 'outside_hours');
  assertFieldError(await book(admin, w[3].id, { start: at('14:00'), bay_id: 99999999 }), 'bay_id');

  // more capacity (If-Match), then the booking fits
  assertProblem(await admin.patch(`${B}/${b1.body.id}`, { daily_capacity: 3 }, { 'If-Match': '"999"' }), 412, 'precondition_failed');
  assertFieldError(await admin.patch(`${B}/${b1.body.id}`, { close_min: 300 }, { 'If-Match': `"${b1.body.version}"` }), 'close_min');
  const p = await admin.patch(`${B}/${b1.body.id}`, { daily_capacity: 3, equipment: ['举升机'] }, { 'If-Match': `"${b1.body.version}"` });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual([p.body.daily_capacity, p.body.version, p.body.equipment], [3, b1.body.version + 1, ['举升机']]);
  assert.equal((await book(admin, w[3].id, { start: at('14:00') })).status, 200);

  // the board of the day
  const board = await admin.get(`/api/v1/appointments?date=${D}&org_id=${shop}`);
  assert.equal(board.status, 200, board.text);
  const bb1 = board.body.bays.find((b) => b.id === b1.body.id), bb2 = board.body.bays.find((b) => b.id === b2.body.id);
  assert.deepEqual([bb1.used, bb1.free, bb1.appointments.length], [3, 0, 3]);
  assert.deepEqual([bb2.used, bb2.free], [1, 0]);
  assert.deepEqual(bb1.appointments.map((a) => a.id), [w[1].id, w[2].id, w[3].id]);
  assert.equal(bb1.appointments[0].appointment_status, 'booked');
  assert.equal(board.body.summary.total, 4);

  // a bay with appointments to come stays; an empty one goes
  const del = await admin.del(`${B}/${b2.body.id}`);
  assertProblem(del, 409, 'bay_booked');
  const b3 = await admin.post(B, { org_id: shop, name: '3号工位', kind: 'quick' });
  assert.equal(b3.status, 201, b3.text);
  assert.equal(b3.body.daily_capacity, 8, 'the default');
  assert.equal((await admin.del(`${B}/${b3.body.id}`)).status, 204);
  assertProblem(await admin.get(`${B}/${b3.body.id}`), 404, 'not_found');
  // an inactive bay takes no bookings
  const off = await admin.patch(`${B}/${b2.body.id}`, { active: false }, { 'If-Match': `"${b2.body.version}"` });
  assert.equal(off.status, 200, off.text);
  assert.equal((await slots(`date=${D}&org_id=${shop}&bay_kind=wash`)).items.length, 0);
});

test('a customer sees slots for their own request only, books and cancels their own appointment', async () => {
  const s = await slots(`date=${D}&order_id=${custOrder.id}`, cust);
  assert.equal(s.mode, 'technicians');
  assert.ok(s.items.length > 0);
  assert.equal(s.items[0].free, undefined, 'no counts for customers');
  assert.equal(typeof s.items[0].available, 'boolean');
  assert.ok((await slots(`date=${D}`, cust)).items.length > 0, 'their organisation before the request exists');
  assertProblem(await cust.get(`/api/v1/appointments/slots?date=${D}&order_id=${otherOrder.id}`), 404, 'not_found');
  assertFieldError(await cust.get(`/api/v1/appointments/slots?date=${D}&org_id=${outlet}`), 'org_id');
  assertProblem(await book(cust, otherOrder.id, { start: at('16:30') }), 404, 'not_found');
  const b = await book(cust, custOrder.id, { start: at('16:30') });
  assert.equal(b.status, 200, b.text);
  const tl = await cust.get(`/api/v1/work-orders/${custOrder.id}/timeline`);
  const ev = tl.body.items.find((e) => e.event === 'appointment');
  assert.equal(ev.data.by, 'customer');
  assertProblem(await cust.get(`/api/v1/appointments?date=${D}`), 403, 'forbidden', 'the board is staff\'s');
  assertProblem(await cust.post(`/api/v1/work-orders/${custOrder.id}/no-show`, {}), 403, 'forbidden');
  assertProblem(await cust.get('/api/v1/bays'), 403, 'forbidden');
  assertProblem(await cust.del(`/api/v1/work-orders/${otherOrder.id}/appointment`), 404, 'not_found');
  const c = await cust.del(`/api/v1/work-orders/${custOrder.id}/appointment`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.appointment_start_at, null);
  assertProblem(await cust.del(`/api/v1/work-orders/${custOrder.id}/appointment`), 409, 'no_appointment');
  assert.equal((await book(cust, custOrder.id, { start: at('17:00') })).status, 200, 'booked again');
});

test('no-show: only an appointment that began and was missed; counted on the customer; on the board', async () => {
  const o = await order(outlet);
  assertProblem(await admin.post(`/api/v1/work-orders/${o.id}/no-show`, {}), 409, 'no_appointment');
  const b = await book(admin, o.id, { start: at('13:00') });
  assert.equal(b.status, 200, b.text);
  assertProblem(await admin.post(`/api/v1/work-orders/${o.id}/no-show`, {}), 409, 'not_started');
  // an appointment two hours ago (set directly, as the order's PATCH may)
  const start = new Date(Math.floor((Date.now() - 2 * 3600e3) / 1800e3) * 1800e3);
  const cur = await admin.get(`/api/v1/work-orders/${o.id}`);
  const p = await admin.patch(`/api/v1/work-orders/${o.id}`, { appointment_start: start.toISOString(), appointment_end: new Date(start.getTime() + 3600e3).toISOString() }, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(p.status, 200, p.text);
  assertFieldError(await admin.post(`/api/v1/work-orders/${o.id}/no-show`, { reason: 'x'.repeat(201) }), 'reason');
  assertProblem(await admin.post(`/api/v1/work-orders/${o.id}/no-show`, {}, { 'If-Match': '"1"' }), 412, 'precondition_failed');
  const ns = await u.agent.client.post(`/api/v1/work-orders/${o.id}/no-show`, { reason: '电话未接通' });
  assert.equal(ns.status, 200, ns.text);
  assert.ok(ns.body.no_show_at);
  assertProblem(await admin.post(`/api/v1/work-orders/${o.id}/no-show`, {}), 409, 'already_no_show');
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  assert.equal(tl.body.items.find((e) => e.event === 'no_show').data.reason, '电话未接通');
  const localDay = new Date(start.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
  const board = await u.agent.client.get(`/api/v1/appointments?date=${localDay}&org_id=${outlet}`);
  assert.equal(board.status, 200, board.text);
  const card = board.body.unassigned.find((x) => x.id === o.id);
  assert.ok(card, JSON.stringify(board.body));
  assert.equal(card.appointment_status, 'no_show');
  assert.equal(card.customer_no_show_count, 1);
  assert.ok(board.body.summary.no_show >= 1);
  // the board of D: the technicians with their appointments, t1's moved order among them
  const bd = await admin.get(`/api/v1/appointments?date=${D}&org_id=${outlet}`);
  const t1 = bd.body.technicians.find((t) => t.id === u.t1.id);
  assert.ok(t1.appointments.length >= 1 && t1.shift_min === 480, JSON.stringify(t1));
  assert.ok(bd.body.unassigned.length >= 2, 'appointments nobody works on yet');
  assertFieldError(await admin.get('/api/v1/appointments?date=2026-02-30'), 'date');
  assertProblem(await u.t1.client.get(`/api/v1/appointments?date=${D}&org_id=${shop}`), 404, 'not_found', 'another organisation');
  // a visit that began is not a no-show
  const o3 = await order(outlet);
  const d3 = await admin.post(`/api/v1/work-orders/${o3.id}/dispatch`, { assignee_id: u.t3.id, override_reason: '测试' });
  assert.equal(d3.status, 200, d3.text);
  const c3 = await admin.get(`/api/v1/work-orders/${o3.id}`);
  await admin.patch(`/api/v1/work-orders/${o3.id}`, { appointment_start: start.toISOString() }, { 'If-Match': `"${c3.body.version}"` });
  for (const ev of ['take', 'depart', 'arrive']) assert.equal((await u.t3.client.post(`/api/v1/work-orders/${o3.id}/${ev}`, {})).status, 200, ev);
  assertProblem(await admin.post(`/api/v1/work-orders/${o3.id}/no-show`, {}), 409, 'order_not_open');
});

test('reminders of tomorrow: once per appointment, however often and on however many nodes the job runs', async () => {
  const tomorrow = day(1);
  const r1 = await startServer({ env: { FUWU_SCHEDULER: 'off' } });
  let a = await adminClient(r1.url);
  const mk = async (phone, start) => {
    const o = await a.post('/api/v1/work-orders', smallestOrder({ customer: { name: '提醒客户', phone } }));
    assert.equal(o.status, 201, o.text);
    const p = await a.patch(`/api/v1/work-orders/${o.body.id}`, { appointment_start: start }, { 'If-Match': `"${o.body.version}"` });
    assert.equal(p.status, 200, p.text);
    return o.body.id;
  };
  const x = await mk('13800001111', at('10:00', tomorrow));
  const y = await mk('13800002222', at('15:30', tomorrow));
  const later = await mk('13800003333', at('10:00', day(2)));
  const gone = await mk('13800004444', at('11:00', tomorrow));
  assert.equal((await a.post(`/api/v1/work-orders/${gone}/cancel`, { reason: '不修了' })).status, 200);
  await r1.stop({ keep: true });
  const reminders = async (client, id) => (await client.get(`/api/v1/work-orders/${id}/outbox`)).body.items.filter((m) => m.template === 'appointment_reminder');
  try {
    // a node whose scheduler runs: the job runs as it takes the lease
    const r2 = await startServer({ db: r1.db, env: { FUWU_SCHEDULER_TICK_MS: '200' } });
    a = await adminClient(r2.url);
    for (let i = 0; i < 100 && (await reminders(a, y)).length === 0; i++) await sleep(100);
    const rx = await reminders(a, x);
    assert.equal(rx.length, 1, 'reminded');
    assert.equal(rx[0].data.start, `${tomorrow} 10:00`);
    assert.equal(rx[0].recipient, '+8613800001111');
    assert.equal((await reminders(a, y)).length, 1);
    assert.equal((await reminders(a, later)).length, 0, 'not the day after');
    assert.equal((await reminders(a, gone)).length, 0, 'not a cancelled order');
    await r2.stop({ keep: true });
    // a second run of the job (another node taking over), and on demand twice at once
    const r3 = await startServer({ db: r1.db, env: { FUWU_SCHEDULER_TICK_MS: '200' } });
    a = await adminClient(r3.url);
    await sleep(1500);
    const both = await Promise.all([a.post('/api/v1/appointments/reminders', {}), a.post('/api/v1/appointments/reminders', {})]);
    for (const r of both) {
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { date: tomorrow, sent: 0 });
    }
    for (const id of [x, y]) assert.equal((await reminders(a, id)).length, 1, 'still once');
    const tl = await a.get(`/api/v1/work-orders/${x}/timeline`);
    assert.equal(tl.body.items.filter((e) => e.event === 'appointment_reminder').length, 1);
    // a moved appointment is reminded again
    const cur = await a.get(`/api/v1/work-orders/${x}`);
    assert.equal((await a.patch(`/api/v1/work-orders/${x}`, { appointment_start: at('11:00', tomorrow) }, { 'If-Match': `"${cur.body.version}"` })).status, 200);
    const again = await a.post('/api/v1/appointments/reminders', { date: tomorrow });
    assert.deepEqual(again.body, { date: tomorrow, sent: 1 });
    assert.equal((await reminders(a, x)).length, 2);
    assertFieldError(await a.post('/api/v1/appointments/reminders', { date: '2026-02-30' }), 'date');
    await r3.stop({ keep: true });
  } finally {
    r1.cleanup();
  }
});
