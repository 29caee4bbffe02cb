// settings.test.mjs — what an administrator sets up (issue 4 item 3): the fault-category tree,
// SLA policies, the working calendar, tenant settings with their defaults and validation, the
// intake suggestion, and who may change them (settings.write: admin, manager).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, smallestOrder, assertProblem, assertFieldError, undocumentedCalls,
} from './lib.mjs';

let srv, admin, root;
const clients = {};

async function userWith(roles, extra = {}) {
  const name = `s_${roles.join('_')}_${Object.keys(clients).length}`;
  const res = await admin.post('/api/v1/users', {
    login: name, name: `设置测试${name}`, password: 'password123', org_id: root, roles, ...extra,
  });
  assert.equal(res.status, 201, res.text);
  return api(srv.url, (await login(srv.url, name, 'password123')).token);
}

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  root = admin.session.user.org_id;
  clients.agent = await userWith(['agent']);
  clients.manager = await userWith(['manager']);
  const o = await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '林小姐', phone: '13700001111' } }));
  assert.equal(o.status, 201, o.text);
  clients.customer = await userWith(['customer'], { customer_id: o.body.customer_id });
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

// ---- tenant settings -----------------------------------------------------------------------

test('settings: the defaults, a change, back to the default with null', async () => {
  const g = await admin.get('/api/v1/settings');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.body.labour_rate_fen, 12000);
  assert.equal(g.body.reopen_days, 30);
  assert.equal(g.body.qc_required, true);
  assert.equal(g.body.follow_up_days, 3);
  assert.deepEqual(
    { advisor: g.body.discount_limits.advisor, manager: g.body.discount_limits.manager, admin: g.body.discount_limits.admin,
      agent: g.body.discount_limits.agent },
    { advisor: 500, manager: 2000, admin: 10000, agent: 0 });
  assert.ok(!('customer' in g.body.discount_limits), 'customers get no discount limit');
  assert.equal(g.body.company_name, 'fuwu 服务网络', 'company name defaults to the tenant name');
  assert.match(g.body.estimate_terms, /客户同意/);
  assert.equal(g.body.defaults.labour_rate_fen, 12000);

  const p = await clients.manager.patch('/api/v1/settings', {
    labour_rate_fen: 15000, qc_required: false, company_name: '广州天河美的特约维修站', company_phone: '020-38888888',
    discount_limits: { advisor: 800 }, follow_up_days: 2, estimate_terms: '预估金额以结算为准。',
  });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.labour_rate_fen, 15000);
  assert.equal(p.body.qc_required, false);
  assert.equal(p.body.company_name, '广州天河美的特约维修站');
  assert.equal(p.body.discount_limits.advisor, 800);
  assert.equal(p.body.discount_limits.manager, 2000, 'roles not named keep their limit');
  assert.equal(p.body.defaults.labour_rate_fen, 12000, 'defaults stay visible');

  // a second partial map adds to the first
  const p2 = await admin.patch('/api/v1/settings', { discount_limits: { manager: 3000 } });
  assert.equal(p2.body.discount_limits.advisor, 800);
  assert.equal(p2.body.discount_limits.manager, 3000);

  const reset = await admin.patch('/api/v1/settings', { labour_rate_fen: null, qc_required: null, discount_limits: null });
  assert.equal(reset.status, 200, reset.text);
  assert.equal(reset.body.labour_rate_fen, 12000);
  assert.equal(reset.body.qc_required, true);
  assert.equal(reset.body.discount_limits.advisor, 500);
  assert.equal(reset.body.company_name, '广州天河美的特约维修站', 'untouched keys stay');

  const audit = await admin.get('/api/v1/audit-log?entity=settings');
  assert.ok(audit.body.items.length >= 3, 'every change is audited');
  assert.equal(audit.body.items[0].after.labour_rate_fen, 12000);
});

