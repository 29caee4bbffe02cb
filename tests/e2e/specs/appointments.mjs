// appointments.mjs — appointments and capacity (issue 5 item 6) in the browser: an agent takes a
// phone request and books a free slot from the slot picker; the customer files a request in the
// portal and picks a slot; the appointment board (预约看板) shows both the next day; a missed
// appointment is recorded as a no-show from the board; bays (工位) are set up, and the English
// screens show no raw keys.
export default function ({ test, assert, shot, newPage, login, apiCall, $t, BASE, RUN }) {
  const ok = (r, what) => assert(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`)
  const localDay = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10)
  const tomorrow = () => localDay(Date.now() + 86400e3)
  const digits = String(parseInt(RUN, 36) % 10000000).padStart(7, '0')
  const password = 'Passw0rd-' + RUN

  async function setup() {
    const orgs = (await apiCall('GET', '/organizations?limit=500')).body.items
    const root = orgs.find((o) => !o.parent_id) || orgs[0]
    const org = await apiCall('POST', '/organizations', { name: `预约网点${RUN}`, type: 'outlet', parent_id: root.id, region: { province: '广东省', city: '广州市' } })
    ok(org, 'outlet created')
    const shifts = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start_min: 540, end_min: 1080 }))
    for (const i of [1, 2]) {
      const t = await apiCall('POST', '/users', { login: `appt_tech${i}_${RUN}`, name: `预约师傅${i}`, password, org_id: org.body.id, roles: ['technician'] })
      ok(t, 'technician created')
      const cur = await apiCall('GET', `/technicians/${t.body.id}`)
      ok(await apiCall('PUT', `/technicians/${t.body.id}/shifts`, { shifts }, { 'If-Match': `"${cur.body.version}"` }), 'shifts')
    }
    ok(await apiCall('POST', '/users', { login: `appt_agent_${RUN}`, name: `话务员${RUN.slice(-4)}`, password, org_id: org.body.id, roles: ['agent'] }), 'agent created')
    const c = await apiCall('POST', '/customers', { name: `预约客户${RUN.slice(-4)}`, phones: [`135${digits}0`.slice(0, 11)], addresses: [{ text: '广东省广州市天河区体育西路103号' }] })
    ok(c, 'customer created')
    ok(await apiCall('POST', '/users', { login: `appt_cust_${RUN}`, name: c.body.name, password, org_id: org.body.id, roles: ['customer'], customer_id: c.body.id }), 'customer account')
    // an appointment today that began without the customer (an hour ago, or at midnight)
    const o = await apiCall('POST', '/work-orders', {
      type: 'repair', channel: 'phone', org_id: org.body.id, customer: { name: `爽约客户${RUN.slice(-4)}`, phone: `134${digits}1`.slice(0, 11) },
      address: '广东省广州市天河区天河北路233号', fault_description: `预约 ${RUN} 洗衣机不脱水`,
    })
    ok(o, 'order created')
    const midnight = Date.parse(`${localDay(Date.now())}T00:00:00+08:00`)
    const start = Math.max(Math.floor((Date.now() - 3600e3) / 1800e3) * 1800e3, midnight)
    ok(await apiCall('PATCH', `/work-orders/${o.body.id}`, { appointment_start: new Date(start).toISOString(), appointment_end: new Date(start + 3600e3).toISOString() }, { 'If-Match': `"${o.body.version}"` }), 'past appointment')
    return { org: org.body, missed: o.body }
  }

  const staffLogin = async (page, who) => {
    await login(page, who, password)
    await page.locator($t('menu')).waitFor()
  }

  test('appointments: an agent books a slot for a phone request, the customer picks one in the portal, the board shows them, a no-show is recorded', async (browser) => {
    const s = await setup()
    const day = tomorrow()

    // the agent on the phone: a request with a slot from the picker
    const page = await newPage(browser, 'zh-CN')
    await staffLogin(page, `appt_agent_${RUN}`)
    assert((await page.locator($t('menu')).innerText()).includes('预约看板'), 'menu entry 预约看板')
    await page.goto(BASE + '/work-orders/new')
    await page.locator($t('wo-create')).waitFor()
    await page.fill($t('wo-customer-name'), '电话客户')
    await page.fill($t('wo-customer-phone'), `133${digits}2`.slice(0, 11))
    await page.fill($t('wo-address'), '广东省广州市天河区天河路385号')
    await page.fill($t('wo-fault-input'), `预约 ${RUN} 空调不制冷`)
    await page.locator($t('intake-slots-10:00')).waitFor()
    const pickerText = await page.locator($t('intake-slots')).innerText()
    assert(pickerText.includes('余2'), 'two technicians free: ' + pickerText)
    await page.click($t('intake-slots-10:00'))
    await page.locator($t('intake-slots-picked')).waitFor()
    await shot(page, 'appt-01-intake-slot-zh')
    await page.click($t('wo-submit'))
    await page.locator($t('wo-detail')).waitFor()
    const phoneOrder = Number(page.url().match(/work-orders\/(\d+)/)[1])
    await page.waitForFunction((id) => document.body.innerText.includes(id), `${day} 10:00`)
    await shot(page, 'appt-02-order-booked-zh')

    // the customer in the portal: a request, a slot picked
    const cpage = await newPage(browser, 'zh-CN')
    await login(cpage, `appt_cust_${RUN}`, password)
    await cpage.locator($t('menu')).waitFor()
    await cpage.goto(BASE + '/portal/new')
    await cpage.locator($t('portal-request')).waitFor()
    await cpage.fill($t('request-fault'), `预约 ${RUN} 热水器不点火`)
    await cpage.fill($t('request-address'), '广东省广州市天河区体育西路103号')
    await cpage.locator($t('request-slots-11:00')).waitFor()
    const custText = await cpage.locator($t('request-slots')).innerText()
    assert(!custText.includes('余'), 'the customer sees no counts: ' + custText)
    await cpage.click($t('request-slots-11:00'))
    await shot(cpage, 'appt-03-portal-slot-zh')
    await cpage.click($t('request-submit'))
    await cpage.waitForURL(/\/portal\/orders\/\d+/)
    const portalOrder = Number(cpage.url().match(/orders\/(\d+)/)[1])
    await cpage.waitForFunction((t) => document.body.innerText.includes(t), `${day} 11:00`)
    await shot(cpage, 'appt-04-portal-order-zh')
    await cpage.context().close()

    // the board of tomorrow: both appointments, nobody assigned yet
    await page.click($t('menu-appointments'))
    await page.locator($t('appointment-board')).waitFor()
    await page.click($t('board-next'))
    await page.locator($t('board-card-' + phoneOrder)).waitFor()
    await page.locator($t('board-card-' + portalOrder)).waitFor()
    const col = await page.locator($t('board-col-waiting')).innerText()
    assert(col.includes('10:00') && col.includes('11:00') && col.includes('已预约'), 'cards with times and state: ' + col)
    assert((await page.locator($t('board-summary')).innerText()).includes('共 2 个预约'), 'summary')
    await shot(page, 'appt-05-board-tomorrow-zh')

    // the missed one: the no-show button on its day
    await page.click($t('board-prev')) // back to today, the missed appointment's day
    await page.locator($t('board-noshow-' + s.missed.id)).waitFor()
    await page.click($t('board-noshow-' + s.missed.id))
    await page.locator('.el-message-box input').fill('电话无人接听')
    await page.locator('.el-message-box .el-button--primary').click()
    await page.waitForFunction((id) => {
      const el = document.querySelector(`[data-test="board-status-${id}"]`)
      return el && el.innerText.includes('爽约')
    }, s.missed.id)
    assert(!(await page.locator($t('board-noshow-' + s.missed.id)).count()), 'no second no-show')
    await shot(page, 'appt-06-board-no-show-zh')
    const tl = await apiCall('GET', `/work-orders/${s.missed.id}/timeline`)
    assert(tl.body.items.some((e) => e.event === 'no_show' && e.data.reason === '电话无人接听'), 'no-show on the timeline')

    // reschedule from the order detail
    await page.goto(BASE + `/work-orders/${phoneOrder}`)
    await page.click($t('appt-book'))
    await page.locator($t('appt-slots-14:00')).waitFor()
    await page.click($t('appt-slots-14:00'))
    await page.click($t('appt-save'))
    await page.waitForFunction((t) => document.body.innerText.includes(t), `${day} 14:00`)
    await page.context().close()
  })

  test('appointments: bays set up in English, the board and the picker without raw keys', async (browser) => {
    const page = await newPage(browser, 'en-US')
    await login(page)
    await page.locator($t('menu')).waitFor()
    await page.goto(BASE + '/settings/bays')
    await page.locator($t('bay-list')).waitFor()
    await page.click($t('bay-new'))
    const dlg = page.locator($t('bay-dialog'))
    await dlg.locator($t('bay-name')).fill(`Bay ${RUN}`)
    await dlg.locator($t('bay-capacity') + ' input').fill('6')
    await shot(page, 'appt-07-bay-dialog-en')
    await dlg.locator($t('bay-save')).click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator($t('bay-table'), { hasText: `Bay ${RUN}` }).waitFor()
    const table = await page.locator($t('bay-table')).innerText()
    assert(table.includes('Mechanical') && table.includes('6 a day') && table.includes('Working calendar'), 'the bay row in English: ' + table)
    await shot(page, 'appt-08-bays-en')
    await page.goto(BASE + '/appointments')
    await page.locator($t('appointment-board')).waitFor()
    await page.locator($t('board-summary')).waitFor()
    await shot(page, 'appt-09-board-en')
    const text = await page.locator('body').innerText()
    assert(!/appointments\.[a-z]/.test(text), 'no raw keys on the board')
    assert(text.includes('Appointment board') && text.includes('Not assigned'), 'English board')
    await page.goto(BASE + '/work-orders/new')
    await page.locator($t('intake-slots')).waitFor()
    await page.waitForTimeout(500)
    const form = await page.locator('body').innerText()
    assert(!/appointments\.[a-z]/.test(form) && form.includes('Appointment slot'), 'English picker')
    await page.context().close()
  })
}
