// dispatch_plan.test.mjs — the day's plan of a team with the route optimiser (issue 5 item 8,
// issue 6 item 4): keep mode orders a technician's zig-zag day keeping the appointment, the
// lunch break and the shift; GET /dispatch/routes with both engines; team mode moves orders
// only to a technician with the skill; applying re-dispatches through the state machine and
// keeps the planned visit as the appointment of an order without one; a stale version (412)
// or a changed day (409) refuses the whole plan with nothing applied; bad input is 400/403/404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, smallestOrder, assertProblem, assertFieldError, undocumentedCalls,
} from './lib.mjs';

let srv, admin, outlet, other, empty, aircon, washer;
const u = {};
const o = {};
let phoneSeq = 0;

// tomorrow in Beijing, and hh:mm of that day as an ISO instant
const D = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10);
const at = (hh, mm = 0) => {
  const [y, m, d] = D.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d, hh - 8, mm)).toISOString();
};
const local = (iso) => (Date.parse(iso) - Date.parse(at(0))) / 60000; // minutes since local midnight

async function org(name, lat, lon) {
  const res = await admin.post('/api/v1/organizations', { name, type: 'outlet', parent_id: admin.session.user.org_id, region: { province: '广东省', city: '广州市' }, lat, lon });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function user(name, roles, orgId) {
  const res = await admin.post('/api/v1/users', { login: name, name: `规划${name}`, password: 'password123', org_id: orgId, roles });
  assert.equal(res.status, 201, res.text);
  u[name] = { id: res.body.id, client: api(srv.url, (await login(srv.url, name, 'password123')).token) };
  return u[name];
}

// a technician at (lat, lon) with these skills, 09:00–18:00 every day with lunch 12:00–13:00
async function tech(name, orgId, lat, lon, skills) {
  const t = await user(name, ['technician'], orgId);
  let cur = await admin.get(`/api/v1/technicians/${t.id}`);
  let r = await admin.patch(`/api/v1/technicians/${t.id}`, { base_lat: lat, base_lon: lon, on_duty: true, skills: skills.map((skill) => ({ skill, level: 3 })) }, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(r.status, 200, r.text);
  const shifts = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start_min: 540, end_min: 1080, break_start_min: 720, break_end_min: 780 }));
  r = await admin.put(`/api/v1/technicians/${t.id}/shifts`, { shifts }, { 'If-Match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  return t;
}

async function asset(category) {
  const m = await admin.post('/api/v1/product-models', { brand: '美的', category, model: `规划-${category}`, warranty_months: 12 });
  assert.equal(m.status, 201, m.text);
  const c = await admin.post('/api/v1/customers', { name: `规划${category}客户`, phones: [`1380000${category === '空调' ? 1001 : 1002}`] });
  assert.equal(c.status, 201, c.text);
  const a = await admin.post('/api/v1/assets', { customer_id: c.body.id, model_id: m.body.id, serial: `PLAN-${category}`, purchase_date: '2026-01-10' });
  assert.equal(a.status, 201, a.text);
  return { asset_id: a.body.id, customer_id: c.body.id };
}

// an accepted order of the outlet at (lat, lon) for this asset, dispatched to a technician
async function order(name, lat, lon, kind, techId, appt) {
  phoneSeq++;
  const r = await admin.post('/api/v1/work-orders', smallestOrder({ customer: undefined, ...kind, region: '广州市', org_id: outlet, lat, lon, address: `广东省广州市规划路${phoneSeq}号` }));
  assert.equal(r.status, 201, r.text);
  assert.equal((await admin.post(`/api/v1/work-orders/${r.body.id}/accept`, {})).status, 200);
  if (techId) {
    const d = await u.p_disp.client.post(`/api/v1/work-orders/${r.body.id}/dispatch`, { assignee_id: techId, ...(appt || {}) });
    assert.equal(d.status, 200, d.text);
  }
  o[name] = r.body.id;
  return r.body.id;
}

const plan = async (q, who = u.p_disp.client) => who.get(`/api/v1/dispatch/plan?date=${D}&org_id=${outlet}&${q}`);
const route = (p, techId) => p.routes.find((r) => r.technician_id === techId);
const applyBody = (p) => ({
  date: p.date, org_id: p.org_id, include_unassigned: p.include_unassigned,
  routes: p.routes.map((r) => ({ technician_id: r.technician_id, visits: r.visits.map((v) => ({ order_id: v.order_id, version: v.version })) })),
  unassigned: p.unassigned.map((x) => ({ order_id: x.order_id, version: x.version })),
});

// Every visit inside 09:00–18:00, in its appointment, clear of the breaks, after the travel from the one before.
function assertSane(p) {
  for (const r of p.routes) {
    let prevEnd = null;
    for (const v of r.visits) {
      const s = local(v.start_at), e = local(v.end_at);
      assert.ok(s >= 540 && e <= 1080, `${v.number} ${v.start_at} within the shift`);
      assert.ok(Date.parse(v.arrival_at) <= Date.parse(v.start_at));
      if (v.appointment_start_at) assert.ok(Date.parse(v.start_at) >= Date.parse(v.appointment_start_at) && Date.parse(v.start_at) < Date.parse(v.appointment_end_at), `${v.number} in its appointment`);
      if (prevEnd !== null) assert.ok(Date.parse(v.arrival_at) >= prevEnd + v.travel_min * 60e3 - 60e3, 'travel between visits');
      for (const b of r.breaks) assert.ok(Date.parse(v.end_at) <= Date.parse(b.start_at) || Date.parse(v.start_at) >= Date.parse(b.end_at), `${v.number} clear of the ${b.kind}`);
      prevEnd = Date.parse(v.end_at);
    }
    assert.ok(r.km_after >= 0 && r.travel_min_after >= 0);
  }
}

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  outlet = await org('规划天河网点', 23.13, 113.33);
  other = await org('规划海珠网点', 23.10, 113.32);
  empty = await org('规划空网点', 23.10, 113.30);
  await user('p_disp', ['dispatcher'], outlet);
  // A in the west does air-con and washers; B in the east washers only; C is on leave tomorrow
  await tech('p_a', outlet, 23.13, 113.30, ['空调', '洗衣机']);
  await tech('p_b', outlet, 23.13, 113.50, ['洗衣机']);
  await tech('p_c', outlet, 23.13, 113.40, ['空调', '洗衣机']);
  await tech('p_other', other, 23.10, 113.32, ['空调']);
  const lv = await admin.post(`/api/v1/technicians/${u.p_c.id}/leave`, { from_at: at(0), to_at: at(23, 59), kind: 'annual' });
  assert.equal(lv.status, 201, lv.text);
  aircon = await asset('空调');
  washer = await asset('洗衣机');
  // A's day as dispatched: east, west, east, and an air-con appointment at 14:00 in the west
  await order('w_east1', 23.13, 113.49, washer, u.p_a.id);
  await order('w_west', 23.12, 113.30, washer, u.p_a.id);
  await order('w_east2', 23.14, 113.51, washer, u.p_a.id);
  await order('ac_14', 23.13, 113.31, aircon, u.p_a.id, { appointment_start: at(14), appointment_end: at(15) });
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

test('keep mode: the zig-zag day in order, the appointment, lunch and shift kept, travel cut', async () => {
  const r = await plan('mode=keep');
  assert.equal(r.status, 200, r.text);
  const p = r.body;
  assert.equal(p.mode, 'keep');
  assert.equal(p.engine, 'optimiser');
  assert.equal(p.date, D);
  assert.equal(p.orders, 4);
  assert.equal(p.moved, 0);
  assert.deepEqual(p.unassigned, []);
  const a = route(p, u.p_a.id);
  assert.equal(a.visits.length, 4);
  assert.deepEqual(a.before.map((v) => v.order_id), [o.w_east1, o.w_west, o.w_east2, o.ac_14], 'the day as dispatched');
  const seq = a.visits.map((v) => v.order_id);
  assert.ok(Math.abs(seq.indexOf(o.w_east1) - seq.indexOf(o.w_east2)) === 1, `the two eastern visits together: ${seq}`);
  assert.ok(a.km_after < a.km_before - 10, `${a.km_before} → ${a.km_after} km`);
  assert.ok(a.travel_min_after < a.travel_min_before);
  assert.ok(p.travel_min_after <= p.travel_min_before && p.km_after <= p.km_before);
  assert.equal(p.saved_min, p.travel_min_before - p.travel_min_after);
  const ac = a.visits.find((v) => v.order_id === o.ac_14);
  assert.ok(local(ac.start_at) >= 14 * 60 && local(ac.start_at) < 15 * 60, `the 14:00 appointment: ${ac.start_at}`);
  assert.equal(a.breaks.length, 1);
  assert.equal(a.breaks[0].kind, 'lunch');
  assert.equal(Date.parse(a.breaks[0].end_at) - Date.parse(a.breaks[0].start_at), 3600e3);
  assert.equal(local(a.work_start_at), 540);
  assert.equal(local(a.work_end_at), 1080);
  for (const v of a.visits) assert.ok(v.version >= 1 && v.number && typeof v.km === 'number' && v.from_technician_id === null && v.moved === false);
  assertSane(p);
  assert.ok(!route(p, u.p_b.id), 'B has nothing to do in keep mode');
  assert.ok(p.seconds < 2.5, `bounded time: ${p.seconds} s`);
  // deterministic
  const again = await plan('mode=keep');
  assert.deepEqual(route(again.body, u.p_a.id).visits.map((v) => v.order_id), seq);
});

test('routes: the optimiser by default, the first heuristic on request, both cut travel', async () => {
  const opt = await u.p_disp.client.get(`/api/v1/dispatch/routes?date=${D}&org_id=${outlet}`);
  assert.equal(opt.status, 200, opt.text);
  assert.equal(opt.body.engine, 'optimiser');
  const heu = await u.p_disp.client.get(`/api/v1/dispatch/routes?date=${D}&org_id=${outlet}&engine=heuristic`);
  assert.equal(heu.status, 200, heu.text);
  assert.equal(heu.body.engine, 'heuristic');
  for (const body of [opt.body, heu.body]) {
    const a = route(body, u.p_a.id);
    assert.equal(a.visits.length, 4);
    assert.deepEqual(a.unplanned, []);
    assert.ok(a.km_after <= a.km_before);
    assert.ok(body.km_after <= body.km_before);
  }
  assert.ok(route(opt.body, u.p_a.id).km_after <= route(heu.body, u.p_a.id).km_after + 0.05, 'the optimiser no worse than the heuristic');
  assertFieldError(await admin.get('/api/v1/dispatch/routes?engine=magic'), 'engine');
});

test('team mode: the eastern washer orders go to B; the air-con order stays with A (B lacks the skill)', async () => {
  const r = await plan('mode=team');
  assert.equal(r.status, 200, r.text);
  const p = r.body;
  assert.equal(p.mode, 'team');
  assert.deepEqual(p.unassigned, []);
  const b = route(p, u.p_b.id);
  assert.ok(b, JSON.stringify(p.routes.map((x) => x.technician_id)));
  const bIds = b.visits.map((v) => v.order_id);
  assert.ok(bIds.includes(o.w_east1) && bIds.includes(o.w_east2), `B takes the east: ${bIds}`);
  assert.ok(!bIds.includes(o.ac_14), 'never the air-con order');
  for (const v of b.visits) {
    assert.equal(v.moved, true);
    assert.equal(v.from_technician_id, u.p_a.id);
  }
  assert.ok(route(p, u.p_a.id).visits.some((v) => v.order_id === o.ac_14));
  assert.ok(!route(p, u.p_c.id), 'C is on leave');
  assert.equal(p.moved, b.visits.length);
  assert.ok(p.travel_min_after < p.travel_min_before, `${p.travel_min_before} → ${p.travel_min_after} min`);
  assertSane(p);
});

test('apply: moved orders re-dispatched, planned visits kept as appointments; the same plan again is stale (412)', async () => {
  const p = (await plan('mode=team')).body;
  const body = applyBody(p);
  const r = await u.p_disp.client.post('/api/v1/dispatch/plan/apply', body);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.moved, p.moved);
  const east = await admin.get(`/api/v1/work-orders/${o.w_east1}`);
  assert.equal(east.body.assignee_id, u.p_b.id);
  assert.equal(east.body.status, 'dispatched');
  const planned = route(p, u.p_b.id).visits.find((v) => v.order_id === o.w_east1);
  assert.equal(east.body.appointment_start_at, planned.start_at, 'the planned visit became the appointment');
  const tl = await admin.get(`/api/v1/work-orders/${o.w_east1}/timeline`);
  const ev = tl.body.items.filter((e) => e.event === 'dispatch').pop();
  assert.equal(ev.data.assignee_id, u.p_b.id);
  assert.match(ev.data.reason, /route plan/);
  // the order staying with A without an appointment got its planned time; the customer's 14:00 did not move
  const west = await admin.get(`/api/v1/work-orders/${o.w_west}`);
  assert.equal(west.body.assignee_id, u.p_a.id);
  assert.equal(west.body.appointment_start_at, route(p, u.p_a.id).visits.find((v) => v.order_id === o.w_west).start_at);
  const ac = await admin.get(`/api/v1/work-orders/${o.ac_14}`);
  assert.equal(ac.body.appointment_start_at, at(14));
  assert.equal(ac.body.appointment_end_at, at(15));
  assert.ok(r.body.orders.some((x) => x.order_id === o.w_west && x.change === 'timed'));
  assert.ok(r.body.orders.some((x) => x.order_id === o.ac_14 && x.change === 'none'));
  // applied once: the versions of the plan are gone
  const again = await u.p_disp.client.post('/api/v1/dispatch/plan/apply', body);
  assertProblem(again, 412, 'precondition_failed');
  assert.equal((await admin.get(`/api/v1/work-orders/${o.w_west}`)).body.version, west.body.version, 'nothing written');
  // the day as it is now is the plan: nothing more to move
  const now = (await plan('mode=team')).body;
  assert.equal(now.moved, 0);
  assert.ok(now.travel_min_after <= p.travel_min_after + 1);
});