test('settings: bad values are refused per field and nothing changes', async () => {
  const before_ = (await admin.get('/api/v1/settings')).body;
  const cases = [
    [{ colour: 'blue' }, 'colour'],
    [{ labour_rate_fen: -1 }, 'labour_rate_fen'],
    [{ labour_rate_fen: '120' }, 'labour_rate_fen'],
    [{ labour_rate_fen: 1.5 }, 'labour_rate_fen'],
    [{ reopen_days: 99999 }, 'reopen_days'],
    [{ follow_up_days: 0 }, 'follow_up_days'],
    [{ qc_required: 'yes' }, 'qc_required'],
    [{ discount_limits: 500 }, 'discount_limits'],
    [{ discount_limits: { boss: 100 } }, 'discount_limits.boss'],
    [{ discount_limits: { customer: 100 } }, 'discount_limits.customer'],
    [{ discount_limits: { advisor: 10001 } }, 'discount_limits.advisor'],
    [{ discount_limits: { advisor: -5 } }, 'discount_limits.advisor'],
    [{ company_name: 'x'.repeat(101) }, 'company_name'],
    [{ company_name: 42 }, 'company_name'],
  ];
  for (const [body, field] of cases) assertFieldError(await admin.patch('/api/v1/settings', body), field, JSON.stringify(body));
  // a NUL character never gets in (the JSON parser refuses it)
  assertProblem(await admin.patch('/api/v1/settings', { estimate_terms: 'a\u0000b' }), 400);
  // one bad key spoils the whole change
  assertFieldError(await admin.patch('/api/v1/settings', { labour_rate_fen: 9000, reopen_days: -1 }), 'reopen_days');
  assertProblem(await admin.patch('/api/v1/settings', [1, 2]), 400, 'validation_failed');
  assertProblem(await admin.patch('/api/v1/settings', '{"labour_rate_fen":'), 400, 'bad_json');
  const after_ = (await admin.get('/api/v1/settings')).body;
  assert.deepEqual(after_, before_);
});

test('settings: staff read, admin and manager change, customers are kept out', async () => {
  assert.equal((await clients.agent.get('/api/v1/settings')).status, 200);
  assertProblem(await clients.agent.patch('/api/v1/settings', { reopen_days: 10 }), 403, 'forbidden');
  assertProblem(await clients.customer.get('/api/v1/settings'), 403, 'forbidden');
  assertProblem(await clients.customer.get('/api/v1/calendar'), 403, 'forbidden');
  assertProblem(await clients.customer.get('/api/v1/sla-policies'), 403, 'forbidden');
  assertProblem(await clients.agent.put('/api/v1/calendar', { weekdays: [1], start_min: 0, end_min: 60 }), 403, 'forbidden');
  assertProblem(await clients.agent.post('/api/v1/fault-categories', { code: 'X1', name: '某' }), 403, 'forbidden');
  assertProblem(await clients.agent.post('/api/v1/sla-policies', {
    priority: 'P3', response_min: 1, answer_min: 1, onsite_min: 1, resolve_min: 1,
  }), 403, 'forbidden');
  // the portal form may offer the categories
  assert.equal((await clients.customer.get('/api/v1/fault-categories')).status, 200);
  const roles = (await admin.get('/api/v1/roles')).body.items;
  const of = (r) => roles.find((x) => x.role === r).permissions;
  assert.ok(of('admin').includes('settings.write'));
  assert.ok(of('manager').includes('settings.write'));
  for (const r of ['agent', 'dispatcher', 'advisor', 'technician', 'customer']) assert.ok(!of(r).includes('settings.write'), r);
});

// ---- fault categories ----------------------------------------------------------------------

