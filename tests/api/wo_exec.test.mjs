// wo_exec.test.mjs — execution on the order (issue 4 items 7 and 8): photos (multipart and raw
// bodies, JPEG and PNG checked by decoding, thumbnails, text/HEIC/other refused with 415, 11 MiB
// and 100 MB refused with 413 without the server's memory growing, a customer reading only their
// own order's photos), the work log (one running entry per person across orders), the execution
// checklist (template merged with what was saved, If-Match, maintenance from the model's
// schedule), the QC template (lines, safety items, reception damage) and the rework report
// after a QC failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { startServer, adminClient, login, api, request, assertProblem, assertFieldError, smallestOrder, undocumentedCalls } from './lib.mjs';

// --- images made here --------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A real RGB PNG of w × h; pixel(x, y) → [r, g, b]; level 0 stores it uncompressed. */
function png(w, h, pixel = (x, y) => [x * 7 % 256, y * 5 % 256, 120], level = 6) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < w; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level })), chunk('IEND', Buffer.alloc(0))]);
}
/** A 40 × 30 baseline JPEG (made with libgd), red top-left quarter on blue. */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEAYABgAAD//gA7Q1JFQVRPUjogZ2QtanBlZyB2MS4wICh1c2luZyBJSkcgSlBFRyB2NjIpLCBxdWFsaXR5ID0gNzUK/9' +
  'sAQwAIBgYHBgUIBwcHCQkICgwUDQwLCwwZEhMPFB0aHx4dGhwcICQuJyAiLCMcHCg3KSwwMTQ0NB8nOT04MjwuMzQy/9sAQwEJCQkMCwwYDQ0Y' +
  'MiEcITIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIy/8AAEQgAHgAoAwEiAAIRAQMRAf/EAB8AAAEFAQ' +
  'EBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJ' +
  'ChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tr' +
  'e4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIB' +
  'AgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVV' +
  'ZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp' +
  '6vLz9PX29/j5+v/aAAwDAQACEQMRAD8AzKKTcPUUbh6ivC9hV/lf3M/RvreH/nX3oZJ2plPkIOMGmV91k0XHAwUlZ6/mz8o4lnGeaVZRd17v/p' +
  'KCiiivUPCCiiigAooooAKKKKAP/9k=', 'base64');
/** The start of an iPhone photo: an ISO-BMFF ftyp box with the heic brand. */
const HEIC = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(200, 7)]);

/** A multipart/form-data body: parts [{name, filename?, type?, data}]. */
function form(parts, boundary = `----fuwuTest${Math.random().toString(16).slice(2)}`) {
  const bufs = [];
  for (const p of parts) {
    let h = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) h += `; filename="${p.filename}"`;
    h += '\r\n';
    if (p.type) h += `Content-Type: ${p.type}\r\n`;
    bufs.push(Buffer.from(h + '\r\n', 'utf8'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'), Buffer.from('\r\n'));
  }
  bufs.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(bufs), type: `multipart/form-data; boundary=${boundary}` };
}

// --- the server and its people ----------------------------------------------------------------

let srv, admin, tech, tech2, techId, tech2Id, qc, cust, custOther;
let phoneSeq = 0;

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv.url);
  const org = admin.session.user.org_id;
  const mk = async (loginName, name, roles, extra = {}) => {
    const u = await admin.post('/api/v1/users', { login: loginName, name, password: 'exec12345', org_id: org, roles, ...extra });
    assert.equal(u.status, 201, u.text);
    return u.body.id;
  };
  techId = await mk('ex_tech1', '陈师傅', ['technician']);
  tech2Id = await mk('ex_tech2', '刘师傅', ['technician']);
  await mk('ex_qc', '质检周', ['qc']);
  tech = api(srv.url, (await login(srv.url, 'ex_tech1', 'exec12345')).token);
  tech2 = api(srv.url, (await login(srv.url, 'ex_tech2', 'exec12345')).token);
  qc = api(srv.url, (await login(srv.url, 'ex_qc', 'exec12345')).token);
});
after(async () => {
  const missing = srv ? await undocumentedCalls(srv.url) : [];
  await srv?.stop();
  assert.deepEqual(missing, [], 'every route called is in openapi.json');
});

async function newOrder(over = {}) {
  phoneSeq++;
  const res = await admin.post('/api/v1/work-orders', smallestOrder({
    customer: { name: '孙丽', phone: `1371234${String(1000 + phoneSeq).slice(-4)}` }, ...over,
  }));
  assert.equal(res.status, 201, res.text);
  return res.body;
}
async function ev(client, id, event, body = {}) {
  const r = await client.post(`/api/v1/work-orders/${id}/${event}`, body);
  assert.equal(r.status, 200, `${event}: ${r.text}`);
  return r.body;
}
/** An order dispatched to `assignee` and in service; `lines` are added as actual lines before the
 * work starts (added during the work they would be additional items needing consent). */
