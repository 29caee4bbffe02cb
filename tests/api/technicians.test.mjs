// technicians.test.mjs — technicians as dispatch resources (issue 5 item 1): the list with
// profile and skills and its filters, the record with certificates (expired flag), brands,
// shifts and leave, PATCH with If-Match, shifts, leave with overlap refused, the technician's
// own position and duty, the outcome score, scope by organisation and who may change what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, smallestOrder, assertProblem, assertFieldError, undocumentedCalls,
} from './lib.mjs';

let srv, admin, root, outletA, outletB;
const u = {}; // name → {client, id}

async function org(name, parent = root) {
  const res = await admin.post('/api/v1/organizations', { name, type: 'outlet', parent_id: parent });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function user(name, roles, orgId) {
  const res = await admin.post('/api/v1/users', { login: name, name: `技师测试${name}`, password: 'password123', org_id: orgId, roles });
  assert.equal(res.status, 201, res.text);
  u[name] = { id: res.body.id, client: api(srv.url, (await login(srv.url, name, 'password123')).token) };
  return u[name];
}

const T = (id) => `/api/v1/technicians/${id}`;

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  root = admin.session.user.org_id;
  outletA = await org('天河网点');
  outletB = await org('越秀网点');
  await user('tech_a', ['technician'], outletA);
  await user('tech_b', ['technician'], outletB);
  await user('disp_a', ['dispatcher'], outletA);
  await user('adv_a', ['advisor'], outletA);
  await user('tech_root', ['technician'], root);
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

test('list and record: defaults before any profile exists; only technicians, only in scope', async () => {
  const l = await u.disp_a.client.get('/api/v1/technicians?limit=500');
  assert.equal(l.status, 200, l.text);
  const ids = l.body.items.map((x) => x.id);
  assert.ok(ids.includes(u.tech_a.id), 'the outlet\'s technician is listed');
  assert.ok(!ids.includes(u.tech_b.id), 'another outlet\'s technician is not');
  assert.ok(!ids.includes(u.disp_a.id), 'a dispatcher is not a technician');
  const t = l.body.items.find((x) => x.id === u.tech_a.id);
  assert.equal(t.level, 1);
  assert.equal(t.on_duty, true, 'on duty until they go off');
  assert.deepEqual(t.skills, []);
  assert.equal(t.version, 1);
  assert.equal(t.login, undefined, 'no login in the list');
  const g = await u.disp_a.client.get(T(u.tech_a.id));
  assert.equal(g.status, 200, g.text);
  assert.equal(g.headers.get('etag'), '"1"');
  for (const k of ['certs', 'brands', 'shifts', 'leave', 'skills']) assert.deepEqual(g.body[k], [], k);
  assertProblem(await u.disp_a.client.get(T(u.tech_b.id)), 404, 'not_found', 'another outlet\'s technician');
  assertProblem(await u.disp_a.client.get(T(u.disp_a.id)), 404, 'not_found', 'not a technician');
  assertProblem(await admin.get(T(999999)), 404, 'not_found');
});

test('PATCH: profile, skills, certificates (expired flag), brands; If-Match; audit', async () => {
  const body = {
    team: '空调一组', level: 3, base_lat: 23.1291, base_lon: 113.2644, area_radius_km: 15, area_regions: ['440106', '440104'],
    skills: [{ skill: '空调', level: 4 }, { skill: '洗衣机', level: 2 }],
    certs: [
      { name: '制冷设备维修操作证', number: 'ZL-2024-001', skill: '空调', valid_from: '2024-01-01', expires_on: '2099-12-31' },
      { name: '旧证', valid_from: '2015-01-01', expires_on: '2020-01-01' },
    ],
    brands: [{ brand: '美的', category: '空调' }, { brand: '格力' }],
  };
  const p = await u.disp_a.client.patch(T(u.tech_a.id), body, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.headers.get('etag'), '"2"');
  assert.equal(p.body.team, '空调一组');
  assert.equal(p.body.level, 3);
  assert.equal(p.body.base_lat, 23.1291);
  assert.equal(p.body.area_radius_km, 15);
  assert.deepEqual(p.body.area_regions, ['440106', '440104']);
  assert.deepEqual(p.body.skills, [{ skill: '空调', level: 4 }, { skill: '洗衣机', level: 2 }]);
  assert.deepEqual(p.body.certs.map((c) => [c.name, c.expired]), [['制冷设备维修操作证', false], ['旧证', true]]);
  assert.equal(p.body.certs[0].expires_on, '2099-12-31');
  assert.deepEqual(p.body.brands, [{ brand: '格力', category: null }, { brand: '美的', category: '空调' }]);

  // a stale version changes nothing
  assertProblem(await u.disp_a.client.patch(T(u.tech_a.id), { level: 5 }, { 'If-Match': '"1"' }), 412, 'precondition_failed');
  // lists not given stay; a list given replaces
  const p2 = await u.disp_a.client.patch(T(u.tech_a.id), { level: 4, brands: [] }, { 'If-Match': '"2"' });
  assert.equal(p2.status, 200, p2.text);
  assert.equal(p2.body.level, 4);
  assert.equal(p2.body.skills.length, 2, 'skills untouched');
  assert.deepEqual(p2.body.brands, [], 'brands cleared: any brand');

  const audit = await admin.get(`/api/v1/audit-log?entity=technician&entity_id=${u.tech_a.id}`);
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.body.items.some((x) => x.action === 'update'), audit.text);

  // filters of the list
  const bySkill = await u.disp_a.client.get('/api/v1/technicians?skill=%E7%A9%BA%E8%B0%83');
  assert.deepEqual(bySkill.body.items.map((x) => x.id), [u.tech_a.id]);
  assert.equal(bySkill.body.items[0].skills[0].skill, '空调');
  const byTeam = await admin.get(`/api/v1/technicians?team=${encodeURIComponent('空调一组')}`);
  assert.deepEqual(byTeam.body.items.map((x) => x.id), [u.tech_a.id]);
  const byOrg = await admin.get(`/api/v1/technicians?org_id=${outletB}`);
  assert.deepEqual(byOrg.body.items.map((x) => x.id), [u.tech_b.id]);
  assert.equal((await admin.get('/api/v1/technicians?skill=%E6%B1%BD%E8%BD%A6')).body.items.length, 0, 'nobody repairs cars');
  assertFieldError(await admin.get('/api/v1/technicians?on_duty=maybe'), 'on_duty');
  assertFieldError(await admin.get('/api/v1/technicians?org_id=abc'), 'org_id');
});

