// dispatch_plan.mjs — 路线规划 on the 派工台 (issue 5 item 8, issue 6 item 4) in the browser: a
// dispatcher plans a team's next day with the route optimiser, reads the travel saved per
// technician, sees each planned route drawn on the map (a line through the numbered visits from
// the technician's start), switches to the day as it was, applies the plan (the eastern washer
// orders move to the technician in the east) and reads the same screen in English.
export default function ({ test, assert, shot, newPage, pickOption, apiCall, $t, BASE, RUN }) {
  const ok = (r, what) => assert(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`)
  const day = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10) // tomorrow in Beijing
  const at = (hh, mm = 0) => {
    const [y, m, d] = day.split('-').map(Number)
    return new Date(Date.UTC(y, m - 1, d, hh - 8, mm)).toISOString()
  }
  const digits = String(parseInt(RUN, 36) % 1000000).padStart(6, '0')

  async function tech(name, org, login, lat, lon, skills, password) {
    const u = await apiCall('POST', '/users', { login, name, password, org_id: org, roles: ['technician'] })
    ok(u, 'technician created')
    let cur = await apiCall('GET', `/technicians/${u.body.id}`)
    const p = await apiCall('PATCH', `/technicians/${u.body.id}`, { base_lat: lat, base_lon: lon, on_duty: true, skills: skills.map((skill) => ({ skill, level: 3 })) }, { 'If-Match': `"${cur.body.version}"` })
    ok(p, 'technician placed')
    const shifts = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start_min: 540, end_min: 1080, break_start_min: 720, break_end_min: 780 }))
    ok(await apiCall('PUT', `/technicians/${u.body.id}/shifts`, { shifts }, { 'If-Match': `"${p.body.version}"` }), 'shifts')
    return { id: u.body.id, name }
  }

  async function asset(category, i) {
    const m = await apiCall('POST', '/product-models', { brand: '美的', category, model: `规划${RUN}-${i}`, warranty_months: 12 })
    ok(m, 'model')
    const c = await apiCall('POST', '/customers', { name: `规划客户${i}`, phones: [`137${i}${digits}0`] })
    ok(c, 'customer')
    const a = await apiCall('POST', '/assets', { customer_id: c.body.id, model_id: m.body.id, serial: `PLAN-${RUN}-${i}`, purchase_date: '2026-01-10' })
    ok(a, 'asset')
    return { asset_id: a.body.id, customer_id: c.body.id }
  }

  async function setup() {
    const orgs = (await apiCall('GET', '/organizations?limit=500')).body.items
    const root = orgs.find((o) => !o.parent_id) || orgs[0]
    const org = await apiCall('POST', '/organizations', {
      name: `路线规划网点${RUN}`, type: 'outlet', parent_id: root.id, region: { province: '广东省', city: '广州市' }, lat: 23.13, lon: 113.36,
    })
    ok(org, 'outlet created')
    const password = 'Passw0rd-' + RUN
    ok(await apiCall('POST', '/users', { login: `plan_disp_${RUN}`, name: `调度员${RUN.slice(-4)}`, password, org_id: root.id, roles: ['dispatcher'] }), 'dispatcher')
    // 李 in the west does air-con and washers, 王 in the east washers only
    const a = await tech('李建华', org.body.id, `plan_a_${RUN}`, 23.13, 113.30, ['空调', '洗衣机'], password)
    const b = await tech('王志强', org.body.id, `plan_b_${RUN}`, 23.125, 113.45, ['洗衣机'], password)
    const orders = []
    const spots = [ // lat, lon, category, technician, appointment hour, address
      [23.128, 113.44, '洗衣机', a, 0, '黄埔区大沙地东路188号'],
      [23.135, 113.305, '空调', a, 10, '荔湾区中山八路35号'],
      [23.122, 113.46, '洗衣机', a, 0, '黄埔区丰乐北路99号'],
      [23.14, 113.315, '空调', a, 0, '越秀区东风西路140号'],
      [23.118, 113.435, '洗衣机', a, 0, '黄埔区香雪三路1号'],
      [23.13, 113.455, '洗衣机', b, 0, '黄埔区开发大道348号'],
    ]
    for (const [i, [lat, lon, cat, t, hh, addr]] of spots.entries()) {
      const kind = await asset(cat, i)
      const o = await apiCall('POST', '/work-orders', {
        type: 'repair', priority: 'P3', channel: 'phone', org_id: org.body.id, region: '广州市', lat, lon, ...kind,
        address: `广东省广州市${addr}`, fault_description: `路线规划 ${RUN} ${cat}维修 #${i + 1}`,
      })
      ok(o, 'order')
      ok(await apiCall('POST', `/work-orders/${o.body.id}/accept`, {}), 'accepted')
      const appt = hh ? { appointment_start: at(hh), appointment_end: at(hh + 2) } : {}
      ok(await apiCall('POST', `/work-orders/${o.body.id}/dispatch`, { assignee_id: t.id, ...appt }), 'dispatched')
      orders.push({ id: o.body.id, cat, tech: t.id, lon })
    }
    return { org: org.body, a, b, password, orders }
  }

  test('dispatch plan: plan a team\'s day, the routes drawn on the map before and after, apply', async (browser) => {
    const s = await setup()
    const page = await newPage(browser, 'zh-CN')
    await page.goto(BASE + '/login')
    await page.fill($t('login-name'), `plan_disp_${RUN}`)
    await page.fill($t('login-password'), s.password)
    await page.click($t('login-submit'))
    await page.locator($t('menu-dispatch')).waitFor()
    const consoleErrors = []
    page.on('console', (m) => { if (['error', 'warning'].includes(m.type())) consoleErrors.push(m.text()) })
    await page.click($t('menu-dispatch'))
    await page.locator($t('dsp-board')).waitFor()
    await page.click($t('dsp-next'))
    await page.locator(`${$t('dsp-board')}[data-date="${day}"]`).waitFor()
    await page.locator($t('dsp-row-' + s.a.id)).waitFor()
    await pickOption(page, 'dsp-org', s.org.name)
    await page.locator(`${$t('dsp-row-' + s.b.id)}`).waitFor()

    // plan: team mode by default
    await page.click($t('dsp-plan'))
    await page.locator($t('plan-summary')).waitFor()
    const summary = await page.locator($t('plan-summary')).innerText()
    assert(summary.includes('路上时间') && summary.includes('共节省') && summary.includes('分钟'), 'the travel before and after in words: ' + summary)
    const plan = (await apiCall('GET', `/dispatch/plan?date=${day}&org_id=${s.org.id}&mode=team`)).body
    assert(plan.moved >= 2 && plan.travel_min_after < plan.travel_min_before, 'the plan moves the eastern orders and saves travel: ' + JSON.stringify([plan.moved, plan.travel_min_before, plan.travel_min_after]))
    const east = s.orders.filter((o) => o.cat === '洗衣机' && o.tech === s.a.id).map((o) => o.id)
    const routeB = plan.routes.find((r) => r.technician_id === s.b.id)
    assert(east.every((id) => routeB.visits.some((v) => v.order_id === id)), 'the eastern washers go to 王志强')
    assert(!routeB.visits.some((v) => s.orders.find((o) => o.id === v.order_id).cat === '空调'), 'no air-con order for a washer technician')
    const saved = await page.locator($t('plan-saved-' + s.b.id)).innerText()
    assert(saved !== '', 'the saving per technician shown')

    // the map: one coloured line per technician through the visits in order, from the start
    await page.locator($t('plan-layer')).waitFor()
    for (const r of plan.routes) {
      const line = page.locator($t('plan-line-' + r.technician_id))
      await line.waitFor()
      assert(Number(await line.getAttribute('data-stops')) === r.visits.length, `${r.name}: ${r.visits.length} stops on the line`)
      const pts = (await line.getAttribute('points')).trim().split(/\s+/).length
      assert(pts === r.visits.length + 1, `${r.name}: the line starts at the start point (${pts} points)`)
      await page.locator($t('plan-start-' + r.technician_id)).waitFor()
      for (let k = 1; k <= r.visits.length; k++) await page.locator($t(`plan-stop-${r.technician_id}-${k}`)).waitFor()
      const row = await page.locator($t('plan-stops-' + r.technician_id)).innerText()
      assert(r.visits.every((v) => row.includes(v.customer_name)), 'the table lists the visits in order: ' + row)
    }
    const colorA = await page.locator($t('plan-line-' + s.a.id)).getAttribute('stroke')
    assert(colorA !== await page.locator($t('plan-line-' + s.b.id)).getAttribute('stroke'), 'one colour per technician')
    await shot(page, '57-dispatch-plan-zh')
    await page.locator($t('plan-map-list')).evaluate((e) => e.scrollIntoView({ block: 'start' }))
    await shot(page, '57b-dispatch-plan-map-zh')

    // the day as it was: dashed, in the dispatched order
    await page.click($t('plan-side-before'))
    await page.locator(`${$t('plan-layer')}[data-side="before"]`).waitFor()
    for (const r of plan.routes) {
      if (!r.before.length) {
        assert(await page.locator($t('plan-line-' + r.technician_id)).count() === 0, 'no line where nothing was planned before')
        continue
      }
      assert(Number(await page.locator($t('plan-line-' + r.technician_id)).getAttribute('data-stops')) === r.before.length, `${r.name}: ${r.before.length} stops before`)
    }
    await page.locator($t('plan-map-list')).evaluate((e) => e.scrollIntoView({ block: 'start' }))
    await shot(page, '58-dispatch-plan-before-zh')
    await page.click($t('plan-side-after'))

    // apply → confirm → the orders moved, the plan made again has nothing more to move
    await page.click($t('plan-apply'))
    await page.locator('.el-message-box').waitFor()
    assert((await page.locator('.el-message-box').innerText()).includes('改派'), 'the confirmation says what will change')
    await page.locator('.el-message-box .el-button--primary').click()
    await page.locator('.el-message--success').waitFor()
    for (const id of east) {
      const o = (await apiCall('GET', `/work-orders/${id}`)).body
      assert(o.assignee_id === s.b.id && o.status === 'dispatched' && o.appointment_start_at, `order ${o.number} moved to 王志强 with a time: ${o.assignee_id} ${o.appointment_start_at}`)
    }
    const appt = (await apiCall('GET', `/work-orders/${s.orders[1].id}`)).body
    assert(appt.appointment_start_at === at(10) && appt.appointment_end_at === at(12), 'the customer\'s appointment did not move')
    await page.locator($t('plan-changes') + ':has-text("无")').waitFor()
    await shot(page, '59-dispatch-plan-applied-zh')

    // English: the same screen in words, no raw keys
    await page.click($t('lang-button'))
    await page.click($t('lang-en-US'))
    await page.locator($t('plan-panel') + ':has-text("Route plan")').waitFor()
    const en = await page.locator($t('plan-panel')).innerText()
    for (const w of ['Travel time', 'Saved in all', 'Visits in order']) assert(en.includes(w), `English shows ${w}`)
    const raw = (en + await page.locator($t('plan-map-list')).innerText()).match(/\b(dispatchPlan|dispatchBoard)\.[a-zA-Z_.]+/g)
    assert(!raw, 'no raw i18n keys: ' + (raw || []).join(', '))
    await shot(page, '59b-dispatch-plan-en')
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    assert(consoleErrors.length === 0, 'no console errors: ' + consoleErrors.join('; '))
    await page.context().close()
  })
}
