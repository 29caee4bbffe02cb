// 派工台 helpers: the day's time axis in the tenant's zone, conflicts and suggestion reasons in
// words, priorities and booking colours. Times on the board are minutes from the local midnight
// of the board's day (the server gives day_start_at, the UTC instant of that midnight).
import { i18n } from '../../i18n.js'
import { TIME_ZONE, toDate } from '../../format.js'

const t = (k, a) => i18n.global.t(k, a || {})
const te = (k) => i18n.global.te(k)

export const VIEW_START = 7 * 60 // 07:00
export const VIEW_END = 21 * 60 // 21:00
export const SNAP = 30
export const DEFAULT_MIN = 60
export const HOURS = Array.from({ length: (VIEW_END - VIEW_START) / 60 + 1 }, (_, i) => VIEW_START / 60 + i)

// Today in the tenant's zone, YYYY-MM-DD.
export function todayLocal() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

// The zone offset (ms) the server used for the board: midnight UTC of the date minus the local midnight.
export function zoneOffsetMs(board) {
  if (!board || !board.date || !board.day_start_at) return 8 * 3600e3
  const [y, m, d] = board.date.split('-').map(Number)
  return Date.UTC(y, m - 1, d) - Date.parse(board.day_start_at)
}

export function dayStartMs(day, offsetMs) {
  const [y, m, d] = day.split('-').map(Number)
  return Date.UTC(y, m - 1, d) - offsetMs
}

// Minutes since the day's local midnight (may be negative or beyond 1440).
export function minutesOf(v, dayStart) {
  const d = toDate(v)
  return d ? (d.getTime() - dayStart) / 60000 : null
}

export function hhmm(min) {
  const m = ((Math.round(min) % 1440) + 1440) % 1440
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}

export function parseHhmm(s) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s || '')
  return m ? Number(m[1]) * 60 + Number(m[2]) : null
}

// Horizontal position on the timeline, in % of the lane (clipped to the visible hours).
export function pct(min) {
  const c = Math.min(Math.max(min, VIEW_START), VIEW_END)
  return ((c - VIEW_START) / (VIEW_END - VIEW_START)) * 100
}

// A span [a, b) of minutes as a CSS left/width, or null when it is outside 07:00–21:00.
export function spanStyle(a, b) {
  if (b <= VIEW_START || a >= VIEW_END || b <= a) return null
  const l = pct(a)
  return { left: l + '%', width: Math.max(pct(b) - l, 0.4) + '%' }
}

// The time at a horizontal position in the lane (fraction 0..1), snapped down to its half hour.
export function snapAt(frac) {
  const min = VIEW_START + Math.min(Math.max(frac, 0), 0.9999) * (VIEW_END - VIEW_START)
  return Math.floor(min / SNAP) * SNAP
}

export const PRIORITY_COLOR = { P1: '#e5484d', P2: '#f08c00', P3: '#3b82f6', P4: '#8b95a1' }
export const priorityColor = (p) => PRIORITY_COLOR[p] || PRIORITY_COLOR.P4

const STATUS_COLOR = {
  dispatched: '#f5a524', taken: '#3b82f6', on_the_way: '#0ea5e9', in_service: '#16a34a',
  waiting_parts: '#8b5cf6', waiting_customer: '#8b5cf6',
}
export const bookingColor = (s) => STATUS_COLOR[s] || '#64748b'
export const LEGEND_STATES = ['dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts']

// A conflict code of the server in words.
export function conflictText(code) {
  const k = 'dispatchBoard.conflict.' + code
  return te(k) ? t(k) : t('dispatchBoard.conflict.other', { code })
}

// Minutes as "1小时30分" / "1 h 30 min".
export function minutesText(m) {
  const n = Math.max(0, Math.round(m))
  const h = Math.floor(n / 60)
  const r = n % 60
  if (h && r) return t('dispatchBoard.dur.hm', { h, m: r })
  if (h) return t('dispatchBoard.dur.h', { h })
  return t('dispatchBoard.dur.m', { m: r })
}

// Why a technician is suggested, in the interface language, from the fields of a suggestion.
export function reasonParts(item, category) {
  const p = []
  if (item.km === null || item.km === undefined) p.push(t('dispatchBoard.reason.distanceUnknown'))
  else if (item.travel_min) p.push(t('dispatchBoard.reason.kmTravel', { km: item.km, min: item.travel_min }))
  else p.push(t('dispatchBoard.reason.km', { km: item.km }))
  p.push(t('dispatchBoard.reason.open', { n: item.open_orders || 0 }))
  if (category && item.skill_level) p.push(t('dispatchBoard.reason.skill', { skill: category, level: item.skill_level }))
  if (item.booked_min) p.push(t('dispatchBoard.reason.booked', { d: minutesText(item.booked_min) }))
  return p
}

export const reasonText = (item, category) => reasonParts(item, category).join(t('dispatchBoard.sep'))

// The SLA time left (negative: late), in words, with a level for the colour.
export function slaLeft(due, now) {
  const d = toDate(due)
  if (!d) return null
  const ms = d.getTime() - now
  const m = Math.abs(ms) / 60000
  const words = m >= 1440 ? t('dispatchBoard.dur.dh', { d: Math.floor(m / 1440), h: Math.floor((m % 1440) / 60) }) : minutesText(m)
  if (ms < 0) return { text: t('dispatchBoard.sla.late', { d: words }), level: 'late' }
  return { text: t('dispatchBoard.sla.left', { d: words }), level: ms < 2 * 3600e3 ? 'soon' : 'ok' }
}

export const hasPos = (x) => typeof x.lat === 'number' && typeof x.lon === 'number' && isFinite(x.lat) && isFinite(x.lon)