async function inService(assignee = techId, over = {}, lines = []) {
  const o = await newOrder(over);
  await ev(admin, o.id, 'accept');
  o.lines = [];
  for (const l of lines) {
    const r = await admin.post(`/api/v1/work-orders/${o.id}/lines`, { stage: 'actual', pay_type: 'self_pay', ...l });
    assert.equal(r.status, 201, r.text);
    o.lines.push(r.body.line);
  }
  await ev(admin, o.id, 'dispatch', { assignee_id: assignee });
  await ev(admin, o.id, 'take');
  return { ...(await ev(admin, o.id, 'arrive')), lines: o.lines };
}
const upload = (client, id, parts, headers = {}) => {
  const f = form(parts);
  return client.post(`/api/v1/work-orders/${id}/photos`, f.body, { 'Content-Type': f.type, ...headers });
};
const rss = (field = 'VmRSS') => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
};

// --- photos -----------------------------------------------------------------------------------

test('photos: a JPEG (multipart) and a PNG (raw body) are stored, listed, served with thumbnails', async () => {
  const o = await inService();
  const j = await upload(tech, o.id, [{ name: 'caption', data: '压缩机铭牌' }, { name: 'file', filename: 'IMG_0001.jpg', type: 'image/jpeg', data: JPEG }]);
  assert.equal(j.status, 201, j.text);
  assert.equal(j.body.mime, 'image/jpeg');
  assert.equal(j.body.width, 40);
  assert.equal(j.body.height, 30);
  assert.equal(j.body.size, JPEG.length);
  assert.equal(j.body.caption, '压缩机铭牌');
  assert.equal(j.body.name, 'IMG_0001.jpg');
  assert.equal(j.body.kind, 'photo');
  assert.equal(j.body.data_b64, undefined, 'no data in the answer');
  assert.match(j.headers.get('location'), new RegExp(`/api/v1/attachments/${j.body.id}$`));

  // a PNG as the raw body, named nothing like a PNG: the bytes decide
  const pic = png(1000, 500);
  const p = await tech.post(`/api/v1/work-orders/${o.id}/photos?caption=${encodeURIComponent('安装位置')}&name=photo.bin`, pic,
    { 'Content-Type': 'image/png' });
  assert.equal(p.status, 201, p.text);
  assert.equal(p.body.mime, 'image/png');
  assert.equal(p.body.width, 1000);
  assert.equal(p.body.height, 500);

  const list = await admin.get(`/api/v1/work-orders/${o.id}/photos`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((x) => x.id), [j.body.id, p.body.id]);
  assert.equal(list.body.items[0].created_by_name, '陈师傅');
  assert.ok(list.body.items.every((x) => x.data_b64 === undefined && x.thumb_b64 === undefined));

  // the bytes back, exactly, with the right type and private caching
  const full = await fetch(`${srv.url}${p.body.url}`, { headers: { Authorization: `Bearer ${admin.token}` } });
  assert.equal(full.status, 200);
  assert.equal(full.headers.get('content-type'), 'image/png');
  assert.match(full.headers.get('cache-control'), /private/);
  assert.ok(Buffer.from(await full.arrayBuffer()).equals(pic), 'the PNG comes back byte for byte');
  // the thumbnail: a JPEG, longest side 320
  const th = await fetch(`${srv.url}${p.body.thumb_url}`, { headers: { Authorization: `Bearer ${admin.token}` } });
  assert.equal(th.status, 200);
  assert.equal(th.headers.get('content-type'), 'image/jpeg');
  const tb = Buffer.from(await th.arrayBuffer());
  assert.deepEqual([...tb.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  // SOF0 of the thumbnail: 160 × 320
  const sof = tb.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(sof > 0);
  assert.equal(tb.readUInt16BE(sof + 5), 160, 'thumbnail height');
  assert.equal(tb.readUInt16BE(sof + 7), 320, 'thumbnail width');
  const again = await fetch(`${srv.url}${p.body.thumb_url}`, { headers: { Authorization: `Bearer ${admin.token}`, 'If-None-Match': th.headers.get('etag') } });
  assert.equal(again.status, 304);

  // on the timeline, visible to the customer
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  const ph = tl.body.items.filter((e) => e.event === 'photo');
  assert.equal(ph.length, 2);
  assert.equal(ph[0].data.attachment_id, j.body.id);

  // Idempotency-Key: a retried upload stores one photo
  const k = { 'Idempotency-Key': `photo-${o.id}` };
  const a1 = await upload(tech, o.id, [{ name: 'file', filename: 'x.jpg', data: JPEG }], k);
  assert.equal(a1.status, 201, a1.text);
  const f = form([{ name: 'file', filename: 'x.jpg', data: JPEG }]);
  const a2 = await tech.post(`/api/v1/work-orders/${o.id}/photos`, f.body, { 'Content-Type': f.type, ...k });
  // the same key with a different body (another boundary) is a conflict, never a second photo
  assert.ok([201, 409].includes(a2.status), a2.text);
  const n = (await admin.get(`/api/v1/work-orders/${o.id}/photos`)).body.items.length;
  assert.equal(n, 3);
});

test('photos: text, HEIC, GIF, damaged and empty files are refused with the reason', async () => {
  const o = await inService();
  const txt = await upload(tech, o.id, [{ name: 'file', filename: 'notes.jpg', type: 'image/jpeg', data: '这不是图片，只是文字。' }]);
  assertProblem(txt, 415, 'unsupported_media_type', 'a text file named .jpg');
  assert.match(txt.body.detail, /not an image/);
  const heic = await upload(tech, o.id, [{ name: 'file', filename: 'IMG_1234.HEIC', type: 'image/heic', data: HEIC }]);
  assertProblem(heic, 415, 'unsupported_media_type', 'HEIC');
  assert.equal(heic.body.format, 'heic');
  assert.match(heic.body.detail, /JPEG or PNG/);
  const rawHeic = await tech.post(`/api/v1/work-orders/${o.id}/photos`, HEIC, { 'Content-Type': 'image/heic' });
  assertProblem(rawHeic, 415, 'unsupported_media_type', 'HEIC as a raw body');
  const gif = await upload(tech, o.id, [{ name: 'file', filename: 'a.gif', data: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1') }]);
  assertProblem(gif, 415, 'unsupported_media_type', 'GIF');
  assert.equal(gif.body.format, 'gif');
  const cut = await upload(tech, o.id, [{ name: 'file', filename: 'cut.png', data: png(50, 50).subarray(0, 60) }]);
  assertProblem(cut, 415, 'unsupported_media_type', 'a truncated PNG');
  // a PNG header claiming 60000 × 60000 pixels: refused before decoding
  const bomb = Buffer.from(png(8, 8));
  bomb.writeUInt32BE(60000, 16);
  bomb.writeUInt32BE(60000, 20);
  assertProblem(await upload(tech, o.id, [{ name: 'file', filename: 'bomb.png', data: bomb }]), 413, 'payload_too_large', 'decompression bomb');
  // the form itself
  assertFieldError(await upload(tech, o.id, [{ name: 'caption', data: 'x' }]), 'file', 'no file part');
  assertFieldError(await upload(tech, o.id, [{ name: 'file', filename: '', data: '' }]), 'file', 'empty file');
  assertFieldError(await upload(tech, o.id, [{ name: 'file', filename: 'a.jpg', data: JPEG }, { name: 'other', data: 'x' }]), 'other');
  assertFieldError(await upload(tech, o.id, [{ name: 'file', filename: 'a.jpg', data: JPEG }, { name: 'caption', data: '长'.repeat(201) }]), 'caption');
  const f = form([{ name: 'file', filename: 'a.jpg', data: JPEG }]);
  const truncated = await tech.post(`/api/v1/work-orders/${o.id}/photos`, f.body.subarray(0, f.body.length - 30), { 'Content-Type': f.type });
  assertFieldError(truncated, 'body', 'a truncated form');
  assert.match(truncated.body.detail, /truncated/);
  assertFieldError(await tech.post(`/api/v1/work-orders/${o.id}/photos`, f.body, { 'Content-Type': 'multipart/form-data' }), 'Content-Type', 'no boundary');
  assertProblem(await tech.post(`/api/v1/work-orders/${o.id}/photos`, { file: 'x' }), 415, 'unsupported_media_type', 'JSON');
  assertProblem(await tech.post(`/api/v1/work-orders/${o.id}/photos`, 'hello', { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type');
  // nothing was stored
  assert.equal((await admin.get(`/api/v1/work-orders/${o.id}/photos`)).body.items.length, 0);
  // other routes keep their 1 MiB limit and their JSON rule
  const big = await admin.post('/api/v1/work-orders', 'x'.repeat(1024 * 1024 + 10));
  assertProblem(big, 413, 'payload_too_large');
  assert.match(big.body.detail, /1 MiB/);
});

test('photos: a 9 MiB PNG is accepted; an 11 MiB one is refused (413)', async () => {
  const o = await inService();
  // random pixels stored uncompressed: the file is about w × h × 3 bytes
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed & 255; };
  const nine = png(1750, 1800, () => [rnd(), rnd(), rnd()], 0);
  assert.ok(nine.length > 9 * 1024 * 1024 && nine.length < 10 * 1024 * 1024, `${nine.length}`);
  const ok = await upload(tech, o.id, [{ name: 'file', filename: 'big.png', data: nine }]);
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.width, 1750);
  const eleven = png(2000, 1930, () => [rnd(), rnd(), rnd()], 0);
  assert.ok(eleven.length > 11 * 1024 * 1024, `${eleven.length}`);
  const res = await upload(tech, o.id, [{ name: 'file', filename: 'bigger.png', data: eleven }]);
  assertProblem(res, 413, 'payload_too_large', '11 MiB');
  assert.match(res.body.detail, /10 MiB/);
  const raw = await tech.post(`/api/v1/work-orders/${o.id}/photos`, eleven, { 'Content-Type': 'image/png' });
  assertProblem(raw, 413, 'payload_too_large', '11 MiB raw');
  assert.equal((await admin.get(`/api/v1/work-orders/${o.id}/photos`)).body.items.length, 1);
});

/** POST `size` bytes of zeros with an exact Content-Length through node:http. → {status, body, sent} */
function bigPost(path, size, headers = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(srv.url + path);
    let sent = 0;
    let done = false;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST',
      headers: { Authorization: `Bearer ${tech.token}`, 'Content-Type': 'image/jpeg', 'Content-Length': size, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => { done = true; resolve({ status: res.statusCode, body: JSON.parse(text), sent }); });
    });
    req.on('error', (e) => { if (!done) reject(e); });
    const block = Buffer.alloc(1024 * 1024);
    const write = () => {
      while (sent < size && !done) {
        const n = Math.min(block.length, size - sent);
        sent += n;
        if (!req.write(n === block.length ? block : block.subarray(0, n))) { req.once('drain', write); return; }
      }
      req.end();
    };
    if (headers.Expect) req.on('continue', write); else write();
    if (headers.Expect) req.flushHeaders();
  });
}

test('photos: a 100 MB upload is refused (413) from its Content-Length without the server holding it', async () => {
  const o = await inService();
  const before_ = rss();
  const res = await bigPost(`/api/v1/work-orders/${o.id}/photos`, 100 * 1024 * 1024);
  assert.equal(res.status, 413);
  assert.equal(res.body.code, 'payload_too_large');
  const peak = rss('VmHWM');
  assert.ok(peak - before_ < 60 * 1024 * 1024, `server memory grew by ${Math.round((peak - before_) / 1048576)} MB`);
  // a client that waits for 100 Continue gets the 413 at once and never sends the body
  const early = await bigPost(`/api/v1/work-orders/${o.id}/photos`, 100 * 1024 * 1024, { Expect: '100-continue' });
  assert.equal(early.status, 413);
  assert.equal(early.sent, 0, 'no byte of the body was sent');
  // the server is fine afterwards
  const j = await upload(tech, o.id, [{ name: 'file', filename: 'a.jpg', data: JPEG }]);
  assert.equal(j.status, 201, j.text);
});

test('photos: a customer sees their own order\'s photos only; staff delete, customers cannot', async () => {
  const mineO = await inService(techId, { customer: { name: '钱七', phone: '13766660001' } });
  const theirsO = await inService(techId, { customer: { name: '周八', phone: '13766660002' } });
  const mine = (await upload(tech, mineO.id, [{ name: 'file', filename: 'm.jpg', data: JPEG }])).body;
  const theirs = (await upload(tech, theirsO.id, [{ name: 'file', filename: 't.jpg', data: JPEG }])).body;
  const u = await admin.post('/api/v1/users', { login: 'ex_cust', name: '钱七', password: 'customer1', org_id: admin.session.user.org_id,
    roles: ['customer'], customer_id: mineO.customer_id });
  assert.equal(u.status, 201, u.text);
  cust = api(srv.url, (await login(srv.url, 'ex_cust', 'customer1')).token);
  assert.equal((await cust.get(`/api/v1/attachments/${mine.id}`)).status, 200);
  assert.equal((await cust.get(`/api/v1/attachments/${mine.id}/thumb`)).status, 200);
  assert.equal((await cust.get(`/api/v1/work-orders/${mineO.id}/photos`)).body.items.length, 1);
  assertProblem(await cust.get(`/api/v1/attachments/${theirs.id}`), 404, 'not_found', 'another customer\'s photo');
  assertProblem(await cust.get(`/api/v1/attachments/${theirs.id}/thumb`), 404, 'not_found');
  assertProblem(await cust.get(`/api/v1/work-orders/${theirsO.id}/photos`), 404, 'not_found');
  assertProblem(await cust.get('/api/v1/attachments/99999999'), 404, 'not_found');
  // a customer neither uploads nor deletes
  assertProblem(await upload(cust, mineO.id, [{ name: 'file', filename: 'c.jpg', data: JPEG }]), 403, 'forbidden');
  assertProblem(await cust.del(`/api/v1/work-orders/${mineO.id}/photos/${mine.id}`), 403, 'forbidden');
  // staff delete; the wrong order's id is not found; the audit log keeps it
  assertProblem(await tech.del(`/api/v1/work-orders/${mineO.id}/photos/${theirs.id}`), 404, 'not_found');
  const del = await tech.del(`/api/v1/work-orders/${mineO.id}/photos/${mine.id}`);
  assert.equal(del.status, 204, del.text);
  assertProblem(await admin.get(`/api/v1/attachments/${mine.id}`), 404, 'not_found');
  const audit = await admin.get(`/api/v1/audit-log?entity=attachment&entity_id=${mine.id}`);
  assert.ok(audit.body.items.some((a) => a.action === 'delete'), audit.text);
  const tl = await admin.get(`/api/v1/work-orders/${mineO.id}/timeline`);
  assert.ok(tl.body.items.some((e) => e.event === 'photo_deleted'));
  assertProblem(await upload(tech, 99999999, [{ name: 'file', filename: 'a.jpg', data: JPEG }]), 404, 'not_found');
});

// --- the work log ------------------------------------------------------------------------------

test('work log: one running entry per technician across orders, stop, minutes and totals', async () => {
  const a = await inService(techId);
  const b = await inService(techId);
  const start = await tech.post(`/api/v1/work-orders/${a.id}/worklog/start`, { note: '开始拆机' });
  assert.equal(start.status, 200, start.text);
  assert.equal(start.body.running, true);
  assert.equal(start.body.user_name, '陈师傅');
  assert.equal(start.body.note, '开始拆机');
  // again on the same order, and on another one: refused, naming the running order
  const again = await tech.post(`/api/v1/work-orders/${a.id}/worklog/start`);
  assertProblem(again, 409, 'worklog_running');
  const other = await tech.post(`/api/v1/work-orders/${b.id}/worklog/start`, {});
  assertProblem(other, 409, 'worklog_running', 'a second running entry');
  assert.equal(other.body.running_order_id, a.id);
  assert.equal(other.body.running_order_number, a.number);
  assert.ok(other.body.detail.includes(a.number), other.body.detail);
  // stopping where nothing runs
  assertProblem(await tech.post(`/api/v1/work-orders/${b.id}/worklog/stop`), 409, 'worklog_not_running');
  // another technician may not log on an order that is not theirs; a customer not at all
  assertProblem(await tech2.post(`/api/v1/work-orders/${a.id}/worklog/start`), 403, 'forbidden');
  // a bad note
  assertFieldError(await tech.post(`/api/v1/work-orders/${a.id}/worklog/stop`, { note: 'x'.repeat(501) }), 'note');
  assertFieldError(await tech.post(`/api/v1/work-orders/${a.id}/worklog/stop`, { note: 1 }), 'note');
  assertFieldError(await tech.post(`/api/v1/work-orders/${a.id}/worklog/stop`, { minutes: 5 }), 'minutes');
  const stop = await tech.post(`/api/v1/work-orders/${a.id}/worklog/stop`, { note: '更换完毕' });
  assert.equal(stop.status, 200, stop.text);
  assert.equal(stop.body.running, false);
  assert.ok(stop.body.stopped_at);
  assert.equal(stop.body.note, '开始拆机 / 更换完毕');
  assert.ok(stop.body.minutes >= 0);
  // now the other order may start; the list shows the running one and the totals
  assert.equal((await tech.post(`/api/v1/work-orders/${b.id}/worklog/start`)).status, 200);
  const la = await tech.get(`/api/v1/work-orders/${a.id}/worklog`);
  assert.equal(la.status, 200);
  assert.equal(la.body.items.length, 1);
  assert.equal(la.body.items[0].running, false);
  assert.equal(typeof la.body.total_minutes, 'number');
  assert.equal(la.body.by_user[0].user_name, '陈师傅');
  assert.equal(la.body.my_running.order_id, b.id, 'the caller\'s running entry, wherever it is');
  const lb = await admin.get(`/api/v1/work-orders/${b.id}/worklog`);
  assert.equal(lb.body.items[0].running, true);
  assert.equal(lb.body.my_running, null, 'the admin runs nothing');
  // the timeline has both
  const tl = await admin.get(`/api/v1/work-orders/${a.id}/timeline`);
  assert.deepEqual(tl.body.items.filter((e) => e.event.startsWith('work_')).map((e) => e.event), ['work_start', 'work_stop']);
  await tech.post(`/api/v1/work-orders/${b.id}/worklog/stop`);
});

test('work log: a running timer stops when the order is put on hold or completed', async () => {
  const o = await inService(techId);
  assert.equal((await tech.post(`/api/v1/work-orders/${o.id}/worklog/start`, { note: '拆机' })).status, 200);
  await ev(tech, o.id, 'hold', { kind: 'parts', reason: '等压缩机' });
  let wl = await tech.get(`/api/v1/work-orders/${o.id}/worklog`);
  assert.equal(wl.body.items.length, 1);
  assert.equal(wl.body.items[0].running, false, 'hold stops the timer');
  assert.ok(wl.body.items[0].stopped_at);
  assert.equal(wl.body.my_running, null);
  const tl = await admin.get(`/api/v1/work-orders/${o.id}/timeline`);
  const hold = tl.body.items.find((e) => e.event === 'hold');
  assert.equal(hold.data.worklog_stopped, 1, JSON.stringify(hold));
  // back to work, start again, complete: stopped too, and the technician may start elsewhere
  await ev(tech, o.id, 'resume');
  assert.equal((await tech.post(`/api/v1/work-orders/${o.id}/worklog/start`)).status, 200);
  await ev(tech, o.id, 'complete');
  wl = await tech.get(`/api/v1/work-orders/${o.id}/worklog`);
  assert.deepEqual(wl.body.items.map((i) => i.running), [false, false]);
  const other = await inService(techId);
  assert.equal((await tech.post(`/api/v1/work-orders/${other.id}/worklog/start`)).status, 200);
  await tech.post(`/api/v1/work-orders/${other.id}/worklog/stop`);
});

test('work log: only while the order is being worked on', async () => {
  const o = await newOrder();
  const res = await admin.post(`/api/v1/work-orders/${o.id}/worklog/start`);
  assertProblem(res, 409, 'conflict', 'a new order');
  assert.equal(res.body.order_status, 'new');
  assertProblem(await admin.post('/api/v1/work-orders/99999999/worklog/start'), 404, 'not_found');
});

// --- checklists -----------------------------------------------------------------------------------

test('execution checklist: the repair template merged with what was saved, If-Match, bad input', async () => {
  const o = await inService();
  const g = await tech.get(`/api/v1/work-orders/${o.id}/checklists/execution`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.body.source.kind, 'template');
  assert.equal(g.body.order_type, 'repair');
  const keys = g.body.items.map((i) => i.key);
  assert.ok(keys.includes('fault_confirmed') && keys.includes('function_test'), keys.join());
  const first = g.body.items[0];
  assert.ok(first.label_zh && first.label_en && first.label === first.label_zh, JSON.stringify(first));
  assert.ok(g.body.items.every((i) => i.checked === false));
  assert.equal(g.headers.get('etag'), `"${o.version}"`);
  assert.equal(g.body.order_version, o.version);

  const body = { items: [
    { key: 'fault_confirmed', checked: true, note: '压缩机不启动' },
    { key: 'cause_recorded', label: '诊断故障原因并记录', checked: false },
    { key: 'extra_gas', label: '补充冷媒 R32', checked: true, note: '0.5 kg' },
  ] };
  assertProblem(await tech.put(`/api/v1/work-orders/${o.id}/checklists/execution`, body, { 'If-Match': `"${o.version - 1}"` }), 412, 'precondition_failed');
  const s = await tech.put(`/api/v1/work-orders/${o.id}/checklists/execution`, body, { 'If-Match': `"${o.version}"` });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.order_version, o.version + 1, 'the order\'s version moves');
  assert.equal(s.headers.get('etag'), `"${o.version + 1}"`);
  const byKey = Object.fromEntries(s.body.items.map((i) => [i.key, i]));
  assert.equal(byKey.fault_confirmed.checked, true);
  assert.equal(byKey.fault_confirmed.note, '压缩机不启动');
  assert.equal(byKey.function_test.checked, false, 'template items not sent stay');
  assert.equal(byKey.extra_gas.custom, true);
  assert.equal(byKey.extra_gas.label, '补充冷媒 R32');
  assert.equal(s.body.checked, 2);
  assert.equal(s.body.saved_by.name, '陈师傅');
  // read back: the same
  const g2 = await admin.get(`/api/v1/work-orders/${o.id}/checklists/execution`);
  assert.deepEqual(g2.body.items, s.body.items);
  // the stale version is refused again, nothing lost
  assertProblem(await tech.put(`/api/v1/work-orders/${o.id}/checklists/execution`, { items: [{ key: 'fault_confirmed', checked: false }] },
    { 'If-Match': `"${o.version}"` }), 412, 'precondition_failed');
  assert.equal((await admin.get(`/api/v1/work-orders/${o.id}/checklists/execution`)).body.items[0].checked, true);
  // bad input
  const put = (b) => tech.put(`/api/v1/work-orders/${o.id}/checklists/execution`, b);
  assertFieldError(await put({ items: [] }), 'items');
  assertFieldError(await put({}), 'items');
  assertFieldError(await put({ items: 'x' }), 'items');
  assertFieldError(await put({ items: [{ key: 'a', checked: true }, { key: 'a', checked: false }] }), 'items[1].key');
  assertFieldError(await put({ items: [{ key: 'Bad Key', checked: true }] }), 'items[0].key');
  assertFieldError(await put({ items: [{ key: 'a' }] }), 'items[0].checked');
  assertFieldError(await put({ items: [{ key: 'a', checked: 'yes' }] }), 'items[0].checked');
  assertFieldError(await put({ items: [{ key: 'a', checked: true, extra: 1 }] }), 'items[0].extra');
  assertFieldError(await put({ items: [{ key: 'a', checked: true, note: 'n'.repeat(501) }] }), 'items[0].note');
  assertFieldError(await put({ items: [1] }), 'items[0]');
  assertFieldError(await put({ items: Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, checked: true })) }), 'items');
  assertProblem(await cust.put(`/api/v1/work-orders/${o.id}/checklists/execution`, { items: [{ key: 'a', checked: true }] }), 403, 'forbidden');
  // before dispatch there is nothing to check
  const fresh = await newOrder();
  assertProblem(await admin.put(`/api/v1/work-orders/${fresh.id}/checklists/execution`, { items: [{ key: 'a', checked: true }] }), 409, 'conflict');
  // templates of the other types
  for (const [type, key] of [['install', 'grounding'], ['inspection', 'hazards'], ['consultation', 'answer_given'], ['return', 'proof_checked']]) {
    const x = await newOrder({ type });
    const t = await admin.get(`/api/v1/work-orders/${x.id}/checklists/execution`);
    assert.ok(t.body.items.some((i) => i.key === key), `${type}: ${t.text}`);
  }
});