test('fault categories: a tree with paths, unique codes, moves, If-Match', async () => {
  const ac = await admin.post('/api/v1/fault-categories', { code: 'T-AC', name: '空调', name_en: 'Air conditioner', default_type: 'repair' });
  assert.equal(ac.status, 201, ac.text);
  assert.equal(ac.body.path, `/${ac.body.id}/`);
  assert.equal(ac.body.parent_id, null);
  assert.match(ac.headers.get('location'), new RegExp(`/api/v1/fault-categories/${ac.body.id}$`));
  const nocool = await admin.post('/api/v1/fault-categories', {
    parent_id: ac.body.id, code: 'T-AC-NOCOOL', name: '空调不制冷', default_priority: 'P2',
  });
  assert.equal(nocool.status, 201, nocool.text);
  assert.equal(nocool.body.path, `/${ac.body.id}/${nocool.body.id}/`);
  const leaf = await admin.post('/api/v1/fault-categories', { parent_id: nocool.body.id, code: 'T-AC-NOCOOL-GAS', name: '缺氟' });
  assert.equal(leaf.body.path, `${nocool.body.path}${leaf.body.id}/`);

  const dup = await admin.post('/api/v1/fault-categories', { code: 'T-AC', name: '重复' });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.existing_id, ac.body.id);

  const list = await clients.agent.get('/api/v1/fault-categories?q=T-AC');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((c) => c.code), ['T-AC', 'T-AC-NOCOOL', 'T-AC-NOCOOL-GAS'], 'parents first');
  const kids = await admin.get(`/api/v1/fault-categories?parent_id=${ac.body.id}`);
  assert.deepEqual(kids.body.items.map((c) => c.id), [nocool.body.id]);
  // by name too (the tenant's standard categories, seeded at its creation, have one of their own)
  const byName = (await admin.get(`/api/v1/fault-categories?q=${encodeURIComponent('不制冷')}`)).body.items;
  assert.deepEqual(byName.filter((c) => c.code.startsWith('T-')).map((c) => c.id), [nocool.body.id]);
  assert.ok(byName.some((c) => c.code === 'AC-NOCOOL'), 'the seeded 空调不制冷');

  // move the middle node to the top: the subtree's paths follow
  const fr = await admin.post('/api/v1/fault-categories', { code: 'T-FR', name: '冰箱' });
  const mv = await admin.patch(`/api/v1/fault-categories/${nocool.body.id}`, { parent_id: fr.body.id }, { 'If-Match': '"1"' });
  assert.equal(mv.status, 200, mv.text);
  assert.equal(mv.body.path, `/${fr.body.id}/${nocool.body.id}/`);
  assert.equal(mv.body.version, 2);
  assert.equal(mv.headers.get('etag'), '"2"');
  const leafNow = await admin.get(`/api/v1/fault-categories/${leaf.body.id}`);
  assert.equal(leafNow.body.path, `/${fr.body.id}/${nocool.body.id}/${leaf.body.id}/`);
  // to the root level with null
  const top = await admin.patch(`/api/v1/fault-categories/${nocool.body.id}`, { parent_id: null, name: '不制冷（总类）' });
  assert.equal(top.body.path, `/${nocool.body.id}/`);
  assert.equal((await admin.get(`/api/v1/fault-categories/${leaf.body.id}`)).body.path, `/${nocool.body.id}/${leaf.body.id}/`);

  // stale If-Match: 412 with the fresh copy, nothing written
  const stale = await admin.patch(`/api/v1/fault-categories/${nocool.body.id}`, { name: '过期' }, { 'If-Match': '"1"' });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current_version, 3);
  assert.equal(stale.body.current.name, '不制冷（总类）');
  // under itself or its own child
  assertFieldError(await admin.patch(`/api/v1/fault-categories/${nocool.body.id}`, { parent_id: nocool.body.id }), 'parent_id');
  assertFieldError(await admin.patch(`/api/v1/fault-categories/${nocool.body.id}`, { parent_id: leaf.body.id }), 'parent_id');
  // a code taken by another
  const taken = await admin.patch(`/api/v1/fault-categories/${fr.body.id}`, { code: 'T-AC' });
  assertProblem(taken, 409, 'conflict');
  assert.equal(taken.body.field, 'code');
  // clear a default with null
  const cleared = await admin.patch(`/api/v1/fault-categories/${nocool.body.id}`, { default_priority: null });
  assert.equal(cleared.body.default_priority, null);
});

