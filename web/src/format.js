// Display helpers: times in the tenant's zone (Asia/Shanghai), enum labels, tag colours.
import { i18n } from './i18n.js'

export const TIME_ZONE = 'Asia/Shanghai'

export const WO_STATUSES = ['new', 'accepted', 'dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts',
  'waiting_customer', 'completed', 'qc_passed', 'settled', 'closed', 'followed_up', 'cancelled']
export const WO_TYPES = ['repair', 'install', 'maintenance', 'inspection', 'return', 'consultation']
export const WO_CHANNELS = ['phone', 'web', 'wechat', 'sms', 'email', 'walk_in', 'api']
export const WO_PRIORITIES = ['P1', 'P2', 'P3', 'P4']
export const ORG_TYPES = ['platform', 'manufacturer', 'station', 'outlet', 'department', 'team']
export const ROLES = ['admin', 'manager', 'dispatcher', 'agent', 'advisor', 'technician', 'qc', 'warranty_assessor',
  'warehouse', 'cashier', 'followup', 'customer']

// Accepts ISO 8601 strings, and epoch milliseconds (number or digit string) defensively.
export function toDate(v) {
  if (v === null || v === undefined || v === '') return null
  const d = typeof v === 'number' || /^\d{9,}$/.test(String(v)) ? new Date(Number(v)) : new Date(v)
  return isNaN(d.getTime()) ? null : d
}

const fmtCache = {}
function formatter(withSeconds) {
  const key = withSeconds ? 's' : 'm'
  if (!fmtCache[key]) {
    fmtCache[key] = new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: withSeconds ? '2-digit' : undefined, hourCycle: 'h23',
    })
  }
  return fmtCache[key]
}

// "2026-11-23 18:15:51" in Beijing time.
export function formatTime(v, withSeconds = true) {
  const d = toDate(v)
  if (!d) return i18n.global.t('common.none')
  const p = Object.fromEntries(formatter(withSeconds).formatToParts(d).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${withSeconds ? ':' + p.second : ''}`
}

// Start of a calendar day (YYYY-MM-DD) in Beijing time, as a UTC ISO string; `end` gives the last ms of it.
export function shanghaiDayISO(day, end = false) {
  const [y, m, d] = day.split('-').map(Number)
  const ms = Date.UTC(y, m - 1, d) - 8 * 3600 * 1000 + (end ? 86400000 - 1 : 0)
  return new Date(ms).toISOString()
}

// Label of an enum value: label('status', 'new') → the zh-CN or en-US word; unknown values are shown as they are.
export function label(group, value) {
  if (value === null || value === undefined || value === '') return i18n.global.t('common.none')
  const key = `${group}.${String(value).replace(/[-.]/g, '_')}`
  return i18n.global.te(key) ? i18n.global.t(key) : String(value)
}

const STATUS_TAG = {
  new: 'danger', accepted: 'warning', dispatched: 'warning', taken: 'primary', on_the_way: 'primary',
  in_service: 'primary', waiting_parts: 'warning', waiting_customer: 'warning', completed: 'success',
  qc_passed: 'success', settled: 'success', closed: 'info', followed_up: 'info', cancelled: 'info',
}
export const statusTagType = (s) => STATUS_TAG[s] || 'info'

const PRIORITY_TAG = { P1: 'danger', P2: 'warning', P3: 'primary', P4: 'info' }
export const priorityTagType = (p) => PRIORITY_TAG[p] || 'info'

export function dash(v) {
  return v === null || v === undefined || v === '' ? i18n.global.t('common.none') : v
}

// Coordinates come as doubles (23.129999999999999); 6 decimals are ~0.1 m.
export function coord(v) {
  return typeof v === 'number' ? String(Number(v.toFixed(6))) : dash(v)
}

// Build a tree (children arrays) from a flat list with parent_id; orphans (parent outside the
// caller's subtree) become roots. Sorted by name within a level.
export function buildTree(items) {
  const byId = new Map(items.map((o) => [o.id, { ...o, children: [] }]))
  const roots = []
  for (const node of byId.values()) {
    const parent = node.parent_id != null ? byId.get(node.parent_id) : null
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  const sort = (list) => {
    list.sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh-CN'))
    list.forEach((n) => sort(n.children))
  }
  sort(roots)
  return roots
}
