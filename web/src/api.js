// The one API client of the web console: a fetch wrapper for /api/v1.
// - sends the session cookie (same origin) and, on writes, the CSRF header named by the session;
// - turns RFC 9457 problem+json answers into ApiError with a readable, translated message and
//   per-field messages (fieldErrors: {"customer.phone": "…"});
// - on 401 (except for the login call itself) calls the handler set by main.js (→ login page).
import { i18n } from './i18n.js'

const BASE = '/api/v1'
const csrf = { header: 'X-CSRF-Token', token: null }
let onUnauthorized = () => {}

export function setCsrf(session) {
  if (session && session.csrf_token) {
    csrf.token = session.csrf_token
    csrf.header = session.csrf_header || 'X-CSRF-Token'
  } else {
    csrf.token = null
  }
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

const t = (key, args) => i18n.global.t(key, args || {})
const te = (key) => i18n.global.te(key)

export class ApiError extends Error {
  constructor(status, problem) {
    super()
    this.name = 'ApiError'
    this.status = status
    this.problem = problem || {}
    this.code = this.problem.code || (status === 0 ? 'network' : 'unknown')
    this.detail = this.problem.detail || ''
    this.errors = Array.isArray(this.problem.errors) ? this.problem.errors : []
  }

  // Per-field messages keyed by the server's field path ("customer.phone").
  get fieldErrors() {
    const out = {}
    for (const e of this.errors) {
      if (!e || !e.field) continue
      out[e.field] = fieldMessage(e)
    }
    // A 409 naming one field (e.g. a taken login) is shown under that field too.
    if (this.status === 409 && this.problem.field && !out[this.problem.field]) {
      out[this.problem.field] = fieldMessage({ field: this.problem.field, code: 'taken' })
    }
    return out
  }

  // The whole message, translated; server detail appended for the specifics.
  get message() {
    return errorMessage(this)
  }
}

function fieldLabel(field) {
  const key = 'field.' + String(field).replace(/\./g, '_')
  return te(key) ? t(key) : field
}

// Most specific first: a message for this field and code ("phone" + "invalid"), then one for the
// code; the server's own sentence (English) only in the English interface or when nothing else fits.
function fieldMessage(e) {
  const last = String(e.field).split('.').pop()
  const specific = `fieldError.byField.${last}_${e.code}`
  if (te(specific)) return t(specific)
  if (i18n.global.locale.value === 'en-US' && e.message) return e.message
  const generic = 'fieldError.' + e.code
  return te(generic) ? t(generic) : e.message || e.code
}

export function errorMessage(err) {
  if (!(err instanceof ApiError)) return err && err.message ? String(err.message) : String(err)
  if (err.status === 0) return t('errors.network')
  let msg = te('errors.' + err.code) ? t('errors.' + err.code) : t('errors.unknown', { status: err.status })
  if (err.code === 'rate_limited' && err.problem.retry_after) {
    msg = t('login.rateLimited', { seconds: err.problem.retry_after })
  }
  const parts = []
  if (err.errors.length) {
    for (const e of err.errors) parts.push(fieldLabel(e.field) + t('common.colon') + fieldMessage(e))
  } else if (err.detail && !['unauthorized', 'precondition_failed', 'rate_limited', 'internal'].includes(err.code)) {
    parts.push(err.detail)
  }
  if (err.problem.existing_id) parts.push(t('errors.existing', { id: err.problem.existing_id }))
  if (err.code === 'invalid_transition' && Array.isArray(err.problem.allowed)) {
    parts.push(err.problem.allowed.join(', '))
  }
  return parts.length ? msg + t('common.colon') + parts.join(t('common.semicolon')) : msg
}

function queryString(query) {
  if (!query) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    p.set(k, Array.isArray(v) ? v.join(',') : String(v))
  }
  const s = p.toString()
  return s ? '?' + s : ''
}

