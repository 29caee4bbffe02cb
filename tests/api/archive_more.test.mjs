// archive_more.test.mjs — the rest of issue 3 item 9: customers from an .xlsx workbook through
// the same path as CSV (dry run, every bad row, half-bad → nothing), assets and product models
// from CSV and .xlsx (unknown model or customer phone, a serial present or registered → row
// errors), files that are neither refused clearly, a 50 MB upload refused by size, and the
// customer list and the maintenance-due list exported as .xlsx and CSV with Chinese headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, assertProblem, assertFieldError, undocumentedCalls, request } from './lib.mjs';
import { xlsx, zip, readXlsx } from './xlsx_helper.mjs';

let srv, admin, owner, car;
const b64 = (buf) => Buffer.from(buf).toString('base64');
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  owner = (await admin.post('/api/v1/customers', { name: '车主老王', phones: ['13900001111'], class: 'A' })).body;
  car = (await admin.post('/api/v1/product-models', {
    brand: '丰田', category: '轿车', model: '卡罗拉', warranty_months: 36, warranty_km: 100000,
    maintenance: [{ name: '首保', km: 5000, months: 6 }, { name: '二保', km: 10000, months: 12 }],
  })).body;
  assert.ok(owner.id && car.id);
});
after(async () => { await srv?.stop(); });

test('customers from .xlsx (shared strings, phones stored as numbers): dry run, then import', async () => {
  const book = xlsx([['姓名', '电话', '等级', '地址'], ['表格甲', 13711110001, 'A', '广州市天河区1号'], ['表格乙', '13711110002；020-88887777', 'B', null]]);
  const dry = await admin.post('/api/v1/customers/import', { base64: b64(book), filename: 'c.xlsx', dry_run: true });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.body.format, 'xlsx');
  assert.equal(dry.body.valid, true);
  assert.equal(dry.body.rows, 2);
  assert.equal((await admin.get('/api/v1/customers?phone=13711110001')).body.items.length, 0, 'a dry run imports nothing');
  const res = await admin.post('/api/v1/customers/import', { base64: b64(book) });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.imported, 2);
  const jia = (await admin.get('/api/v1/customers?phone=13711110001')).body.items[0];
  assert.equal(jia.name, '表格甲');
  assert.equal(jia.class, 'A');
  assert.equal(jia.addresses[0].text, '广州市天河区1号');
  const yi = (await admin.get('/api/v1/customers?phone=88887777')).body.items[0];
  assert.deepEqual(yi.phones, ['+8613711110002', '+862088887777']);
});

test('customers from .xlsx with inline strings: a half-bad workbook lists every bad row and imports nothing', async () => {
  const book = xlsx([
    ['name', 'phones', 'class'],
    ['好行', '13722220001', 'A'],
    [null, '13722220002', 'B'],            // row 3: no name
    ['坏电话', '12345', 'C'],             // row 4: phone
    [],                                    // row 5: empty, skipped
    ['重复', '13900001111', 'A'],          // row 6: phone of 车主老王
    ['等级错', '13722220003', 'Z'],        // row 7: class
  ], { inline: true });
  const dry = await admin.post('/api/v1/customers/import', { base64: b64(book), dry_run: true });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.body.valid, false);
  assert.deepEqual(dry.body.errors.map((e) => `${e.row}:${e.column}:${e.code}`).sort(),
    ['3:name:name_empty', '4:phones:phone_invalid', '6:phones:phone_taken', '7:class:class_invalid']);
  assert.equal(dry.body.errors.find((e) => e.row === 6).existing_id, owner.id);
  const res = await admin.post('/api/v1/customers/import', { base64: b64(book) });
  assertProblem(res, 400, 'validation_failed');
  assert.equal(res.body.row_errors.length, 4);
  assert.equal((await admin.get('/api/v1/customers?phone=13722220001')).body.items.length, 0, 'nothing imported');
});

test('files that are neither CSV nor .xlsx are refused naming why', async () => {
  const cases = [
    [Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(64, 0)]), /\.xls/],
    [Buffer.from('%PDF-1.7\n%âãÏÓ\n'), /PDF/],
    [zip({ 'word/document.xml': '<w:document/>' }), /worksheet/],
    [zip({ 'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row><c t="s"><v>0</v></row>' }), /XML/],
    [Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]), /damaged|xlsx/],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]), /binary/],
  ];
  for (const [bytes, why] of cases) {
    for (const path of ['/api/v1/customers/import', '/api/v1/assets/import', '/api/v1/product-models/import']) {
      const res = await admin.post(path, { base64: b64(bytes), dry_run: true });
      assertFieldError(res, 'base64', `${path} ${why}`);
      assert.match(res.body.errors[0].message, why, res.text);
    }
  }
});

