// network.mjs — two-level network dispatch on screen (issue 5 item 4): a manufacturer's order is
// handed to the service station of the customer's city ("best automatically"), the station hands it
// to one of its outlets, the outlet accepts the hand-over (and could hand it back) and dispatches it
// to its technician, who takes it: manufacturer → station → outlet → technician, each step by the
// people of that organisation on their own screens.
export default function ({ test, assert, shot, newPage, login, apiCall, $t, BASE, RUN }) {
  test('network: manufacturer → station → outlet (accepts) → technician, on each one\'s screen', async (browser) => {
    const n = String(parseInt(RUN, 36) % 100000000).padStart(8, '0')
    const tech = ((await apiCall('GET', '/users?q=tech03')).body.items || []).find((u) => u.login === 'tech03')
    assert(tech, 'demo technician tech03')
    const outlet = (await apiCall('GET', `/organizations/${tech.org_id}`)).body
    const station = (await apiCall('GET', `/organizations/${outlet.parent_id}`)).body
    assert(station.type === 'station', 'the outlet sits under a station: ' + station.type)
    const orgs = (await apiCall('GET', '/organizations?limit=200')).body.items || []
    const maker = orgs.find((o) => o.type === 'manufacturer')
    assert(maker, 'a manufacturer in the demo data')
    const people = {}
    for (const [key, org] of [['maker', maker.id], ['station', station.id], ['outlet', outlet.id]]) {
      const login_ = `net${key}${n.slice(-5)}`
      const u = await apiCall('POST', '/users', { login: login_, name: `网络${key}${n.slice(-3)}`, password: 'password123', org_id: org, roles: ['dispatcher'] })
      assert(u.status === 201, 'user: ' + JSON.stringify(u.body))
      people[key] = login_
    }
    const city = (station.region && station.region.city) || station.city
    const o = await apiCall('POST', '/work-orders', {
      type: 'repair', priority: 'P2', channel: 'phone', org_id: maker.id, customer: { name: `网络客户${n.slice(-3)}`, phone: '135' + n },
      address: `${city}体育西路 ${n.slice(-3)}号`, region: city, lat: station.lat, lon: station.lon, fault_description: `洗衣机不脱水 网络 ${RUN}`,
    })
    assert(o.status === 201, 'order: ' + JSON.stringify(o.body))
    assert((await apiCall('POST', `/work-orders/${o.body.id}/accept`, {})).status === 200, 'accepted')
    const id = o.body.id

    async function as(who) {
      const page = await newPage(browser, 'zh-CN')
      await login(page, people[who], 'password123')
      await page.locator($t('menu')).waitFor()
      await page.goto(`${BASE}/work-orders/${id}`)
      return page
    }

    // the manufacturer: to the station of the customer's city, chosen automatically
    let page = await as('maker')
    await page.locator($t('wo-network-route')).click()
    await page.locator($t('wo-network-dialog')).waitFor()
    const list = await page.locator($t('wo-network-dialog')).innerText()
    assert(list.includes(station.name) && list.includes('同城'), 'stations, the same city first: ' + list)
    await shot(page, 'net-1-maker-zh')
    await page.locator($t('wo-network-submit')).click()
    await page.locator($t('wo-network-dialog')).waitFor({ state: 'hidden' })
    let w = (await apiCall('GET', `/work-orders/${id}`)).body
    assert(w.org_id === station.id, 'at the station of the city: ' + w.org_name)
    await page.context().close()

    // the station: to the outlet, picked by hand
    page = await as('station')
    await page.locator($t('wo-network-route')).click()
    await page.locator($t('wo-network-org-' + outlet.id)).click()
    await page.fill(`input${$t('wo-network-reason')}`, '离客户最近')
    await page.locator($t('wo-network-submit')).click()
    await page.locator($t('wo-network-dialog')).waitFor({ state: 'hidden' })
    w = (await apiCall('GET', `/work-orders/${id}`)).body
    assert(w.org_id === outlet.id && w.route_due_at, 'at the outlet, waiting for its answer: ' + JSON.stringify([w.org_name, w.route_due_at]))
    await page.context().close()

    // the outlet: accepts, then dispatches to its technician
    page = await as('outlet')
    const wait = page.locator($t('wo-network-await'))
    await wait.waitFor()
    assert((await wait.innerText()).includes('前接受'), 'asked to accept in time: ' + (await wait.innerText()))
    await shot(page, 'net-2-outlet-zh')
    await page.locator($t('wo-network-accept')).click()
    await wait.waitFor({ state: 'detached' })
    w = (await apiCall('GET', `/work-orders/${id}`)).body
    assert(!w.route_due_at, 'accepted')
    await page.locator($t('wo-action-dispatch')).click()
    const sug = page.locator(`${$t('wo-event-dialog')} [data-test="wo-dispatch-suggest-${tech.id}"]`)
    const any = page.locator(`${$t('wo-event-dialog')} [data-test^="wo-dispatch-suggest-"]`).first()
    await any.waitFor()
    await ((await sug.count()) ? sug : any).click()
    await page.locator(`${$t('wo-event-dialog')} ${$t('wo-event-submit')}`).click()
    const conf = page.locator($t('wo-dispatch-conflicts'))
    await Promise.race([conf.waitFor().catch(() => {}), page.locator($t('wo-event-dialog')).waitFor({ state: 'hidden' })])
    if (await conf.isVisible()) {
      await page.fill(`input${$t('wo-dispatch-override')}`, '网络派单 e2e')
      await page.locator(`${$t('wo-event-dialog')} ${$t('wo-event-submit')}`).click()
    }
    await page.locator(`.title-row ${$t('wo-status')}[data-status="dispatched"]`).waitFor()
    w = (await apiCall('GET', `/work-orders/${id}`)).body
    const assignee = (await apiCall('GET', `/users/${w.assignee_id}`)).body
    assert(assignee.org_id === outlet.id, 'a technician of the outlet: ' + assignee.name)
    // the technician takes it
    assert((await apiCall('POST', `/work-orders/${id}/take`, {})).status === 200, 'taken')
    const tl = (await apiCall('GET', `/work-orders/${id}/timeline`)).body.items.map((e) => e.event)
    for (const e of ['route', 'route_accept', 'dispatch', 'take']) assert(tl.includes(e), `${e} on the timeline: ${tl}`)
    assert(tl.filter((e) => e === 'route').length === 2, 'two hand-overs')
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })
}
