// The technician's phone on a flaky connection: every action is put in a queue in the browser
// (IndexedDB: photos as blobs) and sent from there, in order, as soon as the phone is online.
// - Each action gets its Idempotency-Key when it is taken; a resend (a lost answer, a retry)
//   carries the same key and the same body bytes, so the server answers the first result and
//   never applies it twice.
// - Writes that move the order's version carry If-Match = the version the technician saw
//   (rebased on the answers of the queue's own earlier actions): a change by someone else in
//   the meantime is a 412, shown in words, never dropped.
// - A refused action (409/412/403/400…) stays in the queue as "failed" with the reason, and holds
//   back the later actions of the same order until the technician retries or discards it.
// - Network errors, 5xx and 429 leave the action pending; it is sent again with a back-off and
//   at once when the browser says it is online again.
// The order data the screens show is cached here too (the last answer of each GET), so a phone
// that loses the network keeps its day's orders.
import { reactive, toRaw } from 'vue'
import { api, request, upload, ApiError } from '../../api.js'
import { session } from '../../session.js'
import { newKey } from '../work-orders/flow.js'

const DB_NAME = 'fuwu-mobile'
const Q = 'queue'
const C = 'cache'

let dbp = null
function db() {
  if (!dbp) {
    dbp = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, 1)
      r.onupgradeneeded = () => {
        const d = r.result
        if (!d.objectStoreNames.contains(Q)) d.createObjectStore(Q, { keyPath: 'seq', autoIncrement: true })
        if (!d.objectStoreNames.contains(C)) d.createObjectStore(C)
      }
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
  }
  return dbp
}

async function tx(store, mode, fn) {
  const d = await db()
  return new Promise((resolve, reject) => {
    const t = d.transaction(store, mode)
    const s = t.objectStore(store)
    let out
    const r = fn(s)
    if (r) r.onsuccess = () => { out = r.result }
    t.oncomplete = () => resolve(out)
    t.onerror = () => reject(t.error)
    t.onabort = () => reject(t.error)
  })
}

const userKey = () => String((session.user && session.user.id) || 0)

// --- the cache of GET answers ---------------------------------------------------------------

export async function cacheGet(key) {
  try {
    return (await tx(C, 'readonly', (s) => s.get(userKey() + ':' + key))) || null
  } catch {
    return null
  }
}

export async function cachePut(key, value) {
  try {
    await tx(C, 'readwrite', (s) => s.put(JSON.parse(JSON.stringify(value)), userKey() + ':' + key))
  } catch {
    /* a full disk only costs the offline copy */
  }
}

// GET through the cache: the server's answer when it answers (and it is kept), else the copy.
// Returns {data, offline} ({data: null} when neither is there).
export async function cachedGet(path, query, key = path) {
  try {
    const data = await api.get(path, query)
    await cachePut(key, data)
    return { data, offline: false }
  } catch (e) {
    if (e instanceof ApiError && e.status !== 0 && e.status < 500) throw e
    const data = await cacheGet(key)
    if (data === null) throw e
    return { data, offline: true }
  }
}

// --- the queue ------------------------------------------------------------------------------

// Reactive view for the screens: the current user's actions (oldest first), whether a send is
// running, whether the browser says it is online.
export const queue = reactive({ items: [], sending: false, online: navigator.onLine, lastError: '', needLogin: false, loaded: false })

async function reload() {
  try {
    const all = (await tx(Q, 'readonly', (s) => s.getAll())) || []
    queue.items = all.filter((a) => a.user === userKey()).sort((a, b) => a.seq - b.seq)
  } catch {
    queue.items = []
  }
  queue.loaded = true
}

async function save(a) {
  const raw = toRaw(a)
  await tx(Q, 'readwrite', (s) => s.put(raw))
}

async function drop(seq) {
  await tx(Q, 'readwrite', (s) => s.delete(seq))
}

// The order's version the server last told us (kept with the cached order).
const versions = new Map()
export function knowVersion(orderId, v) {
  if (orderId && Number.isInteger(v) && v > 0) versions.set(Number(orderId), v)
}
export const knownVersion = (orderId) => versions.get(Number(orderId)) || null

// Which kinds of action move the order's version (and so carry If-Match).
const VERSIONED = new Set(['event', 'line', 'approval', 'checklist', 'late'])

