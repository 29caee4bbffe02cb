// dispatch.test.mjs — dispatch over the store (issue 5 items 2, 3): ranked suggestions with
// their reasons, an order without a position matched by city, the conflict check of a manual
// dispatch (skill, off duty, leave, double booking, another organisation) with an override and
// its reason on the timeline, two dispatchers racing for one order, the board of a day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, smallestOrder, assertProblem, assertFieldError, undocumentedCalls,
} from './lib.mjs';

let srv, admin, outletA, outletB, asset;
const u = {};
let phoneSeq = 0;

async function org(name, city, lat, lon) {
  const res = await admin.post('/api/v1/organizations', { name, type: 'outlet', parent_id: admin.session.user.org_id, region: { province: '广东省', city }, lat, lon });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function user(name, roles, orgId) {
  const res = await admin.post('/api/v1/users', { login: name, name: `派工${name}`, password: 'password123', org_id: orgId, roles });
  assert.equal(res.status, 201, res.text);
  u[name] = { id: res.body.id, client: api(srv.url, (await login(srv.url, name, 'password123')).token) };
  return u[name];
}

async function patchTech(id, body) {
  const cur = await admin.get(`/api/v1/technicians/${id}`);
  const r = await admin.patch(`/api/v1/technicians/${id}`, body, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(r.status, 200, r.text);
}

async function order(over = {}) {
  phoneSeq++;
  const r = await admin.post('/api/v1/work-orders', smallestOrder({
    customer: { name: '派工客户', phone: `1390000${String(1000 + phoneSeq).slice(-4)}` }, region: '广州市', org_id: outletA, ...over,
  }));
  assert.equal(r.status, 201, r.text);
  const a = await admin.post(`/api/v1/work-orders/${r.body.id}/accept`, {});
  assert.equal(a.status, 200, a.text);
  return a.body;
}

// tomorrow at hh:mm Beijing time, as ISO
function at(hh, mm = 0) {
  const d = new Date(Date.now() + 8 * 3600e3 + 86400e3);
  d.setUTCHours(hh - 8, mm, 0, 0);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh - 8, mm)).toISOString();
}

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  outletA = await org('派工天河网点', '广州市', 23.135, 113.33);
  outletB = await org('派工深圳网点', '深圳市', 22.54, 114.06);
  for (const n of ['near', 'far', 'washer', 'leave', 'off']) await user(`d_${n}`, ['technician'], outletA);
  await user('d_other', ['technician'], outletB);
  await user('d_disp', ['dispatcher'], outletA);
  await user('d_disp2', ['dispatcher'], outletA);
  for (const n of ['near', 'far', 'leave', 'off']) await patchTech(u[`d_${n}`].id, { skills: [{ skill: '空调', level: n === 'far' ? 5 : 3 }] });
  await patchTech(u.d_washer.id, { skills: [{ skill: '洗衣机', level: 4 }] });
  await patchTech(u.d_other.id, { skills: [{ skill: '空调', level: 3 }] });
  // where their phones say they are: near is 1 km from the customer, far 15 km
  for (const [n, lat, lon] of [['near', 23.13, 113.34], ['far', 23.2, 113.47], ['washer', 23.13, 113.34], ['leave', 23.13, 113.341], ['off', 23.131, 113.34]]) {
    const p = await u[`d_${n}`].client.post('/api/v1/technicians/me/position', { lat, lon });
    assert.equal(p.status, 200, p.text);
  }
  assert.equal((await u.d_off.client.post('/api/v1/technicians/me/duty', { on_duty: false })).status, 200);
  const lv = await admin.post(`/api/v1/technicians/${u.d_leave.id}/leave`, {
    from_at: new Date(Date.now() - 3600e3).toISOString(), to_at: new Date(Date.now() + 3 * 86400e3).toISOString(), kind: 'annual',
  });
  assert.equal(lv.status, 201, lv.text);
  const m = await admin.post('/api/v1/product-models', { brand: '格力', category: '空调', model: 'KFR-35GW-派工', warranty_months: 12 });
  assert.equal(m.status, 201, m.text);
  const c = await admin.post('/api/v1/customers', { name: '派工资产客户', phones: ['13977776666'] });
  const a = await admin.post('/api/v1/assets', { customer_id: c.body.id, model_id: m.body.id, serial: 'GREE-DSP-1', purchase_date: '2026-01-10' });
  assert.equal(a.status, 201, a.text);
  asset = { id: a.body.id, customer_id: c.body.id };
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

