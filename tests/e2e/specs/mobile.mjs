// mobile.mjs — the technician's phone (/m, issue 5 item 7) in a 390×844 touch window with the
// browser's geolocation: the day's orders with call / navigation links and the distance; decline
// with a reason; take, depart (the ETA told to the customer, the position reported), arrive, work
// log, a part used, the checklist; then offline: a photo (real JPEG bytes), the customer's
// signature on the glass and complete → 待同步 3; back online the queue drains — with the answers
// of the photo and of complete lost on the way, so both are sent twice with the same
// Idempotency-Key — and the server holds one photo, the signature and exactly one complete event.
// A queued step whose order someone else changed meanwhile is refused (412) and said in words.
// English screens without raw keys; no console errors.
export default function ({ test, assert, shot, login, apiCall, $t, BASE, RUN, TIMEOUT }) {
  const PW = 'demo12345'
  const TECH = 'tech03'
  const n = String(parseInt(RUN, 36) % 100000000).padStart(8, '0')
  const HERE = { latitude: 23.1291, longitude: 113.2644 } // 广州 越秀
  const SITE = { lat: 23.1378, lon: 113.3391 } // 天河
  let techId = null
  let techOrg = null
  let cust = null

  async function phone(browser, lang = 'zh-CN') {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: lang,
      timezoneId: 'Asia/Shanghai',
      geolocation: HERE,
      permissions: ['geolocation'],
    })
    context.setDefaultTimeout(TIMEOUT)
    const page = await context.newPage()
    page.errors = []
    page.on('pageerror', (e) => page.errors.push(String(e)))
    // console errors of the app (a refused or cut request is the browser's own line, expected here)
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource|net::ERR_/.test(m.text())) page.errors.push(m.text())
    })
    await page.addInitScript((l) => {
      if (!sessionStorage.getItem('e2e-lang-set')) {
        localStorage.setItem('fuwu.lang', l)
        sessionStorage.setItem('e2e-lang-set', '1')
      }
    }, lang)
    await login(page, TECH, PW)
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(BASE + '/m')
    await page.locator($t('m-home')).waitFor()
    return page
  }

  async function ev(id, event, body = {}) {
    const r = await apiCall('POST', `/work-orders/${id}/${event}`, body)
    assert(r.status === 200, `${event}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }

  async function order(tag, minutes, extra = {}) {
    const start = new Date(Date.now() + minutes * 60000)
    const o = await apiCall('POST', '/work-orders', {
      // in the technician's outlet (a technician of another organisation cannot decline yet: the
      // server reloads the order through their scope after clearing the assignee → 404)
      type: 'repair', priority: 'P2', channel: 'phone', customer_id: cust.id, org_id: techOrg,
      address: `广东省广州市天河区天河路385号 ${tag}`, fault_description: `空调不制冷 ${tag} M-${RUN}`,
      lat: SITE.lat, lon: SITE.lon, appointment_start: start.toISOString(),
      appointment_end: new Date(start.getTime() + 3600000).toISOString(), ...extra,
    })
    assert(o.status === 201, 'order: ' + o.status + ' ' + JSON.stringify(o.body))
    await ev(o.body.id, 'accept')
    await ev(o.body.id, 'dispatch', { assignee_id: techId, override_reason: 'e2e' })
    return o.body
  }

  // the queue's count in the top bar
  async function pending(page) {
    return Number(await page.locator($t('m-pending')).getAttribute('data-count'))
  }
  async function drained(page, timeout = TIMEOUT) {
    await page.waitForFunction((sel) => {
      const b = document.querySelector(sel)
      return b && b.getAttribute('data-count') === '0'
    }, $t('m-pending'), { timeout })
  }

  // poll the server until the phone's queued step has arrived
  async function until(what, fn, timeout = TIMEOUT) {
    const end = Date.now() + timeout
    let last
    for (;;) {
      last = await fn()
      if (last === true) return
      if (Date.now() > end) throw new Error('assertion failed: ' + what + ' (last: ' + JSON.stringify(last) + ')')
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  const status = async (id) => (await apiCall('GET', `/work-orders/${id}`)).body.status
  const is = (id, want) => async () => { const s = await status(id); return s === want || s }

  async function setup() {
    if (techId) return
    const techs = await apiCall('GET', `/users?q=${TECH}`)
    const tech = (techs.body.items || []).find((u) => u.login === TECH)
    assert(tech, `demo user ${TECH} (load the demo data first)`)
    techId = tech.id
    techOrg = tech.org_id
    const c = await apiCall('POST', '/customers', { name: `手机端${n.slice(-3)}`, phones: ['157' + n], class: 'B' })
    assert(c.status === 201, 'customer: ' + c.status)
    cust = c.body
  }

  test('mobile: the technician takes, declines, departs with an ETA, arrives and completes offline; the queue drains once', async (browser) => {
    await setup()
    const o1 = await order('A座', 40)
    const o2 = await order('B座', 120)
    const page = await phone(browser)
    const card = page.locator($t('m-order-' + o1.id))
    await card.waitFor()
    await page.locator($t('m-order-' + o2.id)).waitFor()
    // call, navigate, how far
    const tel = await page.locator($t('m-call-' + o1.id)).getAttribute('href')
    assert(tel === 'tel:+86157' + n, 'tap-to-call link: ' + tel)
    const amap = await page.locator($t('m-nav-amap-' + o1.id)).getAttribute('href')
    assert(amap.includes('uri.amap.com/navigation') && amap.includes('113.339100,23.137800'), 'Amap link with lon,lat: ' + amap)
    const geo = await page.locator($t('m-nav-geo-' + o1.id)).getAttribute('href')
    assert(geo.startsWith('geo:23.137800,113.339100'), 'geo: link: ' + geo)
    const baidu = await page.locator($t('m-nav-baidu-' + o1.id)).getAttribute('href')
    assert(baidu.includes('latlng:23.137800,113.339100'), 'Baidu link: ' + baidu)
    await page.locator($t('m-dist-' + o1.id)).waitFor()
    const dist = await page.locator($t('m-dist-' + o1.id)).innerText()
    assert(/公里/.test(dist) && /分钟/.test(dist), 'distance and minutes: ' + dist)
    const text = await card.innerText()
    assert(text.includes('天河路385号') && text.includes('已派工') && text.includes('接单') && text.includes('拒单'), 'card: ' + text)
    await shot(page, 'm01-phone-list-zh')

    // decline the second one, with a reason
    await page.click($t('m-decline-' + o2.id))
    await page.locator($t('m-decline-dialog')).waitFor()
    await page.click($t('m-decline-r-far'))
    await shot(page, 'm02-phone-decline-zh')
    await page.click($t('m-decline-submit'))
    await until('declined on the server', is(o2.id, 'accepted'))
    await drained(page)
    const d2 = await apiCall('GET', `/work-orders/${o2.id}`)
    assert(d2.body.status === 'accepted' && !d2.body.assignee_id, 'declined order back to accepted, unassigned: ' + d2.body.status)
    const tl2 = await apiCall('GET', `/work-orders/${o2.id}/timeline`)
    const dec = tl2.body.items.find((i) => i.event === 'decline')
    assert(dec && dec.data.reason === '距离太远', 'decline reason on the timeline: ' + JSON.stringify(dec))

    // take, depart (ETA), the position reported
    await page.click($t('m-take-' + o1.id))
    await until('taken on the server', is(o1.id, 'taken'))
    await page.locator($t('m-depart-' + o1.id)).waitFor()
    await page.click($t('m-depart-' + o1.id))
    await page.locator($t('m-eta-' + o1.id)).waitFor()
    const eta = await page.locator($t('m-eta-' + o1.id)).innerText()
    assert(/预计 \d\d:\d\d 到达（约 \d+ 分钟）/.test(eta), 'ETA on the card: ' + eta)
    await until('on the way on the server', is(o1.id, 'on_the_way'))
    await drained(page)
    await shot(page, 'm03-phone-on-the-way-zh')
    const d1 = await apiCall('GET', `/work-orders/${o1.id}`)
    assert(d1.body.status === 'on_the_way', 'on the way on the server: ' + d1.body.status)
    // 7.7 km straight → ×1.3 at 30 km/h ≈ 20 minutes, told to the customer in a public note
    const tl1 = await apiCall('GET', `/work-orders/${o1.id}/timeline`)
    const note = tl1.body.items.find((i) => i.event === 'comment' && /预计/.test(JSON.stringify(i.data)))
    assert(note, 'ETA comment on the timeline: ' + JSON.stringify(tl1.body.items.map((i) => i.event)))
    const min = Number((JSON.stringify(note.data).match(/(\d+) 分钟/) || [])[1])
    assert(min >= 17 && min <= 23, 'ETA minutes ≈ 20: ' + min)
    const tp = await apiCall('GET', `/technicians/${techId}`)
    assert(Math.abs(tp.body.pos_lat - HERE.latitude) < 0.001 && Math.abs(tp.body.pos_lon - HERE.longitude) < 0.001,
      'position reported: ' + tp.body.pos_lat + ',' + tp.body.pos_lon)

    // arrive: the order's page on the phone
    await page.click($t('m-arrive-' + o1.id))
    await page.locator($t('m-order')).waitFor()
    await until('in service on the server', is(o1.id, 'in_service'))
    await drained(page)
    await page.locator($t('m-worklog')).waitFor()
    // work log start / stop
    await page.click($t('m-work-toggle'))
    await page.locator($t('m-work-timer')).waitFor()
    await until('work log running', async () => (await apiCall('GET', `/work-orders/${o1.id}/worklog`)).body.items.length === 1)
    await drained(page)
    await page.waitForTimeout(1200)
    await page.click($t('m-work-toggle'))
    await until('one work-log entry, stopped', async () => {
      const wl = await apiCall('GET', `/work-orders/${o1.id}/worklog`)
      return (wl.body.items.length === 1 && !wl.body.items[0].running) || wl.body.items
    })
    await drained(page)
    // a part used
    await page.click($t('m-part-add'))
    await page.fill($t('m-part-name'), '启动电容 35μF')
    await page.fill($t('m-part-code'), 'CAP-35')
    await page.fill($t('m-part-price'), '45')
    await page.click($t('m-part-save'))
    await until('the part as an actual line', async () => {
      const ln = await apiCall('GET', `/work-orders/${o1.id}/lines`)
      return (ln.body.actual.length === 1 && ln.body.actual[0].amount_fen === 4500) || ln.body.actual
    })
    await drained(page)
    // the checklist: tick everything, save
    const boxes = page.locator(`${$t('m-checklist')} .el-checkbox`)
    const nBoxes = await boxes.count()
    assert(nBoxes > 0, 'checklist items shown')
    for (let i = 0; i < nBoxes; i++) await boxes.nth(i).click()
    await page.click($t('m-check-save'))
    await until('checklist saved, all ticked', async () => {
      const cl = await apiCall('GET', `/work-orders/${o1.id}/checklists/execution`)
      return cl.body.items.every((i) => i.checked) || cl.body.items.map((i) => i.checked)
    })
    await drained(page)
    await shot(page, 'm04-phone-on-site-zh')

    // --- offline: photo, signature, complete ---
    await page.context().setOffline(true)
    await page.locator(`${$t('m-net')}.off`).waitFor()
    const jpeg = await page.screenshot({ type: 'jpeg', quality: 70 })
    await page.locator($t('m-photo-input')).setInputFiles({ name: 'site.jpg', mimeType: 'image/jpeg', buffer: jpeg })
    await page.locator($t('m-photo-queued')).waitFor()
    const canvas = page.locator($t('signature-canvas'))
    await canvas.scrollIntoViewIfNeeded()
    const box = await canvas.boundingBox()
    await page.mouse.move(box.x + 30, box.y + 120)
    await page.mouse.down()
    for (let i = 1; i <= 24; i++) await page.mouse.move(box.x + 30 + i * 11, box.y + 120 - Math.sin(i / 3) * 50, { steps: 2 })
    await page.mouse.up()
    await page.mouse.move(box.x + 80, box.y + 60)
    await page.mouse.down()
    await page.mouse.move(box.x + 200, box.y + 150, { steps: 8 })
    await page.mouse.up()
    await shot(page, 'm05-phone-signature-zh')
    await page.click($t('m-sign-save'))
    await page.locator($t('m-sign-queued')).waitFor()
    await page.click($t('m-complete-main'))
    await page.locator('.m-msgbox .el-button--primary').click()
    await page.locator(`${$t('m-order-status')}[data-status="completed"]`).waitFor()
    assert(await pending(page) === 3, 'three actions wait: ' + await pending(page))
    assert((await page.locator($t('m-pending')).innerText()).includes('待同步 3'), 'the bar says 待同步 3')
    await page.locator($t('m-done')).waitFor()
    await page.click($t('m-pending'))
    await page.locator($t('m-queue')).first().waitFor()
    await page.waitForTimeout(400)
    const q = await page.locator('.m-queue').innerText()
    assert(q.includes('上传照片') && q.includes('客户签字') && q.includes('完工'), 'the queue lists the steps: ' + q)
    await shot(page, 'm06-phone-offline-queue-zh')
    await page.keyboard.press('Escape')
    await page.locator('.m-queue').waitFor({ state: 'hidden' })
    assert((await apiCall('GET', `/work-orders/${o1.id}`)).body.status === 'in_service', 'nothing sent while offline')

    // --- back online, but the answers of the photo and of complete are lost on the way: the
    // server applies them, the phone hears nothing and sends them again with the same key ---
    const sent = { photo: [], complete: [] }
    for (const kind of ['photos', 'complete']) {
      await page.route(`**/api/v1/work-orders/${o1.id}/${kind}*`, async (route) => {
        const req = route.request()
        if (req.method() !== 'POST') return route.continue()
        const list = kind === 'photos' ? sent.photo : sent.complete
        list.push(req.headers()['idempotency-key'])
        if (list.length === 1) {
          const res = await route.fetch()
          list.firstStatus = res.status()
          return route.abort('failed')
        }
        return route.continue()
      })
    }
    await page.context().setOffline(false)
    await drained(page, 60000)
    assert(sent.photo.length >= 2 && sent.photo.every((k) => k === sent.photo[0]), 'photo sent twice with one key: ' + JSON.stringify(sent.photo))
    assert(sent.complete.length >= 2 && sent.complete.every((k) => k === sent.complete[0]), 'complete sent twice with one key: ' + JSON.stringify(sent.complete))
    assert(sent.photo.firstStatus === 201 && sent.complete.firstStatus === 200, 'the first sends were applied: ' + sent.photo.firstStatus + ' ' + sent.complete.firstStatus)
    await page.unrouteAll({ behavior: 'ignoreErrors' })

    const fin = await apiCall('GET', `/work-orders/${o1.id}`)
    assert(fin.body.status === 'completed', 'completed on the server: ' + fin.body.status)
    const ph = await apiCall('GET', `/work-orders/${o1.id}/photos`)
    assert(ph.body.items.length === 1, 'exactly one photo: ' + ph.body.items.length)
    const ap = await apiCall('GET', `/work-orders/${o1.id}/approvals`)
    const sig = ap.body.items.filter((a) => a.signature)
    assert(sig.length === 1 && /^data:image\/png;base64,/.test(sig[0].signature) && sig[0].by_name === cust.name,
      'the signature stored once, by the customer: ' + JSON.stringify(ap.body.items.map((a) => [a.kind, a.by_name, !!a.signature])))
    const ln2 = await apiCall('GET', `/work-orders/${o1.id}/lines`)
    assert(ln2.body.actual[0].consent_at, 'the signature is the customer consent to the part')
    const tl = await apiCall('GET', `/work-orders/${o1.id}/timeline`)
    const count = (e) => tl.body.items.filter((i) => i.event === e).length
    assert(count('complete') === 1, 'exactly one complete event: ' + count('complete'))
    assert(count('photo') === 1, 'exactly one photo event: ' + count('photo'))
    await page.locator(`${$t('m-order-status')}[data-status="completed"]`).waitFor()
    await page.locator($t('m-sign-done')).waitFor()
    await shot(page, 'm07-phone-synced-zh')
    assert(page.errors.length === 0, 'no console errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('mobile: a queued step on an order someone else changed meanwhile is refused in words (412)', async (browser) => {
    await setup()
    const o3 = await order('C座', 200)
    const page = await phone(browser)
    await page.locator($t('m-take-' + o3.id)).waitFor()
    await page.context().setOffline(true)
    await page.click($t('m-take-' + o3.id))
    await page.locator(`${$t('m-order-' + o3.id)}[data-status="taken"]`).waitFor()
    assert(await pending(page) === 1, 'the take waits')
    // meanwhile the office cancels the order
    await ev(o3.id, 'cancel', { reason: '客户取消 e2e' })
    await page.context().setOffline(false)
    await page.locator($t('m-fail-strip')).waitFor()
    await page.click($t('m-fail-strip'))
    const err = page.locator($t('m-q-error')).first()
    await err.waitFor()
    const words = await err.innerText()
    assert(words.includes('已被他人修改') && words.includes('已取消') && words.includes('接单'), 'the refusal in words: ' + words)
    await page.waitForTimeout(400)
    await shot(page, 'm08-phone-conflict-zh')
    // the order is not shown as taken any more once discarded
    await page.locator('.m-queue [data-test^="m-q-discard-"]').first().click()
    await drained(page)
    await page.locator($t('m-order-' + o3.id)).waitFor({ state: 'detached' }) // cancelled: off the technician's list
    const o = await apiCall('GET', `/work-orders/${o3.id}`)
    assert(o.body.status === 'cancelled', 'the server kept the office\'s cancel: ' + o.body.status)
    assert(page.errors.length === 0, 'no console errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('mobile: I will be late — the customer is told the new arrival, the appointment moves; or the order is handed back', async (browser) => {
    await setup()
    const o5 = await order('E座', 45)
    const o6 = await order('F座', 240)
    const page = await phone(browser)
    await page.goto(BASE + '/m/orders/' + o5.id)
    await page.locator($t('m-order')).waitFor()
    // dispatched: the time to answer is shown
    const due = await page.locator($t('m-accept-due')).innerText()
    assert(/请在 \d\d:\d\d 前接单/.test(due), 'answer-by line: ' + due)
    await page.click($t('m-take'))
    await until('taken', is(o5.id, 'taken'))
    await drained(page)
    await page.click($t('m-late'))
    await page.locator($t('m-late-dialog')).waitFor()
    await page.click($t('m-late-30'))
    await page.click($t('m-late-r-traffic'))
    const preview = await page.locator($t('m-late-preview')).innerText()
    assert(/预计 \d\d:\d\d 到达/.test(preview), 'preview: ' + preview)
    await shot(page, 'm09-phone-late-zh')
    await page.click($t('m-late-submit'))
    await until('late on the server', async () => {
      const w = (await apiCall('GET', `/work-orders/${o5.id}`)).body
      return !!w.late_eta_at || w.late_eta_at
    })
    await drained(page)
    const w5 = (await apiCall('GET', `/work-orders/${o5.id}`)).body
    const moved = Date.parse(w5.appointment_start_at) - Date.parse(o5.appointment_start_at)
    assert(Math.abs(moved - 30 * 60000) < 5000, 'appointment moved 30 min: ' + moved)
    const sms = (await apiCall('GET', `/work-orders/${o5.id}/outbox`)).body.items.find((m) => m.template === 'wo_technician_late')
    assert(sms && /^\d\d:\d\d$/.test(sms.data.eta_local), 'SMS to the customer with the new time: ' + JSON.stringify(sms))
    await page.locator($t('m-late-eta')).waitFor()
    // the other one is handed back: off the list, not offered to them again
    await page.goto(BASE + '/m/orders/' + o6.id)
    await page.locator($t('m-order')).waitFor()
    await page.click($t('m-take'))
    await until('taken', is(o6.id, 'taken'))
    await drained(page)
    await page.click($t('m-late'))
    await page.click($t('m-late-mode-handover'))
    await page.fill($t('m-late-reason'), '前一单还没完')
    await page.click($t('m-late-submit'))
    await page.locator($t('m-home')).waitFor()
    await until('handed back', is(o6.id, 'accepted'))
    await drained(page)
    const sg = (await apiCall('GET', `/dispatch/suggestions?order=${o6.id}&limit=10`)).body
    assert(sg.excluded.some((x) => x.technician_id === techId && x.outcome === 'late'), 'remembered as late: ' + JSON.stringify(sg.excluded))
    assert(page.errors.length === 0, 'no console errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('mobile: English phone screens without raw keys', async (browser) => {
    await setup()
    const o4 = await order('D座', 300)
    await ev(o4.id, 'take')
    await ev(o4.id, 'arrive')
    const page = await phone(browser, 'en-US')
    await page.locator($t('m-order-' + o4.id)).waitFor()
    const list = await page.locator($t('m-home')).innerText()
    for (const w of ['My orders', 'In progress', 'Continue', 'Amap']) assert(list.includes(w), `English list shows ${w}: ${list.slice(0, 400)}`)
    assert(!/mobile\.|woFlow\.|woExec\./.test(list), 'no raw keys in the list')
    await shot(page, 'm09-phone-list-en')
    await page.click($t('m-open-' + o4.id))
    await page.locator($t('m-sign')).waitFor()
    const body = await page.locator($t('m-order')).innerText()
    for (const w of ['Work log', 'Site photos', 'Parts used', 'Customer signature', 'Complete']) assert(body.includes(w), `English order shows ${w}`)
    assert(!/mobile\.|woFlow\.|woExec\.|woLines\./.test(body), 'no raw keys on the order: ' + body.match(/\w+\.\w+/g))
    await shot(page, 'm10-phone-order-en')
    assert(page.errors.length === 0, 'no console errors: ' + page.errors.join('; '))
    await page.context().close()
  })
}
