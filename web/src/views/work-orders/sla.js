// The order's SLA deadlines in words (DOMAIN §5): each deadline with the time left, met on
// time, met late, or passed; and a one-tag summary for the header.
import { i18n } from '../../i18n.js'
import { toDate } from '../../format.js'
import { duration } from './flow.js'

const t = (key, args) => i18n.global.t(key, args || {})
const CLOSED = ['completed', 'qc_passed', 'settled', 'closed', 'followed_up', 'cancelled']

const ITEMS = [
  ['response', 'sla_response_due', 'responded_at'],
  ['answer', 'sla_answer_due', 'answered_at'],
  ['onsite', 'sla_onsite_due', 'onsite_at'],
  ['resolve', 'sla_resolve_due', 'resolved_at'],
]

export function slaRows(order, now = Date.now()) {
  const rows = []
  const over = CLOSED.includes(order.status)
  for (const [key, dueKey, metKey] of ITEMS) {
    const due = toDate(order[dueKey])
    if (!due) continue
    const met = toDate(order[metKey])
    const name = t('woFlow.slaName.' + key)
    let text
    let type
    let late = false
    if (met) {
      late = met > due
      text = late ? t('woFlow.slaMetLate', { d: duration(met - due) }) : t('woFlow.slaMet')
      type = late ? 'danger' : 'success'
    } else if (over) {
      text = t('common.none')
      type = 'info'
    } else if (due.getTime() >= now) {
      text = t('woFlow.slaLeft', { d: duration(due.getTime() - now) })
      type = due.getTime() - now < 3600e3 ? 'warning' : 'primary'
    } else {
      late = true
      text = t('woFlow.slaLate', { d: duration(now - due.getTime()) })
      type = 'danger'
    }
    rows.push({ key, name, due: order[dueKey], met: order[metKey], text, type, late, open: !met && !over })
  }
  return rows
}

// The header's tag: the next open deadline, or how the SLA ended.
export function slaSummary(order, now = Date.now()) {
  const rows = slaRows(order, now)
  if (!rows.length) return null
  const next = rows.find((r) => r.open)
  if (next) return { text: `${next.name} ${next.text}`, type: next.type }
  const late = rows.filter((r) => r.late)
  if (late.length) return { text: t('woFlow.slaBreached', { items: late.map((r) => r.name).join(t('common.listSep')) }), type: 'danger' }
  return { text: t('woFlow.slaAllMet'), type: 'success' }
}