test('PATCH: bad input → 400 naming the field, nothing written', async () => {
  const c = u.disp_a.client;
  const id = u.tech_a.id;
  const before = (await c.get(T(id))).body;
  const cases = [
    [{ skills: [{ skill: '空调', level: 0 }] }, 'skills[0].level'],
    [{ skills: [{ skill: '空调', level: 6 }] }, 'skills[0].level'],
    [{ skills: [{ skill: '空调', level: 2 }, { skill: '空调', level: 3 }] }, 'skills[1].skill'],
    [{ skills: [{ level: 2 }] }, 'skills[0].skill'],
    [{ skills: ['空调'] }, 'skills[0]'],
    [{ certs: [{ name: '证', expires_on: '2025-02-30' }] }, 'certs[0].expires_on'],
    [{ certs: [{ name: '证', valid_from: '2025-01-01', expires_on: '2024-01-01' }] }, 'certs[0].expires_on'],
    [{ certs: [{ name: '证', expires_on: 'next year' }] }, 'certs[0].expires_on'],
    [{ brands: [{ category: '空调' }] }, 'brands[0].brand'],
    [{ level: 0 }, 'level'],
    [{ level: '3' }, 'level'],
    [{ base_lat: 91, base_lon: 113 }, 'base_lat'],
    [{ base_lat: 23 }, 'base_lon'],
    [{ base_lat: 23, base_lon: 'abc' }, 'base_lon'],
    [{ area_radius_km: -1 }, 'area_radius_km'],
    [{ area_regions: [1, 2] }, 'area_regions'],
    [{ login: 'x' }, 'login'],
  ];
  for (const [body, field] of cases) assertFieldError(await c.patch(T(id), body), field, JSON.stringify(body));
  const after_ = (await c.get(T(id))).body;
  assert.equal(after_.version, before.version, 'nothing written');
});