test('fault categories: bad input', async () => {
  const cases = [
    [{ name: '无代码' }, 'code'],
    [{ code: 'X-1' }, 'name'],
    [{ code: '', name: '空代码' }, 'code'],
    [{ code: 'has space', name: '空格' }, 'code'],
    [{ code: '空调', name: '中文代码' }, 'code'],
    [{ code: 'X'.repeat(33), name: '太长' }, 'code'],
    [{ code: 'X-2', name: 'n'.repeat(101) }, 'name'],
    [{ code: 'X-3', name: '优先级', default_priority: 'P5' }, 'default_priority'],
    [{ code: 'X-4', name: '类型', default_type: 'wash' }, 'default_type'],
    [{ code: 'X-5', name: '父级', parent_id: 999999 }, 'parent_id'],
    [{ code: 'X-6', name: '父级', parent_id: -3 }, 'parent_id'],
    [{ code: 'X-7', name: '父级', parent_id: 'one' }, 'parent_id'],
    [{ code: 'X-8', name: '多余', colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of cases) assertFieldError(await admin.post('/api/v1/fault-categories', body), field, JSON.stringify(body));
  const c = await admin.post('/api/v1/fault-categories', { code: 'T-BAD', name: '坏输入' });
  assertFieldError(await admin.patch(`/api/v1/fault-categories/${c.body.id}`, { name: '' }), 'name');
  assertFieldError(await admin.patch(`/api/v1/fault-categories/${c.body.id}`, { code: null }), 'code');
  assertProblem(await admin.get('/api/v1/fault-categories/999999'), 404, 'not_found');
  assertProblem(await admin.patch('/api/v1/fault-categories/999999', { name: '无' }), 404, 'not_found');
  assertProblem(await admin.get('/api/v1/fault-categories?parent_id=abc'), 400, 'validation_failed');
});

test('fault categories: delete refused while sub-categories or orders use it', async () => {
  const p = await admin.post('/api/v1/fault-categories', { code: 'T-WM', name: '洗衣机' });
  const c = await admin.post('/api/v1/fault-categories', { parent_id: p.body.id, code: 'T-WM-LEAK', name: '洗衣机漏水' });
  const withKids = await admin.del(`/api/v1/fault-categories/${p.body.id}`);
  assertProblem(withKids, 409, 'conflict');
  assert.match(withKids.body.detail, /sub-categories/);
  const o = await admin.post('/api/v1/work-orders', smallestOrder({ fault_category_id: c.body.id, fault_description: '洗衣机漏水' }));
  assert.equal(o.status, 201, o.text);
  assert.equal(o.body.fault_category_id, c.body.id);
  const used = await admin.del(`/api/v1/fault-categories/${c.body.id}`);
  assertProblem(used, 409, 'conflict');
  assert.match(used.body.detail, /work orders/);
  // an unused leaf goes, then its parent
  const spare = await admin.post('/api/v1/fault-categories', { parent_id: p.body.id, code: 'T-WM-NOISE', name: '异响' });
  assertProblem(await clients.agent.del(`/api/v1/fault-categories/${spare.body.id}`), 403, 'forbidden');
  assert.equal((await admin.del(`/api/v1/fault-categories/${spare.body.id}`)).status, 204);
  assertProblem(await admin.get(`/api/v1/fault-categories/${spare.body.id}`), 404, 'not_found');
  assertProblem(await admin.del(`/api/v1/fault-categories/${spare.body.id}`), 404, 'not_found');
});

// ---- SLA policies --------------------------------------------------------------------------

test('SLA policies: create, list with defaults, change with If-Match, one per priority/contract/region', async () => {
  const list0 = await clients.agent.get('/api/v1/sla-policies');
  assert.equal(list0.status, 200, list0.text);
  const p1 = list0.body.defaults.find((d) => d.priority === 'P1');
  assert.deepEqual(p1, { priority: 'P1', response_min: 120, answer_min: 1440, onsite_min: 1440, resolve_min: 2880, calendar: '24x7' });
  assert.equal(list0.body.defaults.find((d) => d.priority === 'P3').calendar, 'working');

  const body = { priority: 'P2', contract: 'GOLD-2026', response_min: 60, answer_min: 240, onsite_min: 480, resolve_min: 1440, calendar: '24x7' };
  const c = await admin.post('/api/v1/sla-policies', body);
  assert.equal(c.status, 201, c.text);
  assert.equal(c.body.region, null);
  assert.equal(c.body.calendar, '24x7');
  const dup = await admin.post('/api/v1/sla-policies', { ...body, response_min: 30 });
  assertProblem(dup, 409, 'conflict');
  assert.equal(dup.body.existing_id, c.body.id);
  // same priority, other narrowing: fine; default calendar is working
  const r = await clients.manager.post('/api/v1/sla-policies', { ...body, contract: null, region: '广州市', calendar: undefined });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.calendar, 'working');
  const e = await admin.patch(`/api/v1/sla-policies/${c.body.id}`, { response_min: 45 }, { 'If-Match': '"1"' });
  assert.equal(e.status, 200, e.text);
  assert.equal(e.body.response_min, 45);
  assertProblem(await admin.patch(`/api/v1/sla-policies/${c.body.id}`, { response_min: 40 }, { 'If-Match': '"1"' }), 412, 'precondition_failed');
  // changing into a duplicate is refused too
  assertProblem(await admin.patch(`/api/v1/sla-policies/${r.body.id}`, { contract: 'GOLD-2026', region: '' }), 409, 'conflict');
  const byPr = await admin.get('/api/v1/sla-policies?priority=P2');
  assert.equal(byPr.body.items.length, 2);
  assert.equal((await admin.get('/api/v1/sla-policies?priority=P4')).body.items.length, 0);
  assertProblem(await admin.get('/api/v1/sla-policies?priority=P7'), 400, 'validation_failed');
  assert.equal((await admin.del(`/api/v1/sla-policies/${r.body.id}`)).status, 204);
  assertProblem(await admin.get(`/api/v1/sla-policies/${r.body.id}`), 404, 'not_found');
});

test('SLA policies: bad input', async () => {
  const ok = { priority: 'P3', response_min: 60, answer_min: 120, onsite_min: 240, resolve_min: 480 };
  const cases = [
    [{ ...ok, priority: 'P9' }, 'priority'],
    [{ ...ok, priority: undefined }, 'priority'],
    [{ ...ok, response_min: 0 }, 'response_min'],
    [{ ...ok, answer_min: -10 }, 'answer_min'],
    [{ ...ok, onsite_min: 525601 }, 'onsite_min'],
    [{ ...ok, resolve_min: '480' }, 'resolve_min'],
    [{ ...ok, resolve_min: undefined }, 'resolve_min'],
    [{ ...ok, calendar: 'weekdays' }, 'calendar'],
    [{ ...ok, contract: 'c'.repeat(65) }, 'contract'],
    [{ ...ok, response_min: 600 }, 'response_min'], // later than resolve
    [{ ...ok, onsite_min: 481 }, 'onsite_min'],
    [{ ...ok, extra: 1 }, 'extra'],
  ];
  for (const [body, field] of cases) assertFieldError(await admin.post('/api/v1/sla-policies', body), field, JSON.stringify(body));
  const c = await admin.post('/api/v1/sla-policies', { ...ok, region: '深圳市' });
  assert.equal(c.status, 201, c.text);
  assertFieldError(await admin.patch(`/api/v1/sla-policies/${c.body.id}`, { resolve_min: 30 }), 'response_min');
  assertFieldError(await admin.patch(`/api/v1/sla-policies/${c.body.id}`, { priority: null }), 'priority');
});

// ---- the working calendar ------------------------------------------------------------------

test('calendar: default week, replace with holidays and 调休 days, bad input', async () => {
  const g = await clients.agent.get('/api/v1/calendar');
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.body.weekdays, [1, 2, 3, 4, 5]);
  assert.equal(g.body.start_min, 540);
  assert.equal(g.body.end_min, 1080);
  assert.equal(g.body.tz_offset_min, 480);
  assert.deepEqual(g.body.days, []);

  const days = [
    { day: '2026-10-01', kind: 'holiday', name: '国庆节' },
    { day: '2026-10-02', kind: 'holiday', name: '国庆节' },
    { day: '2026-10-10', kind: 'workday', name: '国庆调休' },
  ];
  const put = await admin.put('/api/v1/calendar', { weekdays: [1, 2, 3, 4, 5, 6], start_min: 510, end_min: 1050, days });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body.weekdays, [1, 2, 3, 4, 5, 6]);
  assert.equal(put.body.start_min, 510);
  assert.deepEqual(put.body.days.map((d) => d.day), ['2026-10-01', '2026-10-02', '2026-10-10']);
  assert.equal(put.body.days[2].kind, 'workday');
  // without days: the days stay
  const week = await admin.put('/api/v1/calendar', { weekdays: [1, 2, 3, 4, 5], start_min: 540, end_min: 1080 });
  assert.equal(week.body.days.length, 3);
  assert.deepEqual(week.body.weekdays, [1, 2, 3, 4, 5]);

  const cases = [
    [{ weekdays: [], start_min: 540, end_min: 1080 }, 'weekdays'],
    [{ weekdays: [0, 1], start_min: 540, end_min: 1080 }, 'weekdays'],
    [{ weekdays: [8], start_min: 540, end_min: 1080 }, 'weekdays'],
    [{ weekdays: [1, 1], start_min: 540, end_min: 1080 }, 'weekdays'],
    [{ weekdays: ['Mon'], start_min: 540, end_min: 1080 }, 'weekdays'],
    [{ weekdays: [1], start_min: 1080, end_min: 540 }, 'end_min'],
    [{ weekdays: [1], start_min: 540, end_min: 540 }, 'end_min'],
    [{ weekdays: [1], start_min: -1, end_min: 540 }, 'start_min'],
    [{ weekdays: [1], start_min: 0, end_min: 1441 }, 'end_min'],
    [{ weekdays: [1], end_min: 1000 }, 'start_min'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: {} }, 'days'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: ['2026-10-01'] }, 'days[0]'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: [{ day: '2026-02-30', kind: 'holiday' }] }, 'days[0].day'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: [{ day: '2026/10/01', kind: 'holiday' }] }, 'days[0].day'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: [{ day: '2026-10-01', kind: 'vacation' }] }, 'days[0].kind'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: [{ day: '2026-10-01' }] }, 'days[0].kind'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: [{ day: '2026-10-01', kind: 'holiday', note: 'x' }] }, 'days[0].note'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: [{ day: '2026-10-01', kind: 'holiday', name: 'n'.repeat(51) }] }, 'days[0].name'],
    [{ weekdays: [1], start_min: 0, end_min: 60, days: [{ day: '2026-10-01', kind: 'holiday' }, { day: '2026-10-01', kind: 'workday' }] }, 'days[1].day'],
    [{ weekdays: [1], start_min: 0, end_min: 60, tz_offset_min: 0 }, 'tz_offset_min'],
  ];
  for (const [body, field] of cases) assertFieldError(await admin.put('/api/v1/calendar', body), field, JSON.stringify(body));
  const tooMany = Array.from({ length: 2001 }, (_, i) => ({ day: new Date(Date.UTC(2030, 0, 1) + i * 86400000).toISOString().slice(0, 10), kind: 'holiday' }));
  assertFieldError(await admin.put('/api/v1/calendar', { weekdays: [1], start_min: 0, end_min: 60, days: tooMany }), 'days');
  const still = await admin.get('/api/v1/calendar');
  assert.deepEqual(still.body.weekdays, [1, 2, 3, 4, 5], 'nothing changed by refused bodies');
  assert.equal(still.body.days.length, 3);
  // an empty list clears the days
  const cleared = await admin.put('/api/v1/calendar', { weekdays: [1, 2, 3, 4, 5], start_min: 540, end_min: 1080, days: [] });
  assert.deepEqual(cleared.body.days, []);
});