test('suggestions: the nearest with the skill first, with reasons; no skill, leave and off duty left out', async () => {
  const o = await order({ customer_id: asset.customer_id, customer: undefined, asset_id: asset.id, lat: 23.125, lon: 113.335 });
  const r = await u.d_disp.client.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=10`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.distance_known, true);
  assert.equal(r.body.category, '空调');
  const ids = r.body.items.map((i) => i.technician_id);
  assert.equal(ids[0], u.d_near.id, JSON.stringify(r.body.items));
  assert.ok(ids.includes(u.d_far.id));
  for (const n of ['washer', 'leave', 'off', 'other']) assert.ok(!ids.includes(u[`d_${n}`].id), `${n} is not suggested`);
  const best = r.body.items[0];
  assert.ok(best.km > 0.3 && best.km < 2, `km ${best.km}`);
  assert.ok(best.travel_min >= 1);
  assert.equal(best.skill_level, 3);
  assert.match(best.reason, /^\d+\.\d km, \d+ open orders?, skill 空调 level 3$/);
  assert.ok(r.body.items[1].km > 10, 'far is about 15 km away');
  assert.ok(best.score >= r.body.items[1].score);
  assert.ok(Date.parse(best.start_at) >= Date.now() - 60e3);
  // limit
  const one = await admin.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=1`);
  assert.equal(one.body.items.length, 1);
});

test('suggestions: bad input and an order out of scope', async () => {
  assertFieldError(await admin.get('/api/v1/dispatch/suggestions'), 'order');
  assertFieldError(await admin.get('/api/v1/dispatch/suggestions?order=abc'), 'order');
  const o = await order();
  assertFieldError(await admin.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=0`), 'limit');
  assertFieldError(await admin.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=51`), 'limit');
  assertProblem(await admin.get('/api/v1/dispatch/suggestions?order=99999999'), 404, 'not_found');
  assertProblem(await u.d_near.client.get(`/api/v1/dispatch/suggestions?order=${o.id}`), 403, 'forbidden', 'a technician does not dispatch');
});

