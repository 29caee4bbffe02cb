// authorizations.test.mjs — 网签 (issue 5 item 4) and dispatch policies: proposing by either
// side, accepting by the other (the same side twice → 409), suspend / resume / end with their
// reasons, validation of the organisations and dates, who sees and who may act, the valid_on
// listing that authz_allows() answers, and the most-specific dispatch policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, assertProblem, assertFieldError, undocumentedCalls,
} from './lib.mjs';

let srv, admin, root;
const o = {}; // organisations by name → id
const u = {}; // clients by name

async function org(name, type, parent = root) {
  const res = await admin.post('/api/v1/organizations', { name, type, parent_id: parent });
  assert.equal(res.status, 201, res.text);
  o[name] = res.body.id;
}

async function user(name, roles, orgId) {
  const res = await admin.post('/api/v1/users', { login: name, name, password: 'password123', org_id: orgId, roles });
  assert.equal(res.status, 201, res.text);
  u[name] = api(srv.url, (await login(srv.url, name, 'password123')).token);
}

const A = '/api/v1/authorizations';
const act = (c, id, verb, body = {}, h = {}) => c.post(`${A}/${id}/${verb}`, body, h);
const propose = (c, over = {}) => c.post(A, {
  principal_org_id: o.midea, outlet_org_id: o.tianhe, brand: '美的', category: '空调',
  valid_from: '2026-01-01', valid_to: '2030-12-31', ...over,
});

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  root = admin.session.user.org_id;
  await org('midea', 'manufacturer');
  await org('gree', 'manufacturer');
  await org('gz_station', 'station');
  await org('tianhe', 'outlet', o.gz_station);
  await org('yuexiu', 'outlet', o.gz_station);
  await org('other', 'outlet');
  await user('m_midea', ['manager'], o.midea);
  await user('m_station', ['manager'], o.gz_station);
  await user('m_tianhe', ['manager'], o.tianhe);
  await user('m_yuexiu', ['manager'], o.yuexiu);
  await user('m_other', ['manager'], o.other);
  await user('agent_tianhe', ['agent'], o.tianhe);
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

test('propose by the outlet, accept by the manufacturer; the same side twice → 409', async () => {
  const p = await propose(u.m_tianhe);
  assert.equal(p.status, 201, p.text);
  assert.equal(p.headers.get('location'), `${A}/${p.body.id}`);
  assert.equal(p.body.status, 'proposed');
  assert.equal(p.body.proposed_by_org_id, o.tianhe);
  assert.ok(p.body.outlet_accepted_at, 'proposing is accepting');
  assert.equal(p.body.principal_accepted_at, null);
  assert.equal(p.body.principal_type, 'manufacturer');
  assert.equal(p.body.outlet_name, 'tianhe');
  const id = p.body.id;
  assertProblem(await act(u.m_tianhe, id, 'accept'), 409, 'conflict', 'the outlet accepts its own proposal');
  assertProblem(await act(u.m_midea, id, 'accept', {}, { 'If-Match': '"7"' }), 412, 'precondition_failed');
  const a = await act(u.m_midea, id, 'accept', {}, { 'If-Match': `"${p.body.version}"` });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.body.status, 'active');
  assert.ok(a.body.principal_accepted_at);
  assert.equal(a.body.version, p.body.version + 1);
  assertProblem(await act(u.m_midea, id, 'accept'), 409, 'conflict', 'accepting twice');
  const audit = await admin.get(`/api/v1/audit-log?entity=authorization&entity_id=${id}`);
  assert.deepEqual(audit.body.items.map((x) => x.action).sort(), ['accept', 'create']);
});

test('who may propose: one of the sides with authz.write', async () => {
  assertProblem(await propose(u.m_tianhe, { outlet_org_id: o.yuexiu, brand: '格力' }), 403, 'forbidden', 'an outlet for another outlet');
  assertProblem(await propose(u.m_other, { brand: '海尔' }), 403, 'forbidden', 'an outlet not party to it');
  assertProblem(await propose(admin, { brand: '海尔' }), 403, 'forbidden', 'the platform is neither side');
  assertProblem(await propose(u.agent_tianhe, { brand: '海尔' }), 403, 'forbidden', 'an agent has no authz.write');
});

