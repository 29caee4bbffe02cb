// The order as the technician's phone shows it: the server's copy with the actions still in
// the queue applied on top (optimistic), the next steps by state, and a queued action and its
// refusal in words.
import { i18n } from '../../i18n.js'
import { ApiError } from '../../api.js'
import { label, toDate } from '../../format.js'
import { eventLabel, refusal } from '../work-orders/flow.js'

const t = (key, args) => i18n.global.t(key, args || {})

// What each event makes of the order (the server still decides).
export const EVENT_TO = { take: 'taken', decline: 'declined', depart: 'on_the_way', arrive: 'in_service', complete: 'completed', resume: 'in_service' }

// The technician's next steps by state: the first is the big button.
export const NEXT = {
  dispatched: ['take', 'decline'],
  taken: ['depart', 'arrive'],
  on_the_way: ['arrive'],
  in_service: ['complete'],
  waiting_parts: ['resume'],
  waiting_customer: ['resume'],
}

// The quick reasons offered for declining (mobile.decline.r.*).
export const DECLINE_REASONS = ['conflict', 'far', 'skill', 'sick']

export const WORKING = ['in_service', 'waiting_parts', 'waiting_customer']
export const OPEN = ['dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts', 'waiting_customer']

const live = (a) => a.state !== 'failed'

// The order with the queued actions applied: status, and the flags the screens show.
export function overlay(order, actions) {
  if (!order) return order
  const mine = actions.filter((a) => Number(a.orderId) === Number(order.id))
  let status = order.status
  let late = order.late_eta_at
  for (const a of mine) {
    if (!live(a)) continue
    if (a.type === 'event' && EVENT_TO[a.event]) status = EVENT_TO[a.event]
    if (a.type === 'late' && a.body.handover) status = 'declined' // handed back: off their list
    else if (a.type === 'late') late = a.body.eta
  }
  return {
    ...order,
    status,
    late_eta_at: late,
    serverStatus: order.status,
    pending: mine.filter(live).length,
    failed: mine.filter((a) => !live(a)).length,
  }
}

// The day a time falls on in the phone's zone, as YYYY-MM-DD.
export function dayOf(v) {
  const d = toDate(v)
  if (!d) return ''
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

export function hhmm(v) {
  const d = toDate(v)
  if (!d) return ''
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

// What an action is, in words: 接单 · WO20261123-00017.
export function actionText(a) {
  let what
  switch (a.type) {
    case 'event':
      what = eventLabel(a.event, 'service')
      break
    case 'worklog':
      what = t(a.op === 'start' ? 'mobile.q.workStart' : 'mobile.q.workStop')
      break
    case 'line':
      what = t('mobile.q.line', { name: (a.body && a.body.name) || '' })
      break
    default:
      what = t('mobile.q.' + a.type)
  }
  return what
}

// Why the server refused a queued action, in words the technician understands.
export function failureText(a) {
  const what = actionText(a)
  if (a.status === 412) {
    const now = a.current && a.current.status ? label('status', a.current.status) : ''
    return now ? t('mobile.fail.stale', { action: what, status: now }) : t('mobile.fail.staleNoState', { action: what })
  }
  const e = new ApiError(a.status || 409, a.problem || { code: a.errorCode })
  if (a.type === 'photo' && (a.status === 413 || a.status === 415)) {
    const p = a.problem || {}
    if (a.status === 413) return t('woExec.photos.tooBig', { name: a.name || '' })
    if (p.format === 'heic') return t('woExec.photos.heic', { name: a.name || '' })
    return t('woExec.photos.notImage', { name: a.name || '' })
  }
  if (a.type === 'worklog') {
    const p = a.problem || {}
    if (a.errorCode === 'worklog_running' && p.running_order_number) return t('woExec.work.runningElsewhere', { number: p.running_order_number })
    if (a.errorCode === 'worklog_not_running') return t('woExec.work.notRunning')
  }
  if (a.status === 404) return t('mobile.fail.gone', { action: what })
  return t('mobile.fail.refused', { action: what, reason: refusal(e).text })
}