test('apply is all or nothing: a changed order (412) or a new one in the day (409) refuses the whole plan', async () => {
  // the east washer back to A by hand: the team plan moves it to B again
  const cur = await admin.get(`/api/v1/work-orders/${o.w_east2}`);
  const back = await u.p_disp.client.post(`/api/v1/work-orders/${o.w_east2}/dispatch`, { assignee_id: u.p_a.id, override_reason: '测试' });
  assert.equal(back.status, 200, back.text);
  assert.ok(cur.body.version < back.body.version);
  let p = (await plan('mode=team')).body;
  assert.ok(route(p, u.p_b.id).visits.some((v) => v.order_id === o.w_east2 && v.moved), 'moved again');
  // someone changes the 14:00 order meanwhile
  const ac = await admin.get(`/api/v1/work-orders/${o.ac_14}`);
  const ch = await admin.patch(`/api/v1/work-orders/${o.ac_14}`, { fault_description: '空调不制冷，客户补充：外机异响' }, { 'If-Match': `"${ac.body.version}"` });
  assert.equal(ch.status, 200, ch.text);
  const stale = await u.p_disp.client.post('/api/v1/dispatch/plan/apply', applyBody(p));
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal((await admin.get(`/api/v1/work-orders/${o.w_east2}`)).body.assignee_id, u.p_a.id, 'the move before it was not applied');
  // a fresh plan; then a new order joins A's day before it is applied
  p = (await plan('mode=team')).body;
  await order('late_comer', 23.13, 113.32, washer, u.p_a.id);
  const outdated = await u.p_disp.client.post('/api/v1/dispatch/plan/apply', applyBody(p));
  assertProblem(outdated, 409, 'plan_outdated');
  assert.equal(outdated.body.order_id, o.late_comer);
  assert.equal((await admin.get(`/api/v1/work-orders/${o.w_east2}`)).body.assignee_id, u.p_a.id, 'still nothing applied');
  // planned again, it applies
  p = (await plan('mode=team')).body;
  const ok = await u.p_disp.client.post('/api/v1/dispatch/plan/apply', applyBody(p));
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await admin.get(`/api/v1/work-orders/${o.w_east2}`)).body.assignee_id, u.p_b.id);
});