test('a workbook without the required columns, and an empty one', async () => {
  const res = await admin.post('/api/v1/assets/import', { base64: b64(xlsx([['品牌', '型号'], ['丰田', '卡罗拉']])), dry_run: true });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.errors.map((e) => `${e.row}:${e.code}`).sort(), ['1:header_missing', '1:header_missing']);
  const empty = await admin.post('/api/v1/customers/import', { base64: b64(xlsx([])) });
  assertFieldError(empty, 'base64');
});

test('product models from CSV: dry run, a half-bad file, then a clean one', async () => {
  const bad = '品牌,类别,型号,保修月数,技术复杂系数,退货天数,换货天数\n' +
    '格力,空调,KFR-72LW,12,1.30,7,15\n' +
    '格力,空调,KFR-72LW,12,1.30,,\n' +          // row 3: twice in the file
    '丰田,轿车,卡罗拉,36,,,\n' +                 // row 4: already in the catalogue
    ',冰箱,BCD-1,12,,,\n' +                      // row 5: no brand
    '美的,洗衣机,MG-1,十二,,,\n' +              // row 6: months not a number
    '美的,洗衣机,MG-2,12,12.5,,\n' +             // row 7: complexity
    '美的,洗衣机,MG-3,12,1.0,15,7\n';            // row 8: exchange shorter than refund
  const dry = await admin.post('/api/v1/product-models/import', { csv: bad, dry_run: true });
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(dry.body.errors.map((e) => `${e.row}:${e.code}`).sort(),
    ['3:model_taken', '4:model_taken', '5:required', '6:number_invalid', '7:complexity_invalid', '8:number_invalid']);
  assert.equal(dry.body.errors.find((e) => e.row === 4).existing_id, car.id);
  assertProblem(await admin.post('/api/v1/product-models/import', { csv: bad }), 400, 'validation_failed');
  assert.equal((await admin.get('/api/v1/product-models?q=KFR-72LW')).body.items.length, 0, 'nothing imported');
  const good = 'brand,category,model,warranty_months,complexity,warranty_km\n格力,空调,KFR-72LW,24,1.30,\n长安,轿车,CS75,36,1.5,100000\n';
  const res = await admin.post('/api/v1/product-models/import', { csv: good });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.imported, 2);
  const m = (await admin.get('/api/v1/product-models?q=KFR-72LW')).body.items[0];
  assert.equal(m.warranty_months, 24);
  assert.equal(m.complexity, '1.30');
  const audit = await admin.get(`/api/v1/audit-log?entity=product_model&entity_id=${m.id}`);
  assert.equal(audit.body.items[0].action, 'import');
});

test('product models from .xlsx', async () => {
  const res = await admin.post('/api/v1/product-models/import', {
    base64: b64(xlsx([['品牌', '品类', '型号', '保修月数'], ['海尔', '冰箱', 'BCD-470', 36]])),
  });
  assert.equal(res.status, 201, res.text);
  const m = (await admin.get('/api/v1/product-models?q=BCD-470')).body.items[0];
  assert.equal(m.category, '冰箱');
  assert.equal(m.warranty_months, 36);
});

