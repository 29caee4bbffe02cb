// 路线规划 helpers shared by the plan panel and the map: one colour per technician's route (the
// same in the table and on the map), the stops of a route on either side (as planned, or the day
// as it was), and the reasons an order was left out, in words.
import { i18n } from '../../i18n.js'

const t = (k, a) => i18n.global.t(k, a || {})
const te = (k) => i18n.global.te(k)

export const ROUTE_COLORS = ['#2563eb', '#e11d48', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4f46e5', '#0d9488', '#b45309', '#475569']

// technician id → colour, in the order of the plan's routes
export function routeColors(plan) {
  const m = new Map()
  for (const [i, r] of ((plan && plan.routes) || []).entries()) m.set(r.technician_id, ROUTE_COLORS[i % ROUTE_COLORS.length])
  return m
}

// The visits of a route on one side: 'after' the plan (with times), 'before' the day as it was.
export const routeStops = (r, side) => (side === 'before' ? r.before : r.visits) || []

export function uaReason(u) {
  const k = 'dispatchPlan.reason.' + u.reason_code
  return te(k) ? t(k) : u.reason
}

// A refused apply, in words (the codes of POST /dispatch/plan/apply).
export function applyError(code) {
  const k = 'dispatchPlan.err.' + code
  return te(k) ? t(k) : null
}

// The body of POST /dispatch/plan/apply: every order of the plan with the version it was made with.
export function applyBody(plan) {
  const order = (v) => ({ order_id: v.order_id, version: v.version })
  return {
    date: plan.date,
    org_id: plan.org_id || undefined,
    include_unassigned: plan.include_unassigned,
    routes: plan.routes.map((r) => ({ technician_id: r.technician_id, visits: r.visits.map(order) })),
    unassigned: plan.unassigned.map(order),
  }
}