test('who may change a technician: tech.write in scope; others 403 or 404', async () => {
  assertProblem(await u.adv_a.client.patch(T(u.tech_a.id), { level: 2 }), 403, 'forbidden', 'an advisor has no tech.write');
  assertProblem(await u.tech_a.client.patch(T(u.tech_a.id), { level: 5 }), 403, 'forbidden', 'a technician does not raise their own level');
  assertProblem(await u.disp_a.client.patch(T(u.tech_b.id), { level: 2 }), 404, 'not_found', 'another outlet\'s technician');
  assertProblem(await u.disp_a.client.put(`${T(u.tech_b.id)}/shifts`, { shifts: [] }), 404, 'not_found');
  assertProblem(await u.disp_a.client.post(`${T(u.tech_b.id)}/leave`, {
    from_at: '2030-01-01T00:00:00Z', to_at: '2030-01-02T00:00:00Z', kind: 'annual',
  }), 404, 'not_found');
  assertProblem(await u.disp_a.client.get(`${T(u.tech_b.id)}/score`), 404, 'not_found');
  // a technician may read the list (they hold wo.update, like the old list)
  assert.equal((await u.tech_a.client.get('/api/v1/technicians')).status, 200);
});

test('shifts: replace the week; bad weekdays, times and breaks → 400', async () => {
  const id = u.tech_a.id;
  const shifts = [
    { weekday: 1, start_min: 540, end_min: 1080, break_start_min: 720, break_end_min: 780 },
    { weekday: 6, start_min: 600, end_min: 900 },
  ];
  const v = (await admin.get(T(id))).body.version;
  const p = await u.disp_a.client.put(`${T(id)}/shifts`, { shifts }, { 'If-Match': `"${v}"` });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.body.shifts, [shifts[0], { ...shifts[1], break_start_min: null, break_end_min: null }]);
  assert.equal(p.body.version, v + 1);
  assertProblem(await u.disp_a.client.put(`${T(id)}/shifts`, { shifts: [] }, { 'If-Match': `"${v}"` }), 412, 'precondition_failed');
  const bad = [
    [{ weekday: 8, start_min: 0, end_min: 60 }, 'shifts[0].weekday'],
    [{ weekday: 0, start_min: 0, end_min: 60 }, 'shifts[0].weekday'],
    [{ weekday: 2, start_min: 600, end_min: 600 }, 'shifts[0].end_min'],
    [{ weekday: 2, start_min: 600, end_min: 1500 }, 'shifts[0].end_min'],
    [{ weekday: 2, start_min: 600, end_min: 900, break_start_min: 500, break_end_min: 700 }, 'shifts[0].break_end_min'],
    [{ weekday: 2, start_min: 600, end_min: 900, break_start_min: 700 }, 'shifts[0].break_end_min'],
    [{ weekday: 2, start_min: '9:00', end_min: 900 }, 'shifts[0].start_min'],
  ];
  for (const [s, field] of bad) assertFieldError(await u.disp_a.client.put(`${T(id)}/shifts`, { shifts: [s] }), field, JSON.stringify(s));
  assertFieldError(await u.disp_a.client.put(`${T(id)}/shifts`, {
    shifts: [{ weekday: 3, start_min: 0, end_min: 60 }, { weekday: 3, start_min: 100, end_min: 160 }],
  }), 'shifts[1].weekday', 'one shift per weekday');
  assertFieldError(await u.disp_a.client.put(`${T(id)}/shifts`, {}), 'shifts');
  const cleared = await u.disp_a.client.put(`${T(id)}/shifts`, { shifts: [] });
  assert.deepEqual(cleared.body.shifts, []);
});

