// wo_flow.test.mjs — the work-order state machine through the API (issue 4 item 1, 2):
// events as POST /work-orders/{id}/{event}, refusals (409 invalid_transition with allowed,
// 403 for the wrong person, 400 for a missing reason), holds with their time, rework on a QC
// failure, If-Match, Idempotency-Key, the timeline (public vs internal), the intake channels
// and the outbox acknowledgement.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, login, api, assertProblem, assertFieldError, smallestOrder, sleep } from './lib.mjs';

let srv;
let admin;
let tech;
let tech2;
let techId;
let tech2Id;
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  const org = admin.session.user.org_id;
  for (const [login_, name] of [['wf_tech1', '李师傅'], ['wf_tech2', '王师傅']]) {
    const u = await admin.post('/api/v1/users', { login: login_, name, password: 'tech12345', org_id: org, roles: ['technician'] });
    assert.equal(u.status, 201, u.text);
    if (login_ === 'wf_tech1') techId = u.body.id; else tech2Id = u.body.id;
  }
  tech = api(srv.url, (await login(srv.url, 'wf_tech1', 'tech12345')).token);
  tech2 = api(srv.url, (await login(srv.url, 'wf_tech2', 'tech12345')).token);
});
after(async () => { await srv?.stop(); });

let phoneSeq = 0;
async function newOrder(over = {}) {
  phoneSeq++;
  const res = await admin.post('/api/v1/work-orders', smallestOrder({
    customer: { name: '赵敏', phone: `1390000${String(1000 + phoneSeq).slice(-4)}` }, ...over,
  }));
  assert.equal(res.status, 201, res.text);
  return res.body;
}
const ev = (client, o, event, body = {}, headers = {}) => client.post(`/api/v1/work-orders/${o.id}/${event}`, body, headers);
async function ok(client, o, event, body, expect) {
  const res = await ev(client, o, event, body);
  assert.equal(res.status, 200, `${event}: ${res.text}`);
  if (expect) assert.equal(res.body.status, expect, event);
  return res.body;
}

test('service flow: accept → dispatch → take → depart → arrive → complete → qc-pass, each on the timeline', async () => {
  let o = await newOrder();
  assert.equal(o.status, 'new');
  assert.ok(o.allowed_events.includes('accept') && o.allowed_events.includes('cancel'), JSON.stringify(o.allowed_events));
  o = await ok(admin, o, 'accept', {}, 'accepted');
  assert.ok(o.responded_at, 'first response time recorded');
  o = await ok(admin, o, 'dispatch', { assignee_id: techId }, 'dispatched');
  assert.equal(o.assignee_id, techId);
  assert.equal(o.assignee_name, '李师傅');
  o = await ok(tech, o, 'take', {}, 'taken');
  o = await ok(tech, o, 'depart', {}, 'on_the_way');
  o = await ok(tech, o, 'arrive', {}, 'in_service');
  assert.ok(o.onsite_at);
  o = await ok(tech, o, 'complete', {}, 'completed');
  assert.ok(o.completed_at);
  o = await ok(admin, o, 'qc-pass', { checklist: [{ key: 'done', label: '所有项目已完成', checked: true }] }, 'qc_passed');
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  assert.deepEqual(tl.body.items.map((e) => e.event),
    ['create', 'accept', 'dispatch', 'take', 'depart', 'arrive', 'complete', 'qc-pass']);
  const d = tl.body.items.find((e) => e.event === 'dispatch');
  assert.equal(d.data.from, 'accepted');
  assert.equal(d.data.to, 'dispatched');
  assert.equal(d.actor.name, admin.session.user.name);
  // settle without a bill is refused, and says why
  const s = await ev(admin, o, 'settle');
  assertProblem(s, 409, 'invalid_transition');
  assert.equal(s.body.guard, 'not_paid');
});

test('skipping states is refused with 409 invalid_transition naming the state and the allowed events', async () => {
  const o = await newOrder();
  for (const e of ['complete', 'take', 'qc-pass', 'settle', 'close', 'follow-up', 'reopen', 'resume']) {
    const res = await ev(admin, o, e, { reason: 'x' });
    assertProblem(res, 409, 'invalid_transition', e);
    assert.equal(res.body.state, 'new');
    assert.ok(res.body.allowed.includes('accept'), res.text);
    assert.ok(!res.body.allowed.includes(e), `${e} is not allowed from new`);
  }
  assertProblem(await ev(admin, o, 'fly'), 404);
  const after_ = await admin.get(`/api/v1/work-orders/${o.id}`);
  assert.equal(after_.body.status, 'new');
  assert.equal(after_.body.version, o.version, 'nothing written');
});

