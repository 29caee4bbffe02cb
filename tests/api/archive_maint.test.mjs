// archive_maint.test.mjs — maintenance due (issue 3 item 7) through the real server: a model's
// schedule, the next service by km or time whichever first (mileage estimated from readings),
// "due this month / overdue", filtered by the customer's outlet, exported as CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, assertFieldError, assertProblem, undocumentedCalls } from './lib.mjs';

let srv, admin, model, outlet;

// Civil dates in Beijing time, `days` from today.
function day(days) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}
const thisMonth = day(0).slice(0, 7);
// The same day of month `n` months before `iso` (only used with days ≤ 28).
function monthsBefore(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 - n, d)).toISOString().slice(0, 10);
}

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  const res = await admin.post('/api/v1/product-models', {
    brand: '丰田', category: '轿车', model: '卡罗拉 1.5L', warranty_months: 36, warranty_km: 100000,
    maintenance: [
      { name: '首保', km: 5000, months: 6, operations: ['机油', '机油滤清器'] },
      { name: '10000公里保养', km: 10000, months: 12, operations: ['机油', '机油滤清器', '空气滤清器', '四轮定位'] },
    ],
  });
  assert.equal(res.status, 201, res.text);
  model = res.body;
  outlet = (await admin.post('/api/v1/organizations',
    { name: '天河维修网点', type: 'outlet', parent_id: admin.session.user.org_id })).body;
});
after(async () => { await srv?.stop(); });

async function car(name, phone, purchase, extra = {}) {
  const c = await admin.post('/api/v1/customers', { name, phones: [phone], ...extra });
  assert.equal(c.status, 201, c.text);
  const a = await admin.post('/api/v1/assets',
    { customer_id: c.body.id, model_id: model.id, serial: `VIN-${phone}`, plate: `粤A${phone.slice(-5)}`, purchase_date: purchase });
  assert.equal(a.status, 201, a.text);
  return a.body;
}

test('the schedule is part of the model; a bad service is refused', async () => {
  assert.equal(model.maintenance.length, 2);
  assert.deepEqual(model.maintenance[0].operations, ['机油', '机油滤清器']);
  assertFieldError(await admin.post('/api/v1/product-models',
    { brand: 'x', category: 'y', model: 'z', maintenance: [{ name: 'none' }] }), 'maintenance[0]');
  assertFieldError(await admin.post('/api/v1/product-models',
    { brand: 'x', category: 'y', model: 'z', maintenance: [{ km: -5 }] }), 'maintenance[0]');
});

test('due by time, by km (estimated from readings), overdue, not yet due; CSV export', async () => {
  // Bought 6 months before a day 5 days ahead: the first service falls due by time then.
  const byTime = await car('按时保养客户', '13811110001', monthsBefore(day(5), 6));
  // Bought 40 days ago, 4,500 km after 30 days (150 km/day): 5,000 km on day ~33, already passed.
  const byKm = await car('高里程客户', '13811110002', day(-40), { org_id: outlet.id });
  assert.equal((await admin.post(`/api/v1/assets/${byKm.id}/readings`, { date: day(-10), km: 4500 })).status, 201);
  // Bought yesterday, no readings: due in six months.
  const fresh = await car('新车客户', '13811110003', day(-1));

  const res = await admin.get(`/api/v1/maintenance/due?month=${thisMonth}`);
  assert.equal(res.status, 200, res.text);
  const byId = Object.fromEntries(res.body.items.map((x) => [x.asset_id, x]));
  assert.ok(!byId[fresh.id], 'a new car is not due this month');
  assert.equal(byId[byKm.id].due_by, 'km');
  assert.equal(byId[byKm.id].status, 'overdue');
  assert.equal(byId[byKm.id].service.name, '首保');
  assert.ok(byId[byKm.id].estimated_km >= 6000, JSON.stringify(byId[byKm.id]));
  if (day(5).slice(0, 7) === thisMonth && Number(day(5).slice(8)) <= 28) {
    assert.equal(byId[byTime.id].due_by, 'time');
    assert.equal(byId[byTime.id].status, 'due');
    assert.equal(byId[byTime.id].due_date, day(5));
  }
  // The outlet's list holds only its customers' cars.
  const mine = await admin.get(`/api/v1/maintenance/due?month=${thisMonth}&org_id=${outlet.id}`);
  assert.deepEqual(mine.body.items.map((x) => x.asset_id), [byKm.id]);
  // A later month holds the new car's first service.
  const later = await admin.get(`/api/v1/maintenance/due?month=${day(190).slice(0, 7)}`);
  assert.ok(later.body.items.some((x) => x.asset_id === fresh.id));
  // Export.
  const csv = await admin.get(`/api/v1/maintenance/due?month=${thisMonth}&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.text, /应保养日期/);
  assert.match(csv.text, /高里程客户/);
});

test('a car past its first service time is overdue for the first service', async () => {
  const a = await car('已首保客户', '13811110004', day(-200));
  let res = await admin.get(`/api/v1/maintenance/due?month=${thisMonth}`);
  assert.equal(res.body.items.find((x) => x.asset_id === a.id).service_index, 0);
  assert.equal(res.body.items.find((x) => x.asset_id === a.id).status, 'overdue');
});

test('first-service (首保) rate of the cars bought in a period', async () => {
  const res = await admin.get(`/api/v1/maintenance/first-service?from=${day(-400)}&to=${day(0)}`);
  assert.equal(res.status, 200, res.text);
  assert.ok(res.body.sold >= 4, res.text);
  assert.equal(res.body.first_service_done, 0, 'no maintenance order finished yet');
  assert.equal(res.body.rate, 0);
  assert.equal(res.body.target, 0.95);
  const none = await admin.get('/api/v1/maintenance/first-service?from=2000-01-01&to=2000-12-31');
  assert.equal(none.body.sold, 0);
  assert.equal(none.body.rate, null);
  const outlet_ = await admin.get(`/api/v1/maintenance/first-service?from=${day(-400)}&to=${day(0)}&org_id=${outlet.id}`);
  assert.equal(outlet_.body.sold, 1);
  assertFieldError(await admin.get('/api/v1/maintenance/first-service?from=2026-01-01'), 'to');
  assertFieldError(await admin.get('/api/v1/maintenance/first-service?from=2026-02-01&to=2026-01-01'), 'to');
});

test('bad input: month, org_id, format', async () => {
  assertFieldError(await admin.get('/api/v1/maintenance/due?month=2026-13'), 'month');
  assertFieldError(await admin.get('/api/v1/maintenance/due?month=202611'), 'month');
  assertFieldError(await admin.get('/api/v1/maintenance/due?org_id=x'), 'org_id');
  assertFieldError(await admin.get('/api/v1/maintenance/due?format=xls'), 'format');
  assertProblem(await admin.get('/api/v1/maintenance/due?org_id=999999'), 404, 'not_found');
});

test('every route called here is documented', async () => {
  assert.deepEqual(await undocumentedCalls(srv.url), []);
});
