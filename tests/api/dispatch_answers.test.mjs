// dispatch_answers.test.mjs — after the dispatch (issue 5 item 5): decline with a reason (the
// decliner is not suggested again), no answer within the policy's time → re-dispatched to the
// next candidate by the scheduler (or handed back under a manual policy), an "auto" policy
// dispatching unassigned orders by itself, "I will be late" (new arrival told to the customer,
// the appointment moved) or handing the order back, each step kept on the timeline.
// An outlet answers a station's hand-over: accepts, declines (back to the station, and on to the
// next outlet), or says nothing (the same after the policy's time).
// The phone's steps: depart with the ETA in the customer's SMS, complete with the customer's
// signature, work log and checklist replayed with the same Idempotency-Key applied once.
// The scheduler runs fast (FUWU_SCHEDULER_TICK_MS=200): a policy minute lasts 2.4 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, login, api, smallestOrder, assertProblem, assertFieldError, undocumentedCalls, sleep,
} from './lib.mjs';
import { SIGNED, BLANK } from './png_lib.mjs';

let srv, admin, outlet, parentOrg;
const u = {};
let phoneSeq = 0;

async function org(name, parent, lat, lon, type = 'outlet') {
  const res = await admin.post('/api/v1/organizations', { name, type, parent_id: parent, region: { province: '广东省', city: '广州市' }, lat, lon });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function user(name, roles, orgId) {
  const res = await admin.post('/api/v1/users', { login: name, name: `应答${name}`, password: 'password123', org_id: orgId, roles });
  assert.equal(res.status, 201, res.text);
  u[name] = { id: res.body.id, client: api(srv.url, (await login(srv.url, name, 'password123')).token) };
  return u[name];
}

async function policy(mode, minutes, orgId = outlet) {
  const r = await admin.put('/api/v1/dispatch/policies', { items: [{ org_id: orgId, mode, accept_timeout_min: minutes }] });
  assert.equal(r.status, 200, r.text);
}

async function order(over = {}, accept = true) {
  phoneSeq++;
  const r = await admin.post('/api/v1/work-orders', smallestOrder({
    customer: { name: '应答客户', phone: `1370000${String(2000 + phoneSeq).slice(-4)}` }, region: '广州市', org_id: outlet,
    lat: 23.125, lon: 113.335, ...over,
  }));
  assert.equal(r.status, 201, r.text);
  if (!accept) return r.body;
  const a = await admin.post(`/api/v1/work-orders/${r.body.id}/accept`, {});
  assert.equal(a.status, 200, a.text);
  return a.body;
}

async function get(id) {
  const r = await admin.get(`/api/v1/work-orders/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function timeline(id) {
  return (await admin.get(`/api/v1/work-orders/${id}/timeline`)).body.items;
}

async function waitFor(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

async function dispatch(o, tech, client = admin) {
  const r = await client.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: tech }, { 'If-Match': `"${o.version}"` });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

before(async () => {
  srv = await startServer({ env: { FUWU_SCHEDULER_TICK_MS: '200' } });
  admin = await adminClient(srv.url);
  parentOrg = await org('应答分站', admin.session.user.org_id, 23.1, 113.3, 'station');
  outlet = await org('应答网点', parentOrg, 23.135, 113.33);
  // a (nearest), b, c (farther and farther), all with the skill
  for (const [n, lat, lon] of [['a', 23.126, 113.336], ['b', 23.14, 113.36], ['c', 23.2, 113.45]]) {
    await user(`ans_${n}`, ['technician'], outlet);
    const cur = await admin.get(`/api/v1/technicians/${u[`ans_${n}`].id}`);
    const p = await admin.patch(`/api/v1/technicians/${u[`ans_${n}`].id}`, { skills: [{ skill: '空调', level: 3 }] }, { 'If-Match': `"${cur.body.version}"` });
    assert.equal(p.status, 200, p.text);
    assert.equal((await u[`ans_${n}`].client.post('/api/v1/technicians/me/position', { lat, lon })).status, 200);
  }
  await user('ans_disp', ['dispatcher'], outlet);
});

after(async () => {
  const missing = await undocumentedCalls(srv.url);
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
  await srv?.stop();
});

test('decline: a reason is required, the decliner is remembered and not suggested again', async () => {
  await policy('suggest', 30);
  let o = await order();
  const s0 = await u.ans_disp.client.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=10`);
  assert.equal(s0.body.items[0].technician_id, u.ans_a.id, JSON.stringify(s0.body.items));
  o = await dispatch(o, u.ans_a.id, u.ans_disp.client);
  assert.ok(o.accept_due_at, 'a dispatch waits for an answer');
  const due = Date.parse(o.accept_due_at) - Date.now();
  assert.ok(due > 0 && due <= 30 * 2400 + 5000, `due in ${due} ms (30 fast minutes)`);
  assertFieldError(await u.ans_a.client.post(`/api/v1/work-orders/${o.id}/decline`, {}), 'reason');
  assertFieldError(await u.ans_a.client.post(`/api/v1/work-orders/${o.id}/decline`, { reason: '' }), 'reason');
  assertProblem(await u.ans_b.client.post(`/api/v1/work-orders/${o.id}/decline`, { reason: '不是我的' }), 403, 'forbidden', 'not their order');
  const d = await u.ans_a.client.post(`/api/v1/work-orders/${o.id}/decline`, { reason: '车坏了' });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.status, 'accepted');
  assert.equal(d.body.assignee_id, null);
  assert.equal(d.body.accept_due_at, null, 'no answer awaited any more');
  const ev = (await timeline(o.id)).find((e) => e.event === 'decline');
  assert.equal(ev.data.declined_by, u.ans_a.id);
  assert.equal(ev.data.reason, '车坏了');
  const s1 = await u.ans_disp.client.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=10`);
  assert.ok(!s1.body.items.some((i) => i.technician_id === u.ans_a.id), 'a declined: not suggested');
  assert.equal(s1.body.items[0].technician_id, u.ans_b.id);
  assert.deepEqual(s1.body.excluded.map((x) => [x.technician_id, x.outcome, x.reason]), [[u.ans_a.id, 'declined', '车坏了']]);
  // a dispatcher may still choose them by hand
  const again = await dispatch(await get(o.id), u.ans_a.id, u.ans_disp.client);
  assert.equal(again.assignee_id, u.ans_a.id);
  // taking it ends the wait
  const t = await u.ans_a.client.post(`/api/v1/work-orders/${o.id}/take`, {});
  assert.equal(t.status, 200, t.text);
  assert.equal(t.body.accept_due_at, null);
});

test('no answer within the policy time: re-dispatched to the next candidate, on the timeline', async () => {
  await policy('suggest', 1);
  let o = await order();
  o = await dispatch(o, u.ans_a.id);
  const moved = await waitFor('the re-dispatch', async () => {
    const w = await get(o.id);
    return w.assignee_id !== u.ans_a.id ? w : null;
  });
  assert.equal(moved.status, 'dispatched');
  assert.equal(moved.assignee_id, u.ans_b.id, 'the next best who has not declined');
  assert.ok(moved.accept_due_at, 'the next one has their own time to answer');
  const tl = await timeline(o.id);
  const to = tl.find((e) => e.event === 'accept_timeout');
  assert.equal(to.data.assignee_id, u.ans_a.id);
  assert.equal(to.data.next_assignee_id, u.ans_b.id);
  assert.equal(to.data.minutes, 1);
  assert.equal(to.actor, null, 'the system did it');
  const re = tl.filter((e) => e.event === 'dispatch');
  assert.equal(re.length, 2);
  assert.equal(re[1].data.auto, true);
  assert.equal(re[1].data.assignee_id, u.ans_b.id);
  // b takes it in time: it stays with b
  const t = await u.ans_b.client.post(`/api/v1/work-orders/${o.id}/take`, {});
  assert.equal(t.status, 200, t.text);
  await sleep(4000);
  const w = await get(o.id);
  assert.equal(w.assignee_id, u.ans_b.id);
  assert.equal(w.status, 'taken');
  const s = await admin.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=10`);
  assert.deepEqual(s.body.excluded.map((x) => x.outcome), ['timeout']);
});