test('who may: another technician, a technician dispatching, a customer dispatching → 403', async () => {
  let o = await newOrder();
  o = await ok(admin, o, 'dispatch', { assignee_id: techId }, 'dispatched');
  assertProblem(await ev(tech2, o, 'take'), 403, 'forbidden', 'not the assignee');
  assertProblem(await ev(tech, o, 'dispatch', { assignee_id: tech2Id }), 403, 'forbidden', 'a technician does not dispatch');
  o = await ok(tech, o, 'take', {}, 'taken');
  // the dispatcher hands it over to another technician
  o = await ok(admin, o, 'dispatch', { assignee_id: tech2Id }, 'dispatched');
  assert.equal(o.assignee_id, tech2Id);
  assertProblem(await ev(tech, o, 'take'), 403, 'forbidden', 'the former assignee');
  await ok(tech2, o, 'take', {}, 'taken');
});

test('dispatch needs a technician; decline and cancel need a reason', async () => {
  let o = await newOrder();
  assertFieldError(await ev(admin, o, 'dispatch'), 'assignee_id');
  assertFieldError(await ev(admin, o, 'dispatch', { assignee_id: 999999 }), 'assignee_id');
  assertFieldError(await ev(admin, o, 'dispatch', { assignee_id: admin.session.user.id }), 'assignee_id', 'not a technician');
  assertFieldError(await ev(admin, o, 'dispatch', { assignee_id: 'x' }), 'assignee_id');
  o = await ok(admin, o, 'dispatch', { assignee_id: techId }, 'dispatched');
  assertFieldError(await ev(tech, o, 'decline'), 'reason');
  assertFieldError(await ev(tech, o, 'decline', { reason: '' }), 'reason');
  o = await ok(tech, o, 'decline', { reason: '不在服务区域' }, 'accepted');
  assert.equal(o.assignee_id, null);
  assertFieldError(await ev(admin, o, 'cancel'), 'reason');
  assertFieldError(await ev(admin, o, 'cancel', { reason: 'x'.repeat(501) }), 'reason');
  o = await ok(admin, o, 'cancel', { reason: '客户已自行修好' }, 'cancelled');
  assert.equal(o.cancel_reason, '客户已自行修好');
  assertProblem(await ev(admin, o, 'accept'), 409, 'invalid_transition');
  assert.deepEqual(o.allowed_events, []);
});

test('cancel is refused once the work is completed', async () => {
  let o = await newOrder();
  o = await ok(admin, o, 'dispatch', { assignee_id: techId });
  o = await ok(tech, o, 'take');
  o = await ok(tech, o, 'arrive', {}, 'in_service');
  o = await ok(tech, o, 'complete', {}, 'completed');
  const res = await ev(admin, o, 'cancel', { reason: '不修了' });
  assertProblem(res, 409, 'invalid_transition');
  assert.equal(res.body.state, 'completed');
});

test('holds: waiting for parts and for the customer, with the time spent in each', async () => {
  let o = await newOrder();
  o = await ok(admin, o, 'dispatch', { assignee_id: techId });
  o = await ok(tech, o, 'take');
  o = await ok(tech, o, 'arrive', {}, 'in_service');
  assertFieldError(await ev(tech, o, 'hold'), 'kind');
  assertFieldError(await ev(tech, o, 'hold', { kind: 'lunch' }), 'kind');
  o = await ok(tech, o, 'hold', { kind: 'parts', reason: '压缩机缺货' }, 'waiting_parts');
  await sleep(120);
  assertProblem(await ev(tech, o, 'complete'), 409, 'invalid_transition', 'no completing on hold');
  o = await ok(tech, o, 'resume', {}, 'in_service');
  assert.ok(o.hold_parts_ms >= 100, `hold_parts_ms ${o.hold_parts_ms}`);
  assert.equal(o.hold_customer_ms, 0);
  o = await ok(tech, o, 'hold', { kind: 'customer' }, 'waiting_customer');
  await sleep(60);
  o = await ok(admin, o, 'resume', {}, 'in_service');
  assert.ok(o.hold_customer_ms >= 50, `hold_customer_ms ${o.hold_customer_ms}`);
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  const resumes = tl.body.items.filter((e) => e.event === 'resume');
  assert.equal(resumes.length, 2);
  assert.ok(resumes[0].data.held_ms >= 100);
});

