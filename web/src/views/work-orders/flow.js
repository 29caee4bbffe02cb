// The work order's flow as the screens show it (DOMAIN §3): which of the two flows an order
// follows, the steps of each and where the order stands, the state events with their words,
// and a refused event's answer (409/412/403/422) in words.
import { i18n } from '../../i18n.js'
import { ApiError, errorMessage } from '../../api.js'
import { label } from '../../format.js'

const t = (key, args) => i18n.global.t(key, args || {})
const te = (key) => i18n.global.te(key)

// A car workshop order: maintenance, a vehicle with a plate, or a customer who walked in.
export function flowOf(order, asset) {
  if (!order) return 'service'
  if (order.type === 'maintenance' || order.channel === 'walk_in') return 'workshop'
  if (asset && asset.plate) return 'workshop'
  return 'service'
}

// Steps: key (its word), the tab it opens.
export const FLOW_STEPS = {
  workshop: [
    { key: 'reception', tab: 'reception' },
    { key: 'estimate', tab: 'lines' },
    { key: 'work', tab: 'work' },
    { key: 'qc', tab: 'qc' },
    { key: 'delivery', tab: 'bill' },
  ],
  service: [
    { key: 'request', tab: 'overview' },
    { key: 'dispatch', tab: 'overview' },
    { key: 'onsite', tab: 'work' },
    { key: 'confirm', tab: 'bill' },
  ],
}

// Index of the step the order is at (steps.length when the flow is finished).
export function stepIndex(flow, order) {
  const s = order && order.status
  if (flow === 'workshop') {
    switch (s) {
      case 'new':
        return 0
      case 'accepted':
      case 'dispatched':
      case 'taken':
      case 'on_the_way':
        return order.approved_at ? 2 : 1
      case 'in_service':
      case 'waiting_parts':
      case 'waiting_customer':
        return 2
      case 'completed':
        return 3
      case 'qc_passed':
      case 'settled':
        return 4
      case 'closed':
      case 'followed_up':
        return 5
      default:
        return 0
    }
  }
  switch (s) {
    case 'new':
    case 'accepted':
      return 0
    case 'dispatched':
    case 'taken':
      return 1
    case 'on_the_way':
    case 'in_service':
    case 'waiting_parts':
    case 'waiting_customer':
      return 2
    case 'completed':
    case 'qc_passed':
    case 'settled':
      return 3
    case 'closed':
    case 'followed_up':
      return 4
    default:
      return 0
  }
}

// The state events in the order the action bar shows them; the last ones are the exits.
export const EVENTS = ['accept', 'dispatch', 'take', 'decline', 'depart', 'arrive', 'hold', 'resume', 'complete',
  'qc-pass', 'qc-fail', 'settle', 'close', 'follow-up', 'reopen', 'cancel']

// What an event needs from the user before it is sent.
export const EVENT_INPUT = {
  dispatch: 'technician',
  decline: 'reason',
  cancel: 'reason',
  'qc-fail': 'reason',
  reopen: 'reason',
  hold: 'hold',
}

const BUTTON_TYPE = {
  accept: 'primary', dispatch: 'primary', take: 'primary', depart: 'primary', arrive: 'primary', resume: 'primary',
  complete: 'success', 'qc-pass': 'success', settle: 'primary', close: 'primary', 'follow-up': 'primary',
  decline: 'warning', hold: 'warning', 'qc-fail': 'danger', cancel: 'danger', reopen: 'warning',
}
export const buttonType = (ev) => BUTTON_TYPE[ev] || 'default'

const key = (ev) => String(ev).replace(/-/g, '_')

// The button's word for an event; a few depend on the flow (arrive: 到达现场 / 开始作业).
export function eventLabel(ev, flow, order) {
  const k = key(ev)
  if (ev === 'dispatch' && order && ['dispatched', 'taken', 'on_the_way'].includes(order.status)) return t('woFlow.ev.redispatch')
  if (flow && te(`woFlow.ev.${k}_${flow}`)) return t(`woFlow.ev.${k}_${flow}`)
  return te(`woFlow.ev.${k}`) ? t(`woFlow.ev.${k}`) : ev
}