test('manual policy: an unanswered order goes back to the dispatchers', async () => {
  await policy('manual', 1);
  let o = await order();
  o = await dispatch(o, u.ans_c.id);
  const back = await waitFor('the hand-back', async () => {
    const w = await get(o.id);
    return w.status === 'accepted' ? w : null;
  });
  assert.equal(back.assignee_id, null);
  const tl = await timeline(o.id);
  assert.equal(tl.find((e) => e.event === 'accept_timeout').data.next_assignee_id, null);
  const dec = tl.find((e) => e.event === 'decline');
  assert.match(dec.data.reason, /no answer within 1 min/);
  assert.equal(dec.actor, null);
  const c = await admin.post(`/api/v1/work-orders/${o.id}/cancel`, { reason: '测试结束' });
  assert.equal(c.status, 200, c.text);
});

test('auto policy: unassigned orders are dispatched by the system; a decline goes to the next; nobody left → waits', async () => {
  await policy('auto', 30);
  const o = await order({}, false); // a new request, not even accepted
  const w = await waitFor('automatic dispatch', async () => {
    const x = await get(o.id);
    return x.assignee_id ? x : null;
  });
  assert.equal(w.status, 'dispatched');
  assert.equal(w.assignee_id, u.ans_a.id, 'the best candidate');
  const ev = (await timeline(o.id)).find((e) => e.event === 'dispatch');
  assert.equal(ev.data.auto, true);
  assert.equal(ev.actor, null);
  // a declines → b gets it; b declines → c; c declines → nobody left: it waits for a dispatcher
  let who = 'ans_a';
  for (const next of ['ans_b', 'ans_c', null]) {
    const d = await u[who].client.post(`/api/v1/work-orders/${o.id}/decline`, { reason: `${who} 没空` });
    assert.equal(d.status, 200, d.text);
    if (!next) break;
    const x = await waitFor(`dispatch to ${next}`, async () => {
      const y = await get(o.id);
      return y.assignee_id ? y : null;
    });
    assert.equal(x.assignee_id, u[next].id);
    who = next;
  }
  await sleep(3000);
  const last = await get(o.id);
  assert.equal(last.status, 'accepted');
  assert.equal(last.assignee_id, null, 'everyone declined: a dispatcher decides');
  await policy('suggest', 30);
});