test('leave: book, overlap → 409, from ≥ to → 400, upcoming shown, cancel', async () => {
  const id = u.tech_a.id;
  const L = `${T(id)}/leave`;
  const a = await u.disp_a.client.post(L, { from_at: '2030-03-01T00:00:00Z', to_at: '2030-03-05T00:00:00Z', kind: 'annual', reason: '年假' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.headers.get('location'), `${L}/${a.body.id}`);
  assert.equal(a.body.from_at, '2030-03-01T00:00:00.000Z');
  assert.equal(a.body.kind, 'annual');
  const ov = await u.disp_a.client.post(L, { from_at: '2030-03-04T00:00:00Z', to_at: '2030-03-06T00:00:00Z', kind: 'sick' });
  assertProblem(ov, 409, 'conflict', 'overlapping leave');
  assert.equal(ov.body.existing_id, a.body.id);
  const inside = await u.disp_a.client.post(L, { from_at: '2030-03-02T00:00:00Z', to_at: '2030-03-03T00:00:00Z', kind: 'training' });
  assertProblem(inside, 409, 'conflict', 'leave inside other leave');
  // touching the end is not an overlap (to_at is exclusive)
  const next = await u.disp_a.client.post(L, { from_at: '2030-03-05T00:00:00Z', to_at: '2030-03-06T00:00:00Z', kind: 'training' });
  assert.equal(next.status, 201, next.text);
  assertFieldError(await u.disp_a.client.post(L, { from_at: '2030-04-02T00:00:00Z', to_at: '2030-04-01T00:00:00Z', kind: 'annual' }), 'to_at');
  assertFieldError(await u.disp_a.client.post(L, { from_at: '2030-04-01T00:00:00Z', to_at: '2030-04-01T00:00:00Z', kind: 'annual' }), 'to_at');
  assertFieldError(await u.disp_a.client.post(L, { from_at: 'tomorrow', to_at: '2030-04-01T00:00:00Z', kind: 'annual' }), 'from_at');
  assertFieldError(await u.disp_a.client.post(L, { from_at: '2030-04-01T00:00:00Z', to_at: '2030-04-02T00:00:00Z', kind: 'holiday' }), 'kind');
  // the same Idempotency-Key gives the first answer again
  const key = { 'Idempotency-Key': 'leave-1' };
  const body = { from_at: '2030-05-01T00:00:00Z', to_at: '2030-05-02T00:00:00Z', kind: 'other' };
  const i1 = await u.disp_a.client.post(L, body, key);
  const i2 = await u.disp_a.client.post(L, body, key);
  assert.equal(i1.status, 201, i1.text);
  assert.equal(i2.status, 201, i2.text);
  assert.equal(i2.body.id, i1.body.id);

  const g = await admin.get(T(id));
  assert.deepEqual(g.body.leave.map((x) => x.id), [a.body.id, next.body.id, i1.body.id]);
  const del = await u.disp_a.client.del(`${L}/${next.body.id}`);
  assert.equal(del.status, 204, del.text);
  assertProblem(await u.disp_a.client.del(`${L}/${next.body.id}`), 404, 'not_found');
  assertProblem(await admin.del(`${T(u.tech_b.id)}/leave/${a.body.id}`), 404, 'not_found', 'another technician\'s leave');
  assert.deepEqual((await admin.get(T(id))).body.leave.map((x) => x.id), [a.body.id, i1.body.id]);
});

test('my position and duty: the technician\'s phone; ranges checked; others 403', async () => {
  const t = u.tech_a.client;
  const p = await t.post('/api/v1/technicians/me/position', { lat: 23.135, lon: 113.33 });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.id, u.tech_a.id);
  assert.equal(p.body.pos_lat, 23.135);
  assert.equal(p.body.pos_lon, 113.33);
  assert.ok(p.body.pos_at);
  const bad = [
    [{ lat: 91, lon: 113 }, 'lat'], [{ lat: -90.5, lon: 113 }, 'lat'], [{ lat: 23, lon: 181 }, 'lon'],
    [{ lat: 23, lon: 'abc' }, 'lon'], [{ lat: '23', lon: 113 }, 'lat'], [{ lat: 23 }, 'lon'], [{ lat: null, lon: 1 }, 'lat'],
    [{ lat: 23, lon: 113, alt: 5 }, 'alt'],
  ];
  for (const [b, f] of bad) assertFieldError(await t.post('/api/v1/technicians/me/position', b), f, JSON.stringify(b));
  const nan = await t.post('/api/v1/technicians/me/position', '{"lat": NaN, "lon": 1}');
  assert.equal(nan.status, 400, nan.text);
  assertProblem(await u.disp_a.client.post('/api/v1/technicians/me/position', { lat: 1, lon: 1 }), 403, 'forbidden', 'not a technician');

  const v = (await admin.get(T(u.tech_a.id))).body.version;
  const d = await t.post('/api/v1/technicians/me/duty', { on_duty: false });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.on_duty, false);
  assert.ok(d.body.duty_changed_at);
  assert.equal(d.body.version, v + 1, 'duty is a change of the record; a position is not');
  assertFieldError(await t.post('/api/v1/technicians/me/duty', { on_duty: 'yes' }), 'on_duty');
  assertFieldError(await t.post('/api/v1/technicians/me/duty', {}), 'on_duty');
  assertProblem(await admin.post('/api/v1/technicians/me/duty', { on_duty: true }), 403, 'forbidden');
  const off = await admin.get('/api/v1/technicians?on_duty=false');
  assert.deepEqual(off.body.items.map((x) => x.id), [u.tech_a.id]);
  const on = await admin.get('/api/v1/technicians?on_duty=true&limit=500');
  assert.ok(!on.body.items.some((x) => x.id === u.tech_a.id));
  assert.equal((await t.post('/api/v1/technicians/me/duty', { on_duty: true })).body.on_duty, true);
  const audit = await admin.get(`/api/v1/audit-log?entity=technician&entity_id=${u.tech_a.id}`);
  assert.ok(audit.body.items.some((x) => x.action === 'duty'), audit.text);
});

