// dispatch_prefilter.test.mjs — suggestions load only the technicians who can rank (a box
// around the order grown until nobody outside can beat the N-th best; an order without a
// position: its city's technicians, best outcome score first), and answer exactly what ranking
// the whole subtree answers (issue 5: ≤ 5 ms at 10,000 technicians). A second server on the same
// database with FUWU_DISPATCH_PREFILTER=off ranks the whole subtree: both must agree.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, api, smallestOrder, undocumentedCalls } from './lib.mjs';

let srv, whole, admin, wholeAdmin;
const techs = {}; // name → id
const assets = {}; // category → {id, customer_id}
let seq = 0;

async function org(name, city, lat, lon) {
  const r = await admin.post('/api/v1/organizations', { name, type: 'outlet', parent_id: admin.session.user.org_id, region: { province: '广东省', city }, lat, lon });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

// A technician of orgId based at (lat, lon) with the profile given (skills, level, area …).
async function tech(name, orgId, lat, lon, profile) {
  const r = await admin.post('/api/v1/users', { login: name, name: `预筛${name}`, password: 'password123', org_id: orgId, roles: ['technician'] });
  assert.equal(r.status, 201, r.text);
  techs[name] = r.body.id;
  const cur = await admin.get(`/api/v1/technicians/${r.body.id}`);
  const p = await admin.patch(`/api/v1/technicians/${r.body.id}`, { base_lat: lat, base_lon: lon, ...profile }, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(p.status, 200, p.text);
}

async function asset(category) {
  const m = await admin.post('/api/v1/product-models', { brand: '预筛', category, model: `PF-${category}`, warranty_months: 12 });
  assert.equal(m.status, 201, m.text);
  const c = await admin.post('/api/v1/customers', { name: `预筛${category}客户`, phones: [`1396666${String(1000 + Object.keys(assets).length).slice(-4)}`] });
  assert.equal(c.status, 201, c.text);
  const a = await admin.post('/api/v1/assets', { customer_id: c.body.id, model_id: m.body.id, serial: `PF-${category}-1`, purchase_date: '2026-01-10' });
  assert.equal(a.status, 201, a.text);
  assets[category] = { id: a.body.id, customer_id: c.body.id };
}

async function order(category, over = {}) {
  seq++;
  const r = await admin.post('/api/v1/work-orders', smallestOrder({
    customer_id: assets[category].customer_id, customer: undefined, asset_id: assets[category].id, region: '广州市', ...over,
  }));
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// The suggestions of both servers; they must be the same technicians, in the same order, for the
// same reasons (a score or start may move with the clock between the two requests).
async function both(id, limit = 5) {
  const a = await admin.get(`/api/v1/dispatch/suggestions?order=${id}&limit=${limit}`);
  const b = await wholeAdmin.get(`/api/v1/dispatch/suggestions?order=${id}&limit=${limit}`);
  assert.equal(a.status, 200, a.text);
  assert.equal(b.status, 200, b.text);
  const key = (r) => r.body.items.map((i) => `${i.technician_id} ${i.reason} ${i.travel_min}`);
  assert.deepEqual(key(a), key(b), `order ${id}: pre-filtered ${JSON.stringify(a.body.items)} whole ${JSON.stringify(b.body.items)}`);
  assert.equal(a.body.technicians, b.body.technicians, 'the technicians considered: the whole subtree');
  assert.deepEqual(a.body.excluded, b.body.excluded);
  a.body.items.forEach((x, i) => assert.ok(Math.abs(x.score - b.body.items[i].score) < 0.5, `${x.score} ~ ${b.body.items[i].score}`));
  return a.body;
}

before(async () => {
  srv = await startServer({ env: { FUWU_SCHEDULER: 'off' } });
  admin = await adminClient(srv.url);
  whole = await startServer({ db: srv.db, env: { FUWU_SCHEDULER: 'off', FUWU_DISPATCH_PREFILTER: 'off' } });
  wholeAdmin = api(whole.url, admin.session.token);
  const gz = await org('预筛天河网点', '广州市', 23.135, 113.33);
  const conghua = await org('预筛从化网点', '广州市', 23.55, 113.59); // about 50 km north
  const sz = await org('预筛深圳网点', '深圳市', 22.54, 114.06);
  for (const c of ['空调', '洗衣机', '热水器']) await asset(c);
  // around the customer in Tianhe: air conditioners, at 0.3 … 4 km, levels 1 … 5
  for (let i = 0; i < 10; i++) {
    await tech(`pf_ac${i}`, gz, 23.13 + 0.004 * i, 113.335 + 0.003 * (i % 4), { skills: [{ skill: '空调', level: 1 + (i % 5) }, { skill: '洗衣机', level: 2 }], level: 1 + (i % 5) });
  }
  // the only water-heater technician, far north, no service area
  await tech('pf_heater', conghua, 23.56, 113.6, { skills: [{ skill: '热水器', level: 3 }] });
  // far north too, an air conditioner with a 20 km area: cannot take Tianhe
  await tech('pf_ac_north', conghua, 23.55, 113.58, { skills: [{ skill: '空调', level: 5 }], area_radius_km: 20 });
  // Shenzhen: one who also serves Guangzhou (a listed region), one who does not
  await tech('pf_sz_listed', sz, 22.54, 114.06, { skills: [{ skill: '空调', level: 4 }], area_regions: ['广州市'] });
  await tech('pf_sz', sz, 22.55, 114.07, { skills: [{ skill: '空调', level: 5 }] });
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await whole?.stop({ keep: true });
  await srv?.stop();
});

test('a far technician who is the only one with the skill is found', async () => {
  const o = await order('热水器', { lat: 23.125, lon: 113.335 });
  const r = await both(o.id);
  assert.deepEqual(r.items.map((i) => i.technician_id), [techs.pf_heater], JSON.stringify(r.items));
  assert.ok(r.items[0].km > 40, `km ${r.items[0].km}`);
});

test('the nearest first, the far ones only when they can rank, the same as the whole subtree', async () => {
  const o = await order('空调', { lat: 23.125, lon: 113.335 });
  const five = await both(o.id);
  assert.equal(five.items.length, 5);
  assert.ok(five.items.every((i) => i.km < 5), 'five near ones');
  // all 50: the far ones too (Shenzhen, 100 km away: one serving Guangzhou by its list, one with
  // no service area at all), not the one whose 20 km area does not reach
  const all = await both(o.id, 50);
  const ids = all.items.map((i) => i.technician_id);
  assert.ok(ids.includes(techs.pf_sz_listed) && ids.includes(techs.pf_sz), JSON.stringify(all.items));
  assert.ok(!ids.includes(techs.pf_ac_north));
  assert.equal(ids.length, 12);
  // a washing machine, a window tomorrow, elsewhere in the city
  const w = await order('洗衣机', { lat: 23.16, lon: 113.36, appointment_start: new Date(Date.now() + 86400e3).toISOString() });
  for (const limit of [1, 3, 10]) await both(w.id, limit);
});

test('an order without a position: matched by city, the same as the whole subtree', async () => {
  const o = await order('空调');
  const r = await both(o.id, 50);
  assert.equal(r.distance_known, false);
  const ids = r.items.map((i) => i.technician_id);
  for (let i = 0; i < 10; i++) assert.ok(ids.includes(techs[`pf_ac${i}`]), `pf_ac${i} lives in Guangzhou`);
  assert.ok(ids.includes(techs.pf_ac_north), 'no distance: the city decides, and it is Guangzhou');
  assert.ok(ids.includes(techs.pf_sz_listed), 'serves Guangzhou');
  assert.ok(!ids.includes(techs.pf_sz), 'does not');
  assert.ok(r.items.every((i) => i.km === null));
  await both(o.id, 3);
  // another city: nobody of Guangzhou
  const sz = await order('空调', { region: '深圳市' });
  const s = await both(sz.id, 50);
  assert.deepEqual(s.items.map((i) => i.technician_id).sort(), [techs.pf_sz, techs.pf_sz_listed].sort());
});