// ---- the intake suggestion -----------------------------------------------------------------

test('intake suggestion: nearest ancestor defaults, raised one step for class A or a contract', async () => {
  const root_ = await admin.post('/api/v1/fault-categories', { code: 'S-HA', name: '家电', default_type: 'repair', default_priority: 'P3' });
  const inst = await admin.post('/api/v1/fault-categories', { parent_id: root_.body.id, code: 'S-INST', name: '安装', default_type: 'install', default_priority: 'P4' });
  const leaf = await admin.post('/api/v1/fault-categories', { parent_id: inst.body.id, code: 'S-INST-AC', name: '空调安装' });
  const urgent = await admin.post('/api/v1/fault-categories', { parent_id: root_.body.id, code: 'S-GAS', name: '燃气泄漏', default_priority: 'P1' });
  const plain = await admin.post('/api/v1/fault-categories', { code: 'S-NONE', name: '无默认' });

  let s = await clients.agent.get(`/api/v1/intake/suggest?fault_category_id=${leaf.body.id}`);
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.type, 'install');
  assert.equal(s.body.priority, 'P4');
  assert.equal(s.body.category.code, 'S-INST-AC');
  assert.deepEqual(s.body.reasons.map((x) => x.code), ['category_type', 'category_priority']);
  assert.match(s.body.reasons[0].zh, /安装/);
  assert.ok(s.body.reasons.every((x) => x.en && x.zh));

  // a class A customer: one step up (P4 → P3)
  const a = await admin.post('/api/v1/customers', { name: '大客户', phones: ['13566667777'], class: 'A' });
  assert.equal(a.status, 201, a.text);
  s = await clients.agent.get(`/api/v1/intake/suggest?fault_category_id=${leaf.body.id}&customer_id=${a.body.id}`);
  assert.equal(s.body.priority, 'P3');
  assert.ok(s.body.reasons.some((x) => x.code === 'customer_class_a'));
  // a contract: one step up; both together still one step
  s = await clients.agent.get(`/api/v1/intake/suggest?fault_category_id=${root_.body.id}&contract=GOLD`);
  assert.equal(s.body.priority, 'P2');
  assert.equal(s.body.type, 'repair');
  assert.ok(s.body.reasons.some((x) => x.code === 'contract'));
  s = await clients.agent.get(`/api/v1/intake/suggest?fault_category_id=${leaf.body.id}&customer_id=${a.body.id}&contract=GOLD`);
  assert.equal(s.body.priority, 'P3');
  // a raise never makes P1 by itself; a P1 category stays P1
  const p2 = await admin.post('/api/v1/fault-categories', { code: 'S-P2', name: '高优先', default_priority: 'P2' });
  s = await clients.agent.get(`/api/v1/intake/suggest?fault_category_id=${p2.body.id}&customer_id=${a.body.id}`);
  assert.equal(s.body.priority, 'P2');
  s = await clients.agent.get(`/api/v1/intake/suggest?fault_category_id=${urgent.body.id}`);
  assert.equal(s.body.priority, 'P1');
  assert.equal(s.body.type, 'repair', 'type from the root');
  // a class C customer and no category: the plain default
  const cc = await admin.post('/api/v1/customers', { name: '普通客户', phones: ['13588889999'] });
  s = await clients.agent.get(`/api/v1/intake/suggest?customer_id=${cc.body.id}`);
  assert.deepEqual([s.body.type, s.body.priority, s.body.category], ['repair', 'P3', null]);
  s = await clients.agent.get(`/api/v1/intake/suggest?fault_category_id=${plain.body.id}`);
  assert.deepEqual([s.body.type, s.body.priority], ['repair', 'P3']);
  assert.equal(s.body.reasons[0].code, 'default');

  assertFieldError(await clients.agent.get('/api/v1/intake/suggest?fault_category_id=999999'), 'fault_category_id');
  assertFieldError(await clients.agent.get('/api/v1/intake/suggest?fault_category_id=abc'), 'fault_category_id');
  assertFieldError(await clients.agent.get('/api/v1/intake/suggest?customer_id=999999'), 'customer_id');
  assertProblem(await clients.agent.get(`/api/v1/intake/suggest?contract=${'x'.repeat(65)}`), 400, 'validation_failed');
  // a customer account may ask about itself only
  const own = (await clients.customer.get('/api/v1/session')).body.user.customer_id;
  assert.equal((await clients.customer.get(`/api/v1/intake/suggest?customer_id=${own}`)).status, 200);
  assertFieldError(await clients.customer.get(`/api/v1/intake/suggest?customer_id=${a.body.id}`), 'customer_id');
});