test('assets from CSV: unknown model or phone, serial present or registered, bad dates → row errors; nothing imported', async () => {
  const first = (await admin.post('/api/v1/assets', { customer_id: owner.id, model_id: car.id, serial: 'VIN-EXIST-1', purchase_date: '2025-01-01' })).body;
  const reg = await admin.post('/api/v1/warranty-registrations', { serial: 'SN-REG-1', model_id: car.id, customer_id: owner.id, purchase_date: '2025-02-01' });
  assert.equal(reg.status, 201, reg.text);
  const future = new Date(Date.now() + 40 * 86400000).toISOString().slice(0, 10);
  const csv = '客户电话,品牌,型号,序列号,购买日期,车牌,安装日期\n' +
    '13900001111,丰田,卡罗拉,VIN-NEW-1,2025/03/01,粤A12345,\n' +         // good
    '13900009999,丰田,卡罗拉,VIN-NEW-2,2025-03-01,,\n' +                   // row 3: no such customer
    '13900001111,丰田,不存在,VIN-NEW-3,2025-03-01,,\n' +                   // row 4: unknown model
    '13900001111,丰田,卡罗拉,VIN-EXIST-1,2025-03-01,,\n' +                 // row 5: serial present
    '13900001111,丰田,卡罗拉,SN-REG-1,2025-03-01,,\n' +                    // row 6: registered
    `13900001111,丰田,卡罗拉,VIN-NEW-4,${future},,\n` +                    // row 7: purchase in the future
    '13900001111,丰田,卡罗拉,VIN-NEW-5,2025-02-30,,\n' +                   // row 8: impossible date
    '13900001111,丰田,卡罗拉,VIN-NEW-6,2025-03-01,,2025-02-01\n' +         // row 9: install before purchase
    '13900001111,丰田,卡罗拉,VIN-NEW-1,2025-03-01,,\n' +                   // row 10: twice in the file
    '139,丰田,卡罗拉,VIN-NEW-7,2025-03-01,,\n' +                           // row 11: not a phone
    '13900001111,丰田,卡罗拉,,2025-03-01,,\n';                             // row 12: no serial
  const dry = await admin.post('/api/v1/assets/import', { csv, dry_run: true });
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(dry.body.errors.map((e) => `${e.row}:${e.code}`).sort((a, b) => parseInt(a) - parseInt(b)), [
    '3:customer_unknown', '4:model_unknown', '5:serial_taken', '6:serial_registered', '7:date_future', '8:date_invalid',
    '9:install_before_purchase', '10:serial_taken', '11:phone_invalid', '12:serial_missing']);
  assert.equal(dry.body.errors.find((e) => e.row === 5).existing_id, first.id);
  const res = await admin.post('/api/v1/assets/import', { csv });
  assertProblem(res, 400, 'validation_failed');
  assert.equal((await admin.get('/api/v1/assets?serial=VIN-NEW-1')).body.items.length, 0, 'nothing imported');
});

test('assets from .xlsx: the clean file is imported with plate, dates from Excel day numbers, and the due cache', async () => {
  const book = xlsx([
    ['客户电话', '品牌', '型号', '车架号', '购买日期', '车牌', '发动机号'],
    ['13900001111', '丰田', '卡罗拉', 'VIN-XLSX-1', 45658, '粤B88888', 'EN-1'], // 45658 = 2025-01-01
    [13900001111, '丰田', '卡罗拉', 'VIN-XLSX-2', '2025年2月3日', null, null],
  ]);
  const res = await admin.post('/api/v1/assets/import', { base64: b64(book) });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.imported, 2);
  const a = (await admin.get('/api/v1/assets?plate=粤B88888')).body.items[0];
  assert.equal(a.serial, 'VIN-XLSX-1');
  assert.equal(a.purchase_date, '2025-01-01');
  assert.equal(a.customer_id, owner.id);
  assert.equal(a.engine_no, 'EN-1');
  const b = (await admin.get('/api/v1/assets?serial=VIN-XLSX-2')).body.items[0];
  assert.equal(b.purchase_date, '2025-02-03');
  // bought in 2025 with a 6-month first service: overdue in the due list
  const due = await admin.get('/api/v1/maintenance/due');
  assert.ok(due.body.items.some((x) => x.serial === 'VIN-XLSX-1' && x.status === 'overdue'), due.text);
  const byPlate = await admin.get(`/api/v1/customers?plate=${encodeURIComponent('粤B88888')}`);
  assert.deepEqual(byPlate.body.items.map((c) => c.id), [owner.id]);
});

test('an upload over the limit is refused by size (413), a bigger one than the JSON limit is accepted', async () => {
  const big = JSON.stringify({ csv: 'x'.repeat(50 * 1024 * 1024) });
  for (const path of ['/api/v1/customers/import', '/api/v1/assets/import']) {
    const res = await admin.post(path, big);
    assertProblem(res, 413, 'payload_too_large');
  }
  // 2 MiB of CSV is more than other bodies may be, still fine for an import
  const rows = ['姓名,电话,备注'];
  for (let i = 0; i < 4000; i++) rows.push(`批量客户${i},1380${String(i).padStart(7, '0')},${'很长的备注'.repeat(40)}`);
  const csv = rows.join('\n');
  assert.ok(Buffer.byteLength(csv) > 2 * 1024 * 1024);
  const dry = await admin.post('/api/v1/customers/import', { csv, dry_run: true });
  assert.equal(dry.status, 200, dry.text.slice(0, 300));
  assert.equal(dry.body.rows, 4000);
  assert.equal(dry.body.valid, true);
  // other routes keep the 1 MiB limit
  assertProblem(await admin.post('/api/v1/customers', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) })), 413, 'payload_too_large');
});

