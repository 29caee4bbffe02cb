// access.test.mjs — the permission matrix (GET /roles and what each role may do), the
// organisation scope (another outlet's order → 404, not in lists) and tenant isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, runCli, assertProblem, smallestOrder, listAll, undocumentedCalls,
} from './lib.mjs';

let srv;
let url;
let admin;
let root; // the platform root organisation
before(async () => {
  srv = await startServer();
  url = srv.url;
  admin = await adminClient(url);
  root = admin.session.user.org_id;
});
after(async () => { await srv?.stop(); });

const ROLES = ['admin', 'manager', 'dispatcher', 'agent', 'advisor', 'technician', 'qc', 'warranty_assessor',
  'warehouse', 'cashier', 'followup', 'customer'];
const PERMS = ['org.read', 'org.write', 'user.read', 'user.write', 'audit.read', 'token.manage', 'wo.read', 'wo.create', 'wo.update',
  'customer.read', 'customer.write', 'model.write', 'warranty.register', 'settings.write', 'tech.write', 'authz.write'];

let seq = 0;
async function userWith(roles, orgId = root) {
  const login_ = `u${++seq}_${roles.join('_')}`.slice(0, 60);
  const res = await admin.post('/api/v1/users', {
    login: login_, name: `测试${seq}`, password: 'password123', org_id: orgId, roles,
  });
  assert.equal(res.status, 201, res.text);
  const s = await login(url, login_, 'password123');
  const c = api(url, s.token);
  c.session = s;
  c.user = res.body;
  return c;
}

async function org(body) {
  const res = await admin.post('/api/v1/organizations', body);
  assert.equal(res.status, 201, res.text);
  return res.body;
}

let matrix;
test('GET /api/v1/roles returns the matrix of every role', async () => {
  const res = await admin.get('/api/v1/roles');
  assert.equal(res.status, 200, res.text);
  const items = res.body.items;
  assert.ok(Array.isArray(items), res.text);
  matrix = Object.fromEntries(items.map((x) => [x.role, x.permissions]));
  assert.deepEqual(Object.keys(matrix).sort(), [...ROLES].sort());
  assert.deepEqual([...matrix.admin].sort(), [...PERMS].sort(), 'admin may do everything');
  for (const [role, perms] of Object.entries(matrix)) {
    for (const p of perms) assert.ok(PERMS.includes(p), `${role}: unknown permission ${p}`);
  }
  assert.ok(matrix.agent.includes('wo.create'), 'an agent creates work orders');
  assert.ok(!matrix.agent.includes('user.write'), 'an agent does not create users');
  assert.ok(!matrix.agent.includes('audit.read'), 'an agent does not read the audit log');
  assert.ok(!matrix.technician.includes('user.write'), 'a technician does not create users');
  // Any logged-in user may read the matrix.
  const agent = await userWith(['agent']);
  assert.equal((await agent.get('/api/v1/roles')).status, 200);
  // The session carries the permissions of the roles.
  assert.deepEqual([...agent.session.user.permissions].sort(), [...matrix.agent].sort());
});

