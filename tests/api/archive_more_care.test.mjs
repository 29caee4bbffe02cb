// archive_more_care.test.mjs — issue 3 items 1 and 8, the rest: pinyin-initials search ("zw"
// finds 张伟), kept on create, update, merge and import, filled in for rows written without;
// ABC contact plans as tenant data; contact tasks generated idempotently (one open task per
// customer, none for who refused contact), listed by due/overdue, owner and outlet, given to
// someone, done with an outcome (and the next one planned from it); the maintenance-due list
// read through its cache when schedules and readings change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, assertProblem, assertFieldError, undocumentedCalls, login, api, smallestOrder } from './lib.mjs';

let srv, admin, zhang, wang, shan, li, refused;
const DAY = 86400000;
// civil days in the tenant's zone (Asia/Shanghai, +8)
const ymd = (offsetDays = 0) => new Date(Date.now() + 8 * 3600000 + offsetDays * DAY).toISOString().slice(0, 10);
const cust = async (name, phone, cls, extra = {}) => {
  const r = await admin.post('/api/v1/customers', { name, phones: [phone], class: cls, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.body;
};
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  zhang = await cust('张伟', '13600000001', 'A');
  wang = await cust('王芳', '13600000002', 'B');
  shan = await cust('单田芳', '13600000003', 'C');
  li = await cust('李昊然', '13600000004', 'A');
  refused = await cust('赵不扰', '13600000005', 'A', { consent: { allowed: false } });
});
after(async () => { await srv?.stop(); });

const names = (res) => res.body.items.map((c) => c.name).sort();

test('pinyin initials find Chinese names (prefix, any case), with the name search kept', async () => {
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=zw')), ['张伟']);
  assert.deepEqual(names(await admin.get('/api/v1/customers?name=ZW')), ['张伟']);
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=z')), ['张伟', '赵不扰']);
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=stf')), ['单田芳'], 'the surname 单 reads Shàn');
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=lhr')), ['李昊然'], '昊 is a level-2 character');
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=田')), ['单田芳'], 'Chinese text still matches the name');
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=wx')), []);
  const digits = await admin.get('/api/v1/customers?q=12');
  assert.equal(digits.status, 200);
  assertFieldError(await admin.get(`/api/v1/customers?q=${'z'.repeat(101)}`), 'name');
});

