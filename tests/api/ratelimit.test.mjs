// ratelimit.test.mjs — log-in rate limit: more than 10 failures for one login (or 30 from one
// IP) in 15 minutes → 429 rate_limited with Retry-After. Own server: the tests use up the
// loopback address's budget. The tests run in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, assertProblem, api, ADMIN_PASSWORD, undocumentedCalls } from './lib.mjs';

let srv;
let url;
let admin;
before(async () => {
  srv = await startServer();
  url = srv.url;
  const s = await request(url, 'POST', '/api/v1/session', { login: 'admin', password: ADMIN_PASSWORD });
  assert.equal(s.status, 200, s.text);
  admin = api(url, s.body.token);
  const u = await admin.post('/api/v1/users', {
    login: 'bystander', name: '旁观者', password: 'bystander1', org_id: s.body.user.org_id, roles: ['agent'],
  });
  assert.equal(u.status, 201, u.text);
});
after(async () => { await srv?.stop(); });

const attempt = (login, password) => request(url, 'POST', '/api/v1/session', { login, password });

function assertLimited(res, msg) {
  assertProblem(res, 429, 'rate_limited', msg);
  const ra = res.headers.get('retry-after');
  assert.match(ra || '', /^\d+$/, `${msg}: Retry-After is whole seconds, got ${ra}`);
  assert.ok(Number(ra) >= 1 && Number(ra) <= 15 * 60, `${msg}: Retry-After ${ra} within 15 minutes`);
  assert.equal(typeof res.body.retry_after, 'number', `${msg}: retry_after in the body`);
  assert.ok(Math.abs(res.body.retry_after - Number(ra)) <= 1, `${msg}: retry_after ${res.body.retry_after} ≈ Retry-After ${ra}`);
}

test('10 failed log-ins for one login are 401, the next is 429 with Retry-After', async () => {
  for (let i = 1; i <= 10; i++) {
    assertProblem(await attempt('admin', `wrong-${i}-password`), 401, 'unauthorized', `failure ${i}`);
  }
  assertLimited(await attempt('admin', 'wrong-11-password'), 'attempt 11');
});

test('while limited, even the right password is refused with 429 (no oracle for guessing)', async () => {
  const res = await attempt('admin', ADMIN_PASSWORD);
  assertLimited(res, 'right password while limited');
  assert.equal(res.body.token, undefined);
  assert.equal(res.headers.get('set-cookie'), null);
});

test('the limit of one login does not lock out other users, and existing sessions keep working', async () => {
  const other = await attempt('bystander', 'bystander1');
  assert.equal(other.status, 200, other.text);
  assert.equal((await admin.get('/api/v1/work-orders')).status, 200, 'admin session made before the limit still works');
});

test('30 failures from one address → 429 for any login from it', async () => {
  // 11 failures so far from this address (10 + the refused 11th may or may not count).
  let limited = null;
  let failures = 0;
  for (let i = 0; i < 35 && !limited; i++) {
    const res = await attempt(`nobody${i}`, 'whatever123');
    if (res.status === 429) limited = res;
    else { assertProblem(res, 401, 'unauthorized', `attempt ${i}`); failures++; }
  }
  assert.ok(limited, 'the address is limited after about 30 failures');
  assert.ok(failures >= 17, `not limited too early (after ${failures} more failures)`);
  assertLimited(limited, 'address limit');
  assertLimited(await attempt('bystander', 'bystander1'), 'a good login from a limited address');
  assertLimited(await attempt('fresh_login', 'whatever123'), 'a new login from a limited address');
});

test('openapi documents every route this file called', async () => {
  assert.deepEqual(await undocumentedCalls(url), []);
});
