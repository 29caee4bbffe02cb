// The technician's steps, as queued actions (offline.js sends them): the state events, and on
// departure the ETA told to the customer (a public comment: the customer sees it in the portal).
import { i18n } from '../../i18n.js'
import { session } from '../../session.js'
import { enqueue, cachePut } from './offline.js'
import { here, locate, etaTo } from './geo.js'
import { hhmm } from './state.js'

const zh = (key, args) => i18n.global.t(key, args || {}, { locale: 'zh-CN' })

const ref = (o) => ({ id: o.id, number: o.number, version: o.version })

// Keep the order's card for the screens while its actions wait (the list may not have it).
async function remember(o) {
  // eslint-disable-next-line no-unused-vars
  const { pending, failed, serverStatus, ...copy } = o
  await cachePut('order:' + o.id, { ...copy, status: serverStatus || o.status })
}

export async function stateEvent(o, ev, body = {}) {
  await remember(o)
  return enqueue({ type: 'event', order: ref(o), event: ev, body })
}

// 出发: the event, and — when the phone knows where it is — the ETA for the customer.
// Returns the ETA ({km, minutes, at}) or null.
export async function depart(o) {
  await remember(o)
  if (here.lat == null || !here.at || Date.now() - here.at > 120000) await locate({ timeout: 5000, force: true })
  const eta = etaTo(o)
  // the expected arrival goes with the event: the customer's SMS says when
  await enqueue({ type: 'event', order: ref(o), event: 'depart', body: eta ? { eta: eta.at.toISOString() } : {} })
  if (eta) {
    const name = (session.user && session.user.name) || ''
    await enqueue({
      type: 'comment',
      order: ref(o),
      body: { text: zh('mobile.etaComment', { name, time: hhmm(eta.at), min: eta.minutes, km: eta.km.toFixed(1) }), public: true },
    })
  }
  return eta
}
