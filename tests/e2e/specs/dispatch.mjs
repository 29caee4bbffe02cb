// dispatch.mjs — the 派工台 (dispatch board, DOMAIN §4) in the browser: a dispatcher drags a
// waiting order onto a technician's row at a time and confirms (the appointment is that half
// hour, one hour long); a second order dropped on the same time is refused as a double booking,
// said in words, and dispatched anyway with a reason; the suggestions panel (the non-drag path);
// the offline map with the order pins and the suggestion lines; English without raw keys.
export default function ({ test, assert, shot, newPage, apiCall, $t, BASE, RUN }) {
  const ok = (r, what) => assert(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`)

  // tomorrow (Beijing) as YYYY-MM-DD, and hh:mm of that day as an ISO instant
  const tomorrow = () => new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10)
  const at = (day, hh, mm = 0) => {
    const [y, m, d] = day.split('-').map(Number)
    return new Date(Date.UTC(y, m - 1, d, hh - 8, mm)).toISOString()
  }

  async function setup() {
    // earlier runs' technicians (left at the same place) retire, so this run's is the nearest free one
    const old = await apiCall('GET', '/users?q=dsp_tech_&status=active&limit=200')
    for (const u of (old.body && old.body.items) || []) {
      if (u.login.startsWith('dsp_tech_') && u.login !== `dsp_tech_${RUN}`) await apiCall('DELETE', `/users/${u.id}`)
    }
    const orgs = (await apiCall('GET', '/organizations?limit=500')).body.items
    const root = orgs.find((o) => !o.parent_id) || orgs[0]
    // a Guangzhou outlet of its own (a clean day for this run's technician)
    const org = await apiCall('POST', '/organizations', {
      name: `派工台网点${RUN}`, type: 'outlet', parent_id: root.id, region: { province: '广东省', city: '广州市' }, lat: 23.135, lon: 113.33,
    })
    ok(org, 'outlet created')
    const password = 'Passw0rd-' + RUN
    const tech = await apiCall('POST', '/users', { login: `dsp_tech_${RUN}`, name: `派工师傅${RUN.slice(-4)}`, password, org_id: org.body.id, roles: ['technician'] })
    ok(tech, 'technician created')
    const cur = await apiCall('GET', `/technicians/${tech.body.id}`)
    ok(cur, 'technician read')
    ok(await apiCall('PATCH', `/technicians/${tech.body.id}`, { base_lat: 23.128, base_lon: 113.337 }, { 'If-Match': `"${cur.body.version}"` }), 'technician placed')
    const disp = await apiCall('POST', '/users', { login: `dsp_disp_${RUN}`, name: `调度员${RUN.slice(-4)}`, password, org_id: root.id, roles: ['dispatcher'] })
    ok(disp, 'dispatcher created')
    const digits = String(parseInt(RUN, 36) % 10000000).padStart(7, '0')
    const orders = []
    for (const [i, [lat, lon, addr]] of [[23.125, 113.335, '天河区体育西路103号'], [23.142, 113.322, '天河区天河北路233号']].entries()) {
      const o = await apiCall('POST', '/work-orders', {
        type: 'repair', priority: i ? 'P2' : 'P1', channel: 'phone', org_id: org.body.id, region: '广州市', lat, lon,
        customer: { name: `派工客户${i + 1}`, phone: `136${i}${digits}` },
        address: `广东省广州市${addr}`, fault_description: `派工台 ${RUN} 空调不制冷 #${i + 1}`,
      })
      ok(o, 'order created')
      ok(await apiCall('POST', `/work-orders/${o.body.id}/accept`, {}), 'order accepted')
      orders.push(o.body)
    }
    return { org: org.body, tech: tech.body, disp: disp.body, password, orders }
  }

  // Drops the order's card onto the technician's lane at hh:10 (inside the hh:00 half hour).
  async function dragTo(page, order, tech, hh) {
    const lane = page.locator($t('dsp-lane-' + tech.id))
    await lane.scrollIntoViewIfNeeded()
    const box = await lane.boundingBox()
    const x = Math.round(((hh + 10 / 60 - 7) / 14) * box.width)
    await page.locator($t('dsp-order-' + order.id)).dragTo(lane, { targetPosition: { x, y: Math.round(box.height / 2) } })
    await page.locator($t('dsp-confirm') + ' ' + $t('dsp-confirm-tech')).waitFor()
  }

  test('dispatch board: drag an order onto a technician at a time, a double booking overridden with a reason, the map', async (browser) => {
    const s = await setup()
    const [a, b] = s.orders
    const day = tomorrow()
    const page = await newPage(browser, 'zh-CN')
    await page.goto(BASE + '/login')
    await page.fill($t('login-name'), `dsp_disp_${RUN}`)
    await page.fill($t('login-password'), s.password)
    await page.click($t('login-submit'))
    await page.locator($t('menu-dispatch')).waitFor()
    const consoleErrors = [] // from here on (the login page asks for a session first: a 401)
    page.on('console', (m) => {
      // a refused dispatch (409; 403 and 412 stubbed below) is an expected answer; the browser logs it as a failed resource
      if (['error', 'warning'].includes(m.type()) && !/status of (403|409|412)/.test(m.text())) consoleErrors.push(m.text())
    })
    assert((await page.locator($t('menu-dispatch')).innerText()).includes('派工台'), 'menu entry 派工台')
    await page.click($t('menu-dispatch'))
    await page.locator($t('dsp-board')).waitFor()
    await page.locator($t('dsp-order-' + a.id)).waitFor()
    await page.locator($t('dsp-row-' + s.tech.id)).waitFor()
    await page.locator($t('dsp-live') + ':has-text("实时更新")').waitFor()
    await shot(page, '50-dispatch-board-zh')

    // an order taken in meanwhile shows up without a reload (the live stream)
    const live = await apiCall('POST', '/work-orders', {
      type: 'install', priority: 'P3', channel: 'phone', org_id: s.org.id, region: '广州市',
      customer: { name: '实时客户', phone: `1350${String(parseInt(RUN, 36) % 10000000).padStart(7, '0')}` },
      address: '广东省广州市海珠区新港中路397号', fault_description: `派工台 ${RUN} 新装热水器`,
    })
    ok(live, 'live order created')
    await page.locator($t('dsp-order-' + live.body.id)).waitFor({ timeout: 5000 })
    assert((await page.locator($t('dsp-order-' + live.body.id)).innerText()).includes('无定位'), 'an order without a position says so')

    // the card says what the dispatcher needs
    const card = await page.locator($t('dsp-order-' + a.id)).innerText()
    for (const w of [a.number, 'P1', '派工客户1', '体育西路', '空调不制冷']) assert(card.includes(w), `card shows ${w}: ${card}`)
    assert(/剩|超时/.test(card), 'card shows the SLA time left: ' + card)

    // the suggestions panel: click the card (the keyboard / touch path)
    await page.click($t('dsp-order-' + a.id))
    await page.locator($t('dsp-sug')).waitFor()
    await page.locator($t('dsp-sug-item-' + s.tech.id)).waitFor()
    const sugText = await page.locator($t('dsp-sug-item-' + s.tech.id)).innerText()
    assert(/推荐\d/.test(sugText) && sugText.includes('公里') && sugText.includes('在手'), 'the suggestion with its reasons in words: ' + sugText)
    // picking a suggestion opens the same confirmation (then cancelled here)
    await page.click($t('dsp-sug-pick-' + s.tech.id))
    await page.locator($t('dsp-confirm') + ' ' + $t('dsp-confirm-tech') + `:has-text("${s.tech.name}")`).waitFor()
    await page.locator($t('dsp-confirm') + ' ' + $t('dsp-confirm-reason') + ':has-text("推荐")').waitFor()
    await page.click($t('dsp-confirm-cancel'))
    await page.locator($t('dsp-confirm')).waitFor({ state: 'hidden' })

    // the map: the order pins, the suggestion lines, what has no position listed
    await page.click($t('dsp-tab-map'))
    await page.locator($t('dsp-map-svg')).waitFor()
    for (const o of [a, b]) await page.locator($t('dsp-map-pin-' + o.id)).waitFor()
    assert(await page.locator($t('dsp-map-pin-' + a.id)).getAttribute('data-priority') === 'P1', 'the pin knows its priority')
    assert(await page.locator($t('dsp-map-pin-' + a.id) + ' path').getAttribute('fill') === '#e5484d', 'a P1 pin is red')
    await page.locator($t('dsp-map-tech-' + s.tech.id)).waitFor()
    await page.locator($t('dsp-map-line-' + s.tech.id)).waitFor()
    await page.locator($t('dsp-map-fit-all')).click()
    await page.locator($t('dsp-map-pin-' + b.id)).waitFor()
    await page.locator($t('dsp-map-fit-sel')).click()
    assert((await page.locator($t('dsp-map-unknown')).innerText()).includes('位置未知'), 'the list of unknown positions')
    await shot(page, '51-dispatch-map-zh')
    await page.click($t('dsp-tab-timeline'))
    await page.click($t('dsp-sug-close'))

    // the next day, only this run's orders and technician in view
    await page.click($t('dsp-next'))
    await page.locator(`${$t('dsp-board')}[data-date="${day}"]`).waitFor()
    await page.fill($t('dsp-filter-q'), RUN)
    await page.fill($t('dsp-tech-filter'), s.tech.name)
    await page.locator($t('dsp-row-' + s.tech.id)).waitFor()

    // drag A onto the technician at 10:00 → confirm
    await dragTo(page, a, s.tech, 10)
    const dlg = page.locator($t('dsp-confirm'))
    assert((await dlg.locator($t('dsp-confirm-window')).innerText()).includes(`${day} 10:00–11:00`), 'the half hour dropped on, one hour long: ' + await dlg.locator($t('dsp-confirm-window')).innerText())
    await dlg.locator($t('dsp-confirm-reason')).waitFor()
    assert((await dlg.locator($t('dsp-confirm-reason')).innerText()).includes('推荐'), 'the suggestion reason is shown for this technician')
    await shot(page, '52-dispatch-confirm-zh')
    // another organisation's technician (403) and a stale order (412), said in words (stubbed answers)
    const stub = (status, code) => page.route('**/api/v1/work-orders/*/dispatch', (route) => route.fulfill({
      status, headers: { 'Content-Type': 'application/problem+json' }, body: JSON.stringify({ status, code, title: code, detail: code }),
    }), { times: 1 })
    await stub(403, 'forbidden')
    await dlg.locator($t('dsp-confirm-submit')).click()
    assert((await dlg.locator($t('dsp-confirm-error')).innerText()).includes('其他机构'), '403 in words')
    await stub(412, 'precondition_failed')
    await dlg.locator($t('dsp-confirm-submit')).click()
    assert((await dlg.locator($t('dsp-confirm-warn')).innerText()).includes('其他人修改'), '412 in words')
    await dlg.locator($t('dsp-confirm-submit')).click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator($t('dsp-booking-' + a.id)).waitFor()
    const gotA = (await apiCall('GET', `/work-orders/${a.id}`)).body
    assert(gotA.status === 'dispatched' && gotA.assignee_id === s.tech.id, 'A dispatched to the technician: ' + gotA.status + ' ' + gotA.assignee_id)
    assert(gotA.appointment_start_at === at(day, 10) && gotA.appointment_end_at === at(day, 11),
      `A's appointment 10:00–11:00: ${gotA.appointment_start_at} – ${gotA.appointment_end_at}`)

    // B onto the same technician at the same time → the double booking in words → anyway, with a reason
    await dragTo(page, b, s.tech, 10)
    await dlg.locator($t('dsp-confirm-submit')).click()
    await dlg.locator($t('dsp-conflicts')).waitFor()
    const words = await dlg.locator($t('dsp-conflicts')).innerText()
    assert(words.includes('重复预约') && !words.includes('double_booked'), 'the conflict in words: ' + words)
    await dlg.locator($t('dsp-override-submit')).click()
    await dlg.locator('.el-form-item__error').waitFor()
    await dlg.locator($t('dsp-override-reason')).fill('客户指定该师傅，同一小区顺路')
    await shot(page, '53-dispatch-conflict-zh')
    await dlg.locator($t('dsp-override-submit')).click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator($t('dsp-booking-' + b.id)).waitFor()
    const gotB = (await apiCall('GET', `/work-orders/${b.id}`)).body
    assert(gotB.status === 'dispatched' && gotB.assignee_id === s.tech.id && gotB.appointment_start_at === at(day, 10), 'B dispatched anyway: ' + JSON.stringify([gotB.status, gotB.assignee_id, gotB.appointment_start_at]))
    const tl = (await apiCall('GET', `/work-orders/${b.id}/timeline`)).body.items.find((e) => e.event === 'dispatch')
    assert(tl && tl.data.override_reason === '客户指定该师傅，同一小区顺路' && tl.data.conflicts.includes('double_booked'), 'the override and its reason on the timeline: ' + JSON.stringify(tl))
    await shot(page, '54-dispatch-booked-zh')
    await page.fill($t('dsp-filter-q'), '')
    await page.fill($t('dsp-tech-filter'), '')

    // English: no raw keys, the words of the screen
    await page.click($t('lang-button'))
    await page.click($t('lang-en-US'))
    await page.locator($t('dsp-board') + ':has-text("Dispatch board")').waitFor()
    const en = await page.locator($t('dsp-board')).innerText()
    for (const w of ['Waiting for dispatch', 'Timeline', 'Map', 'Technician', 'Shift', 'Leave']) assert(en.includes(w), `English shows ${w}`)
    const raw = en.match(/\b(dispatchBoard|priority|status|woType|common|live)\.[a-zA-Z_]+/g)
    assert(!raw, 'no raw i18n keys: ' + (raw || []).join(', '))
    await shot(page, '55-dispatch-board-en')
    await page.click($t('dsp-tab-map'))
    await page.locator($t('dsp-map-svg')).waitFor()
    assert((await page.locator($t('dsp-map-unknown')).innerText()).includes('Position unknown'), 'English map list')
    await shot(page, '56-dispatch-map-en')
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    assert(consoleErrors.length === 0, 'no console errors: ' + consoleErrors.join('; '))
    await page.context().close()
    await apiCall('POST', `/work-orders/${live.body.id}/cancel`, { reason: 'e2e 派工台测试完成' })
    await apiCall('DELETE', `/users/${s.tech.id}`) // retired: the next run's technician is the nearest
  })
}
