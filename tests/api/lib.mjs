// lib.mjs — helpers for the black-box API tests: start a real fuwu server on a fresh database
// (SQLite file or a fresh PostgreSQL database), log in, a small JSON client, problem+json checks,
// the CLI. Node 20 built-ins only.
//
// Environment:
//   FUWU_BIN          the binary (default build/fuwu)
//   FUWU_TEST_ENGINE  sqlite (default) | postgres
//   FUWU_TEST_PG      base URL of a PostgreSQL server for the postgres engine, e.g.
//                     postgres://fuwu@127.0.0.1:55432 (a database is created per server)
//   FUWU_TEST_KEEP=1  keep temp dirs and databases (for debugging)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.FUWU_BIN || 'build/fuwu';
export const ENGINE = process.env.FUWU_TEST_ENGINE || 'sqlite';
export const ADMIN_PASSWORD = 'admin12345';

const live = new Set(); // child processes still running, killed if the test process exits
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export { sleep };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let dbSeq = 0;
function psql(sql) {
  const base = process.env.FUWU_TEST_PG;
  const r = spawnSync('psql', ['-v', 'ON_ERROR_STOP=1', '-q', `${base}/postgres`, '-c', sql],
    { encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr || r.error}`);
}

/** A fresh database URL for the chosen engine, and a function that removes it. */
export function freshDb(engine = ENGINE) {
  const dir = mkdtempSync(join(tmpdir(), 'fuwu-test-server-'));
  if (engine === 'postgres') {
    const base = process.env.FUWU_TEST_PG;
    if (!base) throw new Error('FUWU_TEST_ENGINE=postgres needs FUWU_TEST_PG (postgres://user@host:port)');
    const name = `t_${process.pid}_${++dbSeq}_${Math.random().toString(36).slice(2, 8)}`;
    psql(`CREATE DATABASE ${name}`);
    return {
      dir, db: `${base}/${name}`,
      drop() {
        if (process.env.FUWU_TEST_KEEP) return;
        try { psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } catch { /* best effort */ }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (engine !== 'sqlite') throw new Error(`unknown FUWU_TEST_ENGINE ${engine}`);
  return {
    dir, db: `sqlite:${dir}/fuwu.db`,
    drop() { if (!process.env.FUWU_TEST_KEEP) rmSync(dir, { recursive: true, force: true }); },
  };
}

/**
 * Start `fuwu serve` on a free loopback port. With `db` given the server reuses that database
 * (and does not own it); otherwise a fresh one is made and removed again by stop()/cleanup().
 * Resolves once GET /readyz answers 200 (20 s at most).
 */
export async function startServer({ engine = ENGINE, env = {}, db = null, timeoutMs = 20000 } = {}) {
  const own = db ? null : freshDb(engine);
  const dbUrl = db || own.db;
  const logDir = own ? own.dir : mkdtempSync(join(tmpdir(), 'fuwu-test-server-'));
  const logFile = join(logDir, `server-${Date.now()}.log`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(logFile, 'a');
  const proc = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--db', dbUrl], {
    env: { ...process.env, FUWU_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  live.add(proc);
  let exited = null;
  const exitP = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(proc);
      resolve(exited);
    });
  });
  const log = () => { try { return readFileSync(logFile, 'utf8'); } catch { return ''; } };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`fuwu serve exited early (${JSON.stringify(exited)}):\n${log().slice(-3000)}`);
    try {
      const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`fuwu serve not ready after ${timeoutMs} ms:\n${log().slice(-3000)}`);
    }
    await sleep(50);
  }

  const waitExit = async (ms) => {
    let timer;
    const t = new Promise((r) => { timer = setTimeout(() => r(null), ms); });
    try { return (await Promise.race([exitP, t])) || null; } finally { clearTimeout(timer); }
  };
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    if (own) own.drop();
    else if (!process.env.FUWU_TEST_KEEP) rmSync(logDir, { recursive: true, force: true });
  };
  return {
    url, port, proc, db: dbUrl, engine, log,
    /** SIGTERM, wait (10 s, then SIGKILL); removes an owned database unless keep. → {code, signal} */
    async stop({ keep = false } = {}) {
      if (!exited) {
        proc.kill('SIGTERM');
        if (!(await waitExit(10000))) {
          proc.kill('SIGKILL');
          await exitP;
        }
      }
      const res = exited;
      if (!keep) cleanup();
      return res;
    },
    /** SIGKILL (a crash); keeps the database. */
    async kill() {
      if (!exited) {
        proc.kill('SIGKILL');
        await exitP;
      }
      return exited;
    },
    get exited() { return exited; },
    cleanup,
  };
}

/** Run the CLI with the same binary: → {status, stdout, stderr}. */
export function runCli(args, env = {}) {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8', timeout: 60000,
    env: { ...process.env, FUWU_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

// ---- HTTP -----------------------------------------------------------------------------------

/** Every request made through this module: {method, path, status} (path without query). */
export const calls = [];

/**
 * One request. body: object (sent as JSON), string or Buffer (sent as is with a JSON content
 * type unless headers say otherwise). → {status, headers, body (parsed JSON or text), text}
 */
export async function request(url, method, path, body, headers = {}) {
  const h = { ...headers };
  let payload;
  if (body !== undefined && body !== null) {
    payload = (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array)
      ? body : JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
  }
  const res = await fetch(url + path, { method, headers: h, body: payload, signal: AbortSignal.timeout(30000) });
  const text = await res.text();
  let parsed = text;
  const ct = res.headers.get('content-type') || '';
  if (/json/.test(ct)) {
    try { parsed = JSON.parse(text); } catch { parsed = text; }
  }
  calls.push({ method, path: path.split('?')[0], status: res.status });
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/**
 * A small client. token: a bearer token (or null); extra: headers on every request
 * (e.g. {Cookie: …}). Methods: get/post/patch/put/del(path, body?, headers?).
 */
export function api(url, token, extra = {}) {
  const base = { ...extra };
  if (token) base.Authorization = `Bearer ${token}`;
  const m = (method) => (path, body, headers = {}) => request(url, method, path, body, { ...base, ...headers });
  return { url, token, get: m('GET'), post: m('POST'), patch: m('PATCH'), put: m('PUT'), del: m('DELETE') };
}

/** Log in → {token, csrf, csrfHeader, cookie ("fuwu_session=…"), setCookie, user, body}; throws unless 200. */
export async function login(url, loginName, password, tenant) {
  const body = { login: loginName, password };
  if (tenant !== undefined) body.tenant = tenant;
  const res = await request(url, 'POST', '/api/v1/session', body);
  if (res.status !== 200) throw new Error(`login ${loginName}: ${res.status} ${res.text}`);
  const setCookie = res.headers.get('set-cookie') || '';
  const m = /(?:^|[\s,])(fuwu_session=[^;]*)/.exec(setCookie);
  return {
    token: res.body.token, csrf: res.body.csrf_token, csrfHeader: res.body.csrf_header,
    cookie: m ? m[1] : null, setCookie, user: res.body.user, body: res.body,
  };
}

/** Log in as the default tenant's admin and return a bearer client (with .session). */
export async function adminClient(url) {
  const s = await login(url, 'admin', ADMIN_PASSWORD);
  const c = api(url, s.token);
  c.session = s;
  return c;
}

/** Assert an RFC 9457 problem with this status and stable code. */
export function assertProblem(res, status, code, msg = '') {
  const where = `${msg ? msg + ': ' : ''}got ${res.status} ${typeof res.text === 'string' ? res.text.slice(0, 500) : ''}`;
  assert.equal(res.status, status, where);
  assert.match(res.headers.get('content-type') || '', /^application\/problem\+json/, where);
  assert.equal(typeof res.body, 'object', where);
  assert.equal(res.body.status, status, where);
  if (code !== undefined && code !== null) assert.equal(res.body.code, code, where);
}

/** Assert a validation problem that names `field` (exactly, or by RegExp) in errors[]. */
export function assertFieldError(res, field, msg = '') {
  assertProblem(res, 400, 'validation_failed', msg);
  assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0, `errors[] present: ${res.text}`);
  const hit = res.body.errors.some((e) => (field instanceof RegExp ? field.test(e.field) : e.field === field));
  assert.ok(hit, `${msg ? msg + ': ' : ''}errors[] names ${field}: ${res.text}`);
}

/** The smallest work-order create of docs/api.md (a copy, safe to change). */
export function smallestOrder(over = {}) {
  return {
    type: 'repair', priority: 'P2', channel: 'phone',
    customer: { name: '张伟', phone: '13800138000' },
    address: '广东省广州市天河区天河路385号', fault_description: '空调不制冷',
    ...over,
  };
}

/** Every item of a list, following next_cursor. */
export async function listAll(client, path, limit = 500) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 10000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await client.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    items.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('list does not end');
}

/** Run fn over items with at most n in flight. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * Check that every method + path this process called (except ones answered 404/405 — the
 * deliberately unknown routes) is documented in /api/v1/openapi.json. Returns the undocumented.
 */
export async function undocumentedCalls(url) {
  const res = await fetch(`${url}/api/v1/openapi.json`);
  const doc = await res.json();
  const templates = Object.entries(doc.paths || {}).map(([p, item]) => ({
    re: new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    methods: Object.keys(item).map((k) => k.toLowerCase()),
  }));
  const seen = new Set();
  const missing = [];
  for (const c of calls) {
    if (c.status === 404 || c.status === 405) continue;
    const key = `${c.method} ${c.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ok = templates.some((t) => t.re.test(c.path) && t.methods.includes(c.method.toLowerCase()));
    if (!ok) missing.push(key);
  }
  return missing;
}
