// ops.test.mjs — /healthz, /readyz, /metrics, /api/v1/openapi.json (every route the suite
// calls is documented), request ids, graceful shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, request, smallestOrder, undocumentedCalls } from './lib.mjs';

let srv;
let url;
let admin;
before(async () => {
  srv = await startServer();
  url = srv.url;
  admin = await adminClient(url);
});
after(async () => { await srv?.stop(); });

test('GET /healthz → 200 ok, no credentials needed', async () => {
  const res = await request(url, 'GET', '/healthz');
  assert.equal(res.status, 200);
  assert.match(res.text, /^ok\s*$/);
});

test('GET /readyz → 200 while the database answers', async () => {
  const res = await request(url, 'GET', '/readyz');
  assert.equal(res.status, 200, res.text);
});

test('GET /metrics: Prometheus text with request counts and a latency histogram', async () => {
  await admin.post('/api/v1/work-orders', smallestOrder());
  await admin.get('/api/v1/work-orders');
  const res = await request(url, 'GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain/);
  const t = res.text;
  assert.match(t, /^# TYPE fuwu_http_requests_total counter$/m);
  assert.match(t, /^fuwu_http_requests_total\{[^}]*\} \d+(\.\d+)?$/m);
  assert.match(t, /^\w+_bucket\{[^}]*le="[^"]+"[^}]*\} \d+/m, 'a histogram _bucket line');
  assert.match(t, /_bucket\{[^}]*le="\+Inf"[^}]*\} \d+/, 'the +Inf bucket');
  assert.match(t, /^\w+_sum(\{[^}]*\})? [\d.e+-]+$/m);
  assert.match(t, /^\w+_count(\{[^}]*\})? \d+$/m);
  assert.match(t, /fuwu_http_requests_total\{[^}]*route="\/api\/v1\/work-orders"[^}]*\}/, 'counted per route (the template)');
  assert.ok(!/route="\/api\/v1\/work-orders\/\d+"/.test(t), 'routes are templates, not raw paths with ids');
  // Every sample line parses.
  for (const line of t.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[\d.]+(e[+-]?\d+)?|NaN|[+-]Inf)( -?\d+)?$/, `metric line: ${line}`);
  }
});

// Every method + path template the API suite calls (keep in step with the tests).
const USED = [
  ['get', '/healthz'], ['get', '/readyz'], ['get', '/metrics'], ['get', '/api/v1/openapi.json'],
  ['post', '/api/v1/session'], ['get', '/api/v1/session'], ['delete', '/api/v1/session'],
  ['get', '/api/v1/roles'],
  ['get', '/api/v1/api-tokens'], ['post', '/api/v1/api-tokens'], ['delete', '/api/v1/api-tokens/{id}'],
  ['get', '/api/v1/organizations'], ['post', '/api/v1/organizations'], ['get', '/api/v1/organizations/{id}'],
  ['patch', '/api/v1/organizations/{id}'], ['delete', '/api/v1/organizations/{id}'],
  ['get', '/api/v1/users'], ['post', '/api/v1/users'], ['get', '/api/v1/users/{id}'], ['patch', '/api/v1/users/{id}'],
  ['delete', '/api/v1/users/{id}'], ['post', '/api/v1/users/{id}/password'],
  ['get', '/api/v1/audit-log'],
  ['get', '/api/v1/work-orders'], ['post', '/api/v1/work-orders'], ['get', '/api/v1/work-orders/{id}'],
  ['patch', '/api/v1/work-orders/{id}'], ['get', '/api/v1/work-orders/{id}/timeline'],
];

test('GET /api/v1/openapi.json: valid OpenAPI JSON documenting every route the suite calls', async () => {
  const res = await request(url, 'GET', '/api/v1/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const doc = JSON.parse(res.text);
  assert.match(String(doc.openapi), /^3\.\d+\.\d+$/);
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.info?.version, 'string');
  assert.equal(typeof doc.paths, 'object');
  const missing = USED.filter(([m, p]) => !doc.paths[p] || !doc.paths[p][m]).map(([m, p]) => `${m.toUpperCase()} ${p}`);
  assert.deepEqual(missing, [], 'undocumented routes');
  // Every operation has a summary and a response; path parameters are declared; $refs resolve.
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(m)) continue;
      assert.ok(op.summary || op.description, `${m} ${p} has a summary`);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${m} ${p} has responses`);
      for (const name of [...p.matchAll(/\{([^}]+)\}/g)].map((x) => x[1])) {
        const params = [...(op.parameters || []), ...(item.parameters || [])];
        assert.ok(params.some((x) => x.in === 'path' && x.name === name), `${m} ${p} declares {${name}}`);
      }
    }
  }
  const refs = [...res.text.matchAll(/"\$ref"\s*:\s*"#\/([^"]+)"/g)].map((x) => x[1]);
  for (const r of new Set(refs)) {
    const target = r.split('/').reduce((o, k) => (o ? o[k] : undefined), doc);
    assert.ok(target, `$ref #/${r} resolves`);
  }
});

test('every response carries X-Request-Id; a safe client id is echoed, an unsafe one replaced', async () => {
  const a = await request(url, 'GET', '/healthz');
  assert.ok(a.headers.get('x-request-id'), 'generated');
  const b = await request(url, 'GET', '/healthz', undefined, { 'X-Request-Id': 'abc-123_X.y' });
  assert.equal(b.headers.get('x-request-id'), 'abc-123_X.y');
  const c = await request(url, 'GET', '/healthz', undefined, { 'X-Request-Id': 'x'.repeat(65) });
  assert.notEqual(c.headers.get('x-request-id'), 'x'.repeat(65), 'over 64 chars is not echoed');
  const d = await request(url, 'GET', '/healthz', undefined, { 'X-Request-Id': 'a"b<script>' });
  assert.notEqual(d.headers.get('x-request-id'), 'a"b<script>', 'unsafe chars are not echoed');
  const p = await request(url, 'GET', '/api/v1/work-orders/999999', undefined, { Authorization: `Bearer ${admin.token}`, 'X-Request-Id': 'req-42' });
  assert.equal(p.status, 404);
  assert.equal(p.body.request_id, 'req-42', 'problem bodies carry the request id');
});

test('openapi documents every route this file called', async () => {
  assert.deepEqual(await undocumentedCalls(url), []);
});

test('SIGTERM: the server finishes and exits 0', async () => {
  const s = await startServer();
  const res = await s.stop();
  assert.deepEqual(res, { code: 0, signal: null });
});
