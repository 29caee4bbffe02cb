// Small helpers of the technician screens: wall-clock times in the tenant's zone (Beijing time,
// UTC+8, no daylight saving) ↔ UTC ISO strings, today's date there, field paths of the
// server's 400 answers ("skills[1].level") in words.
import { i18n } from '../../i18n.js'
import { formatTime } from '../../format.js'

const t = (key, args) => i18n.global.t(key, args || {})
const te = (key) => i18n.global.te(key)

const OFFSET_MS = 8 * 3600 * 1000

// "2030-03-01 09:00" (Beijing wall time) → "2030-03-01T01:00:00.000Z"
export function wallToISO(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})/.exec(String(s || ''))
  if (!m) return null
  return new Date(Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5]) - OFFSET_MS).toISOString()
}

// Today as YYYY-MM-DD in Beijing time.
export function todayLocal() {
  return new Date(Date.now() + OFFSET_MS).toISOString().slice(0, 10)
}

export const LEAVE_KINDS = ['annual', 'sick', 'training', 'other']
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] // 1 = Monday

// A leave's period in words: "2030-03-01 09:00 – 2030-03-05 18:00".
export const period = (a, b) => `${formatTime(a, false)} – ${formatTime(b, false)}`

// "skills[1].level" → "技能 第2行 · 等级"; "base_lat" → "常驻位置纬度"; unknown paths as they are.
export function fieldText(path) {
  const m = /^(\w+)\[(\d+)\](?:\.(\w+))?$/.exec(String(path))
  if (m) {
    const list = te(`techs.field.${m[1]}`) ? t(`techs.field.${m[1]}`) : m[1]
    const row = t('techs.field.row', { n: Number(m[2]) + 1 })
    const leaf = m[3] ? (te(`techs.field.${m[1]}_${m[3]}`) ? t(`techs.field.${m[1]}_${m[3]}`) : m[3]) : ''
    return [list, row, leaf].filter(Boolean).join(' · ')
  }
  return te(`techs.field.${path}`) ? t(`techs.field.${path}`) : path
}

// The server's per-field messages of a 400, each with its field in words.
export function fieldErrorsText(err) {
  if (!err || !Array.isArray(err.errors) || !err.errors.length) return ''
  const en = i18n.global.locale.value === 'en-US'
  return err.errors
    .map((e) => {
      const own = `techs.fieldError.${e.code}`
      const generic = `fieldError.${e.code}`
      const msg = en && e.message ? e.message : te(own) ? t(own) : te(generic) ? t(generic) : e.message || e.code
      return fieldText(e.field) + t('common.colon') + msg
    })
    .join(t('common.semicolon'))
}
