// auth.test.mjs — log in / out, session cookie flags, bearer vs cookie + CSRF, API tokens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, login, api, request, assertProblem, smallestOrder, ADMIN_PASSWORD, undocumentedCalls,
} from './lib.mjs';

let srv;
let url;
before(async () => { srv = await startServer(); url = srv.url; });
after(async () => { await srv?.stop(); });

test('log in: 200 with token, csrf token and an HttpOnly SameSite=Strict session cookie', async () => {
  const res = await request(url, 'POST', '/api/v1/session', { login: 'admin', password: ADMIN_PASSWORD });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const b = res.body;
  assert.match(b.token, /^fws_.{16,}/);
  assert.equal(typeof b.csrf_token, 'string');
  assert.ok(b.csrf_token.length >= 16, 'csrf token is long enough');
  assert.equal(b.csrf_header, 'X-CSRF-Token');
  assert.ok(!Number.isNaN(Date.parse(b.expires_at)), `expires_at ${b.expires_at}`);
  assert.ok(Date.parse(b.expires_at) > Date.now());
  assert.equal(b.user.login, 'admin');
  assert.deepEqual(b.user.roles, ['admin']);
  assert.ok(b.user.permissions.includes('user.write'));
  assert.equal(b.user.password, undefined, 'no password in the user object');
  assert.equal(b.user.password_hash, undefined, 'no password hash in the user object');
  const sc = res.headers.get('set-cookie');
  assert.ok(sc, 'Set-Cookie present');
  assert.match(sc, new RegExp(`fuwu_session=${b.token.replace(/[^\w]/g, '\\$&')}(;|$)`));
  assert.match(sc, /;\s*HttpOnly/i);
  assert.match(sc, /;\s*SameSite=Strict/i);
  assert.match(sc, /;\s*Path=\//i);
  // The token works as a bearer token and as the cookie.
  const me = await api(url, b.token).get('/api/v1/session');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.user.login, 'admin');
  assert.equal(me.body.csrf_header, 'X-CSRF-Token');
  const viaCookie = await request(url, 'GET', '/api/v1/session', undefined, { Cookie: `fuwu_session=${b.token}` });
  assert.equal(viaCookie.status, 200, viaCookie.text);
  assert.equal(viaCookie.body.csrf_token, b.csrf_token);
  // "tenant" may be given explicitly.
  const t = await request(url, 'POST', '/api/v1/session', { login: 'admin', password: ADMIN_PASSWORD, tenant: 'default' });
  assert.equal(t.status, 200, t.text);
});

test('wrong password, unknown login and unknown tenant → 401 unauthorized', async () => {
  const wrong = await request(url, 'POST', '/api/v1/session', { login: 'admin', password: 'wrong-password' });
  assertProblem(wrong, 401, 'unauthorized');
  assert.equal(wrong.headers.get('set-cookie'), null, 'no cookie on a failed log-in');
  assert.equal(wrong.body.token, undefined);
  const nobody = await request(url, 'POST', '/api/v1/session', { login: 'nobody', password: 'whatever123' });
  assertProblem(nobody, 401, 'unauthorized');
  const tenant = await request(url, 'POST', '/api/v1/session', { login: 'admin', password: ADMIN_PASSWORD, tenant: 'no-such-tenant' });
  assertProblem(tenant, 401, 'unauthorized');
  // The same answer for an unknown login and a wrong password (no user enumeration).
  assert.equal(wrong.body.detail, nobody.body.detail);
});