test('validation: organisation types, dates, required fields, overlap', async () => {
  const c = u.m_midea;
  assertFieldError(await propose(c, { valid_from: '2027-01-01', valid_to: '2026-01-01' }), 'valid_to');
  assertFieldError(await propose(c, { valid_from: '2026-13-01' }), 'valid_from');
  assertFieldError(await propose(c, { valid_to: '31/12/2030' }), 'valid_to');
  assertFieldError(await propose(c, { brand: '' }), 'brand');
  assertFieldError(await propose(c, { category: undefined }), 'category');
  assertFieldError(await propose(c, { principal_org_id: o.yuexiu }), 'principal_org_id', 'an outlet as principal');
  assertFieldError(await propose(c, { outlet_org_id: o.gree }), 'outlet_org_id', 'a manufacturer as outlet');
  assertFieldError(await propose(c, { outlet_org_id: 999999 }), 'outlet_org_id', 'unknown organisation');
  assertFieldError(await propose(c, { principal_org_id: 'midea' }), 'principal_org_id');
  assertFieldError(await propose(c, { extra: 1 }), 'extra');
  // the first test's authorisation covers 2026-2030: an overlapping one is refused
  const dup = await propose(c, { valid_from: '2030-06-01', valid_to: '2031-06-01' });
  assertProblem(dup, 409, 'conflict', 'overlapping period');
  assert.ok(dup.body.existing_id);
  const later = await propose(c, { valid_from: '2031-01-01', valid_to: '2031-12-31' });
  assert.equal(later.status, 201, later.text);
});

test('suspend and end need a reason; resume; valid_on lists only what allows work that day', async () => {
  const p = await propose(u.m_midea, { category: '洗衣机' });
  assert.equal(p.status, 201, p.text);
  const id = p.body.id;
  assertProblem(await act(u.m_midea, id, 'suspend', { reason: '质量问题' }), 409, 'conflict', 'a proposal is not suspended');
  assert.equal((await act(u.m_tianhe, id, 'accept')).body.status, 'active');
  const onDay = async (day) => (await u.m_midea.get(`${A}?valid_on=${day}&category=${encodeURIComponent('洗衣机')}`)).body.items.map((x) => x.id);
  assert.deepEqual(await onDay('2027-05-01'), [id]);
  assert.deepEqual(await onDay('2025-12-31'), [], 'before it starts');
  assert.deepEqual(await onDay('2030-12-31'), [id], 'valid_to is inclusive');

  assertFieldError(await act(u.m_midea, id, 'suspend'), 'reason');
  assertFieldError(await act(u.m_midea, id, 'suspend', { reason: '' }), 'reason');
  const s = await act(u.m_midea, id, 'suspend', { reason: '质量问题整改' });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.status, 'suspended');
  assert.equal(s.body.status_reason, '质量问题整改');
  assert.deepEqual(await onDay('2027-05-01'), [], 'a suspended one allows nothing');
  assertProblem(await act(u.m_other, id, 'resume'), 404, 'not_found', 'not party to it, not in scope');
  const r = await act(u.m_tianhe, id, 'resume');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'active');
  assert.deepEqual(await onDay('2027-05-01'), [id]);
  assertFieldError(await act(u.m_tianhe, id, 'end'), 'reason');
  const e = await act(u.m_tianhe, id, 'end', { reason: '网点停业' });
  assert.equal(e.body.status, 'ended');
  assertProblem(await act(u.m_midea, id, 'resume'), 409, 'conflict', 'ended is final');
  assertProblem(await act(u.m_midea, id, 'end', { reason: '再次' }), 409, 'conflict');
  assert.deepEqual(await onDay('2027-05-01'), []);
  assertFieldError(await u.m_midea.get(`${A}?valid_on=tomorrow`), 'valid_on');
  assertFieldError(await u.m_midea.get(`${A}?status=signed`), 'status');

  // an expired one: active, but its period is over
  const old = await propose(u.m_midea, { category: '冰箱', valid_from: '2020-01-01', valid_to: '2021-12-31' });
  assert.equal((await act(u.m_tianhe, old.body.id, 'accept')).body.status, 'active');
  const today = new Date().toISOString().slice(0, 10);
  const fridge = async (day) => (await u.m_tianhe.get(`${A}?valid_on=${day}&category=${encodeURIComponent('冰箱')}`)).body.items.length;
  assert.equal(await fridge(today), 0, 'expired');
  assert.equal(await fridge('2021-06-01'), 1, 'valid then');
});

