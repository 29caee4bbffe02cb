// Small display helpers of the settings screens: deadlines in words, minutes of the day as
// "09:00", the tenant's fixed UTC offset.
import { i18n } from '../../i18n.js'

const t = (key, args) => i18n.global.t(key, args || {})

// A deadline's minutes in words. On the working calendar a multiple of 540 minutes is shown
// in working days (the built-in 09:00–18:00 day), else in working hours.
export function minutesText(min, working) {
  const m = Number(min) || 0
  if (working && m >= 540 && m % 540 === 0) return t('settings.dur.wd', { n: m / 540 })
  if (working && m % 60 === 0) return t('settings.dur.wh', { n: m / 60 })
  const d = Math.floor(m / 1440)
  const h = Math.floor((m % 1440) / 60)
  const r = m % 60
  if (!working && d && !h && !r) return t('settings.dur.h', { h: d * 24 })
  if (d) return t('settings.dur.dh', { d, h })
  if (h && !r) return t('settings.dur.h', { h })
  if (h) return t('settings.dur.hm', { h, m: r })
  return t('settings.dur.m', { m: r })
}

export const hhmm = (min) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`

export function fromHhmm(s) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(s || ''))
  return m ? Number(m[1]) * 60 + Number(m[2]) : null
}

export function offsetText(min) {
  const sign = min < 0 ? '-' : '+'
  const a = Math.abs(min)
  return `${sign}${hhmm(a)}`
}

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4']
export const KINDS = ['response', 'answer', 'onsite', 'resolve']