async function ev(id, event, body = {}) {
  const r = await admin.post(`/api/v1/work-orders/${id}/${event}`, body);
  assert.equal(r.status, 200, `${event}: ${r.text}`);
  return r.body;
}

async function completedOrder(techId, rework) {
  const o = await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '评分客户', phone: '13911112222' } }));
  assert.equal(o.status, 201, o.text);
  const id = o.body.id;
  await ev(id, 'accept');
  await ev(id, 'dispatch', { assignee_id: techId });
  await ev(id, 'take');
  await ev(id, 'arrive');
  await ev(id, 'complete');
  if (rework) {
    await ev(id, 'qc-fail', { reason: '仍不制冷' });
    await ev(id, 'complete');
  }
  return id;
}

test('score: first-time fix, reworks, rating, SLA kept; stored on the profile', async () => {
  const id = u.tech_root.id;
  const none = await admin.get(`${T(id)}/score`);
  assert.equal(none.status, 200, none.text);
  assert.equal(none.body.orders, 0);
  assert.equal(none.body.score, null, 'no completed order: no score');
  assert.match(none.body.formula, /first_time_fix_rate/);
  await completedOrder(id, false);
  await completedOrder(id, true);
  const s = await admin.get(`${T(id)}/score`);
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.period_days, 90);
  assert.equal(s.body.orders, 2);
  assert.equal(s.body.first_time_fix, 1);
  assert.equal(s.body.first_time_fix_rate, 0.5);
  assert.equal(s.body.rework_count, 1);
  assert.equal(s.body.avg_rating, null, 'nobody rated yet');
  assert.equal(s.body.sla_orders, 2);
  assert.equal(s.body.sla_kept, 2);
  // 100 × (40 × 0.5 + 30 × 1) / 70
  assert.equal(s.body.score_x100, 7143);
  assert.equal(s.body.score, 71.43);
  const g = await admin.get(T(id));
  assert.equal(g.body.score_x100, 7143, 'dispatch reads it from the profile');
  assert.ok(g.body.score_at);
});