test('QC: an unchecked item refuses the pass; a failure sends the order back as rework with its reason', async () => {
  let o = await newOrder();
  o = await ok(admin, o, 'dispatch', { assignee_id: techId });
  o = await ok(tech, o, 'take');
  o = await ok(tech, o, 'arrive');
  o = await ok(tech, o, 'complete', {}, 'completed');
  assertProblem(await ev(tech, o, 'qc-pass'), 403, 'forbidden', 'no self-inspection by the technician');
  const refused = await ev(admin, o, 'qc-pass', { checklist: [{ key: 'brakes', label: '制动检查', checked: false }] });
  assertProblem(refused, 409, 'invalid_transition');
  assert.equal(refused.body.guard, 'lines_not_done');
  assertFieldError(await ev(admin, o, 'qc-fail'), 'reason');
  assertFieldError(await ev(admin, o, 'qc-pass', { checklist: 'all good' }), 'checklist');
  o = await ok(admin, o, 'qc-fail', { reason: '异响未排除', checklist: [{ key: 'noise', label: '无异响', checked: false }] }, 'in_service');
  assert.equal(o.rework_count, 1);
  assert.equal(o.completed_at, null);
  o = await ok(tech, o, 'complete', {}, 'completed');
  o = await ok(admin, o, 'qc-pass', { checklist: [{ key: 'noise', label: '无异响', checked: true }] }, 'qc_passed');
  assert.equal(o.rework_count, 1);
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  const fail = tl.body.items.find((e) => e.event === 'qc-fail');
  assert.equal(fail.data.reason, '异响未排除');
  assert.equal(fail.public, false, 'a QC failure is internal');
});

test('If-Match: a stale version → 412 with a fresh copy, nothing written; Idempotency-Key replays', async () => {
  let o = await newOrder();
  const stale = await ev(admin, o, 'accept', {}, { 'If-Match': `"${o.version + 5}"` });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current.status, 'new');
  assert.equal(stale.body.current.version, o.version);
  const first = await ev(admin, o, 'accept', {}, { 'If-Match': `"${o.version}"`, 'Idempotency-Key': 'acc-1' });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.headers.get('etag'), `"${first.body.version}"`);
  const again = await ev(admin, o, 'accept', {}, { 'If-Match': `"${o.version}"`, 'Idempotency-Key': 'acc-1' });
  assert.equal(again.status, 200, 'a replay answers the first result, not 412 or 409');
  assert.equal(again.body.version, first.body.version);
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  assert.equal(tl.body.items.filter((e) => e.event === 'accept').length, 1, 'applied once');
  // two people acting on the same version: the second gets 412, the first's change stands
  o = first.body;
  const [a, b] = await Promise.all([
    ev(admin, o, 'dispatch', { assignee_id: techId }, { 'If-Match': `"${o.version}"` }),
    ev(admin, o, 'cancel', { reason: '重复报修' }, { 'If-Match': `"${o.version}"` }),
  ]);
  const statuses = [a.status, b.status].sort();
  assert.deepEqual(statuses, [200, 412], `${a.text} / ${b.text}`);
  const winner = a.status === 200 ? a.body : b.body;
  const now = await admin.get(`/api/v1/work-orders/${o.id}`);
  assert.equal(now.body.status, winner.status);
});

test('comments: internal ones stay internal; the customer sees public notes and state changes only', async () => {
  const mine = await newOrder();
  const u = await admin.post('/api/v1/users', {
    login: 'wf_cust', name: '赵敏', password: 'customer1', org_id: admin.session.user.org_id,
    roles: ['customer'], customer_id: mine.customer_id,
  });
  assert.equal(u.status, 201, u.text);
  const cust = api(srv.url, (await login(srv.url, 'wf_cust', 'customer1')).token);
  assert.equal((await admin.post(`/api/v1/work-orders/${mine.id}/comments`, { text: '客户脾气急，注意沟通' })).status, 201);
  assert.equal((await admin.post(`/api/v1/work-orders/${mine.id}/comments`, { text: '师傅明天上午到', public: true })).status, 201);
  assertFieldError(await admin.post(`/api/v1/work-orders/${mine.id}/comments`, { text: '' }), 'text');
  assertFieldError(await admin.post(`/api/v1/work-orders/${mine.id}/comments`, { text: 'x'.repeat(2001) }), 'text');
  await ok(admin, mine, 'accept');
  const seen = await cust.get(`/api/v1/work-orders/${mine.id}/timeline`);
  assert.equal(seen.status, 200, seen.text);
  const texts = seen.body.items.filter((e) => e.event === 'comment').map((e) => e.data.text);
  assert.deepEqual(texts, ['师傅明天上午到']);
  assert.ok(seen.body.items.some((e) => e.event === 'accept'));
  const staff = await admin.get(`/api/v1/work-orders/${mine.id}/timeline`);
  assert.equal(staff.body.items.filter((e) => e.event === 'comment').length, 2);
  // the customer's own words are public; the customer may cancel before dispatch, not dispatch
  assert.equal((await cust.post(`/api/v1/work-orders/${mine.id}/comments`, { text: '请先打电话' })).status, 201);
  assertProblem(await ev(cust, mine, 'dispatch', { assignee_id: techId }), 403, 'forbidden');
  const c = await ev(cust, mine, 'cancel', { reason: '已经好了' });
  assert.equal(c.status, 200, c.text);
  // another customer's order is not found for them
  const other = await newOrder();
  assertProblem(await ev(cust, other, 'cancel', { reason: 'x' }), 404, 'not_found');
  assertProblem(await cust.get(`/api/v1/work-orders/${other.id}/timeline`), 404, 'not_found');
});