test('log out: DELETE /session → 204 and the token stops working', async () => {
  const s = await login(url, 'admin', ADMIN_PASSWORD);
  const c = api(url, s.token);
  assert.equal((await c.get('/api/v1/work-orders')).status, 200);
  const out = await c.del('/api/v1/session');
  assert.equal(out.status, 204, out.text);
  assertProblem(await c.get('/api/v1/work-orders'), 401, 'unauthorized');
  assertProblem(await c.get('/api/v1/session'), 401, 'unauthorized');
  const cookie = await request(url, 'GET', '/api/v1/session', undefined, { Cookie: `fuwu_session=${s.token}` });
  assertProblem(cookie, 401, 'unauthorized');
  // Another session of the same user is unaffected.
  const other = await login(url, 'admin', ADMIN_PASSWORD);
  assert.equal((await api(url, other.token).get('/api/v1/session')).status, 200);
});

test('no or bad credentials → 401 unauthorized', async () => {
  for (const path of ['/api/v1/work-orders', '/api/v1/users', '/api/v1/session', '/api/v1/organizations', '/api/v1/roles']) {
    assertProblem(await request(url, 'GET', path), 401, 'unauthorized', `no credentials ${path}`);
  }
  assertProblem(await request(url, 'POST', '/api/v1/work-orders', smallestOrder()), 401, 'unauthorized', 'POST without credentials');
  const bad = [
    { Authorization: 'Bearer fws_not-a-real-token-aaaaaaaaaaaaaaaaaaaa' },
    { Authorization: 'Bearer fwt_not-a-real-token-aaaaaaaaaaaaaaaaaaaa' },
    { Authorization: 'Bearer ' },
    { Authorization: 'Basic YWRtaW46YWRtaW4xMjM0NQ==' },
    { Authorization: 'Bearer' },
    { Cookie: 'fuwu_session=fws_forged' },
    { Cookie: 'fuwu_session=' },
  ];
  for (const h of bad) {
    assertProblem(await request(url, 'GET', '/api/v1/work-orders', undefined, h), 401, 'unauthorized', JSON.stringify(h));
  }
});

test('cookie writes need the CSRF header: without → 403 csrf_failed, with → 201', async () => {
  const s = await login(url, 'admin', ADMIN_PASSWORD);
  assert.ok(s.cookie, `cookie from ${s.setCookie}`);
  const c = api(url, null, { Cookie: s.cookie });
  // Reads with the cookie need no CSRF header.
  const list = await c.get('/api/v1/work-orders');
  assert.equal(list.status, 200, list.text);
  const before = list.body.items.length;
  const no = await c.post('/api/v1/work-orders', smallestOrder());
  assertProblem(no, 403, 'csrf_failed', 'cookie POST without the CSRF header');
  const wrong = await c.post('/api/v1/work-orders', smallestOrder(), { [s.csrfHeader]: 'not-the-token' });
  assertProblem(wrong, 403, 'csrf_failed', 'cookie POST with a wrong CSRF header');
  const del = await c.del('/api/v1/session');
  assertProblem(del, 403, 'csrf_failed', 'cookie DELETE without the CSRF header');
  assert.equal((await c.get('/api/v1/work-orders')).body.items.length, before, 'nothing was created');
  const ok = await c.post('/api/v1/work-orders', smallestOrder(), { [s.csrfHeader]: s.csrf });
  assert.equal(ok.status, 201, ok.text);
  // PATCH too.
  const pno = await c.patch(`/api/v1/work-orders/${ok.body.id}`, { priority: 'P1' }, { 'If-Match': '"1"' });
  assertProblem(pno, 403, 'csrf_failed', 'cookie PATCH without the CSRF header');
  const pok = await c.patch(`/api/v1/work-orders/${ok.body.id}`, { priority: 'P1' }, { 'If-Match': '"1"', 'X-CSRF-Token': s.csrf });
  assert.equal(pok.status, 200, pok.text);
  // Another session's CSRF token does not fit this session.
  const s2 = await login(url, 'admin', ADMIN_PASSWORD);
  const cross = await c.post('/api/v1/work-orders', smallestOrder(), { 'X-CSRF-Token': s2.csrf });
  assertProblem(cross, 403, 'csrf_failed', 'CSRF token of another session');
});

