// network.test.mjs — two-level network dispatch (issue 5 item 4): a manufacturer's warranty
// order goes to the station of the consumer's city, the station hands it to the outlets
// authorised (网签) for the brand and category — never to one that is not — and the outlet
// dispatches it to its technician; the path manufacturer → station → outlet → technician.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, assertProblem, assertFieldError, undocumentedCalls,
} from './lib.mjs';

let srv, admin, root, order0, asset;
const o = {};
const u = {};
let seq = 0;

async function org(name, type, parent, city, lat, lon) {
  const res = await admin.post('/api/v1/organizations', { name, type, parent_id: parent ?? root, region: city ? { city } : undefined, lat, lon });
  assert.equal(res.status, 201, res.text);
  o[name] = res.body.id;
}

async function user(name, roles, orgId) {
  const res = await admin.post('/api/v1/users', { login: name, name, password: 'password123', org_id: orgId, roles });
  assert.equal(res.status, 201, res.text);
  u[name] = api(srv.url, (await login(srv.url, name, 'password123')).token);
  u[name].id = res.body.id;
}

/** A Gree air-conditioner warranty order of a Guangzhou consumer, taken by the manufacturer. */
async function greeOrder(over = {}) {
  seq++;
  const r = await u.m_gree.post('/api/v1/work-orders', {
    type: 'repair', priority: 'P2', channel: 'phone', payment_type: 'warranty', customer_id: asset.customer_id,
    asset_id: asset.id, address: '广东省广州市天河区体育西路1号', region: '广州市', lat: 23.135, lon: 113.325,
    fault_description: `格力空调不制冷 网络派工 ${seq}`, ...over,
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  root = admin.session.user.org_id;
  await org('gree', 'manufacturer');
  await org('st_gz', 'station', root, '广州市', 23.13, 113.26);
  await org('st_sz', 'station', root, '深圳市', 22.54, 114.06);
  await org('near', 'outlet', o.st_gz, '广州市', 23.135, 113.33); // the nearest, not authorised
  await org('far', 'outlet', o.st_gz, '广州市', 23.10, 113.40);
  await org('far2', 'outlet', o.st_gz, '广州市', 23.02, 113.50);
  await org('sz_outlet', 'outlet', o.st_sz, '深圳市', 22.54, 114.0);
  await user('m_gree', ['manager'], o.gree);
  await user('d_st_gz', ['dispatcher'], o.st_gz);
  await user('m_far', ['manager'], o.far);
  await user('m_far2', ['manager'], o.far2);
  await user('d_far', ['dispatcher'], o.far);
  await user('t_far', ['technician'], o.far);
  // 网签: Gree authorises "far" and "far2" for air conditioners; far2's is suspended later
  for (const side of ['m_far', 'm_far2']) {
    const outlet = side === 'm_far' ? o.far : o.far2;
    const p = await u.m_gree.post('/api/v1/authorizations', {
      principal_org_id: o.gree, outlet_org_id: outlet, brand: '格力', category: '空调', valid_from: '2026-01-01', valid_to: '2030-12-31',
    });
    assert.equal(p.status, 201, p.text);
    const a = await u[side].post(`/api/v1/authorizations/${p.body.id}/accept`, {});
    assert.equal(a.body.status, 'active', a.text);
    if (side === 'm_far2') o.far2_authz = p.body.id;
  }
  const m = await admin.post('/api/v1/product-models', { brand: '格力', category: '空调', model: 'KFR-35GW-网络', warranty_months: 72 });
  const c = await admin.post('/api/v1/customers', { name: '网络派工客户', phones: ['13966665555'], org_id: o.gree });
  assert.equal(c.status, 201, c.text);
  const as = await admin.post('/api/v1/assets', { customer_id: c.body.id, model_id: m.body.id, serial: 'GREE-NET-1', purchase_date: '2026-03-01' });
  assert.equal(as.status, 201, as.text);
  asset = { id: as.body.id, customer_id: c.body.id };
  order0 = await greeOrder();
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

test('manufacturer → station of the consumer\'s city → authorised outlet → technician', async () => {
  const opts = await u.m_gree.get(`/api/v1/dispatch/network?order=${order0.id}`);
  assert.equal(opts.status, 200, opts.text);
  assert.equal(opts.body.next_level, 'station');
  assert.equal(opts.body.brand, '格力');
  assert.equal(opts.body.items[0].org_id, o.st_gz, 'the Guangzhou station first');
  assert.equal(opts.body.items[0].same_city, true);
  // the manufacturer hands it on automatically: to the Guangzhou station
  const r1 = await u.m_gree.post(`/api/v1/work-orders/${order0.id}/route`, { auto: true }, { 'If-Match': `"${order0.version}"` });
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r1.body.org_id, o.st_gz);
  // the station sees it and the authorised outlets only, the nearest first — not "near"
  const opts2 = await u.d_st_gz.get(`/api/v1/dispatch/network?order=${order0.id}`);
  assert.equal(opts2.body.next_level, 'outlet');
  assert.deepEqual(opts2.body.items.map((i) => i.org_id), [o.far, o.far2]);
  assert.ok(opts2.body.items[0].km < opts2.body.items[1].km);
  const r2 = await u.d_st_gz.post(`/api/v1/work-orders/${order0.id}/route`, { auto: true, reason: '就近网签网点' });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.body.org_id, o.far);
  // the outlet dispatches to its technician
  assert.equal((await u.d_far.post(`/api/v1/work-orders/${order0.id}/accept`, {})).status, 200);
  const d = await u.d_far.post(`/api/v1/work-orders/${order0.id}/dispatch`, { assignee_id: u.t_far.id });
  assert.equal(d.status, 200, d.text);
  // the path is on the timeline
  const tl = (await admin.get(`/api/v1/work-orders/${order0.id}/timeline`)).body.items;
  const routes = tl.filter((e) => e.event === 'route');
  assert.deepEqual(routes.map((e) => e.data.to_org_id), [o.st_gz, o.far]);
  assert.equal(routes[1].data.reason, '就近网签网点');
  assert.equal(routes[0].data.automatic, true);
  // once dispatched it is not handed on
  assertProblem(await u.d_st_gz.post(`/api/v1/work-orders/${order0.id}/route`, { org_id: o.far2 }), 409, 'invalid_transition');
});

test('an outlet never receives brand work it is not authorised for', async () => {
  const w = await greeOrder();
  assert.equal((await u.m_gree.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.st_gz })).status, 200);
  // not signed at all
  const r = await u.d_st_gz.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.near });
  assertProblem(r, 409, 'not_authorised');
  assert.match(r.body.detail, /格力 空调/);
  // suspended: refused as well, and no longer offered
  const s = await u.m_gree.post(`/api/v1/authorizations/${o.far2_authz}/suspend`, { reason: '考核未达标' });
  assert.equal(s.status, 200, s.text);
  assertProblem(await u.d_st_gz.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.far2 }), 409, 'not_authorised');
  const opts = await u.d_st_gz.get(`/api/v1/dispatch/network?order=${w.id}`);
  assert.deepEqual(opts.body.items.map((i) => i.org_id), [o.far]);
  // nothing moved
  assert.equal((await admin.get(`/api/v1/work-orders/${w.id}`)).body.org_id, o.st_gz);
  await u.m_gree.post(`/api/v1/authorizations/${o.far2_authz}/resume`, {});
  // an order without a brand needs no authorisation
  const plain = await u.d_st_gz.post('/api/v1/work-orders', {
    type: 'repair', priority: 'P3', channel: 'phone', customer: { name: '散客', phone: '13966664444' }, fault_description: '热水器不点火',
  });
  assert.equal(plain.status, 201, plain.text);
  const ok = await u.d_st_gz.post(`/api/v1/work-orders/${plain.body.id}/route`, { org_id: o.near });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.org_id, o.near);
});