/**
 * Put an action in the queue and start sending. a = {type, order, body?, event?, blob?, name?,
 * caption?, op?, label?}; order = {id, number, version}. Resolves to the stored action.
 * type: event (POST /work-orders/{id}/{event}), comment, photo, line, approval, worklog (op start|stop),
 * checklist (PUT), late (POST /work-orders/{id}/late).
 */
export async function enqueue(a) {
  const order = a.order || {}
  const action = {
    type: a.type,
    user: userKey(),
    orderId: order.id,
    number: order.number || '',
    event: a.event || null,
    op: a.op || null,
    body: a.body === undefined ? {} : a.body,
    blob: a.blob || null,
    name: a.name || null,
    caption: a.caption || null,
    base: VERSIONED.has(a.type) ? knownVersion(order.id) || order.version || null : null,
    key: newKey('m-' + a.type),
    at: new Date().toISOString(),
    state: 'pending', // pending | sending | failed
    attempts: 0,
    error: '',
    errorCode: '',
    current: null, // the order as the server has it, after a 412
  }
  const d = await db()
  action.seq = await new Promise((resolve, reject) => {
    const t = d.transaction(Q, 'readwrite')
    const r = t.objectStore(Q).add(action)
    r.onsuccess = () => resolve(r.result)
    t.onerror = () => reject(t.error)
  })
  await reload()
  drain()
  return action
}

// --- sending --------------------------------------------------------------------------------

const listeners = new Set()
// fn(action, result, what) after each action the server applied (what 'applied'), refused
// ('failed') or the technician discarded ('discarded'): the screens update their copies.
export function onApplied(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}
function tell(a, res, what) {
  for (const fn of listeners) {
    try {
      fn(a, res, what)
    } catch {
      /* a screen's refresh must not stop the queue */
    }
  }
}

const ifMatch = (a) => (a.base ? { ifMatch: a.base } : {})
const idem = (a) => ({ 'Idempotency-Key': a.key })

async function send(a) {
  const id = a.orderId
  switch (a.type) {
    case 'event':
      return request('POST', `/work-orders/${id}/${a.event}`, { body: a.body, ...ifMatch(a), headers: idem(a) })
    case 'comment':
      return request('POST', `/work-orders/${id}/comments`, { body: a.body, headers: idem(a) })
    case 'line':
      return request('POST', `/work-orders/${id}/lines`, { body: a.body, ...ifMatch(a), headers: idem(a) })
    case 'approval':
      return request('POST', `/work-orders/${id}/approvals`, { body: a.body, ...ifMatch(a), headers: idem(a) })
    case 'worklog':
      return request('POST', `/work-orders/${id}/worklog/${a.op}`, { body: a.body, headers: idem(a) })
    case 'checklist':
      return request('PUT', `/work-orders/${id}/checklists/execution`, { body: a.body, ...ifMatch(a), headers: idem(a) })
    case 'late':
      return request('POST', `/work-orders/${id}/late`, { body: a.body, ...ifMatch(a), headers: idem(a) })
    case 'photo':
      // the raw image as the body (not a form): the same bytes on every resend, so the server
      // recognises a resend by its Idempotency-Key (a form would get a new boundary each time)
      return upload(`/work-orders/${id}/photos`, a.blob, {
        contentType: a.blob.type || 'image/jpeg',
        query: { name: a.name || undefined, caption: a.caption || undefined },
        headers: idem(a),
      })
    default:
      throw new Error('unknown action ' + a.type)
  }
}

// A signature's approval is decided when it is first sent (the server knows then which parts
// wait for the customer's consent): additional items waiting → their consent, else the sign-off
// of the order's charges. The body is stored before sending, so a resend is the same request.
async function prepare(a) {
  if (a.type !== 'approval' || a.body.kind) return
  const lines = await api.get(`/work-orders/${a.orderId}/lines`)
  const waiting = (lines.actual || []).some((l) => l.additional && !l.consent_at)
  a.body = { kind: waiting ? 'additional' : 'estimate', by_name: a.body.by_name, channel: 'signature', signature: a.body.signature }
  knowVersion(a.orderId, lines.version)
  await save(a)
}

