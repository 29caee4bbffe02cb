// cli.test.mjs — the fuwu command line: every command answers --help, unknown flags and
// commands exit 2 with a usage message, and the commands do what they say on a real database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.FUWU_BIN || 'build/fuwu';
const run = (args, env = {}) =>
  spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60000 });
const dir = mkdtempSync(join(tmpdir(), 'fuwu-cli-'));
const db = `sqlite:${dir}/cli.db`;

test('every command answers --help with exit 0', () => {
  for (const cmd of [['serve'], ['migrate'], ['demo'], ['user'], ['tenant'], ['backup'], ['schema'], ['route', 'solve']]) {
    const r = run([...cmd, '--help']);
    assert.equal(r.status, 0, `${cmd.join(' ')} --help: ${r.stderr}`);
    assert.match(r.stdout + r.stderr, /usage: fuwu/);
  }
  const v = run(['version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^fuwu \d+\.\d+/);
});

test('unknown flags and commands exit 2 with the usage', () => {
  for (const args of [['serve', '--bogus'], ['migrate', '--nope=1'], ['frobnicate'], ['user', 'add', '--x'], ['backup', '--out'], []]) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}`);
    assert.match(r.stderr, /usage|unknown/);
  }
  assert.equal(run(['serve', '--threads', '0']).status, 2);
  assert.equal(run(['serve', '--listen', 'nonsense', '--db', db]).status, 2);
});

test('migrate, user add, user passwd, tenant add and backup on SQLite', async () => {
  let r = run(['migrate', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  r = run(['user', 'add', '--db', db, '--login', 'li', '--password', 'secret123', '--role', 'technician', '--name', '李工'],
    { FUWU_ADMIN_PASSWORD: 'admin12345' });
  assert.equal(r.status, 0, r.stderr);
  r = run(['user', 'add', '--db', db, '--login', 'li', '--password', 'secret123']);
  assert.equal(r.status, 1, 'a taken login is refused');
  assert.match(r.stderr, /taken/);
  assert.equal(run(['user', 'add', '--db', db, '--login', 'x1', '--password', 'short']).status, 2);
  assert.equal(run(['user', 'add', '--db', db, '--login', 'x2', '--password', 'longenough', '--role', 'boss']).status, 1);
  r = run(['user', 'passwd', '--db', db, '--login', 'li', '--password', 'changed123']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(run(['user', 'passwd', '--db', db, '--login', 'nobody', '--password', 'changed123']).status, 1);
  r = run(['tenant', 'add', '--db', db, '--code', 'acme', '--admin-password', 'acme12345']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(run(['tenant', 'add', '--db', db, '--code', 'acme']).status, 1, 'a tenant code is unique');
  const out = join(dir, 'backup.db');
  r = run(['backup', '--db', db, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(out) && statSync(out).size > 10000);
  // The backup is a working database: a server starts on it and the changed password works.
  const port = 20000 + Math.floor(Math.random() * 20000);
  const srv = spawn(BIN, ['serve', '--quiet', '--listen', `127.0.0.1:${port}`, '--db', `sqlite:${out}`], { stdio: 'ignore' });
  try {
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      try { ok = (await fetch(`http://127.0.0.1:${port}/readyz`)).ok; } catch { await new Promise((s) => setTimeout(s, 100)); }
    }
    assert.ok(ok, 'server on the backup is ready');
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'li', password: 'changed123' }),
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.user.roles, ['technician']);
    const acme = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'acme12345', tenant: 'acme' }),
    });
    assert.equal(acme.status, 200);
  } finally {
    srv.kill('SIGTERM');
  }
});

test('backup on PostgreSQL explains pg_dump', () => {
  const r = run(['backup', '--db', 'postgres://fuwu@127.0.0.1:1/none']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /pg_dump/);
});

test('a bad database URL is a clear error', () => {
  const r = run(['migrate', '--db', 'mysql://x']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown database URL/);
  const p = run(['migrate', '--db', 'postgres://fuwu@127.0.0.1:1/none']);
  assert.equal(p.status, 1);
  assert.match(p.stderr, /postgres/);
});