test('intake channels: portal → web, partner token → api, given channel kept; the acknowledgement is in the outbox', async () => {
  const phone = await newOrder({ channel: 'phone' });
  assert.equal(phone.channel, 'phone');
  const walk = await newOrder({ channel: 'walk_in' });
  assert.equal(walk.channel, 'walk_in');
  const noChannel = smallestOrder({ customer: { name: '钱多', phone: '13911112222' } });
  delete noChannel.channel;
  const tok = await admin.post('/api/v1/api-tokens', { name: 'partner' });
  assert.equal(tok.status, 201, tok.text);
  const partner = api(srv.url, tok.body.token);
  const viaApi = await partner.post('/api/v1/work-orders', noChannel);
  assert.equal(viaApi.status, 201, viaApi.text);
  assert.equal(viaApi.body.channel, 'api');
  const ob = await admin.get(`/api/v1/work-orders/${viaApi.body.id}/outbox`);
  assert.equal(ob.status, 200, ob.text);
  assert.equal(ob.body.items.length, 1);
  const ack = ob.body.items[0];
  assert.equal(ack.template, 'wo_ack');
  assert.equal(ack.channel, 'sms');
  assert.equal(ack.recipient, '+8613911112222');
  assert.equal(ack.state, 'pending');
  assert.equal(ack.data.number, viaApi.body.number);
  // dispatch tells the customer who is coming
  await ok(admin, phone, 'dispatch', { assignee_id: techId });
  const ob2 = await admin.get(`/api/v1/work-orders/${phone.id}/outbox`);
  assert.deepEqual(ob2.body.items.map((m) => m.template), ['wo_dispatched', 'wo_ack']);
  assert.equal(ob2.body.items[0].data.technician, '李师傅');
});

test('intake: asset of the customer, fault category, appointment window and position are checked', async () => {
  assertFieldError(await admin.post('/api/v1/work-orders', smallestOrder({ asset_id: 999999 })), 'asset_id');
  assertFieldError(await admin.post('/api/v1/work-orders', smallestOrder({ fault_category_id: 999999 })), 'fault_category_id');
  assertFieldError(await admin.post('/api/v1/work-orders', smallestOrder({ appointment_start: 'tomorrow' })), 'appointment_start');
  assertFieldError(await admin.post('/api/v1/work-orders', smallestOrder({
    appointment_start: '2026-11-25T10:00:00+08:00', appointment_end: '2026-11-25T09:00:00+08:00',
  })), 'appointment_end');
  assertFieldError(await admin.post('/api/v1/work-orders', smallestOrder({ lat: 123 })), 'lat');
  assertFieldError(await admin.post('/api/v1/work-orders', smallestOrder({ mileage: -5 })), 'mileage');
  assertFieldError(await admin.post('/api/v1/work-orders', smallestOrder({ work_class: 'huge' })), 'work_class');
  const good = await admin.post('/api/v1/work-orders', smallestOrder({
    appointment_start: '2026-11-25T09:00:00+08:00', appointment_end: '2026-11-25T11:00:00+08:00',
    lat: 23.13, lon: 113.32, work_class: 'minor', payment_type: 'warranty', region: '广州市',
  }));
  assert.equal(good.status, 201, good.text);
  assert.equal(good.body.appointment_start_at, '2026-11-25T01:00:00.000Z');
  assert.equal(good.body.lat, 23.13);
  assert.equal(good.body.payment_type, 'warranty');
});