test('an address without a position: matched by city, the distance said to be unknown', async () => {
  const o = await order({ customer_id: asset.customer_id, customer: undefined, asset_id: asset.id });
  const r = await admin.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=10`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.distance_known, false);
  assert.match(r.body.note, /distance is unknown/);
  const ids = r.body.items.map((i) => i.technician_id);
  assert.ok(ids.includes(u.d_near.id) && ids.includes(u.d_far.id), 'the Guangzhou technicians');
  assert.ok(!ids.includes(u.d_other.id), 'not the Shenzhen one');
  for (const i of r.body.items) {
    assert.equal(i.km, null);
    assert.match(i.reason, /^distance unknown, /);
  }
});

test('manual dispatch: conflicts refused with the reasons unless overridden; the override is on the timeline', async () => {
  const o = await order({ customer_id: asset.customer_id, customer: undefined, asset_id: asset.id, lat: 23.125, lon: 113.335 });
  const noSkill = await u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_washer.id });
  assertProblem(noSkill, 409, 'dispatch_conflict');
  assert.deepEqual(noSkill.body.conflicts, ['no_skill']);
  assert.match(noSkill.body.detail, /no_skill/);
  const off = await u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_off.id });
  assert.deepEqual(off.body.conflicts, ['off_duty']);
  const leave = await u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_leave.id });
  assert.deepEqual(leave.body.conflicts, ['on_leave']);
  // another organisation's technician: forbidden, whatever the reason
  const other = await u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_other.id, override_reason: '支援' });
  assertProblem(other, 403, 'forbidden');
  // nothing was changed by the refusals
  assert.equal((await admin.get(`/api/v1/work-orders/${o.id}`)).body.status, 'accepted');
  // a reason that is too long, an appointment that ends before it starts
  assertFieldError(await u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_washer.id, override_reason: 'x'.repeat(201) }), 'override_reason');
  assertFieldError(await u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_near.id, appointment_start: at(11), appointment_end: at(10) }), 'appointment_end');
  // overridden with a reason: dispatched, and the timeline says what was overridden and why
  const ok = await u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_washer.id, override_reason: '客户指定该师傅' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.assignee_id, u.d_washer.id);
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  const ev = tl.body.items.find((e) => e.event === 'dispatch');
  assert.deepEqual(ev.data.conflicts, ['no_skill']);
  assert.equal(ev.data.override_reason, '客户指定该师傅');
});

test('appointments: a technician is not booked twice; back to back is fine; the board shows the day', async () => {
  const pos = { lat: 23.125, lon: 113.335 };
  const a = await order(pos);
  const b = await order(pos);
  const c = await order(pos);
  const first = await u.d_disp.client.post(`/api/v1/work-orders/${a.id}/dispatch`, { assignee_id: u.d_near.id, appointment_start: at(10), appointment_end: at(11) });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.appointment_start_at, at(10));
  const clash = await u.d_disp.client.post(`/api/v1/work-orders/${b.id}/dispatch`, { assignee_id: u.d_near.id, appointment_start: at(10, 30), appointment_end: at(11, 30) });
  assertProblem(clash, 409, 'dispatch_conflict');
  assert.deepEqual(clash.body.conflicts, ['double_booked']);
  const next = await u.d_disp.client.post(`/api/v1/work-orders/${b.id}/dispatch`, { assignee_id: u.d_near.id, appointment_start: at(11), appointment_end: at(12) });
  assert.equal(next.status, 200, next.text);

  const day = at(10).slice(0, 10); // the UTC date of 10:00 Beijing is the Beijing date
  const board = await u.d_disp.client.get(`/api/v1/dispatch/board?date=${day}`);
  assert.equal(board.status, 200, board.text);
  assert.equal(board.body.date, day);
  const near = board.body.technicians.find((t) => t.id === u.d_near.id);
  assert.deepEqual(near.bookings.map((x) => x.id), [a.id, b.id]);
  assert.equal(near.bookings[0].appointment_start_at, at(10));
  assert.equal(near.shifts.length, 1, 'no shift pattern recorded: the whole day');
  assert.ok(board.body.unassigned.some((x) => x.id === c.id), 'the order still waiting');
  assert.ok(!board.body.technicians.some((t) => t.id === u.d_other.id), 'only the outlet\'s own technicians');
  assert.equal(board.body.technicians.find((t) => t.id === u.d_leave.id).leave.length, 1);
  assert.equal(near.bookings[0].version, first.body.version, 'the version, for If-Match');
  assert.equal(board.body.unassigned_more, false);
  // one organisation of the subtree: its technicians and orders only
  const mine = await admin.get(`/api/v1/dispatch/board?date=${day}&org_id=${outletA}`);
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.body.technicians.every((t) => t.org_id === outletA) && mine.body.technicians.length === 5);
  assert.ok(mine.body.unassigned.every((o) => o.org_id === outletA));
  assertProblem(await u.d_disp.client.get(`/api/v1/dispatch/board?org_id=${outletB}`), 404, 'not_found', 'another outlet');
  assertFieldError(await admin.get('/api/v1/dispatch/board?date=2026-13-01'), 'date');
  assertFieldError(await admin.get('/api/v1/dispatch/board?org_id=x'), 'org_id');
});

test('routes: a technician\'s visits of the day in the order that cuts travel, before and after', async () => {
  // far stands at (23.2, 113.47); the orders were dispatched far, near, middle: a zig-zag
  const spots = [[23.10, 113.30], [23.19, 113.46], [23.15, 113.40]];
  const ids = [];
  for (const [lat, lon] of spots) {
    const o = await order({ lat, lon });
    const d = await u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_far.id });
    assert.equal(d.status, 200, d.text);
    ids.push(o.id);
  }
  const r = await u.d_disp.client.get(`/api/v1/dispatch/routes?org_id=${outletA}`);
  assert.equal(r.status, 200, r.text);
  const far = r.body.routes.find((x) => x.technician_id === u.d_far.id);
  assert.ok(far, JSON.stringify(r.body));
  assert.deepEqual(far.visits.map((v) => v.order_id), [ids[1], ids[2], ids[0]], 'nearest first, then outward');
  assert.ok(far.km_after < far.km_before - 10, `${far.km_before} → ${far.km_after} km`);
  assert.ok(far.travel_min_after < far.travel_min_before);
  assert.deepEqual(far.unplanned, []);
  for (let i = 1; i < far.visits.length; i++) assert.ok(Date.parse(far.visits[i].start_at) >= Date.parse(far.visits[i - 1].start_at) + 3600e3, 'an hour on site each');
  assert.ok(r.body.km_after <= r.body.km_before);
  assertFieldError(await admin.get('/api/v1/dispatch/routes?date=tomorrow'), 'date');
  assertProblem(await u.d_near.client.get('/api/v1/dispatch/routes'), 403, 'forbidden');
});

test('two dispatchers assigning the same order at once (each with the version they saw): exactly one wins', async () => {
  for (let round = 0; round < 5; round++) {
    const o = await order({ lat: 23.125, lon: 113.335 });
    const [x, y] = await Promise.all([
      u.d_disp.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_near.id }, { 'If-Match': `"${o.version}"` }),
      u.d_disp2.client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.d_far.id }, { 'If-Match': `"${o.version}"` }),
    ]);
    const codes = [x.status, y.status].sort();
    assert.equal(codes[0], 200, `${x.text} ${y.text}`);
    assert.ok(codes[1] === 409 || codes[1] === 412, `the loser: ${codes[1]}`);
    const final = (await admin.get(`/api/v1/work-orders/${o.id}`)).body;
    const winner = x.status === 200 ? u.d_near.id : u.d_far.id;
    assert.equal(final.assignee_id, winner);
    const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
    assert.equal(tl.body.items.filter((e) => e.event === 'dispatch').length, 1);
  }
});