test('bearer writes need no CSRF header', async () => {
  const s = await login(url, 'admin', ADMIN_PASSWORD);
  const c = api(url, s.token);
  const res = await c.post('/api/v1/work-orders', smallestOrder());
  assert.equal(res.status, 201, res.text);
  const p = await c.patch(`/api/v1/work-orders/${res.body.id}`, { priority: 'P4' }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
});

test('API tokens: create (shown once), use, list, revoke → 401', async () => {
  const s = await login(url, 'admin', ADMIN_PASSWORD);
  const admin = api(url, s.token);
  const created = await admin.post('/api/v1/api-tokens', { name: 'ERP 对接' });
  assert.equal(created.status, 201, created.text);
  const t = created.body;
  assert.match(t.token, /^fwt_.{16,}/);
  assert.equal(t.name, 'ERP 对接');
  assert.equal(t.user_id, s.user.id);
  assert.equal(typeof t.id, 'number');
  assert.ok(!Number.isNaN(Date.parse(t.created_at)));
  // Use it: read and write, no CSRF header.
  const erp = api(url, t.token);
  assert.equal((await erp.get('/api/v1/work-orders')).status, 200);
  const wo = await erp.post('/api/v1/work-orders', smallestOrder({ channel: 'api' }));
  assert.equal(wo.status, 201, wo.text);
  assert.equal(wo.body.created_by, s.user.id);
  // Listed, without the secret.
  const list = await admin.get('/api/v1/api-tokens');
  assert.equal(list.status, 200, list.text);
  const item = list.body.items.find((x) => x.id === t.id);
  assert.ok(item, 'the token is listed');
  assert.equal(item.name, 'ERP 对接');
  assert.ok(!list.text.includes(t.token), 'the token secret is not shown again');
  // Revoke.
  const del = await admin.del(`/api/v1/api-tokens/${t.id}`);
  assert.equal(del.status, 204, del.text);
  assertProblem(await erp.get('/api/v1/work-orders'), 401, 'unauthorized');
  assertProblem(await erp.post('/api/v1/work-orders', smallestOrder()), 401, 'unauthorized');
  // Revoking an unknown token → 404.
  assertProblem(await admin.del('/api/v1/api-tokens/999999'), 404, 'not_found');
  // A validation error for a missing name.
  const bad = await admin.post('/api/v1/api-tokens', {});
  assertProblem(bad, 400, 'validation_failed');
});

test('API tokens for another user act as that user; only token.manage may create them', async () => {
  const s = await login(url, 'admin', ADMIN_PASSWORD);
  const admin = api(url, s.token);
  const u = await admin.post('/api/v1/users', {
    login: 'erp_agent', name: '接口坐席', password: 'agent12345', org_id: s.user.org_id, roles: ['agent'],
  });
  assert.equal(u.status, 201, u.text);
  const t = await admin.post('/api/v1/api-tokens', { name: 'agent token', user_id: u.body.id });
  assert.equal(t.status, 201, t.text);
  assert.equal(t.body.user_id, u.body.id);
  const as = api(url, t.body.token);
  const wo = await as.post('/api/v1/work-orders', smallestOrder());
  assert.equal(wo.status, 201, wo.text);
  assert.equal(wo.body.created_by, u.body.id);
  assertProblem(await as.get('/api/v1/audit-log'), 403, 'forbidden', 'the token has the agent\'s rights, not the admin\'s');
  // The agent itself may not manage tokens.
  const agent = await login(url, 'erp_agent', 'agent12345');
  assertProblem(await api(url, agent.token).post('/api/v1/api-tokens', { name: 'mine' }), 403, 'forbidden');
  // Disabling the user stops its token.
  assert.equal((await admin.del(`/api/v1/users/${u.body.id}`)).status, 204);
  assertProblem(await as.get('/api/v1/work-orders'), 401, 'unauthorized', 'token of a disabled user');
});

test('openapi documents every route this file called', async () => {
  assert.deepEqual(await undocumentedCalls(url), []);
});