test('edits: before → after on the timeline; list filters assignee_id=me, asset_id, late', async () => {
  let o = await newOrder({ priority: 'P3' });
  const res = await admin.patch(`/api/v1/work-orders/${o.id}`, { priority: 'P1', region: '广州市' }, { 'If-Match': `"${o.version}"` });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.priority, 'P1');
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  const upd = tl.body.items.find((e) => e.event === 'update');
  assert.deepEqual(upd.data.priority, { from: 'P3', to: 'P1' });
  assert.deepEqual(upd.data.region, { from: null, to: '广州市' });
  assert.equal(upd.public, false);
  const stale = await admin.patch(`/api/v1/work-orders/${o.id}`, { priority: 'P2' }, { 'If-Match': `"${o.version}"` });
  assertProblem(stale, 412, 'precondition_failed');
  assert.equal(stale.body.current.priority, 'P1', 'the 412 carries a fresh copy');
  o = await ok(admin, res.body, 'dispatch', { assignee_id: techId });
  const mine = await tech.get('/api/v1/work-orders?assignee_id=me&limit=500');
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.body.items.length >= 1);
  assert.ok(mine.body.items.every((w) => w.assignee_id === techId));
  assert.ok(mine.body.items.some((w) => w.id === o.id));
  assertFieldError(await admin.get('/api/v1/work-orders?assignee_id=abc'), 'assignee_id');
  assertFieldError(await admin.get('/api/v1/work-orders?late=maybe'), 'late');
  const late = await admin.get('/api/v1/work-orders?late=true&limit=500');
  assert.equal(late.status, 200, late.text);
  for (const w of late.body.items) {
    assert.ok(!['completed', 'qc_passed', 'settled', 'closed', 'followed_up', 'cancelled'].includes(w.status));
    const due = [w.sla_resolve_due, w.promised_at].filter(Boolean).map((t) => Date.parse(t));
    assert.ok(due.some((t) => t < Date.now()), `late order ${w.number} has a passed deadline`);
  }
});

test('intake by customer_id: the acknowledgement goes to the customer\'s phone', async () => {
  const first = await newOrder();
  const again = await admin.post('/api/v1/work-orders', { type: 'repair', customer_id: first.customer_id, fault_description: '又坏了' });
  assert.equal(again.status, 201, again.text);
  const ob = await admin.get(`/api/v1/work-orders/${again.body.id}/outbox`);
  assert.equal(ob.body.items.length, 1);
  assert.equal(ob.body.items[0].recipient, first.customer.phone);
  assert.equal(ob.body.items[0].data.number, again.body.number);
});

test('a technician of an outlet sees and works the orders dispatched to them from above; an advisor lists technicians', async () => {
  const outlet = await admin.post('/api/v1/organizations', { name: '天河网点', type: 'outlet', parent_id: admin.session.user.org_id });
  assert.equal(outlet.status, 201, outlet.text);
  const u = await admin.post('/api/v1/users', { login: 'wf_outlet_tech', name: '周师傅', password: 'tech12345', org_id: outlet.body.id, roles: ['technician'] });
  assert.equal(u.status, 201, u.text);
  const t = api(srv.url, (await login(srv.url, 'wf_outlet_tech', 'tech12345')).token);
  const o = await newOrder();
  assertProblem(await t.get(`/api/v1/work-orders/${o.id}`), 404, 'not_found', 'not theirs before dispatch');
  await ok(admin, o, 'dispatch', { assignee_id: u.body.id }, 'dispatched');
  const mine = await t.get('/api/v1/work-orders?assignee_id=me');
  assert.deepEqual(mine.body.items.map((w) => w.id), [o.id]);
  await ok(t, o, 'take', {}, 'taken');
  // an advisor (no user.read) may list the technicians to dispatch to
  const adv = await admin.post('/api/v1/users', { login: 'wf_adv', name: '服务顾问', password: 'advisor123', org_id: admin.session.user.org_id, roles: ['advisor'] });
  assert.equal(adv.status, 201, adv.text);
  const a = api(srv.url, (await login(srv.url, 'wf_adv', 'advisor123')).token);
  assertProblem(await a.get('/api/v1/users?role=technician'), 403, 'forbidden');
  const techs = await a.get('/api/v1/technicians?limit=500');
  assert.equal(techs.status, 200, techs.text);
  const names = techs.body.items.map((x) => x.name);
  assert.ok(names.includes('周师傅') && names.includes('李师傅'), names.join(','));
  assert.ok(techs.body.items.every((x) => x.login === undefined && x.email === undefined));
});
