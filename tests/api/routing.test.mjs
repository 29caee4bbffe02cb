// routing.test.mjs — POST /api/v1/routing/solve: the optimiser over HTTP (VROOM-style JSON),
// bounded time, clear 400s for bad problems, permission required.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, assertProblem, request } from './lib.mjs';

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv.url); });
after(async () => { await srv?.stop(); });

const problem = {
  vehicles: [{ id: 1, start: [113.32, 23.13], end: [113.32, 23.13], skills: [1] }],
  jobs: [
    { id: 11, location: [113.33, 23.14], service: 600 },
    { id: 12, location: [113.30, 23.12], service: 600 },
    { id: 13, location: [113.31, 23.15], service: 300, skills: [2] },
  ],
};

test('a small problem is solved: every servable job routed, the unservable one explained', async () => {
  const r = await admin.post('/api/v1/routing/solve?time_limit=0.3&seed=7', problem);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.code, 0);
  const jobs = r.body.routes.flatMap((rt) => rt.steps.filter((s) => s.type === 'job').map((s) => s.id)).sort();
  assert.deepEqual(jobs, [11, 12]);
  assert.deepEqual(r.body.unassigned.map((u) => u.id), [13]);
  assert.ok(r.body.unassigned[0].reason);
  assert.equal(r.body.summary.routes, 1);
  const again = await admin.post('/api/v1/routing/solve?time_limit=0.3&seed=7', problem);
  assert.equal(again.body.summary.cost, r.body.summary.cost, 'same seed, same answer');
});

test('bad problems and bad parameters are 400 with a reason', async () => {
  assertProblem(await admin.post('/api/v1/routing/solve', { vehicles: 'x' }), 400, 'validation_failed');
  assertProblem(await admin.post('/api/v1/routing/solve', { jobs: [] }), 400, 'validation_failed');
  assertProblem(await admin.post('/api/v1/routing/solve?time_limit=60', problem), 400, 'validation_failed');
  assertProblem(await admin.post('/api/v1/routing/solve?time_limit=abc', problem), 400, 'validation_failed');
  assertProblem(await admin.post('/api/v1/routing/solve?seed=-1', problem), 400, 'validation_failed');
  assertProblem(await admin.post('/api/v1/routing/solve', '[1,2'), 400, 'bad_json');
  const many = { vehicles: problem.vehicles, jobs: Array.from({ length: 2100 }, (_, i) => ({ id: i + 1, location: [113.3, 23.1] })) };
  assertProblem(await admin.post('/api/v1/routing/solve', many), 400, 'validation_failed');
});

test('routing needs a session', async () => {
  assertProblem(await request(srv.url, 'POST', '/api/v1/routing/solve', problem), 401, 'unauthorized');
});