test('execution checklist: maintenance takes the next service of the model\'s schedule', async () => {
  const m = await admin.post('/api/v1/product-models', { brand: '广汽', category: '汽车', model: `GS4-${process.pid}`, warranty_months: 36,
    maintenance: [
      { name: '首保', km: 5000, months: 6, operations: ['更换机油', '更换机油滤清器', '检查底盘'] },
      { name: '二保', km: 10000, months: 12, operations: ['更换机油', '更换空气滤清器'] },
    ] });
  assert.equal(m.status, 201, m.text);
  const purchase = new Date(Date.now() - 40 * 86400000).toISOString().slice(0, 10);
  const owner = { name: '黄先生', phone: '13855550001' };
  const o0 = await newOrder({ customer: owner });
  const a = await admin.post('/api/v1/assets', { customer_id: o0.customer_id, model_id: m.body.id, serial: `LGBH52E0${process.pid}`, plate: '粤A12345', purchase_date: purchase });
  assert.equal(a.status, 201, a.text);
  const o = await newOrder({ type: 'maintenance', customer: owner, asset_id: a.body.id });
  const g = await admin.get(`/api/v1/work-orders/${o.id}/checklists/execution`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.body.source.kind, 'schedule');
  assert.equal(g.body.source.service.name, '首保');
  assert.equal(g.body.vehicle, true);
  assert.deepEqual(g.body.items.slice(0, 3).map((i) => i.label), ['更换机油', '更换机油滤清器', '检查底盘']);
  assert.ok(g.body.items.some((i) => i.key === 'service_recorded'));
  // a maintenance order without a schedule gets the generic list
  const plain = await newOrder({ type: 'maintenance' });
  const gp = await admin.get(`/api/v1/work-orders/${plain.id}/checklists/execution`);
  assert.equal(gp.body.source.kind, 'template');
  assert.ok(gp.body.items.length >= 3);
});