/**
 * request(method, path, {body, query, ifMatch, headers, quiet401})
 * Resolves to the parsed JSON (null for 204); rejects with ApiError.
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) }
  const write = method !== 'GET' && method !== 'HEAD'
  if (write && csrf.token) headers[csrf.header] = csrf.token
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  if (opts.ifMatch !== undefined && opts.ifMatch !== null) headers['If-Match'] = `"${opts.ifMatch}"`
  let res
  try {
    res = await fetch(BASE + path + queryString(opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    })
  } catch {
    throw new ApiError(0, null)
  }
  if (res.status === 204) return null
  const type = res.headers.get('Content-Type') || ''
  let data = null
  if (type.includes('json')) {
    try {
      data = await res.json()
    } catch {
      data = null
    }
  }
  if (!res.ok) {
    const problem = data || { status: res.status }
    if (res.status === 429 && !problem.retry_after) {
      const ra = Number(res.headers.get('Retry-After'))
      if (ra > 0) problem.retry_after = ra
    }
    const err = new ApiError(res.status, problem)
    if (res.status === 401 && !opts.quiet401) onUnauthorized(err)
    throw err
  }
  return data
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),

  // session
  login: (body) => request('POST', '/session', { body, quiet401: true }),
  session: () => request('GET', '/session', { quiet401: true }),
  logout: () => request('DELETE', '/session', { quiet401: true }),

  // organisations
  listOrgs: (query) => request('GET', '/organizations', { query: { limit: 500, ...query } }),
  createOrg: (body) => request('POST', '/organizations', { body }),
  updateOrg: (id, body, version) => request('PATCH', `/organizations/${id}`, { body, ifMatch: version }),
  deleteOrg: (id) => request('DELETE', `/organizations/${id}`),

  // users
  listUsers: (query) => request('GET', '/users', { query }),
  listTechnicians: (query) => request('GET', '/technicians', { query }),
  createUser: (body) => request('POST', '/users', { body }),
  updateUser: (id, body, version) => request('PATCH', `/users/${id}`, { body, ifMatch: version }),
  disableUser: (id) => request('DELETE', `/users/${id}`),
  setPassword: (id, body) => request('POST', `/users/${id}/password`, { body }),
  roles: () => request('GET', '/roles'),

  // audit
  auditLog: (query) => request('GET', '/audit-log', { query }),

  // API tokens
  listTokens: (query) => request('GET', '/api-tokens', { query }),
  createToken: (body) => request('POST', '/api-tokens', { body }),
  revokeToken: (id) => request('DELETE', `/api-tokens/${id}`),

  // work orders
  listWorkOrders: (query) => request('GET', '/work-orders', { query }),
  getWorkOrder: (id) => request('GET', `/work-orders/${id}`),
  createWorkOrder: (body, idempotencyKey) =>
    request('POST', '/work-orders', { body, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} }),
  updateWorkOrder: (id, body, version) => request('PATCH', `/work-orders/${id}`, { body, ifMatch: version }),
  timeline: (id) => request('GET', `/work-orders/${id}/timeline`),

  // the customer archive
  listCustomers: (query) => request('GET', '/customers', { query }),
  getCustomer: (id) => request('GET', `/customers/${id}`),
  createCustomer: (body) => request('POST', '/customers', { body }),
  importCustomers: (body) => request('POST', '/customers/import', { body }),
  registerWarranty: (body) => request('POST', '/warranty-registrations', { body }),
  updateCustomer: (id, body, version) => request('PATCH', `/customers/${id}`, { body, ifMatch: version }),
  customerTimeline: (id) => request('GET', `/customers/${id}/timeline`),
  listModels: (query) => request('GET', '/product-models', { query }),
  createModel: (body) => request('POST', '/product-models', { body }),
  listLabour: (query) => request('GET', '/labour-operations', { query }),
  createLabour: (body) => request('POST', '/labour-operations', { body }),
  listAssets: (query) => request('GET', '/assets', { query }),
  getAsset: (id) => request('GET', `/assets/${id}`),
  createAsset: (body) => request('POST', '/assets', { body }),
  assetWarranty: (id, query) => request('GET', `/assets/${id}/warranty`, { query }),
  assetReadings: (id) => request('GET', `/assets/${id}/readings`),
  assetTransfers: (id) => request('GET', `/assets/${id}/transfers`),
  maintenanceDue: (query) => request('GET', '/maintenance/due', { query }),
  firstService: (query) => request('GET', '/maintenance/first-service', { query }),
  listCampaigns: (query) => request('GET', '/campaigns', { query }),
  createCampaign: (body) => request('POST', '/campaigns', { body }),
}

/**
 * upload(path, body, {contentType, headers, onProgress}) — a POST of a file (FormData or a Blob)
 * through XMLHttpRequest, so the page can show the upload's progress (fetch cannot). Same rules
 * as request(): the CSRF header, problem+json → ApiError, 401 → the login page.
 * onProgress(fraction 0..1). Resolves to the parsed JSON answer.
 */
export function upload(path, body, opts = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', BASE + path + queryString(opts.query))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    if (csrf.token) xhr.setRequestHeader(csrf.header, csrf.token)
    if (opts.contentType) xhr.setRequestHeader('Content-Type', opts.contentType)
    for (const [k, v] of Object.entries(opts.headers || {})) xhr.setRequestHeader(k, v)
    if (opts.onProgress) {
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) opts.onProgress(e.loaded / e.total) }
    }
    xhr.onerror = () => reject(new ApiError(0, null))
    xhr.onload = () => {
      let data = null
      if ((xhr.getResponseHeader('Content-Type') || '').includes('json')) {
        try { data = JSON.parse(xhr.responseText) } catch { data = null }
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data)
      const err = new ApiError(xhr.status, data || { status: xhr.status })
      if (xhr.status === 401) onUnauthorized(err)
      reject(err)
    }
    xhr.send(body)
  })
}

// Read every page of a list (organisations for the tree, for example), at most `max` records.
export async function listAll(fn, query = {}, max = 5000) {
  const items = []
  let cursor
  do {
    const page = await fn({ ...query, limit: 500, cursor })
    items.push(...(page.items || []))
    cursor = page.next_cursor
  } while (cursor && items.length < max)
  return items
}
