// bad_input.test.mjs — every kind of bad input gets a clear problem+json with the exact status
// and code, nothing is written, and the server never answers 500 or crashes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startServer, adminClient, request, calls, assertProblem, assertFieldError, smallestOrder, listAll, undocumentedCalls } from './lib.mjs';

let srv;
let url;
let admin;
let count0;
before(async () => {
  srv = await startServer();
  url = srv.url;
  admin = await adminClient(url);
  const ok = await admin.post('/api/v1/work-orders', smallestOrder());
  assert.equal(ok.status, 201, ok.text);
  count0 = 1;
});
after(async () => { await srv?.stop(); });

/**
 * HTTP/1.1 over a raw socket: send the head, give the server `waitMs` to answer early (it knows
 * the size from Content-Length), then send the body. → {status, headers, body, text}
 */
function rawRequest(base, method, path, headers, body, { waitMs = 1000 } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname);
    const chunks = [];
    let answered = false;
    sock.on('data', (d) => { chunks.push(d); answered = true; });
    sock.on('error', () => { /* EPIPE / ECONNRESET while writing */ });
    sock.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const i = raw.indexOf('\r\n\r\n');
      if (i < 0) return reject(new Error(`no HTTP response (got ${raw.length} bytes)`));
      const lines = raw.slice(0, i).split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const h = new Headers();
      for (const l of lines.slice(1)) { const k = l.indexOf(':'); h.append(l.slice(0, k).trim(), l.slice(k + 1).trim()); }
      const text = raw.slice(i + 4);
      let parsed = text;
      try { parsed = JSON.parse(text); } catch { /* text */ }
      calls.push({ method, path, status });
      resolve({ status, headers: h, body: parsed, text });
    });
    sock.setTimeout(15000, () => sock.destroy());
    const buf = Buffer.from(body);
    const head = [`${method} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${buf.length}`];
    sock.write(`${head.join('\r\n')}\r\n\r\n`);
    setTimeout(() => { if (!answered && !sock.destroyed) sock.end(buf); }, waitMs);
  });
}

const post = (body, headers) => admin.post('/api/v1/work-orders', body, headers);