test('QC template: every actual line, vehicle safety items, the reception\'s damage marks', async () => {
  const m = await admin.post('/api/v1/product-models', { brand: '丰田', category: '汽车', model: `Camry-${process.pid}`, warranty_months: 36 });
  assert.equal(m.status, 201, m.text);
  const owner = { name: '林女士', phone: '13855550002' };
  const o0 = await newOrder({ customer: owner });
  const asset = await admin.post('/api/v1/assets', { customer_id: o0.customer_id, model_id: m.body.id, serial: `VIN${process.pid}QC`, plate: '粤B54321', purchase_date: '2024-05-01' });
  assert.equal(asset.status, 201, asset.text);
  const o = await inService(techId, { customer: owner, asset_id: asset.body.id }, [
    { kind: 'labour', name: '更换刹车片工时', hours: '1', rate_fen: 10000 },
    { kind: 'part', name: '前刹车片', qty: '1', unit_price_fen: 30000 },
  ]);
  const [l1, l2] = o.lines.map((line) => ({ body: { line } }));
  const done = await admin.post(`/api/v1/work-orders/${o.id}/lines/${l1.body.line.id}/done`, { done: true });
  assert.ok([200, 201].includes(done.status), done.text);
  const cur = (await admin.get(`/api/v1/work-orders/${o.id}`)).body;
  const rec = await admin.put(`/api/v1/work-orders/${o.id}/reception`, { damages: [{ area: 'front_left', kind: 'scratch', note: '左前门划痕 5cm' }], fuel: 50, mileage: 12000 },
    { 'If-Match': `"${cur.version}"` });
  assert.equal(rec.status, 200, rec.text);

  const t = await qc.get(`/api/v1/work-orders/${o.id}/checklists/qc`);
  assert.equal(t.status, 200, t.text);
  assert.equal(t.body.vehicle, true);
  const lines = t.body.items.filter((i) => i.group === 'lines');
  assert.deepEqual(lines.map((i) => i.line_id), [l1.body.line.id, l2.body.line.id]);
  assert.deepEqual(lines.map((i) => i.line_done), [true, false]);
  assert.ok(lines[0].label.includes('更换刹车片工时'));
  assert.equal(t.body.lines_not_done, 1);
  const keys = t.body.items.map((i) => i.key);
  for (const k of ['safety_brakes', 'safety_tyres', 'safety_lights', 'no_new_damage']) assert.ok(keys.includes(k), `${k} in ${keys}`);
  assert.ok(!keys.includes('safety_grounding'));
  const dmg = t.body.items.find((i) => i.key === 'no_new_damage');
  assert.equal(dmg.label, '与接车单对比无新增损伤');
  assert.equal(dmg.reception_damage.length, 1);
  assert.match(dmg.reception_damage[0], /左前门划痕/);
  assert.equal(t.body.reception.exists, true);
  assert.equal(t.body.reception.damages[0].area, 'front_left');
  assert.equal(t.body.last, null);
  // an appliance order without a reception: electrical safety, "before the work"
  const a = await inService();
  const ta = await qc.get(`/api/v1/work-orders/${a.id}/checklists/qc`);
  const ak = ta.body.items.map((i) => i.key);
  assert.ok(ak.includes('safety_electrical') && ak.includes('safety_grounding') && !ak.includes('safety_brakes'), ak.join());
  assert.equal(ta.body.items.find((i) => i.key === 'no_new_damage').label, '与服务前相比无新增损伤');
  assert.equal(ta.body.reception.exists, false);
  assertProblem(await cust.get(`/api/v1/work-orders/${a.id}/checklists/qc`), 404, 'not_found', 'another customer\'s order');
});