test('apply refuses a route the plan could not have made: wrong skill, missed appointment', async () => {
  const p = (await plan('mode=keep')).body;
  const body = applyBody(p);
  // the air-con order to B (washers only)
  const b = body.routes.find((r) => r.technician_id === u.p_b.id);
  const a = body.routes.find((r) => r.technician_id === u.p_a.id);
  const i = a.visits.findIndex((v) => v.order_id === o.ac_14);
  b.visits.push(...a.visits.splice(i, 1));
  const wrong = await u.p_disp.client.post('/api/v1/dispatch/plan/apply', body);
  assertProblem(wrong, 409, 'dispatch_conflict');
  assert.equal(wrong.body.technician_id, u.p_b.id);
  // the 14:00 appointment last after a full day can only be late
  const body3 = applyBody(p);
  const all = body3.routes.flatMap((r) => r.visits);
  for (const r of body3.routes) r.visits = r.technician_id === u.p_a.id ? [...all.filter((v) => v.order_id !== o.ac_14), ...all.filter((v) => v.order_id === o.ac_14)] : [];
  assertProblem(await u.p_disp.client.post('/api/v1/dispatch/plan/apply', body3), 409, 'plan_late');
});

test('bad input: 400 / 403 / 404, never 500', async () => {
  assertFieldError(await u.p_disp.client.get(`/api/v1/dispatch/plan?date=2026-13-01&org_id=${outlet}`), 'date');
  assertFieldError(await u.p_disp.client.get(`/api/v1/dispatch/plan?date=2020-01-01&org_id=${outlet}`), 'date', 'a day that is over');
  assertFieldError(await plan('mode=fast'), 'mode');
  assertFieldError(await plan('include_unassigned=yes'), 'include_unassigned');
  assertFieldError(await u.p_disp.client.get('/api/v1/dispatch/plan?org_id=x'), 'org_id');
  assertProblem(await u.p_disp.client.get(`/api/v1/dispatch/plan?date=${D}&org_id=${other}`), 404, 'not_found', 'an outlet outside the subtree');
  assertProblem(await u.p_disp.client.get(`/api/v1/dispatch/plan?date=${D}&org_id=99999999`), 404, 'not_found');
  assertProblem(await u.p_a.client.get(`/api/v1/dispatch/plan?date=${D}`), 403, 'forbidden', 'a technician does not plan');
  // a team without technicians: an empty plan
  const none = await admin.get(`/api/v1/dispatch/plan?date=${D}&org_id=${empty}&mode=team`);
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.body.routes, []);
  assert.equal(none.body.orders, 0);
  assert.equal(none.body.technicians, 0);

  const post = (body) => u.p_disp.client.post('/api/v1/dispatch/plan/apply', body);
  assertFieldError(await post({}), 'routes');
  assertFieldError(await post({ date: D, routes: [] }), 'routes', 'an empty plan');
  assertFieldError(await post({ date: 'tomorrow', routes: [{ technician_id: u.p_a.id, visits: [] }] }), 'date');
  assertFieldError(await post({ date: D, routes: [{ technician_id: 'a', visits: [] }] }), 'routes');
  assertFieldError(await post({ date: D, routes: [{ technician_id: u.p_a.id, visits: [{ order_id: o.w_west }] }] }), 'routes', 'no version');
  assertFieldError(await post({ date: D, routes: [{ technician_id: u.p_a.id, visits: [] }], extra: 1 }), 'extra');
  assertFieldError(await post({ date: D, routes: [{ technician_id: u.p_a.id, visits: [] }], unassigned: [{ order_id: 1, version: 0 }] }), 'unassigned');
  assertProblem(await post({ date: D, org_id: other, routes: [{ technician_id: u.p_other.id, visits: [] }] }), 404, 'not_found', 'an outlet outside the subtree');
  assertProblem(await post({ date: D, org_id: outlet, routes: [{ technician_id: u.p_other.id, visits: [] }] }), 409, 'plan_outdated', 'the day\'s orders are not in it');
  assertProblem(await post({ date: D, org_id: outlet, routes: [{ technician_id: u.p_a.id, visits: [{ order_id: 99999999, version: 1 }] }] }), 404, 'not_found');
  assertFieldError(await post({ date: '2020-01-01', routes: [{ technician_id: u.p_a.id, visits: [] }] }), 'date', 'a day that is over');
  const p = (await plan('mode=keep')).body;
  const twice = applyBody(p);
  twice.routes[1].visits.push(twice.routes[0].visits[0]);
  assertFieldError(await post(twice), 'routes', 'an order in two routes');
  const body = applyBody(p);
  body.routes[0].technician_id = u.p_other.id;
  assertProblem(await post(body), 403, 'forbidden', 'a technician of another outlet');
  assertProblem(await u.p_a.client.post('/api/v1/dispatch/plan/apply', applyBody(p)), 403, 'forbidden');
});

