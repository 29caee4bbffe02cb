// Shared by the settlement screens (BillPanel, DeliveryPanel, the printed bill): money in fen
// shown as yuan, payment methods with their colours and marks, and Idempotency-Keys for the
// writes that create something (a retried click replays instead of paying twice).
import { session } from '../../../session.js'

// 12345 → "¥123.45"; negative amounts keep their sign (credit notes).
export function yuan(fen, sign = true) {
  if (fen === null || fen === undefined || fen === '') return '—'
  const n = Number(fen)
  const abs = Math.abs(n)
  const s = Math.floor(abs / 100).toLocaleString('en-US') + '.' + String(abs % 100).padStart(2, '0')
  return (n < 0 ? '-' : '') + (sign ? '¥' : '') + s
}

// 123.45 (yuan, from an input) → 12345 fen, rounded half away from zero like the server.
export function toFen(y) {
  const v = Number(y)
  if (!isFinite(v)) return NaN
  return Math.sign(v) * Math.round(Math.abs(v) * 100)
}

// The five payment methods: a coloured mark with the method's first character, as cashiers
// know them from the till (WeChat green, Alipay blue).
export const PAY_METHODS = [
  { value: 'cash', mark: '¥', color: '#e6a23c' },
  { value: 'card', mark: '卡', color: '#409eff' },
  { value: 'wechat', mark: '微', color: '#07c160' },
  { value: 'alipay', mark: '支', color: '#1677ff' },
  { value: 'transfer', mark: '转', color: '#909399' },
]
export const methodOf = (v) => PAY_METHODS.find((m) => m.value === v) || { value: v, mark: '?', color: '#909399' }

export function newKey(prefix) {
  const rnd = globalThis.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`
  return `${prefix}-${rnd}`
}

// The roles that may build bills and take payments (the server's CASH set), void bills,
// and record deliveries.
const hasRole = (roles) => !!(session.user && (session.user.roles || []).some((r) => roles.includes(r)))
export const canBill = () => hasRole(['admin', 'manager', 'cashier', 'advisor'])
export const canVoid = () => hasRole(['admin', 'manager'])
export const canDeliver = () => hasRole(['admin', 'manager', 'dispatcher', 'agent', 'advisor'])