test('agent: creates and changes work orders, but 403 on POST /users and on the audit log', async () => {
  const agent = await userWith(['agent']);
  const wo = await agent.post('/api/v1/work-orders', smallestOrder());
  assert.equal(wo.status, 201, wo.text);
  assert.equal((await agent.get(`/api/v1/work-orders/${wo.body.id}`)).status, 200);
  const p = await agent.patch(`/api/v1/work-orders/${wo.body.id}`, { priority: 'P1' }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  const before = (await admin.get('/api/v1/users?limit=500')).body.items.length;
  assertProblem(await agent.post('/api/v1/users', {
    login: 'sneaky', name: 'x', password: 'password123', org_id: root, roles: ['admin'],
  }), 403, 'forbidden', 'agent POST /users');
  assert.equal((await admin.get('/api/v1/users?limit=500')).body.items.length, before, 'no user was created');
  assertProblem(await agent.get('/api/v1/audit-log'), 403, 'forbidden', 'agent GET /audit-log');
  assertProblem(await agent.get('/api/v1/users'), 403, 'forbidden', 'agent GET /users (no user.read)');
  assertProblem(await agent.post('/api/v1/organizations', { name: 'x', type: 'outlet', parent_id: root }), 403, 'forbidden');
  assertProblem(await agent.patch(`/api/v1/users/${agent.user.id}`, { roles: ['admin'] }), 403, 'forbidden', 'agent promoting itself');
  assertProblem(await agent.get('/api/v1/api-tokens'), 403, 'forbidden');
});

test('technician: cannot create users (403); what it may do follows the matrix', async () => {
  const tech = await userWith(['technician']);
  assertProblem(await tech.post('/api/v1/users', {
    login: 'sneaky2', name: 'x', password: 'password123', org_id: root, roles: ['agent'],
  }), 403, 'forbidden', 'technician POST /users');
  assert.equal((await tech.get('/api/v1/work-orders')).status, 200, 'a technician reads work orders');
  const wo = await tech.post('/api/v1/work-orders', smallestOrder());
  if (matrix.technician.includes('wo.create')) assert.equal(wo.status, 201, wo.text);
  else assertProblem(wo, 403, 'forbidden', 'technician POST /work-orders without wo.create');
  assertProblem(await tech.get('/api/v1/audit-log'), 403, 'forbidden');
});

test('every role: the routes it may call and may not call match GET /roles', async () => {
  const checks = [
    ['user.read', (c) => c.get('/api/v1/users')],
    ['audit.read', (c) => c.get('/api/v1/audit-log')],
    ['token.manage', (c) => c.get('/api/v1/api-tokens')],
    ['org.read', (c) => c.get('/api/v1/organizations')],
    ['wo.read', (c) => c.get('/api/v1/work-orders')],
  ];
  for (const role of ROLES.filter((r) => r !== 'customer')) {
    const c = await userWith([role]);
    for (const [perm, call] of checks) {
      const res = await call(c);
      if (matrix[role].includes(perm)) assert.equal(res.status, 200, `${role} has ${perm}: ${res.text}`);
      else assertProblem(res, 403, 'forbidden', `${role} lacks ${perm}`);
    }
  }
});

let outletA;
let outletB;
let station;
test('org scope: a user of outlet A gets 404 for outlet B\'s order and does not see it in lists', async () => {
  station = await org({ name: '广州服务站', type: 'station', parent_id: root, code: 'GZ-ST' });
  outletA = await org({ name: '天河网点', type: 'outlet', parent_id: station.id, code: 'GZ-A' });
  outletB = await org({ name: '海珠网点', type: 'outlet', parent_id: station.id, code: 'GZ-B' });
  const a = await userWith(['agent'], outletA.id);
  const b = await userWith(['agent'], outletB.id);
  const woB = await b.post('/api/v1/work-orders', smallestOrder({ fault_description: '海珠网点的工单 冰箱不制冷' }));
  assert.equal(woB.status, 201, woB.text);
  assert.equal(woB.body.org_id, outletB.id, 'the order belongs to its creator\'s outlet');
  const woA = await a.post('/api/v1/work-orders', smallestOrder({ fault_description: '天河网点的工单 空调不制冷' }));
  assert.equal(woA.status, 201, woA.text);
  assert.equal(woA.body.org_id, outletA.id);

  const get = await a.get(`/api/v1/work-orders/${woB.body.id}`);
  assertProblem(get, 404, 'not_found', 'outlet A reads B\'s order');
  assertProblem(await a.patch(`/api/v1/work-orders/${woB.body.id}`, { priority: 'P1' }, { 'If-Match': '"1"' }), 404, 'not_found',
    'outlet A changes B\'s order');
  assertProblem(await a.get(`/api/v1/work-orders/${woB.body.id}/timeline`), 404, 'not_found', 'outlet A reads B\'s timeline');
  // The same answer as for an id that does not exist.
  assertProblem(await a.get('/api/v1/work-orders/987654'), 404, 'not_found');

  const listA = await listAll(a, '/api/v1/work-orders');
  assert.ok(listA.some((x) => x.id === woA.body.id), 'A sees its own order');
  assert.ok(!listA.some((x) => x.id === woB.body.id), 'A does not see B\'s order in the list');
  assert.ok(listA.every((x) => x.org_id === outletA.id), 'A sees only orders of its outlet');
  const searchA = await a.get('/api/v1/work-orders?q=不制冷');
  assert.ok(!searchA.body.items.some((x) => x.id === woB.body.id), 'nor in a text search');
  const statusA = await a.get('/api/v1/work-orders?status=new');
  assert.ok(!statusA.body.items.some((x) => x.id === woB.body.id), 'nor in a status filter');
  // B's order is unchanged.
  assert.equal((await b.get(`/api/v1/work-orders/${woB.body.id}`)).body.version, 1);
  // Organisations: A sees its own subtree only.
  const orgsA = await listAll(a, '/api/v1/organizations');
  assert.ok(orgsA.some((o) => o.id === outletA.id));
  assert.ok(!orgsA.some((o) => o.id === outletB.id), 'outlet B is outside A\'s subtree');
  assertProblem(await a.get(`/api/v1/organizations/${outletB.id}`), 404, 'not_found');
});

test('org scope: a user of the station sees the orders of both outlets under it', async () => {
  const mgr = await userWith(['manager'], station.id);
  const all = await listAll(mgr, '/api/v1/work-orders');
  const orgs = new Set(all.map((x) => x.org_id));
  assert.ok(orgs.has(outletA.id) && orgs.has(outletB.id), `station sees both outlets: ${[...orgs]}`);
  assert.ok([...orgs].every((o) => [station.id, outletA.id, outletB.id].includes(o)), 'and nothing above it');
  // A manager of the station cannot see users or orders of the root.
  const rootOrder = await admin.post('/api/v1/work-orders', smallestOrder());
  assert.equal(rootOrder.body.org_id, root);
  assertProblem(await mgr.get(`/api/v1/work-orders/${rootOrder.body.id}`), 404, 'not_found');
  assertProblem(await mgr.get(`/api/v1/users/${admin.session.user.id}`), 404, 'not_found', 'station manager reads the root admin');
});

test('tenant isolation: tenant acme\'s admin gets 404 for the default tenant\'s order and users', async () => {
  const r = runCli(['tenant', 'add', '--db', srv.db, '--code', 'acme', '--name', 'Acme 公司', '--admin-password', 'acme12345']);
  assert.equal(r.status, 0, `tenant add: ${r.stderr}`);
  const s = await login(url, 'admin', 'acme12345', 'acme');
  const acme = api(url, s.token);
  assert.notEqual(s.user.id, admin.session.user.id, 'a different admin user');
  // The default tenant's admin password does not open acme, and acme's does not open default.
  assertProblem(await api(url).post('/api/v1/session', { login: 'admin', password: 'admin12345', tenant: 'acme' }), 401, 'unauthorized');

  const wo = await admin.post('/api/v1/work-orders', smallestOrder({ fault_description: '默认租户的工单' }));
  assert.equal(wo.status, 201);
  assertProblem(await acme.get(`/api/v1/work-orders/${wo.body.id}`), 404, 'not_found', 'acme reads default\'s order');
  assertProblem(await acme.patch(`/api/v1/work-orders/${wo.body.id}`, { priority: 'P1' }, { 'If-Match': '"1"' }), 404, 'not_found');
  assertProblem(await acme.get(`/api/v1/work-orders/${wo.body.id}/timeline`), 404, 'not_found');
  assertProblem(await acme.get(`/api/v1/users/${admin.session.user.id}`), 404, 'not_found', 'acme reads default\'s admin');
  assertProblem(await acme.patch(`/api/v1/users/${admin.session.user.id}`, { name: 'pwned' }), 404, 'not_found');
  assertProblem(await acme.post(`/api/v1/users/${admin.session.user.id}/password`, { password: 'pwned12345' }), 404, 'not_found');
  assertProblem(await acme.del(`/api/v1/users/${admin.session.user.id}`), 404, 'not_found');
  assertProblem(await acme.get(`/api/v1/organizations/${root}`), 404, 'not_found');
  assertProblem(await acme.get(`/api/v1/organizations/${outletA.id}`), 404, 'not_found');

  const acmeOrders = await listAll(acme, '/api/v1/work-orders');
  assert.equal(acmeOrders.length, 0, 'acme sees none of default\'s orders');
  const acmeUsers = await listAll(acme, '/api/v1/users');
  assert.deepEqual(acmeUsers.map((u) => u.login), ['admin'], 'acme sees only its own admin');
  const acmeOrgs = await listAll(acme, '/api/v1/organizations');
  assert.ok(!acmeOrgs.some((o) => [root, station.id, outletA.id, outletB.id].includes(o.id)));
  const audit = await listAll(acme, '/api/v1/audit-log');
  assert.ok(!audit.some((e) => e.entity === 'work_order' && e.entity_id === wo.body.id), 'nor default\'s audit log');

  // acme's own order: numbered per tenant, invisible to default.
  const mine = await acme.post('/api/v1/work-orders', smallestOrder({ fault_description: 'acme 的工单' }));
  assert.equal(mine.status, 201, mine.text);
  assert.match(mine.body.number, /^WO\d{8}-00001$/, 'numbering is per tenant');
  assertProblem(await admin.get(`/api/v1/work-orders/${mine.body.id}`), 404, 'not_found', 'default reads acme\'s order');
  assert.ok(!(await listAll(admin, '/api/v1/work-orders')).some((x) => x.id === mine.body.id));
  // A code unique per tenant: acme may use default's org code.
  const acmeRoot = s.user.org_id;
  const dup = await acme.post('/api/v1/organizations', { name: 'acme 站', type: 'station', parent_id: acmeRoot, code: 'GZ-ST' });
  assert.equal(dup.status, 201, dup.text);
  // And acme cannot hang an org under default's tree.
  const cross = await acme.post('/api/v1/organizations', { name: 'x', type: 'outlet', parent_id: outletA.id });
  assert.ok([400, 404].includes(cross.status), `cross-tenant parent → 400/404, got ${cross.status} ${cross.text}`);
  // Nor create a user in default's organisation.
  const xu = await acme.post('/api/v1/users', { login: 'spy', name: 'x', password: 'password123', org_id: outletA.id, roles: ['agent'] });
  assert.ok([400, 404].includes(xu.status), `cross-tenant org_id → 400/404, got ${xu.status} ${xu.text}`);
});

test('openapi documents every route this file called', async () => {
  assert.deepEqual(await undocumentedCalls(url), []);
});