test('the customer list exported as .xlsx and CSV with Chinese headers, filters applied', async () => {
  const x = await request(srv.url, 'GET', '/api/v1/customers/export?format=xlsx&class=A', null, { Authorization: `Bearer ${admin.token}` });
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.match(x.headers.get('content-disposition'), /customers\.xlsx/);
  const raw = await fetch(`${srv.url}/api/v1/customers/export?format=xlsx&class=A`, { headers: { Authorization: `Bearer ${admin.token}` } });
  const xbuf = Buffer.from(await raw.arrayBuffer());
  const rows = await readXlsx(xbuf);
  assert.deepEqual(rows[0].slice(0, 5), ['客户编号', '姓名', '类型', '等级', '电话']);
  const names = rows.slice(1).map((r) => r[1]);
  assert.ok(names.includes('车主老王') && names.includes('表格甲'), names.join());
  assert.ok(rows.slice(1).every((r) => r[3] === 'A'), 'class filter applied');
  const lw = rows.find((r) => r[1] === '车主老王');
  assert.equal(lw[4], '+8613900001111');
  assert.equal(lw[2], '个人');
  const csv = await admin.get('/api/v1/customers/export?format=csv&name=表格');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  assert.ok(csv.text.startsWith('客户编号,姓名,'), csv.text.slice(0, 40)); // fetch's text() drops the BOM
  const bytes = Buffer.from(await (await fetch(`${srv.url}/api/v1/customers/export?format=csv`, { headers: { Authorization: `Bearer ${admin.token}` } })).arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for spreadsheet programs');
  assert.equal(csv.text.trim().split('\r\n').length, 3, csv.text);
  assertFieldError(await admin.get('/api/v1/customers/export?format=pdf'), 'format');
  assertFieldError(await admin.get('/api/v1/customers/export?limit=0'), 'limit');
  assertFieldError(await admin.get('/api/v1/customers/export?phone=12'), 'phone');
});

test('the maintenance-due list exported as .xlsx', async () => {
  const raw = await fetch(`${srv.url}/api/v1/maintenance/due?format=xlsx`, { headers: { Authorization: `Bearer ${admin.token}` } });
  assert.equal(raw.status, 200);
  assert.match(raw.headers.get('content-disposition'), /maintenance-due\.xlsx/);
  const rows = await readXlsx(Buffer.from(await raw.arrayBuffer()));
  assert.deepEqual(rows[0], ['状态', '应保养日期', '依据', '保养项目', '客户', '序列号/VIN', '车牌', '品牌', '型号', '购买日期', '估算里程']);
  const r = rows.find((x) => x[5] === 'VIN-XLSX-1');
  assert.ok(r, JSON.stringify(rows));
  assert.equal(r[0], '已逾期');
  assert.equal(r[3], '首保');
  assert.equal(r[6], '粤B88888');
  assertFieldError(await admin.get('/api/v1/maintenance/due?format=doc'), 'format');
});

test('imports need the write permissions', async () => {
  const u = await admin.post('/api/v1/users', { login: 'tech_imp', name: '技师', password: 'Passw0rd-x', org_id: owner.org_id, roles: ['technician'] });
  assert.equal(u.status, 201, u.text);
  const { login } = await import('./lib.mjs');
  const s = await login(srv.url, 'tech_imp', 'Passw0rd-x');
  const h = { Authorization: `Bearer ${s.token}` };
  for (const path of ['/api/v1/customers/import', '/api/v1/assets/import', '/api/v1/product-models/import']) {
    const res = await request(srv.url, 'POST', path, { csv: 'a\n1\n' }, h);
    assertProblem(res, 403, 'forbidden', path);
  }
});

test('every route called here is documented', async () => {
  assert.deepEqual(await undocumentedCalls(srv.url), []);
});