test('I will be late: the customer is told the new time and the appointment moves; or the order is handed back', async () => {
  await policy('suggest', 30);
  const start = new Date(Date.now() + 3600e3);
  start.setUTCSeconds(0, 0);
  const end = new Date(start.getTime() + 2 * 3600e3);
  let o = await order();
  const d = await admin.post(`/api/v1/work-orders/${o.id}/dispatch`, {
    assignee_id: u.ans_a.id, appointment_start: start.toISOString(), appointment_end: end.toISOString(), override_reason: '测试',
  }, { 'If-Match': `"${o.version}"` });
  assert.equal(d.status, 200, d.text);
  o = (await u.ans_a.client.post(`/api/v1/work-orders/${o.id}/take`, {})).body;
  const tech = u.ans_a.client;
  // bad input
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/late`, { reason: '堵车' }), 'eta');
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/late`, { eta: 'soon', reason: '堵车' }), 'eta');
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/late`, { eta: new Date(Date.now() - 60e3).toISOString(), reason: '堵车' }), 'eta');
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/late`, { eta: new Date(Date.now() + 9 * 86400e3).toISOString(), reason: '堵车' }), 'eta');
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/late`, { eta: start.toISOString() }), 'reason');
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/late`, { eta: start.toISOString(), reason: '' }), 'reason');
  assertProblem(await u.ans_b.client.post(`/api/v1/work-orders/${o.id}/late`, { eta: start.toISOString(), reason: 'x' }), 403, 'forbidden');
  assertProblem(await tech.post('/api/v1/work-orders/99999999/late', { eta: start.toISOString(), reason: 'x' }), 404, 'not_found');
  // 40 minutes late, said twice with the same key: applied once
  const eta = new Date(start.getTime() + 40 * 60e3).toISOString();
  const key = { 'Idempotency-Key': `late-${o.id}` };
  const l1 = await tech.post(`/api/v1/work-orders/${o.id}/late`, { eta, reason: '堵车' }, key);
  const l2 = await tech.post(`/api/v1/work-orders/${o.id}/late`, { eta, reason: '堵车' }, key);
  assert.equal(l1.status, 200, l1.text);
  assert.equal(l2.status, 200, l2.text);
  assert.equal(Date.parse(l1.body.late_eta_at), Date.parse(eta));
  assert.equal(Date.parse(l1.body.appointment_start_at), Date.parse(eta), 'the appointment starts at the new arrival');
  assert.equal(Date.parse(l1.body.appointment_end_at) - Date.parse(l1.body.appointment_start_at), 2 * 3600e3, 'same length');
  assert.equal(l1.body.status, 'taken');
  const tl = await timeline(o.id);
  const late = tl.filter((e) => e.event === 'late');
  assert.equal(late.length, 1, 'once');
  assert.equal(late[0].data.reason, '堵车');
  assert.equal(Date.parse(late[0].data.appointment_was), start.getTime());
  const sms = (await admin.get(`/api/v1/work-orders/${o.id}/outbox`)).body.items.filter((m) => m.template === 'wo_technician_late');
  assert.equal(sms.length, 1);
  const local = new Date(Date.parse(eta) + 8 * 3600e3);
  assert.equal(sms[0].data.eta_local, `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`);
  // the customer sees it on their order's public timeline
  assert.ok(late[0].public);
  // handing it back: back to dispatch, remembered as late
  const h = await tech.post(`/api/v1/work-orders/${o.id}/late`, { handover: true, reason: '前一单还没完' });
  assert.equal(h.status, 200, h.text);
  const w = await get(o.id);
  assert.equal(w.status, 'accepted');
  assert.equal(w.assignee_id, null);
  const s = await admin.get(`/api/v1/dispatch/suggestions?order=${o.id}&limit=10`);
  assert.deepEqual(s.body.excluded.map((x) => [x.technician_id, x.outcome]), [[u.ans_a.id, 'late']]);
  // nothing to be late for any more
  assertProblem(await admin.post(`/api/v1/work-orders/${o.id}/late`, { eta, reason: 'x' }), 409, 'conflict');
});