test('a station authorises an outlet of its own; who sees what; list filters', async () => {
  const p = await u.m_station.post(A, {
    principal_org_id: o.gz_station, outlet_org_id: o.tianhe, brand: '格力', category: '空调', valid_from: '2026-01-01', valid_to: '2026-12-31',
  });
  assert.equal(p.status, 201, p.text);
  assert.ok(p.body.principal_accepted_at);
  assertProblem(await act(u.m_station, p.body.id, 'accept'), 409, 'conflict', 'the station accepted by proposing');
  // the outlet lies under the station, but its people act for the outlet
  const a = await act(u.m_tianhe, p.body.id, 'accept');
  assert.equal(a.status, 200, a.text);
  assert.equal(a.body.status, 'active');

  const ids = async (c, q = '') => (await c.get(`${A}?limit=500${q}`)).body.items.map((x) => x.id);
  assert.ok((await ids(u.m_midea)).every(Boolean));
  assert.ok(!(await ids(u.m_midea)).includes(p.body.id), 'the manufacturer is not party to the station\'s');
  assert.ok((await ids(u.m_station)).includes(p.body.id));
  assert.deepEqual(await ids(u.m_yuexiu), [], 'another outlet sees none');
  const all = await ids(admin);
  assert.ok(all.includes(p.body.id) && all.length >= 4, 'the platform sees every one');
  assert.deepEqual(await ids(admin, `&brand=${encodeURIComponent('格力')}`), [p.body.id]);
  assert.deepEqual(await ids(admin, `&principal_org_id=${o.gz_station}`), [p.body.id]);
  assert.ok((await ids(admin, `&outlet_org_id=${o.tianhe}&status=active`)).includes(p.body.id));
  assert.deepEqual(await ids(admin, `&outlet_org_id=${o.yuexiu}`), []);
  const g = await u.m_tianhe.get(`${A}/${p.body.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.headers.get('etag'), `"${g.body.version}"`);
  assertProblem(await u.m_yuexiu.get(`${A}/${p.body.id}`), 404, 'not_found');
  assertProblem(await admin.post(`${A}/${p.body.id}/accept`, {}), 403, 'forbidden', 'the platform does not act for a side');
});

// ---- dispatch policies ---------------------------------------------------------------------

const P = '/api/v1/dispatch/policies';
const resolve = async (c, q) => {
  const r = await c.get(`${P}/resolve?${q}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};

test('dispatch policies: the built-in default, most specific first, replace per subtree', async () => {
  const g = await admin.get(P);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.body.items, []);
  assert.deepEqual(g.body.default, { mode: 'suggest', accept_timeout_min: 30 });
  const d0 = await resolve(admin, `org_id=${o.tianhe}&order_type=repair&priority=P1`);
  assert.deepEqual([d0.mode, d0.accept_timeout_min, d0.source, d0.policy_id], ['suggest', 30, 'default', null]);

  const put = await admin.put(P, { items: [
    { org_id: null, mode: 'manual', accept_timeout_min: 60 },
    { org_id: o.gz_station, mode: 'suggest', accept_timeout_min: 20, weights: { distance: 50, load: 30, skill: 20 } },
    { org_id: o.tianhe, order_type: 'repair', mode: 'auto', accept_timeout_min: 15 },
    { org_id: o.tianhe, order_type: 'repair', priority: 'P1', mode: 'auto', accept_timeout_min: 5 },
  ] });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.items.length, 4);
  assert.deepEqual(put.body.items[1].weights, { distance: 50, load: 30, skill: 20 });

  assert.deepEqual(pick(await resolve(admin, `org_id=${o.tianhe}&order_type=repair&priority=P1`)), ['auto', 5]);
  assert.deepEqual(pick(await resolve(admin, `org_id=${o.tianhe}&order_type=repair&priority=P3`)), ['auto', 15]);
  assert.deepEqual(pick(await resolve(admin, `org_id=${o.tianhe}&order_type=install`)), ['suggest', 20], 'the station above');
  const st = await resolve(admin, `org_id=${o.yuexiu}&order_type=repair`);
  assert.deepEqual(pick(st), ['suggest', 20]);
  assert.deepEqual(st.weights, { distance: 50, load: 30, skill: 20 });
  assert.deepEqual(pick(await resolve(admin, `org_id=${o.midea}`)), ['manual', 60], 'the tenant default');
  assert.deepEqual(pick(await resolve(u.m_tianhe, '')), ['suggest', 20], 'the caller\'s own organisation');
  assertProblem(await u.m_tianhe.get(`${P}/resolve?org_id=${o.yuexiu}`), 404, 'not_found', 'out of scope');

  // the outlet's manager replaces the outlet's own rows only
  const mine = await u.m_tianhe.put(P, { items: [{ org_id: o.tianhe, mode: 'manual' }] });
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.body.items.map((x) => [x.org_id, x.mode, x.accept_timeout_min]), [[null, 'manual', 60], [o.tianhe, 'manual', 30]]);
  assert.equal((await admin.get(P)).body.items.length, 3, 'the station\'s row and the default stay');
  assertFieldError(await u.m_tianhe.put(P, { items: [{ org_id: null, mode: 'auto' }] }), 'items[0].org_id', 'the default from the root only');
  assertFieldError(await u.m_tianhe.put(P, { items: [{ org_id: o.yuexiu, mode: 'auto' }] }), 'items[0].org_id', 'out of scope');
  assertProblem(await u.agent_tianhe.put(P, { items: [] }), 403, 'forbidden');
  const audit = await admin.get('/api/v1/audit-log?entity=dispatch_policies');
  assert.ok(audit.body.items.length >= 2, audit.text);
});