// A timeline item's title.
export function timelineLabel(event) {
  const k = key(event)
  if (te(`woFlow.tl.${k}`)) return t(`woFlow.tl.${k}`)
  if (te(`timeline.${k}`)) return t(`timeline.${k}`)
  return event
}

// Where a refused rule is put right: the tab to open.
export const GUARD_TAB = { consent_pending: 'lines', approval_needed: 'lines', lines_not_done: 'lines', not_paid: 'bill', qc_required: 'qc' }

// A refused event in words: 409 names the guard, 412 says someone else changed the order,
// 403 says who may, 422 the fields. Returns {text, stale, fields}.
export function refusal(e) {
  if (!(e instanceof ApiError)) return { text: errorMessage(e), stale: false, fields: {} }
  const p = e.problem || {}
  if (e.status === 412) return { text: t('woFlow.err.stale'), stale: true, fields: {} }
  if (e.status === 409 && e.code === 'invalid_transition') {
    const g = p.guard && te(`woFlow.guard.${p.guard}`) ? t(`woFlow.guard.${p.guard}`) : ''
    const allowed = (p.allowed || []).map((a) => eventLabel(a)).join(t('common.listSep'))
    const state = p.state ? label('status', p.state) : ''
    if (g && p.guard !== 'state') return { text: g, stale: false, fields: {}, guard: p.guard }
    return {
      text: allowed ? t('woFlow.err.stateAllowed', { state, allowed }) : t('woFlow.err.stateNone', { state }),
      stale: false,
      fields: {},
    }
  }
  if (e.status === 403) {
    const assignee = /assigned technician/.test(e.detail || '')
    return { text: assignee ? t('woFlow.err.notAssignee') : t('woFlow.err.forbidden'), stale: false, fields: {} }
  }
  return { text: errorMessage(e), stale: false, fields: e.fieldErrors || {} }
}

// Money in fen as ¥1,234.50.
export function yuan(fen) {
  if (fen === null || fen === undefined || fen === '') return t('common.none')
  const n = Number(fen)
  if (!Number.isFinite(n)) return String(fen)
  const sign = n < 0 ? '-' : ''
  const a = Math.abs(n)
  const whole = Math.floor(a / 100).toLocaleString('en-US')
  return `${sign}¥${whole}.${String(a % 100).padStart(2, '0')}`
}

// A duration in ms in words: 2小时5分 / 2 h 5 min.
export function duration(ms) {
  const m = Math.max(0, Math.round(Number(ms || 0) / 60000))
  const d = Math.floor(m / 1440)
  const h = Math.floor((m % 1440) / 60)
  const min = m % 60
  if (d) return t('woFlow.dur.dh', { d, h })
  if (h) return t('woFlow.dur.hm', { h, m: min })
  return t('woFlow.dur.m', { m: min })
}

// The open statuses a technician works on.
export const TECH_OPEN = ['dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts', 'waiting_customer']

// The quick events of a technician's card by status (the server still decides).
export const TECH_QUICK = {
  dispatched: ['take', 'decline'],
  taken: ['depart', 'arrive'],
  on_the_way: ['arrive'],
  in_service: ['complete'],
  waiting_parts: ['resume'],
  waiting_customer: ['resume'],
}

// "tel:" link for a phone as the archive stores it (+8613800000001).
export const telHref = (phone) => 'tel:' + String(phone || '').replace(/[^\d+]/g, '')

// A phone for people: +8613800000001 → 138 0000 0001.
export function phoneText(phone) {
  const p = String(phone || '')
  const m = /^\+86(1\d{2})(\d{4})(\d{4})$/.exec(p)
  return m ? `${m[1]} ${m[2]} ${m[3]}` : p.replace(/^\+86/, '')
}

// A fresh Idempotency-Key.
export function newKey(prefix = 'web') {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return prefix + '-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