// --- QC decision and the rework report -------------------------------------------------------------

test('QC fail sends the order back as rework; the rework report counts it per technician', async () => {
  const o = await inService(tech2Id, {}, [{ kind: 'fee', name: '上门费', qty: '1', unit_price_fen: 3000 }]);
  const d = await admin.post(`/api/v1/work-orders/${o.id}/lines/${o.lines[0].id}/done`, { done: true });
  assert.ok([200, 201].includes(d.status), d.text);
  let cur = await ev(tech2, o.id, 'complete');
  const t = (await qc.get(`/api/v1/work-orders/${o.id}/checklists/qc`)).body;
  const list = t.items.map((i) => ({ key: i.key, label: i.label, checked: i.key !== 'safety_grounding', note: i.key === 'safety_grounding' ? '接地电阻偏大' : '' }));
  // pass refused while an item is unchecked
  const pass = await qc.post(`/api/v1/work-orders/${o.id}/qc-pass`, { checklist: list }, { 'If-Match': `"${cur.version}"` });
  assertProblem(pass, 409, 'invalid_transition', 'an unchecked item');
  assert.equal(pass.body.guard, 'lines_not_done');
  const fail = await qc.post(`/api/v1/work-orders/${o.id}/qc-fail`, { checklist: list, reason: '接地不可靠，需返工' }, { 'If-Match': `"${cur.version}"` });
  assert.equal(fail.status, 200, fail.text);
  assert.equal(fail.body.status, 'in_service');
  assert.equal(fail.body.rework_count, 1);
  // the QC template now shows the failed decision
  const t2 = (await qc.get(`/api/v1/work-orders/${o.id}/checklists/qc`)).body;
  assert.equal(t2.last.result, 'fail');
  assert.equal(t2.rework_count, 1);
  // rework, then pass
  cur = await ev(tech2, o.id, 'complete');
  const all = t.items.map((i) => ({ key: i.key, label: i.label, checked: true }));
  const ok = await qc.post(`/api/v1/work-orders/${o.id}/qc-pass`, { checklist: all }, { 'If-Match': `"${cur.version}"` });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.status, 'qc_passed');

  const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
  const rep = await admin.get(`/api/v1/reports/rework?from=${today}&to=${today}`);
  assert.equal(rep.status, 200, rep.text);
  const row = rep.body.items.find((i) => i.technician.id === tech2Id);
  assert.ok(row, rep.text);
  assert.equal(row.technician.name, '刘师傅');
  assert.equal(row.orders, 1);
  assert.equal(row.reworks, 1);
  assert.equal(row.qc_fail, 1);
  assert.equal(row.reworked_orders, 1);
  assert.equal(row.rework_rate, 1);
  assert.ok(rep.body.total.reworks >= 1);
  // the drill-down: the technician's orders with their reworks
  const drill = await admin.get(`/api/v1/reports/rework?from=${today}&to=${today}&technician_id=${tech2Id}`);
  const od = drill.body.orders.find((x) => x.id === o.id);
  assert.equal(od.reworks_count, 1);
  assert.equal(od.last_reason, '接地不可靠，需返工');
  // a period before: nothing
  const old = await admin.get('/api/v1/reports/rework?from=2020-01-01&to=2020-01-31');
  assert.deepEqual(old.body.items, []);
  assert.equal(old.body.total.rework_rate, 0);
  // bad input, and who may
  assertFieldError(await admin.get('/api/v1/reports/rework?from=yesterday'), 'from');
  assertFieldError(await admin.get('/api/v1/reports/rework?from=2026-02-01&to=2026-01-01'), 'to');
  assertFieldError(await admin.get('/api/v1/reports/rework?technician_id=x'), 'technician_id');
  assertProblem(await cust.get('/api/v1/reports/rework'), 403, 'forbidden');
  const def = await qc.get('/api/v1/reports/rework');
  assert.equal(def.status, 200, 'the last 30 days by default');
});
