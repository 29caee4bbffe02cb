// The logged-in user, shared by the whole app (a small reactive store; no pinia needed).
import { reactive } from 'vue'
import { api, setCsrf } from './api.js'

export const session = reactive({ user: null, loaded: false })

export async function loadSession() {
  try {
    const s = await api.session()
    session.user = s.user
    setCsrf(s)
  } catch {
    session.user = null
    setCsrf(null)
  }
  session.loaded = true
  return session.user
}

export async function login(form) {
  const body = { login: form.login.trim(), password: form.password }
  if (form.tenant && form.tenant.trim()) body.tenant = form.tenant.trim()
  const s = await api.login(body)
  session.user = s.user
  session.loaded = true
  setCsrf(s)
  return s.user
}

export async function logout() {
  try {
    await api.logout()
  } finally {
    clearSession()
  }
}

// Returns whether someone was logged in (to tell "session expired" from "not logged in").
export function clearSession() {
  const was = !!session.user
  session.user = null
  setCsrf(null)
  return was
}

export function can(perm) {
  return !!(session.user && Array.isArray(session.user.permissions) && session.user.permissions.includes(perm))
}