test('malformed JSON → 400 bad_json with line and column', async () => {
  const res = await post('{\n  "type": "repair",\n  "priority": P2,\n  "fault_description": "x"\n}');
  assertProblem(res, 400, 'bad_json');
  assert.equal(res.body.line, 3, `line: ${res.text}`);
  assert.equal(typeof res.body.column, 'number');
  assert.ok(res.body.column >= 1 && res.body.column <= 20, `column ${res.body.column}`);
  assert.equal(typeof res.body.position, 'number');
  assert.equal(typeof res.body.detail, 'string');
  for (const body of ['{"type": "repair",', '{', 'nonsense', '{"a":1}}', "{'type':'repair'}", '{"type":"repair",}', '']) {
    const r = await post(body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${r.text}`);
    assertProblem(r, 400, body === '' ? r.body.code : 'bad_json', JSON.stringify(body));
  }
});

test('wrong types (priority: 5 …) → 400 validation_failed with errors[] naming the field', async () => {
  const r = await post(smallestOrder({ priority: 5 }));
  assertFieldError(r, 'priority');
  assert.equal(typeof r.body.errors[0].code, 'string');
  assert.equal(typeof r.body.errors[0].message, 'string');
  assertFieldError(await post(smallestOrder({ type: 42 })), 'type');
  assertFieldError(await post(smallestOrder({ address: 123 })), 'address');
  assertFieldError(await post(smallestOrder({ fault_description: ['a'] })), 'fault_description');
  assertFieldError(await post(smallestOrder({ customer: '张伟' })), /^customer/);
  assertFieldError(await post(smallestOrder({ customer_id: 'seven', customer: undefined })), 'customer_id');
  assertFieldError(await post(smallestOrder({ type: 'fly' })), 'type');
  assertFieldError(await post(smallestOrder({ priority: 'P5' })), 'priority');
  assertFieldError(await post(smallestOrder({ channel: 'pigeon' })), 'channel');
  // Several wrong fields: all named.
  const many = await post(smallestOrder({ priority: 5, channel: 1 }));
  assertFieldError(many, 'priority');
  assertFieldError(many, 'channel');
  // Top-level non-objects.
  for (const body of ['[]', '"x"', '42', 'null', 'true']) {
    const x = await post(body);
    assert.equal(x.status, 400, `${body} → ${x.status} ${x.text}`);
    assertProblem(x, 400, x.body.code);
    assert.ok(['validation_failed', 'bad_json'].includes(x.body.code), `${body}: ${x.body.code}`);
  }
});

test('missing required field → 400 validation_failed naming it', async () => {
  const { fault_description, ...noFault } = smallestOrder();
  assertFieldError(await post(noFault), 'fault_description');
  const { type, ...noType } = smallestOrder();
  assertFieldError(await post(noType), 'type');
  assertFieldError(await post({}), 'type');
  assertFieldError(await post(smallestOrder({ customer: { name: '张伟' } })), /^customer\.?phone$|^customer$/);
  assertFieldError(await post(smallestOrder({ fault_description: '' })), 'fault_description');
  const { customer, ...noCustomer } = smallestOrder();
  const nc = await post(noCustomer);
  assertProblem(nc, 400, 'validation_failed', 'neither customer nor customer_id');
});

test('over-long string (fault_description 5000 chars) → 400 validation_failed', async () => {
  assertFieldError(await post(smallestOrder({ fault_description: '冷'.repeat(5000) })), 'fault_description');
  assertFieldError(await post(smallestOrder({ fault_description: 'x'.repeat(2001) })), 'fault_description');
  assertFieldError(await post(smallestOrder({ address: '路'.repeat(301) })), 'address');
  // Limits count characters, not bytes: 2000 Chinese characters are fine.
  const ok = await post(smallestOrder({ fault_description: '冷'.repeat(2000), address: '路'.repeat(300) }));
  assert.equal(ok.status, 201, ok.text);
  count0++;
});

test('invalid UTF-8 bytes in the body → 400', async () => {
  const bodies = [
    Buffer.concat([Buffer.from('{"type":"repair","fault_description":"'), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('","customer":{"name":"a","phone":"13800138000"}}')]),
    Buffer.concat([Buffer.from('{"type":"repair","fault_description":"'), Buffer.from([0xe7, 0xa9]), Buffer.from('","customer":{"name":"a","phone":"13800138000"}}')]),
    Buffer.concat([Buffer.from('{"type":"repair","fault_description":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","customer":{"name":"a","phone":"13800138000"}}')]),
    Buffer.concat([Buffer.from('{"type":"repair","fault_description":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","customer":{"name":"a","phone":"13800138000"}}')]),
  ];
  for (const b of bodies) {
    const res = await post(b);
    assert.equal(res.status, 400, `${b.toString('hex')} → ${res.status} ${res.text}`);
    assertProblem(res, 400, res.body.code);
    assert.ok(['bad_json', 'validation_failed'].includes(res.body.code), res.body.code);
  }
  // A NUL escaped in a string is refused or kept, never truncating the text silently.
  const nul = await post(smallestOrder({ fault_description: 'a\u0000b' }));
  if (nul.status === 201) {
    count0++;
    assert.equal(nul.body.fault_description, 'a\u0000b');
  } else assertProblem(nul, 400, nul.body.code);
});

test('body over 1 MiB → 413 payload_too_large', async () => {
  // A raw socket: the server may answer from the Content-Length before the body is sent.
  const big = JSON.stringify(smallestOrder({ fault_description: 'x'.repeat(1536 * 1024) }));
  const auth = { Authorization: `Bearer ${admin.token}` };
  const res = await rawRequest(url, 'POST', '/api/v1/work-orders', { ...auth, 'Content-Type': 'application/json' }, big);
  assertProblem(res, 413, 'payload_too_large', 'Content-Length body');
  // On the public log-in route too.
  const pub = await rawRequest(url, 'POST', '/api/v1/session', { 'Content-Type': 'application/json' }, 'x'.repeat(2 * 1024 * 1024));
  assertProblem(pub, 413, 'payload_too_large', 'big body on the public log-in route');
  // Just under the limit is parsed (and refused for its field length, not its size).
  const under = JSON.stringify(smallestOrder({ fault_description: 'x'.repeat(1000 * 1024) }));
  assertFieldError(await post(under), 'fault_description');
});

test('body over 1 MiB sent with fetch: the client receives the 413 (no reset mid-upload)', async () => {
  // 8 MiB: more than the socket buffers hold, so the answer is lost unless the server drains the
  // rest of the body (or lingers) before it closes.
  const big = JSON.stringify(smallestOrder({ fault_description: 'x'.repeat(8 * 1024 * 1024) }));
  let res;
  try {
    res = await post(big);
  } catch (e) {
    assert.fail(`fetch got ${e.cause?.code || e.message} instead of the 413 (server closes without reading the body)`);
  }
  assertProblem(res, 413, 'payload_too_large');
});

test('unknown route → 404 problem+json', async () => {
  assertProblem(await admin.get('/api/v1/nope'), 404, 'not_found');
  assertProblem(await admin.get('/api/v1/work-orders/1/nope'), 404, 'not_found');
  assertProblem(await admin.post('/api/v1/nope', {}), 404, 'not_found');
  assertProblem(await request(url, 'GET', '/api/v2/work-orders'), 404, 'not_found');
  assertProblem(await request(url, 'GET', '/api/v1/'), 404, 'not_found');
});

test('wrong method (PUT /api/v1/work-orders) → 405 method_not_allowed with Allow', async () => {
  const res = await admin.put('/api/v1/work-orders', smallestOrder());
  assertProblem(res, 405, 'method_not_allowed');
  const allow = (res.headers.get('allow') || '').toUpperCase();
  assert.ok(allow.includes('GET') && allow.includes('POST'), `Allow: ${allow}`);
  const allowField = Array.isArray(res.body.allow) ? res.body.allow.join(',') : String(res.body.allow);
  assert.match(allowField.toUpperCase(), /GET/);
  assert.match(allowField.toUpperCase(), /POST/);
  assertProblem(await admin.del('/api/v1/work-orders'), 405, 'method_not_allowed');
  assertProblem(await admin.post(`/api/v1/work-orders/1`, {}), 405, 'method_not_allowed');
  assertProblem(await admin.put('/api/v1/healthz'), 404, 'not_found');
  assertProblem(await request(url, 'PUT', '/healthz'), 405, 'method_not_allowed');
});

test('unknown body field → 400 validation_failed, field code unknown', async () => {
  const res = await post(smallestOrder({ colour: 'red' }));
  assertFieldError(res, 'colour');
  assert.equal(res.body.errors.find((e) => e.field === 'colour').code, 'unknown');
  assertFieldError(await post(smallestOrder({ customer: { name: '张伟', phone: '13800138000', age: 30 } })), /age$/);
  assertFieldError(await post(smallestOrder({ status: 'closed' })), 'status');
  assertFieldError(await post(smallestOrder({ id: 1 })), 'id');
  assertFieldError(await post(smallestOrder({ number: 'WO20260101-00001' })), 'number');
});

test('bad limit (0, 501, abc, -1, 1.5, empty) → 400; 1 and 500 fine', async () => {
  for (const l of ['0', '501', 'abc', '-1', '1.5', '', '99999999999999999999', '1e2']) {
    const res = await admin.get(`/api/v1/work-orders?limit=${l}`);
    assertProblem(res, 400, 'validation_failed', `limit=${l}`);
  }
  const wrong = [];
  for (const p of ['/api/v1/users', '/api/v1/organizations', '/api/v1/audit-log', '/api/v1/api-tokens']) {
    for (const l of ['0', '501', 'abc']) {
      const res = await admin.get(`${p}?limit=${l}`);
      if (res.status !== 400 || res.body.code !== 'validation_failed') wrong.push(`${p}?limit=${l} → ${res.status}`);
    }
  }
  assert.deepEqual(wrong, [], 'every list refuses a bad limit');
  assert.equal((await admin.get('/api/v1/work-orders?limit=1')).status, 200);
  assert.equal((await admin.get('/api/v1/work-orders?limit=500')).status, 200);
});

test('bad cursor → 400', async () => {
  for (const c of ['zzz', 'c', '%00', 'c-1', 'c99999999999999999999999', '../../etc', "c1'; DROP TABLE work_orders;--"]) {
    const res = await admin.get(`/api/v1/work-orders?cursor=${encodeURIComponent(c)}`);
    assertProblem(res, 400, 'validation_failed', `cursor=${c}`);
  }
  assertProblem(await admin.get('/api/v1/users?cursor=zzz'), 400, 'validation_failed');
});

test('non-numeric or absurd id (/work-orders/abc) → 404 or 400 problem+json', async () => {
  for (const id of ['abc', '1abc', '-1', '0', '1.5', '99999999999999999999999', '%20', '1%2F2', "1'--"]) {
    const res = await admin.get(`/api/v1/work-orders/${id}`);
    assert.ok([400, 404].includes(res.status), `/work-orders/${id} → ${res.status} ${res.text}`);
    assertProblem(res, res.status, res.status === 404 ? 'not_found' : 'validation_failed', `/work-orders/${id}`);
  }
  const p = await admin.patch('/api/v1/work-orders/abc', { priority: 'P1' });
  assert.ok([400, 404].includes(p.status), `PATCH abc → ${p.status}`);
});

test('invalid phone → 400 validation_failed naming the phone', async () => {
  for (const phone of ['12345', 'abcdefghijk', '138001380001234', '', '+1 415 555 0100']) {
    assertFieldError(await post(smallestOrder({ customer: { name: '张伟', phone } })), /phone/, `phone ${phone}`);
  }
  // Accepted spellings normalise to +86.
  for (const [phone, norm] of [['+86 138-0013-8000', '+8613800138000'], ['8613800138000', '+8613800138000']]) {
    const r = await post(smallestOrder({ customer: { name: '张伟', phone } }));
    assert.equal(r.status, 201, `${phone}: ${r.text}`);
    assert.equal(r.body.customer.phone, norm);
    count0++;
  }
});

test('non-JSON content type → 415; deep nesting, huge numbers, bad headers → 4xx', async () => {
  const ct = await request(url, 'POST', '/api/v1/work-orders', JSON.stringify(smallestOrder()),
    { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'text/plain' });
  assertProblem(ct, 415, 'unsupported_media_type');
  const form = await request(url, 'POST', '/api/v1/session', 'login=admin&password=admin12345',
    { 'Content-Type': 'application/x-www-form-urlencoded' });
  assertProblem(form, 415, 'unsupported_media_type');
  const deep = await post('['.repeat(100000) + ']'.repeat(100000));
  assert.equal(deep.status, 400, `deep nesting: ${deep.status}`);
  const deepObj = await post('{"a":'.repeat(5000) + '1' + '}'.repeat(5000));
  assert.equal(deepObj.status, 400, `deep objects: ${deepObj.status}`);
  assertFieldError(await post(smallestOrder({ customer_id: 1e300, customer: undefined })), 'customer_id');
  // Beyond 64 bits: the JSON parser may refuse it (bad_json) or the validator (validation_failed).
  const huge = await post('{"type":"repair","fault_description":"x","customer_id":99999999999999999999}');
  assertProblem(huge, 400, huge.body.code);
  assert.ok(['bad_json', 'validation_failed'].includes(huge.body.code), huge.text);
  const ifm = await admin.patch('/api/v1/work-orders/1', { priority: 'P1' }, { 'If-Match': 'garbage' });
  assert.ok([400, 412].includes(ifm.status), `If-Match garbage: ${ifm.status}`);
  const login = await request(url, 'POST', '/api/v1/session', { login: 'admin', password: 12345 });
  assert.ok([400, 401].includes(login.status), `login with a number password: ${login.status}`);
  const emptyLogin = await request(url, 'POST', '/api/v1/session', {});
  assert.ok([400, 401].includes(emptyLogin.status), `empty login body: ${emptyLogin.status}`);
});

test('nothing was written by the bad requests', async () => {
  const all = await listAll(admin, '/api/v1/work-orders');
  assert.equal(all.length, count0, 'only the valid creates exist');
});

test('after all the bad input: /healthz answers and no response was a 500', async () => {
  const h = await request(url, 'GET', '/healthz');
  assert.equal(h.status, 200);
  assert.equal(srv.exited, null, 'the server process is alive');
  const fives = calls.filter((c) => c.status >= 500);
  assert.deepEqual(fives, [], 'no 5xx responses');
  assert.ok(!/AddressSanitizer|runtime error:|Segmentation|stack trace/i.test(srv.log()), 'no sanitizer report or crash in the log');
});

test('openapi documents every route this file called', async () => {
  assert.deepEqual(await undocumentedCalls(url), []);
});
