// Live progress: one EventSource on /api/v1/events for the whole app, shared by the views that
// subscribe (the work-order list, the wall board, the detail page). The browser sends the
// session cookie with it. EventSource reconnects by itself after a dropped connection (sending
// Last-Event-ID); when the server refuses (401, 503) it gives up, so we open a new one after a
// growing pause, resuming from the last id we saw.
//
//   const off = subscribe((e) => { … })   // e: {id, order_id, number, event, status, at, actor}
//                                         //    or {type: 'reset'}: reload everything shown
//   onUnmounted(off)
//   liveState.status: 'idle' | 'connecting' | 'open' | 'retrying'
import { reactive } from 'vue'

export const liveState = reactive({ status: 'idle', lastId: null, received: 0 })

const subscribers = new Set()
let source = null
let retryTimer = null
let closeTimer = null
let backoff = 1000

function emit(e) {
  for (const fn of [...subscribers]) {
    try {
      fn(e)
    } catch (err) {
      console.error('live subscriber failed', err)
    }
  }
}

function connect() {
  clearTimeout(retryTimer)
  retryTimer = null
  const url = '/api/v1/events' + (liveState.lastId ? `?last_event_id=${encodeURIComponent(liveState.lastId)}` : '')
  liveState.status = 'connecting'
  const es = new EventSource(url, { withCredentials: true })
  source = es
  es.onopen = () => {
    liveState.status = 'open'
    backoff = 1000
  }
  es.addEventListener('wo', (m) => {
    let data
    try {
      data = JSON.parse(m.data)
    } catch {
      return
    }
    if (m.lastEventId) liveState.lastId = m.lastEventId
    liveState.received++
    emit({ id: Number(m.lastEventId), ...data })
  })
  es.addEventListener('reset', (m) => {
    if (m.lastEventId) liveState.lastId = m.lastEventId
    emit({ type: 'reset' })
  })
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      // refused (session ended, server full): try again later with a new stream
      es.close()
      if (source === es) source = null
      if (!subscribers.size) return
      liveState.status = 'retrying'
      retryTimer = setTimeout(connect, backoff)
      backoff = Math.min(backoff * 2, 30000)
    } else {
      liveState.status = 'connecting' // EventSource is reconnecting by itself
    }
  }
}

function disconnect() {
  clearTimeout(retryTimer)
  retryTimer = null
  if (source) source.close()
  source = null
  liveState.status = 'idle'
}

/** Receive live events until the returned function is called. */
export function subscribe(fn) {
  subscribers.add(fn)
  clearTimeout(closeTimer)
  if (!source && !retryTimer) connect()
  return () => {
    subscribers.delete(fn)
    // a view that follows another subscribes at once: keep the stream open a moment
    if (!subscribers.size) closeTimer = setTimeout(() => subscribers.size || disconnect(), 2000)
  }
}

/** Collect events for `ms` and hand them over together (a burst becomes one reload). */
export function batched(fn, ms = 400) {
  let pending = []
  let timer = null
  return (e) => {
    pending.push(e)
    if (timer) return
    timer = setTimeout(() => {
      const list = pending
      pending = []
      timer = null
      fn(list)
    }, ms)
  }
}