test('a technician of an outlet can decline an order held above the outlet', async () => {
  const r = await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '分站客户', phone: '13700009999' }, org_id: parentOrg }));
  assert.equal(r.status, 201, r.text);
  let o = (await admin.post(`/api/v1/work-orders/${r.body.id}/accept`, {})).body;
  o = (await admin.post(`/api/v1/work-orders/${o.id}/dispatch`, { assignee_id: u.ans_c.id, override_reason: '就近' }, { 'If-Match': `"${o.version}"` })).body;
  assert.equal(o.assignee_id, u.ans_c.id);
  const d = await u.ans_c.client.post(`/api/v1/work-orders/${o.id}/decline`, { reason: '不在我的片区' });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.status, 'accepted');
  assert.equal((await get(o.id)).assignee_id, null, 'the decline is kept');
});

test("the phone's steps: ETA on departure, the customer's signature on completion, replays applied once", async () => {
  await policy('suggest', 30);
  let o = await order();
  o = await dispatch(o, u.ans_b.id);
  const tech = u.ans_b.client;
  o = (await tech.post(`/api/v1/work-orders/${o.id}/take`, {})).body;
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/depart`, { eta: 'in a bit' }), 'eta');
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/arrive`, { eta: new Date().toISOString() }), 'eta', 'eta only with depart');
  const eta = new Date(Date.now() + 25 * 60e3);
  eta.setUTCSeconds(0, 0);
  const dep = await tech.post(`/api/v1/work-orders/${o.id}/depart`, { eta: eta.toISOString() });
  assert.equal(dep.status, 200, dep.text);
  const sms = (await admin.get(`/api/v1/work-orders/${o.id}/outbox`)).body.items.find((m) => m.template === 'wo_on_the_way');
  const local = new Date(eta.getTime() + 8 * 3600e3);
  assert.equal(sms.data.eta_local, `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`);
  assert.equal((await tech.post(`/api/v1/work-orders/${o.id}/arrive`, {})).status, 200);
  // work log start/stop and the checklist, each sent twice with one key (a flaky connection)
  for (const op of ['start', 'stop']) {
    const k = { 'Idempotency-Key': `wl-${op}-${o.id}` };
    const a = await tech.post(`/api/v1/work-orders/${o.id}/worklog/${op}`, {}, k);
    const b = await tech.post(`/api/v1/work-orders/${o.id}/worklog/${op}`, {}, k);
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, `${op} replayed: ${b.text}`);
    assert.equal(b.body.id, a.body.id);
  }
  const wl = await admin.get(`/api/v1/work-orders/${o.id}/worklog`);
  assert.equal(wl.body.items.length, 1, 'one entry');
  const cl = (await tech.get(`/api/v1/work-orders/${o.id}/checklists/execution`)).body;
  const w0 = await get(o.id);
  const items = cl.items.map((i) => ({ key: i.key, label: i.label, checked: true }));
  const ck = { 'Idempotency-Key': `cl-${o.id}`, 'If-Match': `"${w0.version}"` };
  const c1 = await tech.put(`/api/v1/work-orders/${o.id}/checklists/execution`, { items }, ck);
  const c2 = await tech.put(`/api/v1/work-orders/${o.id}/checklists/execution`, { items }, ck);
  assert.equal(c1.status, 200, c1.text);
  assert.equal(c2.status, 200, `replayed, not 412: ${c2.text}`);
  assert.equal((await timeline(o.id)).filter((e) => e.event === 'checklist').length, 1);
  // the customer signs on the glass when the work is done
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/complete`, { signature: BLANK, signed_by: '客户' }), 'signature', 'an empty pad');
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/hold`, { kind: 'parts', signature: SIGNED }), 'signature', 'only on complete');
  assert.equal((await get(o.id)).status, 'in_service', 'nothing applied');
  const done = await tech.post(`/api/v1/work-orders/${o.id}/complete`, { signature: SIGNED, signed_by: '应答客户' });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.status, 'completed');
  const ev = (await timeline(o.id)).find((e) => e.event === 'complete');
  assert.equal(ev.data.signed_by, '应答客户');
  const img = await admin.get(`/api/v1/attachments/${ev.data.signature_id}`);
  assert.equal(img.status, 200);
});

