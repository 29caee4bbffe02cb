// orgs_users.test.mjs — organisations CRUD (tree, code conflict, delete rules, bad parent) and
// users CRUD (duplicate login, disable, password change).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, request, assertProblem, assertFieldError, listAll, undocumentedCalls,
} from './lib.mjs';

let srv;
let url;
let admin;
let root;
before(async () => {
  srv = await startServer();
  url = srv.url;
  admin = await adminClient(url);
  root = admin.session.user.org_id;
});
after(async () => { await srv?.stop(); });

const tryLogin = (login_, password) => request(url, 'POST', '/api/v1/session', { login: login_, password });

// ---- organisations -------------------------------------------------------------------------

test('organisations: the root platform exists', async () => {
  const res = await admin.get(`/api/v1/organizations/${root}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.type, 'platform');
  assert.equal(res.body.parent_id, null);
  assert.equal(res.body.path, `/${root}/`);
  assert.equal(res.headers.get('etag'), `"${res.body.version}"`);
});

let station;
let outlet;
test('organisations: create a tree, read it, list with filters', async () => {
  const s = await admin.post('/api/v1/organizations', {
    name: '广州服务站', type: 'station', parent_id: root, code: 'GZ01',
    region: { province: '广东省', city: '广州市', district: '天河区' },
    address: '天河路385号', lat: 23.13, lon: 113.32,
  });
  assert.equal(s.status, 201, s.text);
  station = s.body;
  assert.equal(typeof station.id, 'number');
  assert.equal(station.parent_id, root);
  assert.equal(station.type, 'station');
  assert.equal(station.name, '广州服务站');
  assert.equal(station.code, 'GZ01');
  assert.deepEqual(station.region, { province: '广东省', city: '广州市', district: '天河区' });
  assert.equal(station.lat, 23.13);
  assert.equal(station.lon, 113.32);
  assert.equal(station.path, `/${root}/${station.id}/`);
  assert.equal(station.version, 1);
  assert.equal(s.headers.get('etag'), '"1"');
  assert.equal(s.headers.get('location'), `/api/v1/organizations/${station.id}`);

  const o = await admin.post('/api/v1/organizations', { name: '天河网点', type: 'outlet', parent_id: station.id, code: 'GZ01-TH' });
  assert.equal(o.status, 201, o.text);
  outlet = o.body;
  assert.equal(outlet.path, `${station.path}${outlet.id}/`, 'path extends the parent\'s');

  const get = await admin.get(`/api/v1/organizations/${station.id}`);
  assert.equal(get.status, 200);
  assert.deepEqual(get.body, station, 'GET returns the created object');

  const all = await listAll(admin, '/api/v1/organizations');
  for (const id of [root, station.id, outlet.id]) assert.ok(all.some((x) => x.id === id), `list has ${id}`);
  const children = await admin.get(`/api/v1/organizations?parent_id=${station.id}`);
  assert.equal(children.status, 200, children.text);
  assert.deepEqual(children.body.items.map((x) => x.id), [outlet.id]);
  const outlets = await admin.get('/api/v1/organizations?type=outlet');
  assert.deepEqual(outlets.body.items.map((x) => x.id), [outlet.id]);
  const q = await admin.get(`/api/v1/organizations?q=${encodeURIComponent('天河网')}`);
  assert.ok(q.body.items.some((x) => x.id === outlet.id), q.text);
  assert.ok(!q.body.items.some((x) => x.id === station.id));
});

test('organisations: PATCH with If-Match, stale → 412', async () => {
  const p = await admin.patch(`/api/v1/organizations/${outlet.id}`, { name: '天河一网点' }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.name, '天河一网点');
  assert.equal(p.body.version, 2);
  assert.equal(p.headers.get('etag'), '"2"');
  const stale = await admin.patch(`/api/v1/organizations/${outlet.id}`, { name: '改不了' }, { 'If-Match': '"1"' });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current_version, 2);
  assert.equal((await admin.get(`/api/v1/organizations/${outlet.id}`)).body.name, '天河一网点');
  outlet = p.body;
});

test('organisations: a code taken in the tenant → 409 conflict', async () => {
  const dup = await admin.post('/api/v1/organizations', { name: '另一个站', type: 'station', parent_id: root, code: 'GZ01' });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.existing_id, station.id);
  const dupPatch = await admin.patch(`/api/v1/organizations/${outlet.id}`, { code: 'GZ01' });
  assertProblem(dupPatch, 409, 'conflict', 'PATCH to a taken code');
});

test('organisations: delete with children → 409; with users → 409; empty → 204 then 404', async () => {
  assertProblem(await admin.del(`/api/v1/organizations/${station.id}`), 409, 'conflict', 'delete with a child');
  const team = await admin.post('/api/v1/organizations', { name: '维修一组', type: 'team', parent_id: outlet.id });
  assert.equal(team.status, 201, team.text);
  const u = await admin.post('/api/v1/users', { login: 'team_member', name: '组员', password: 'password123', org_id: team.body.id, roles: ['technician'] });
  assert.equal(u.status, 201, u.text);
  assertProblem(await admin.del(`/api/v1/organizations/${team.body.id}`), 409, 'conflict', 'delete with a user');
  const leaf = await admin.post('/api/v1/organizations', { name: '临时部门', type: 'department', parent_id: station.id });
  assert.equal(leaf.status, 201, leaf.text);
  const del = await admin.del(`/api/v1/organizations/${leaf.body.id}`);
  assert.equal(del.status, 204, del.text);
  assertProblem(await admin.get(`/api/v1/organizations/${leaf.body.id}`), 404, 'not_found');
  assert.ok(!(await listAll(admin, '/api/v1/organizations')).some((x) => x.id === leaf.body.id));
  assertProblem(await admin.del(`/api/v1/organizations/${leaf.body.id}`), 404, 'not_found', 'deleting twice');
  assertProblem(await admin.del('/api/v1/organizations/999999'), 404, 'not_found');
});

test('organisations: unknown parent → 400/404; bad type, missing name, second root → 400', async () => {
  const unknown = await admin.post('/api/v1/organizations', { name: '孤儿', type: 'outlet', parent_id: 999999 });
  assert.ok([400, 404].includes(unknown.status), `unknown parent: ${unknown.status} ${unknown.text}`);
  assertProblem(unknown, unknown.status, unknown.status === 400 ? 'validation_failed' : 'not_found');
  assertFieldError(await admin.post('/api/v1/organizations', { name: '坏类型', type: 'shop', parent_id: root }), 'type');
  assertFieldError(await admin.post('/api/v1/organizations', { type: 'outlet', parent_id: root }), 'name');
  assertFieldError(await admin.post('/api/v1/organizations', { name: '', type: 'outlet', parent_id: root }), 'name');
  assertFieldError(await admin.post('/api/v1/organizations', { name: 'x'.repeat(101), type: 'outlet', parent_id: root }), 'name');
  assertFieldError(await admin.post('/api/v1/organizations', { name: '第二个根', type: 'platform' }), 'parent_id');
  // Moving a node under its own descendant would make a cycle.
  const cyc = await admin.patch(`/api/v1/organizations/${station.id}`, { parent_id: outlet.id });
  assert.ok([400, 409].includes(cyc.status), `cycle: ${cyc.status} ${cyc.text}`);
  assert.equal((await admin.get(`/api/v1/organizations/${station.id}`)).body.parent_id, root);
});

// ---- users ---------------------------------------------------------------------------------

let zhang;
test('users: create, read, list with filters; no password in responses', async () => {
  const res = await admin.post('/api/v1/users', {
    login: 'zhangsan', name: '张三', password: 'zhang12345', org_id: outlet.id, roles: ['agent'],
    phone: '13800138000', email: 'zhangsan@example.com',
  });
  assert.equal(res.status, 201, res.text);
  zhang = res.body;
  assert.equal(zhang.login, 'zhangsan');
  assert.equal(zhang.name, '张三');
  assert.equal(zhang.org_id, outlet.id);
  assert.equal(zhang.org_name, outlet.name);
  assert.deepEqual(zhang.roles, ['agent']);
  assert.equal(zhang.status, 'active');
  assert.equal(zhang.phone, '+8613800138000', 'phone normalised');
  assert.equal(zhang.email, 'zhangsan@example.com');
  assert.equal(zhang.version, 1);
  assert.equal(res.headers.get('location'), `/api/v1/users/${zhang.id}`);
  assert.equal(res.headers.get('etag'), '"1"');
  assert.ok(!/zhang12345|argon2|password/i.test(res.text), 'no password or hash in the response');

  const get = await admin.get(`/api/v1/users/${zhang.id}`);
  assert.equal(get.status, 200);
  assert.deepEqual(get.body, zhang);

  const byQ = await admin.get('/api/v1/users?q=zhang');
  assert.ok(byQ.body.items.some((u) => u.id === zhang.id), byQ.text);
  const byOrg = await admin.get(`/api/v1/users?org_id=${outlet.id}`);
  assert.deepEqual(byOrg.body.items.map((u) => u.id), [zhang.id]);
  const byRole = await admin.get('/api/v1/users?role=agent');
  assert.ok(byRole.body.items.every((u) => u.roles.includes('agent')));
  assert.ok(byRole.body.items.some((u) => u.id === zhang.id));
  const byStatus = await admin.get('/api/v1/users?status=disabled');
  assert.ok(!byStatus.body.items.some((u) => u.id === zhang.id));
  const list = await listAll(admin, '/api/v1/users');
  assert.ok(!/password|argon2/i.test(JSON.stringify(list)), 'no password hashes in lists');

  const s = await login(url, 'zhangsan', 'zhang12345');
  assert.equal(s.user.id, zhang.id);
});

test('users: the user object has every field of docs/api.md', async () => {
  const u = (await admin.get(`/api/v1/users/${zhang.id}`)).body;
  for (const k of ['id', 'login', 'name', 'phone', 'email', 'org_id', 'org_name', 'roles', 'status', 'permissions',
    'customer_id', 'created_at', 'updated_at', 'version']) {
    assert.ok(k in u, `user object lacks "${k}": ${JSON.stringify(u)}`);
  }
  assert.ok(Array.isArray(u.permissions) && u.permissions.includes('wo.create'), 'an agent\'s permissions');
});

test('users: duplicate login → 409 conflict with existing_id', async () => {
  const dup = await admin.post('/api/v1/users', { login: 'zhangsan', name: '另一个张三', password: 'password123', org_id: root, roles: ['agent'] });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.existing_id, zhang.id);
});

test('users: invalid input → 400 naming the field', async () => {
  const base = { login: 'valid_login', name: '王五', password: 'password123', org_id: root, roles: ['agent'] };
  assertFieldError(await admin.post('/api/v1/users', { ...base, login: 'Bad Login!' }), 'login');
  assertFieldError(await admin.post('/api/v1/users', { ...base, login: 'ab' }), 'login');
  assertFieldError(await admin.post('/api/v1/users', { ...base, password: 'short' }), 'password');
  assertFieldError(await admin.post('/api/v1/users', { ...base, roles: ['boss'] }), /^roles/);
  assertFieldError(await admin.post('/api/v1/users', { ...base, phone: '12345' }), 'phone');
  const noOrg = await admin.post('/api/v1/users', { ...base, org_id: 999999 });
  assert.ok([400, 404].includes(noOrg.status), `unknown org: ${noOrg.status} ${noOrg.text}`);
  const { password, ...noPw } = base;
  assertFieldError(await admin.post('/api/v1/users', noPw), 'password');
  assert.ok(!(await listAll(admin, '/api/v1/users')).some((u) => u.login === 'valid_login'), 'nothing created');
});

test('users: PATCH with If-Match; stale → 412', async () => {
  const p = await admin.patch(`/api/v1/users/${zhang.id}`, { name: '张三丰', roles: ['agent', 'dispatcher'] }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.name, '张三丰');
  assert.deepEqual([...p.body.roles].sort(), ['agent', 'dispatcher']);
  assert.equal(p.body.version, 2);
  const stale = await admin.patch(`/api/v1/users/${zhang.id}`, { name: '不会生效' }, { 'If-Match': '"1"' });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current_version, 2);
  assert.equal((await admin.get(`/api/v1/users/${zhang.id}`)).body.name, '张三丰');
  zhang = p.body;
});

test('users: password change by the admin and by oneself (with old_password)', async () => {
  const set = await admin.post(`/api/v1/users/${zhang.id}/password`, { password: 'admin-set-123' });
  assert.ok([200, 204].includes(set.status), `admin sets: ${set.status} ${set.text}`);
  assertProblem(await tryLogin('zhangsan', 'zhang12345'), 401, 'unauthorized', 'old password after change');
  const s = await login(url, 'zhangsan', 'admin-set-123');
  const self = api(url, s.token);
  const wrongOld = await self.post(`/api/v1/users/${zhang.id}/password`, { old_password: 'not-my-password', password: 'mine-12345' });
  assert.ok([400, 401, 403].includes(wrongOld.status), `wrong old password: ${wrongOld.status} ${wrongOld.text}`);
  assertProblem(wrongOld, wrongOld.status);
  const noOld = await self.post(`/api/v1/users/${zhang.id}/password`, { password: 'mine-12345' });
  assert.ok([400, 403].includes(noOld.status), `self without old_password: ${noOld.status} ${noOld.text}`);
  const tooShort = await self.post(`/api/v1/users/${zhang.id}/password`, { old_password: 'admin-set-123', password: 'short' });
  assertFieldError(tooShort, 'password');
  const ok = await self.post(`/api/v1/users/${zhang.id}/password`, { old_password: 'admin-set-123', password: 'mine-12345' });
  assert.ok([200, 204].includes(ok.status), `self change: ${ok.status} ${ok.text}`);
  assertProblem(await tryLogin('zhangsan', 'admin-set-123'), 401, 'unauthorized');
  await login(url, 'zhangsan', 'mine-12345');
  // A non-admin may not set another user's password.
  const other = await self.post(`/api/v1/users/${admin.session.user.id}/password`, { old_password: 'x', password: 'hijacked123' });
  assert.ok([403, 404].includes(other.status), `agent sets admin's password: ${other.status} ${other.text}`);
  await login(url, 'admin', 'admin12345');
});

test('users: DELETE disables (204); a disabled user cannot log in and its sessions end', async () => {
  const s = await login(url, 'zhangsan', 'mine-12345');
  const del = await admin.del(`/api/v1/users/${zhang.id}`);
  assert.equal(del.status, 204, del.text);
  const get = await admin.get(`/api/v1/users/${zhang.id}`);
  assert.equal(get.status, 200, 'the user record stays');
  assert.equal(get.body.status, 'disabled');
  assertProblem(await tryLogin('zhangsan', 'mine-12345'), 401, 'unauthorized', 'disabled user logs in');
  assertProblem(await api(url, s.token).get('/api/v1/work-orders'), 401, 'unauthorized', 'session of a disabled user');
  const disabled = await admin.get('/api/v1/users?status=disabled');
  assert.ok(disabled.body.items.some((u) => u.id === zhang.id));
  // Re-enabling works.
  const en = await admin.patch(`/api/v1/users/${zhang.id}`, { status: 'active' });
  assert.equal(en.status, 200, en.text);
  await login(url, 'zhangsan', 'mine-12345');
  assertProblem(await admin.get('/api/v1/users/999999'), 404, 'not_found');
});

test('openapi documents every route this file called', async () => {
  assert.deepEqual(await undocumentedCalls(url), []);
});
