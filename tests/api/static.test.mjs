// static.test.mjs — the web app is embedded in the binary: index.html (no-cache, UTF-8) for
// the root and any page path, hashed assets with a JavaScript/CSS type and a year of immutable
// caching, and no fallback for /api paths or missing files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, assertProblem } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

test('index.html and page paths are served no-cache as UTF-8 HTML', async () => {
  for (const path of ['/', '/work-orders/17', '/customers']) {
    const r = await request(srv.url, 'GET', path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.match(r.text, /<html/);
  }
});

test('hashed assets carry their type and immutable caching', async () => {
  const index = (await request(srv.url, 'GET', '/')).text;
  const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.length > 0, 'index.html links built assets (web/dist embedded)');
  for (const a of assets) {
    const r = await request(srv.url, 'GET', a);
    assert.equal(r.status, 200, a);
    assert.match(r.headers.get('content-type'), a.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  }
});

test('unknown API paths and missing files are 404, not the app', async () => {
  assertProblem(await request(srv.url, 'GET', '/api/v1/nope'), 404, 'not_found');
  assertProblem(await request(srv.url, 'GET', '/assets/missing-123.js'), 404, 'not_found');
  const escape = await request(srv.url, 'GET', '/..%2f..%2fetc%2fpasswd');
  assert.ok(!/root:/.test(escape.text), 'no file outside the embedded app is served');
  assertProblem(await request(srv.url, 'GET', '/assets/..%2f..%2fetc%2fpasswd.js'), 404);
});