test("an outlet answers a station's hand-over: decline → back to the station; no answer → the next outlet; accept", async () => {
  const outlet2 = await org('应答二网点', parentOrg, 23.2, 113.4);
  await user('ans_disp2', ['dispatcher'], outlet2);
  const r = await admin.put('/api/v1/dispatch/policies', { items: [{ org_id: parentOrg, mode: 'suggest', accept_timeout_min: 1 }] });
  assert.equal(r.status, 200, r.text);
  const atStation = async () => {
    const c = await admin.post('/api/v1/work-orders', smallestOrder({ customer: { name: '网络客户', phone: `1370001${String(phoneSeq++).padStart(4, '0')}` }, org_id: parentOrg, lat: 23.13, lon: 113.33 }));
    assert.equal(c.status, 201, c.text);
    return (await admin.post(`/api/v1/work-orders/${c.body.id}/accept`, {})).body;
  };
  const route = async (o, body) => {
    const x = await admin.post(`/api/v1/work-orders/${o.id}/route`, body, { 'If-Match': `"${o.version}"` });
    assert.equal(x.status, 200, x.text);
    return x.body;
  };
  // handed to the first outlet, which declines
  let o = await route(await atStation(), { org_id: outlet });
  assert.equal(o.org_id, outlet);
  assert.ok(o.route_due_at, 'the outlet has a time to answer');
  assertFieldError(await u.ans_disp.client.post(`/api/v1/work-orders/${o.id}/route/decline`, {}), 'reason');
  assertProblem(await u.ans_disp2.client.post(`/api/v1/work-orders/${o.id}/route/decline`, { reason: 'x' }), 404, 'not_found', 'another outlet');
  const d = await u.ans_disp.client.post(`/api/v1/work-orders/${o.id}/route/decline`, { reason: '本周技师不足' });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.org_id, parentOrg, 'back at the station');
  assert.equal(d.body.route_due_at, null);
  const ev = (await timeline(o.id)).find((e) => e.event === 'route_decline');
  assert.equal(ev.data.reason, '本周技师不足');
  assert.equal(ev.data.org_id, outlet);
  // the automatic choice skips the outlet that declined
  o = await route(await get(o.id), { auto: true });
  assert.equal(o.org_id, outlet2);
  // the second outlet says nothing: back to the station; nobody else is left, so it stays there
  const back = await waitFor('the hand-over timing out', async () => {
    const w = await get(o.id);
    return w.org_id === parentOrg ? w : null;
  });
  assert.equal(back.route_due_at, null);
  const to = (await timeline(o.id)).find((e) => e.event === 'route_timeout');
  assert.equal(to.data.org_id, outlet2);
  assert.equal(to.actor, null);
  await sleep(3000);
  assert.equal((await get(o.id)).org_id, parentOrg, 'no outlet left that has not declined or timed out');

  // another order: the outlet accepts in time and keeps it
  let o2 = await route(await atStation(), { org_id: outlet2 });
  assertProblem(await u.ans_disp2.client.post(`/api/v1/work-orders/${o2.id}/route/accept`, {}, { 'If-Match': '"1"' }), 412, 'precondition_failed');
  const acc = await u.ans_disp2.client.post(`/api/v1/work-orders/${o2.id}/route/accept`, {});
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.body.route_due_at, null);
  await sleep(4000);
  o2 = await get(o2.id);
  assert.equal(o2.org_id, outlet2, 'accepted: it stays');
  assert.ok((await timeline(o2.id)).some((e) => e.event === 'route_accept'));
  // accepting twice, or an order nobody handed over, is refused
  assertProblem(await u.ans_disp2.client.post(`/api/v1/work-orders/${o2.id}/route/accept`, {}), 409, 'invalid_transition');
  assertProblem(await u.ans_disp.client.post(`/api/v1/work-orders/${(await order()).id}/route/accept`, {}), 409, 'invalid_transition');
  await policy('suggest', 30);
});

test('dispatchers book the same technician for the same slot at once: one wins, the others are told why', async () => {
  await policy('suggest', 30);
  for (let round = 0; round < 3; round++) {
    const start = new Date(Date.now() + (2 + round) * 86400e3);
    start.setUTCHours(2, 0, 0, 0); // 10:00 Beijing, a day ahead
    const end = new Date(start.getTime() + 3600e3);
    const orders = [];
    for (let i = 0; i < 4; i++) orders.push(await order());
    const send = (o) => admin.post(`/api/v1/work-orders/${o.id}/dispatch`, {
      assignee_id: u.ans_c.id, appointment_start: start.toISOString(), appointment_end: end.toISOString(),
    }, { 'If-Match': `"${o.version}"` });
    const res = await Promise.all(orders.map(send));
    const codes = res.map((r) => r.status).sort();
    assert.deepEqual(codes, [200, 409, 409, 409], res.map((r) => r.text.slice(0, 120)).join(' | '));
    for (const lost of res.filter((r) => r.status === 409)) {
      assert.equal(lost.body.code, 'dispatch_conflict');
      assert.ok(lost.body.conflicts.includes('double_booked'), JSON.stringify(lost.body));
    }
  }
});
