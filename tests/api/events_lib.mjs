// events_lib.mjs — a small server-sent events client for the tests and the benchmark of the
// live stream (GET /api/v1/events): opens a stream with node:http, parses the events as they
// arrive, and lets a test wait for the next event that matches, or check that none came.
import http from 'node:http';

/**
 * Open a stream. → {status, headers, events, comments, body (non-200), next(pred, ms),
 * none(pred), close(), closed}. Each event: {id, event, data (parsed JSON), at (ms of arrival)}.
 */
export function openEvents(url, { token, headers = {}, path = '/api/v1/events' } = {}) {
  const h = { Accept: 'text/event-stream', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  const u = new URL(url + path);
  return new Promise((resolve, reject) => {
    const req = http.get({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: h, agent: false }, (res) => {
      const s = {
        status: res.statusCode, headers: res.headers, events: [], comments: 0, body: '', closed: false,
        waiters: new Set(),
        close() { req.destroy(); s.closed = true; },
        /** The first event after position `from` (default: any received so far not yet taken
         * by next) that matches pred, within ms. */
        next(pred = () => true, ms = 1000) {
          return new Promise((res2, rej) => {
            const check = () => {
              for (let i = s.cursor; i < s.events.length; i++) {
                if (pred(s.events[i])) {
                  s.cursor = i + 1;
                  return s.events[i];
                }
              }
              return null;
            };
            const hit = check();
            if (hit) return res2(hit);
            const w = () => {
              const e = check();
              if (e) {
                clearTimeout(timer);
                s.waiters.delete(w);
                res2(e);
              } else if (s.closed) {
                clearTimeout(timer);
                s.waiters.delete(w);
                rej(new Error('stream closed'));
              }
            };
            const timer = setTimeout(() => {
              s.waiters.delete(w);
              rej(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(s.events.map((e) => [e.id, e.event, e.data && e.data.event]))}`));
            }, ms);
            s.waiters.add(w);
          });
        },
        /** Wait until cond() is true (checked as events arrive), within ms. */
        until(cond, ms = 1000) {
          return new Promise((res2, rej) => {
            if (cond()) return res2();
            const w = () => {
              if (cond()) {
                clearTimeout(timer);
                s.waiters.delete(w);
                res2();
              }
            };
            const timer = setTimeout(() => {
              s.waiters.delete(w);
              rej(new Error(`condition not met within ${ms} ms; got ${JSON.stringify(s.events.map((e) => [e.id, e.data && e.data.event]))}`));
            }, ms);
            s.waiters.add(w);
          });
        },
        /** Events received so far that match pred. */
        all(pred = () => true) { return s.events.filter(pred); },
        cursor: 0,
      };
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        res.on('data', (d) => { s.body += d; });
        res.on('end', () => {
          try { s.body = JSON.parse(s.body); } catch { /* text */ }
          resolve(s);
        });
        return;
      }
      let buf = '';
      res.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { at: Date.now() };
          let data = null;
          let comment = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { comment = true; continue; }
            const c = line.indexOf(':');
            const k = c < 0 ? line : line.slice(0, c);
            const v = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
            if (k === 'data') data = data === null ? v : `${data}\n${v}`;
            else if (k === 'id') ev.id = Number(v);
            else if (k === 'event') ev.event = v;
            else if (k === 'retry') ev.retry = Number(v);
          }
          if (data === null) {
            if (comment) s.comments++;
            continue;
          }
          try { ev.data = JSON.parse(data); } catch { ev.data = data; }
          s.events.push(ev);
        }
        for (const w of [...s.waiters]) w();
      });
      res.on('end', () => { s.closed = true; for (const w of [...s.waiters]) w(); });
      res.on('error', () => { s.closed = true; });
      resolve(s);
    });
    req.on('error', reject);
  });
}

/** Wait until the stream has nothing new for `ms` (no event arrives), then return the events. */
export async function quiet(s, ms = 300) {
  let n = -1;
  while (n !== s.events.length) {
    n = s.events.length;
    await new Promise((r) => setTimeout(r, ms));
  }
  return s.events;
}
