// Where the technician is and how far the customer is: the phone's position (the browser's
// geolocation), reported to the server now and then (POST /technicians/me/position: the
// dispatcher's "nearest"), the distance to an order and the time to get there, and the links
// that open the phone's map app. Coordinates are those the orders carry (GCJ-02, as Amap and
// Baidu's coord_type=gcj02 take them).
import { reactive } from 'vue'
import { api } from '../../api.js'

export const SPEED_KMH = 30 // in town, by car or e-bike
export const DETOUR = 1.3 // roads are not straight lines

export const here = reactive({ lat: null, lon: null, at: null, accuracy: null, error: '', asking: false })

export function distanceKm(a, b) {
  if (!a || !b || a.lat == null || a.lon == null || b.lat == null || b.lon == null) return null
  const R = 6371.0088
  const rad = (d) => (d * Math.PI) / 180
  const dLat = rad(b.lat - a.lat)
  const dLon = rad(b.lon - a.lon)
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)))
}

// Minutes on the road for a straight-line distance: × 1.3 detour at 30 km/h, at least 1.
export function travelMinutes(km) {
  if (km == null) return null
  return Math.max(1, Math.round(((km * DETOUR) / SPEED_KMH) * 60))
}

// {km, minutes, at: Date} from where the phone is to the order, or null.
export function etaTo(order, from = here, now = Date.now()) {
  const km = distanceKm(from, order)
  if (km == null) return null
  const minutes = travelMinutes(km)
  return { km, minutes, at: new Date(now + minutes * 60000) }
}

const hasPos = (o) => o && o.lat != null && o.lon != null

// The phone's map app: geo: (Android picks the app), Amap and Baidu web links (they hand over
// to the app when it is installed). Without a position: a search for the address.
export function navLinks(o) {
  const addr = (o && o.address) || ''
  const q = encodeURIComponent(addr)
  if (!hasPos(o)) {
    return {
      geo: `geo:0,0?q=${q}`,
      amap: `https://uri.amap.com/search?keyword=${q}&callnative=1`,
      baidu: `https://api.map.baidu.com/geocoder?address=${q}&output=html&src=webapp.fuwu.service`,
    }
  }
  const lat = Number(o.lat).toFixed(6)
  const lon = Number(o.lon).toFixed(6)
  return {
    geo: `geo:${lat},${lon}?q=${lat},${lon}(${q})`,
    amap: `https://uri.amap.com/navigation?to=${lon},${lat},${q}&mode=car&coordinate=gaode&callnative=1`,
    baidu: `https://api.map.baidu.com/direction?destination=latlng:${lat},${lon}|name:${q}&mode=driving&coord_type=gcj02&output=html&src=webapp.fuwu.service`,
  }
}

// --- the phone's position -------------------------------------------------------------------

let lastReport = { at: 0, lat: null, lon: null }
let pendingReport = null

async function report(force = false) {
  if (here.lat == null) return
  const moved = distanceKm(lastReport, here)
  const due = Date.now() - lastReport.at > 120000 || moved == null || moved > 0.2
  if (!force && !due) return
  if (!navigator.onLine) {
    pendingReport = true // telemetry: only the latest position matters, sent when back online
    return
  }
  try {
    await api.post('/technicians/me/position', { lat: Number(here.lat.toFixed(6)), lon: Number(here.lon.toFixed(6)) })
    lastReport = { at: Date.now(), lat: here.lat, lon: here.lon }
    pendingReport = null
  } catch {
    pendingReport = true
  }
}

window.addEventListener('online', () => {
  if (pendingReport) report(true)
})

// Ask the phone where it is (once). Resolves to `here` (lat null when refused or unknown).
export function locate({ timeout = 8000, force = false } = {}) {
  if (!('geolocation' in navigator)) {
    here.error = 'unsupported'
    return Promise.resolve(here)
  }
  here.asking = true
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => {
        here.lat = p.coords.latitude
        here.lon = p.coords.longitude
        here.accuracy = p.coords.accuracy
        here.at = Date.now()
        here.error = ''
        here.asking = false
        report(force)
        resolve(here)
      },
      (e) => {
        here.error = e && e.code === 1 ? 'denied' : 'unavailable'
        here.asking = false
        resolve(here)
      },
      { enableHighAccuracy: true, timeout, maximumAge: 60000 },
    )
  })
}

let watchId = null
// Follow the phone while a screen is open (the distance and the ETA move with it).
export function watch() {
  if (watchId !== null || !('geolocation' in navigator)) return () => {}
  watchId = navigator.geolocation.watchPosition(
    (p) => {
      here.lat = p.coords.latitude
      here.lon = p.coords.longitude
      here.accuracy = p.coords.accuracy
      here.at = Date.now()
      here.error = ''
      report()
    },
    () => {},
    { enableHighAccuracy: false, maximumAge: 60000 },
  )
  return () => {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId)
    watchId = null
  }
}