function pick(x) { return [x.mode, x.accept_timeout_min]; }

test('dispatch policies: bad input → 400 naming the item and field', async () => {
  const bad = [
    [{ mode: 'fast' }, 'items[0].mode'],
    [{}, 'items[0].mode'],
    [{ mode: 'auto', accept_timeout_min: 0 }, 'items[0].accept_timeout_min'],
    [{ mode: 'auto', accept_timeout_min: 2000 }, 'items[0].accept_timeout_min'],
    [{ mode: 'auto', order_type: 'wash' }, 'items[0].order_type'],
    [{ mode: 'auto', priority: 'P9' }, 'items[0].priority'],
    [{ mode: 'auto', weights: { distance: 101 } }, 'items[0].weights'],
    [{ mode: 'auto', weights: { beauty: 5 } }, 'items[0].weights'],
    [{ mode: 'auto', colour: 'red' }, 'items[0].colour'],
    ['auto', 'items[0]'],
  ];
  for (const [item, field] of bad) assertFieldError(await admin.put(P, { items: [item] }), field, JSON.stringify(item));
  assertFieldError(await admin.put(P, { items: [{ mode: 'auto' }, { mode: 'manual' }] }), 'items[1].org_id', 'two defaults');
  assertFieldError(await admin.put(P, {}), 'items');
  assertFieldError(await admin.put(P, { items: [{ org_id: 999999, mode: 'auto' }] }), 'items[0].org_id');
  assertFieldError(await admin.get(`${P}/resolve?org_id=x`), 'org_id');
});