// A resend of an action the server keeps no key for (the work log, the checklist's PUT) is
// recognised by its answer: the state it asked for is there already.
async function alreadyApplied(a, e) {
  if (!a.attempts || a.attempts < 2) return false
  const p = e.problem || {}
  if (a.type === 'worklog') {
    if (a.op === 'start') return e.code === 'worklog_running' && Number(p.running_order_id) === Number(a.orderId)
    return e.code === 'worklog_not_running'
  }
  if (a.type === 'checklist' && e.status === 412) {
    try {
      const l = await api.get(`/work-orders/${a.orderId}/checklists/execution`)
      const have = new Map((l.items || []).map((i) => [i.key, !!i.checked]))
      return (a.body.items || []).every((i) => have.get(i.key) === !!i.checked)
    } catch {
      return false
    }
  }
  return false
}

function versionOf(a, res) {
  if (!res || typeof res !== 'object') return null
  if (Number.isInteger(res.version) && (a.type === 'event' || a.type === 'line' || a.type === 'approval' || a.type === 'late')) return res.version
  return null
}

let timer = null
let backoff = 0
function later() {
  clearTimeout(timer)
  backoff = Math.min(backoff ? backoff * 2 : 3000, 60000)
  timer = setTimeout(drain, backoff)
}

let running = null
export function drain() {
  if (!running) running = run().finally(() => { running = null })
  return running
}

async function run() {
  await reload()
  if (!navigator.onLine || !session.user) return
  queue.sending = true
  try {
    for (;;) {
      const held = new Set(queue.items.filter((x) => x.state === 'failed').map((x) => x.orderId))
      const a = queue.items.find((x) => x.state !== 'failed' && !held.has(x.orderId))
      if (!a) break
      a.state = 'sending'
      a.attempts++
      await save(a)
      let res
      try {
        await prepare(a)
        res = await send(a)
      } catch (e) {
        const status = e instanceof ApiError ? e.status : 0
        if (status === 0 || status >= 500 || status === 429 || status === 401) {
          // not refused: sent again later with the same key
          a.state = 'pending'
          a.error = ''
          await save(a)
          queue.needLogin = status === 401
          queue.lastError = status === 0 ? 'network' : String(status)
          await reload()
          later()
          return
        }
        if (await alreadyApplied(a, e)) {
          res = null
        } else {
          a.state = 'failed'
          a.errorCode = e.code || String(status)
          a.status = status
          a.problem = e.problem ? JSON.parse(JSON.stringify(e.problem)) : null
          a.current = (e.problem && e.problem.current) || null
          if (a.current) {
            knowVersion(a.orderId, a.current.version)
            await cachePut('order:' + a.orderId, a.current) // the screens show the order as it is now
          }
          await save(a)
          await reload()
          tell(a, null, 'failed')
          continue
        }
      }
      // applied: later actions of this order that were based on the version before move on
      let v = versionOf(a, res)
      if (!v && VERSIONED.has(a.type)) {
        try {
          v = (await api.getWorkOrder(a.orderId)).version
        } catch {
          v = null
        }
      }
      if (v && a.base) {
        for (const x of queue.items) {
          if (x.seq > a.seq && x.orderId === a.orderId && x.base === a.base) {
            x.base = v
            await save(x)
          }
        }
      }
      if (v) knowVersion(a.orderId, v)
      await drop(a.seq)
      queue.lastError = ''
      queue.needLogin = false
      backoff = 0
      await reload()
      tell(a, res, 'applied')
    }
  } finally {
    queue.sending = false
  }
}

// The technician's answer to a refused action.
export async function retry(a) {
  const x = queue.items.find((i) => i.seq === a.seq)
  if (!x) return
  x.state = 'pending'
  x.error = ''
  // after a 412 the technician saw what changed and sends it on the current version
  if (x.current && x.current.version) x.base = x.current.version
  else if (knownVersion(x.orderId)) x.base = knownVersion(x.orderId)
  x.current = null
  await save(x)
  backoff = 0
  drain()
}

export async function discard(a) {
  if (a.blob) a.blob = null
  await drop(a.seq)
  await reload()
  tell(a, null, 'discarded')
  drain()
}

// Sending starts when the browser is back online, when the page loads and every minute.
window.addEventListener('online', () => {
  queue.online = true
  backoff = 0
  drain()
})
window.addEventListener('offline', () => {
  queue.online = false
})
setInterval(() => {
  queue.online = navigator.onLine
  if (queue.items.some((a) => a.state === 'pending')) drain()
}, 60000)

export function startQueue() {
  return drain()
}

// The actions not yet applied, of one order.
export const pendingOf = (orderId) => queue.items.filter((a) => Number(a.orderId) === Number(orderId))