test('hand-over: bad input, wrong level, another station\'s outlet, a stale version', async () => {
  const w = await greeOrder();
  assertFieldError(await u.m_gree.post(`/api/v1/work-orders/${w.id}/route`, {}), 'org_id');
  assertFieldError(await u.m_gree.post(`/api/v1/work-orders/${w.id}/route`, { org_id: 'x' }), 'org_id');
  assertFieldError(await u.m_gree.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.st_gz, auto: true }), 'org_id');
  assertFieldError(await u.m_gree.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.far }), 'org_id', 'a station first');
  assertFieldError(await u.m_gree.post(`/api/v1/work-orders/${w.id}/route`, { org_id: 99999999 }), 'org_id');
  assertProblem(await u.m_gree.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.st_gz }, { 'If-Match': '"99"' }), 412, 'precondition_failed');
  assert.equal((await u.m_gree.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.st_gz })).status, 200);
  assertProblem(await u.d_st_gz.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.sz_outlet }), 403, 'forbidden');
  assertFieldError(await u.d_st_gz.get('/api/v1/dispatch/network'), 'order');
  assertProblem(await u.t_far.get(`/api/v1/dispatch/network?order=${w.id}`), 403, 'forbidden');
  assertProblem(await u.d_far.post(`/api/v1/work-orders/${w.id}/route`, { org_id: o.far }), 404, 'not_found', 'the outlet does not see the station\'s order');
});
