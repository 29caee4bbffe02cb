// archive_import.test.mjs — customers from CSV (issue 3 item 9): Chinese headers, a dry run
// that reports every bad row (row, column, reason) and imports nothing, a half-bad file that
// imports nothing, GBK detected and converted, an .xlsx or binary file refused clearly, a
// 50 MB upload refused by size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, assertProblem, assertFieldError, undocumentedCalls } from './lib.mjs';

let srv, admin;
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  assert.equal((await admin.post('/api/v1/customers', { name: '已有客户', phones: ['13900000099'] })).status, 201);
});
after(async () => { await srv?.stop(); });

const GOOD = '\uFEFF姓名,电话,等级,地址\r\n张一,13700000001,A,广州市天河区1号\r\n李二,"13700000002；020-88886666",B,\r\n"王,三",13700000003,,"深圳市""南山""区"\r\n';

test('a clean CSV with Chinese headers: dry run then import', async () => {
  const dry = await admin.post('/api/v1/customers/import', { csv: GOOD, dry_run: true });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.body.valid, true);
  assert.equal(dry.body.rows, 3);
  assert.deepEqual(dry.body.errors, []);
  assert.equal((await admin.get('/api/v1/customers?phone=0000001')).body.items.length, 0, 'a dry run imports nothing');
  const res = await admin.post('/api/v1/customers/import', { csv: GOOD });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.imported, 3);
  const li = (await admin.get('/api/v1/customers?phone=88886666')).body.items;
  assert.equal(li.length, 1);
  assert.equal(li[0].name, '李二');
  assert.deepEqual(li[0].phones, ['+8613700000002', '+862088886666']);
  assert.equal(li[0].class, 'B');
  const wang = (await admin.get('/api/v1/customers?phone=13700000003')).body.items[0];
  assert.equal(wang.name, '王,三');
  assert.equal(wang.addresses[0].text, '深圳市"南山"区');
  assert.equal(wang.source, 'import');
});

test('a half-bad file: every bad row reported, nothing imported', async () => {
  const csv = 'name,phones,class\n赵四,13600000001,A\n,13600000002,B\n钱五,12345,C\n孙六,13900000099,A\n周七,13600000001,Z\n';
  const dry = await admin.post('/api/v1/customers/import', { csv, dry_run: true });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.body.valid, false);
  const got = dry.body.errors.map((e) => `${e.row}:${e.column}`).sort();
  assert.deepEqual(got, ['3:name', '4:phones', '5:phones', '6:class'].sort(), dry.text);
  const taken = dry.body.errors.find((e) => e.row === 5);
  assert.ok(taken.existing_id > 0, 'the phone of an existing customer names it');
  assert.equal(taken.code, 'phone_taken');
  assert.equal(dry.body.errors.find((e) => e.row === 3).code, 'name_empty');
  const res = await admin.post('/api/v1/customers/import', { csv });
  assertProblem(res, 400, 'validation_failed');
  assert.ok(Array.isArray(res.body.row_errors) && res.body.row_errors.length === 4, res.text);
  assert.equal((await admin.get('/api/v1/customers?phone=13600000001')).body.items.length, 0, 'nothing imported');
});

test('the same phone twice in one file is a bad row', async () => {
  const csv = '姓名,电话\n甲,13500000011\n乙,13500000011\n';
  const dry = await admin.post('/api/v1/customers/import', { csv, dry_run: true });
  assert.deepEqual(dry.body.errors.map((e) => e.row), [3], dry.text);
});

test('GBK bytes are detected and converted', async () => {
  // "姓名,电话\n陈八,13300000008\n" in GBK
  const gbk = Buffer.from([0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xb5, 0xe7, 0xbb, 0xb0, 0x0a, 0xb3, 0xc2, 0xb0, 0xcb, 0x2c,
    ...Buffer.from('13300000008\n')]);
  const res = await admin.post('/api/v1/customers/import', { base64: gbk.toString('base64') });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.converted_from_gbk, true);
  const c = (await admin.get('/api/v1/customers?phone=13300000008')).body.items[0];
  assert.equal(c.name, '陈八');
});

test('not a CSV: xlsx, binary, no header, empty, both or neither field → 400 with the reason', async () => {
  const xlsx = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 1)]);
  let res = await admin.post('/api/v1/customers/import', { base64: xlsx.toString('base64') });
  assertFieldError(res, 'base64');
  assert.match(res.body.detail, /xlsx/);
  res = await admin.post('/api/v1/customers/import', { base64: Buffer.from([1, 0, 2, 3]).toString('base64') });
  assertFieldError(res, 'base64');
  res = await admin.post('/api/v1/customers/import', { base64: Buffer.from([0xff, 0xfe, 0xff, 0x41]).toString('base64') });
  assertFieldError(res, 'base64');
  res = await admin.post('/api/v1/customers/import', { base64: '***' });
  assertFieldError(res, 'base64');
  res = await admin.post('/api/v1/customers/import', { csv: 'foo,bar\n1,2\n', dry_run: true });
  assert.equal(res.status, 200);
  assert.ok(res.body.errors.some((e) => e.row === 1), res.text);
  assertFieldError(await admin.post('/api/v1/customers/import', { csv: '' }), 'csv');
  assertFieldError(await admin.post('/api/v1/customers/import', {}), 'csv');
  assertFieldError(await admin.post('/api/v1/customers/import', { csv: 'a', base64: 'YQ==' }), 'csv');
  assertFieldError(await admin.post('/api/v1/customers/import', { csv: '姓名,电话\n"unterminated,1\n' }), 'csv');
});

test('a 50 MB upload is refused by size (413)', async () => {
  const big = JSON.stringify({ csv: 'x'.repeat(50 * 1024 * 1024) });
  const res = await admin.post('/api/v1/customers/import', big);
  assertProblem(res, 413, 'payload_too_large');
});

test('every route called here is documented', async () => {
  assert.deepEqual(await undocumentedCalls(srv.url), []);
});