test('include_unassigned: an order waiting with an appointment that day goes to a technician with the skill', async () => {
  const id = await order('waiting', 23.13, 113.48, washer, null);
  const cur = await admin.get(`/api/v1/work-orders/${id}`);
  const b = await admin.post(`/api/v1/work-orders/${id}/appointment`, { start: at(16), end: at(17) }, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(b.status, 200, b.text);
  const without = (await plan('mode=keep')).body;
  assert.ok(!without.routes.some((r) => r.visits.some((v) => v.order_id === id)));
  const p = (await plan('mode=keep&include_unassigned=true')).body;
  const placed = p.routes.find((r) => r.visits.some((v) => v.order_id === id));
  assert.ok(placed, JSON.stringify(p.unassigned));
  assert.ok([u.p_a.id, u.p_b.id].includes(placed.technician_id));
  assert.equal(p.assigned, 1);
  const r = await u.p_disp.client.post('/api/v1/dispatch/plan/apply', applyBody(p));
  assert.equal(r.status, 200, r.text);
  const now = (await admin.get(`/api/v1/work-orders/${id}`)).body;
  assert.equal(now.status, 'dispatched');
  assert.equal(now.assignee_id, placed.technician_id);
  assert.equal(now.appointment_start_at, at(16), 'the customer\'s appointment kept');
});