test('initials follow a rename, a merge and an import; rows written without them are filled in', async () => {
  const r = await admin.patch(`/api/v1/customers/${wang.id}`, { name: '王小芳' }, { 'If-Match': `"${wang.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=wxf')), ['王小芳']);
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=wf')), []);
  const dup = await cust('王小芳(重复)', '13600000012', 'C');
  const m = await admin.post(`/api/v1/customers/${r.body.id}/merge`, { from_id: dup.id }, { 'If-Match': `"${r.body.version}"` });
  assert.equal(m.status, 200, m.text);
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=wxf')), ['王小芳'], 'the one merged away is not listed');
  const imp = await admin.post('/api/v1/customers/import', { csv: '姓名,电话\n欧阳娜娜,13600000021\n' });
  assert.equal(imp.status, 201, imp.text);
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=oynn')), ['欧阳娜娜']);
  // a work order for a new caller creates the customer in another module (no initials there)
  const wo = await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '钱多多', phone: '13600000031' } }));
  assert.equal(wo.status, 201, wo.text);
  assert.deepEqual(names(await admin.get('/api/v1/customers?q=qdd')), ['钱多多']);
});

test('care plans: the defaults, then the tenant\'s own interval; bad plans refused', async () => {
  let p = await admin.get('/api/v1/care-plans');
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.body.items.map((x) => [x.class, x.every_days, x.every_months, x.default]),
    [['A', 7, 0, true], ['B', 0, 1, true], ['C', 0, 6, true]]);
  for (const bad of [
    { items: [{ class: 'B', every_days: 14, every_months: 1 }] },
    { items: [{ class: 'B', every_days: 0 }] },
    { items: [{ class: 'B', every_months: 25 }] },
    { items: [{ class: 'D', every_days: 3 }] },
    { items: [{ class: 'A', every_days: 3 }, { class: 'A', every_days: 4 }] },
    { items: [] },
    { items: [{ class: 'A', every_days: 7, extra: 1 }] },
    { plans: [] },
  ]) assertProblem(await admin.put('/api/v1/care-plans', bad), 400, 'validation_failed', JSON.stringify(bad));
  p = await admin.put('/api/v1/care-plans', { items: [{ class: 'B', every_days: 14 }] });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.body.items.find((x) => x.class === 'B'), { class: 'B', every_days: 14, every_months: 0, default: false });
  const audit = await admin.get('/api/v1/audit-log?entity=care_plan');
  assert.equal(audit.body.items[0].action, 'update');
  // an agent may read the plans but not change them
  const u = await admin.post('/api/v1/users', { login: 'agent_care', name: '客服', password: 'Passw0rd-x', org_id: zhang.org_id, roles: ['agent'] });
  assert.equal(u.status, 201, u.text);
  const agent = api(srv.url, (await login(srv.url, 'agent_care', 'Passw0rd-x')).token);
  assert.equal((await agent.get('/api/v1/care-plans')).status, 200);
  assertProblem(await agent.put('/api/v1/care-plans', { items: [{ class: 'A', every_days: 3 }] }), 403, 'forbidden');
});

let tasks;
test('tasks are generated by the plans: A within the week, B (14 days) and C not yet; never twice, never for who refused', async () => {
  let g = await admin.post('/api/v1/contact-tasks/generate', { horizon_days: 7 });
  assert.equal(g.status, 200, g.text);
  const list = await admin.get('/api/v1/contact-tasks');
  assert.equal(list.status, 200, list.text);
  const byName = Object.fromEntries(list.body.items.map((t) => [t.customer.name, t]));
  assert.ok(byName['张伟'] && byName['李昊然'], list.text);
  assert.ok(!byName['王小芳'] && !byName['单田芳'], 'B every 14 days and C every 6 months are not due within a week');
  assert.ok(!byName['赵不扰'], 'no task for a customer who refused contact');
  assert.equal(byName['张伟'].due_on, ymd(7));
  assert.equal(byName['张伟'].class, 'A');
  assert.equal(byName['张伟'].status, 'open');
  assert.equal(byName['张伟'].overdue, false);
  assert.equal(byName['张伟'].customer.phone, '+8613600000001');
  assert.ok(g.body.created <= list.body.items.length, 'the scheduler may have made some at start');
  // idempotent: a second run (and one with a longer horizon for A customers) adds nothing for them
  g = await admin.post('/api/v1/contact-tasks/generate', {});
  assert.equal(g.body.created, 0);
  g = await admin.post('/api/v1/contact-tasks/generate', { horizon_days: 20 });
  const after20 = (await admin.get('/api/v1/contact-tasks')).body.items;
  assert.equal(after20.filter((t) => t.customer.name === '张伟').length, 1, 'one open task per customer');
  assert.ok(after20.some((t) => t.customer.name === '王小芳'), 'B due in 14 days now within the horizon');
  tasks = Object.fromEntries(after20.map((t) => [t.customer.name, t]));
  // sorted by due day
  const days = after20.map((t) => t.due_on);
  assert.deepEqual(days, [...days].sort());
  for (const bad of [{ horizon_days: -1 }, { horizon_days: 61 }, { date: '2026-02-30' }, { other: 1 }])
    assertFieldError(await admin.post('/api/v1/contact-tasks/generate', bad), Object.keys(bad)[0]);
});

test('due filters, owner and outlet: a task moved to yesterday is overdue; given to someone', async () => {
  const t = tasks['张伟'];
  let r = await admin.patch(`/api/v1/contact-tasks/${t.id}`, { due_on: ymd(-1), note: '上次没接' }, { 'If-Match': `"${t.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.overdue, true);
  const overdue = (await admin.get('/api/v1/contact-tasks?due=overdue')).body.items;
  assert.deepEqual(overdue.map((x) => x.id), [t.id]);
  assert.ok((await admin.get('/api/v1/contact-tasks?due=today')).body.items.some((x) => x.id === t.id));
  assert.ok(!(await admin.get('/api/v1/contact-tasks?due=today')).body.items.some((x) => x.id === tasks['王小芳'].id));
  const me = (await admin.get('/api/v1/session')).body.user;
  r = await admin.patch(`/api/v1/contact-tasks/${t.id}`, { owner_id: me.id }, { 'If-Match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.owner_name, me.name);
  assert.deepEqual((await admin.get('/api/v1/contact-tasks?owner_id=me')).body.items.map((x) => x.id), [t.id]);
  assert.deepEqual((await admin.get(`/api/v1/contact-tasks?owner_id=${me.id}`)).body.items.map((x) => x.id), [t.id]);
  assert.ok((await admin.get(`/api/v1/contact-tasks?org_id=${zhang.org_id}`)).body.items.length >= 2);
  assert.equal((await admin.get(`/api/v1/contact-tasks?customer_id=${li.id}`)).body.items.length, 1);
  assertProblem(await admin.patch(`/api/v1/contact-tasks/${t.id}`, { owner_id: 999999 }, { 'If-Match': `"${r.body.version}"` }), 400, 'validation_failed');
  assertProblem(await admin.patch(`/api/v1/contact-tasks/${t.id}`, { note: 'x' }, { 'If-Match': '"1"' }), 412, 'precondition_failed');
  assertFieldError(await admin.patch(`/api/v1/contact-tasks/${t.id}`, { due_on: 'tomorrow' }), 'due_on');
  for (const q of ['status=maybe', 'due=later', 'owner_id=abc', 'org_id=-1', 'customer_id=x'])
    assertProblem(await admin.get(`/api/v1/contact-tasks?${q}`), 400, 'validation_failed', q);
  assertProblem(await admin.get('/api/v1/contact-tasks?org_id=999999'), 404, 'not_found');
  assertProblem(await admin.get('/api/v1/contact-tasks/999999'), 404, 'not_found');
  // paging over (due day, id)
  const p1 = await admin.get('/api/v1/contact-tasks?limit=1');
  assert.equal(p1.body.items.length, 1);
  const p2 = await admin.get(`/api/v1/contact-tasks?limit=1&cursor=${p1.body.next_cursor}`);
  assert.equal(p2.status, 200, p2.text);
  assert.notEqual(p2.body.items[0].id, p1.body.items[0].id);
  assert.ok(p2.body.items[0].due_on >= p1.body.items[0].due_on);
});

test('done with an outcome: the next task counts from today; nobody answered → again in 2 days', async () => {
  let t = (await admin.get(`/api/v1/contact-tasks/${tasks['张伟'].id}`)).body;
  assertFieldError(await admin.post(`/api/v1/contact-tasks/${t.id}/done`, { outcome: 'happy' }), 'outcome');
  assertFieldError(await admin.post(`/api/v1/contact-tasks/${t.id}/done`, {}), 'outcome');
  assertProblem(await admin.post(`/api/v1/contact-tasks/${t.id}/done`, { outcome: 'reached' }, { 'If-Match': '"1"' }), 412, 'precondition_failed');
  let r = await admin.post(`/api/v1/contact-tasks/${t.id}/done`, { outcome: 'reached', note: '客户满意，下月保养' }, { 'If-Match': `"${t.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'done');
  assert.equal(r.body.outcome, 'reached');
  assert.ok(r.body.done_at);
  assertProblem(await admin.post(`/api/v1/contact-tasks/${t.id}/done`, { outcome: 'reached' }), 409, 'conflict');
  assertProblem(await admin.patch(`/api/v1/contact-tasks/${t.id}`, { note: 'x' }), 409, 'conflict');
  const audit = (await admin.get(`/api/v1/audit-log?entity=contact_task&entity_id=${t.id}`)).body.items;
  assert.deepEqual(audit.map((a) => a.action).slice(0, 2), ['done', 'update']);
  await admin.post('/api/v1/contact-tasks/generate', { horizon_days: 7 });
  const next = (await admin.get(`/api/v1/contact-tasks?customer_id=${zhang.id}`)).body.items;
  assert.equal(next.length, 1);
  assert.equal(next[0].due_on, ymd(7), 'A weekly from the contact today');
  const done = (await admin.get(`/api/v1/contact-tasks?customer_id=${zhang.id}&status=done`)).body.items;
  assert.equal(done.length, 1);
  // no answer: tried again in two days
  t = (await admin.get(`/api/v1/contact-tasks?customer_id=${li.id}`)).body.items[0];
  r = await admin.post(`/api/v1/contact-tasks/${t.id}/done`, { outcome: 'no_answer' }, { 'If-Match': `"${t.version}"` });
  assert.equal(r.status, 200, r.text);
  await admin.post('/api/v1/contact-tasks/generate', { horizon_days: 2 });
  const retry = (await admin.get(`/api/v1/contact-tasks?customer_id=${li.id}`)).body.items;
  assert.equal(retry.length, 1, JSON.stringify(retry));
  assert.equal(retry[0].due_on, ymd(2));
});

test('a merge cancels the open task of the customer merged away', async () => {
  const a = await cust('孙甲', '13600000041', 'A');
  const b = await cust('孙甲(旧)', '13600000042', 'A');
  await admin.post('/api/v1/contact-tasks/generate', { horizon_days: 7 });
  const tb = (await admin.get(`/api/v1/contact-tasks?customer_id=${b.id}`)).body.items;
  assert.equal(tb.length, 1);
  const m = await admin.post(`/api/v1/customers/${a.id}/merge`, { from_id: b.id }, { 'If-Match': `"${a.version}"` });
  assert.equal(m.status, 200, m.text);
  const all = (await admin.get(`/api/v1/contact-tasks?customer_id=${a.id}&status=all`)).body.items;
  assert.equal(all.filter((t) => t.status === 'open').length, 1, 'one open task for the merged customer');
  const gone = (await admin.get(`/api/v1/contact-tasks/${tb[0].id}`)).body;
  assert.equal(gone.status, 'cancelled');
  assert.equal(gone.outcome, 'merged');
});

test('tasks of another outlet are not seen; customers accounts and technicians have no tasks', async () => {
  const root = (await admin.get('/api/v1/organizations')).body.items.find((o) => !o.parent_id);
  const outlet = (await admin.post('/api/v1/organizations', { type: 'outlet', name: '越秀网点', parent_id: root.id })).body;
  const u = await admin.post('/api/v1/users', { login: 'followup_yx', name: '回访员', password: 'Passw0rd-x', org_id: outlet.id, roles: ['followup'] });
  assert.equal(u.status, 201, u.text);
  const fu = api(srv.url, (await login(srv.url, 'followup_yx', 'Passw0rd-x')).token);
  assert.deepEqual((await fu.get('/api/v1/contact-tasks')).body.items, [], 'root-org tasks are not in the outlet');
  assertProblem(await fu.get(`/api/v1/contact-tasks/${tasks['王小芳'].id}`), 404, 'not_found');
  const mine = await fu.post('/api/v1/customers', { name: '越秀客户', phones: ['13600000051'], class: 'A' });
  assert.equal(mine.status, 201, mine.text);
  await fu.post('/api/v1/contact-tasks/generate', {});
  const seen = (await fu.get('/api/v1/contact-tasks')).body.items;
  assert.deepEqual(seen.map((t) => t.customer.name), ['越秀客户']);
  assert.equal(seen[0].org_name, '越秀网点');
  const tech = await admin.post('/api/v1/users', { login: 'tech_care', name: '技师', password: 'Passw0rd-x', org_id: outlet.id, roles: ['technician'] });
  assert.equal(tech.status, 201);
  const tc = api(srv.url, (await login(srv.url, 'tech_care', 'Passw0rd-x')).token);
  assertProblem(await tc.get('/api/v1/contact-tasks'), 403, 'forbidden');
  assertProblem(await tc.post('/api/v1/contact-tasks/generate', {}), 403, 'forbidden');
});

test('the due list through its cache: a reading and a schedule change move an asset in and out', async () => {
  const model = (await admin.post('/api/v1/product-models', {
    brand: '本田', category: '轿车', model: `思域-${Date.now()}`, maintenance: [{ name: '首保', km: 5000, months: 12 }],
  })).body;
  const bought = ymd(-200);
  const a = (await admin.post('/api/v1/assets', { customer_id: zhang.id, model_id: model.id, serial: 'VIN-CACHE-1', plate: '粤A00001', purchase_date: bought })).body;
  const month = ymd(0).slice(0, 7);
  const inList = async () => (await admin.get(`/api/v1/maintenance/due?month=${month}`)).body.items.find((x) => x.asset_id === a.id);
  assert.equal(await inList(), undefined, 'due in 12 months: not this month');
  // 4,800 km in 200 days: 24 km/day → 5,000 km in about 8 more days
  let r = await admin.post(`/api/v1/assets/${a.id}/readings`, { date: ymd(0), km: 4800 });
  assert.equal(r.status, 201, r.text);
  const due = await inList();
  const endOfMonth = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
  if (ymd(9) <= endOfMonth) {
    assert.ok(due, 'due by km this month');
    assert.equal(due.due_by, 'km');
  }
  // a schedule that comes later: no longer due
  const m2 = await admin.patch(`/api/v1/product-models/${model.id}`, { maintenance: [{ name: '首保', km: 50000, months: 24 }] }, { 'If-Match': `"${model.version}"` });
  assert.equal(m2.status, 200, m2.text);
  assert.equal(await inList(), undefined);
  // and one that is long overdue
  await admin.patch(`/api/v1/product-models/${model.id}`, { maintenance: [{ name: '首保', km: 1000, months: 3 }] }, { 'If-Match': `"${m2.body.version}"` });
  const od = await inList();
  assert.ok(od, 'overdue after the schedule changed');
  assert.equal(od.status, 'overdue');
  assert.equal(od.plate, '粤A00001');
  // an outlet with no customers has nothing due; a limit is honoured
  assert.equal((await admin.get(`/api/v1/maintenance/due?month=${month}&limit=1`)).body.items.length, 1);
});

test('every route called here is documented', async () => {
  assert.deepEqual(await undocumentedCalls(srv.url), []);
});
