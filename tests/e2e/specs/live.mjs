// live.mjs — live progress in the browser (issue 4 items 11, 12): the wall board (进度看板) open
// in a page follows orders created and changed through the API without a reload; the work-order
// list shows counts per state, filters by a state tab, saves / applies / deletes a filter, and
// shows a new order as it is created.
export default function ({ test, assert, shot, newPage, login, apiCall, $t, BASE, RUN }) {
  const order = async (fault) => {
    const r = await apiCall('POST', '/work-orders', {
      type: 'repair', priority: 'P2', channel: 'phone',
      customer: { name: '林晓峰', phone: '13725550101' },
      address: '广东省广州市天河区体育西路103号', fault_description: fault,
    })
    assert(r.status === 201, 'order created: ' + JSON.stringify(r.body))
    return r.body
  }
  const countOf = async (page, id) => Number((await page.locator($t(id)).innerText()).trim())

  test('live: the wall board follows orders created and changed through the API, without reload', async (browser) => {
    const page = await newPage(browser, 'zh-CN')
    await page.setViewportSize({ width: 1920, height: 1080 })
    await login(page)
    await page.locator($t('menu-board')).waitFor()
    await page.click($t('menu-board'))
    await page.locator($t('board')).waitFor()
    await page.locator($t('board-live') + '.open').waitFor()
    const title = await page.locator($t('board')).innerText()
    for (const w of ['维修进度看板', '待受理', '已受理', '服务中', '待料/待确认', '已质检', '已结算', '在修', '超时']) {
      assert(title.includes(w), `board shows ${w}`)
    }
    await page.evaluate(() => { window.__noReload = 'still here' })
    const newBefore = await countOf(page, 'board-count-new')

    const o = await order(`看板实时 ${RUN} 冰箱不制冷`)
    const card = page.locator(`${$t('board-col-new')} ${$t('board-card-' + o.id)}`)
    await card.waitFor({ timeout: 5000 })
    assert((await card.innerText()).includes('林晓峰'), 'card shows the customer')
    await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).innerText) === n,
      [$t('board-count-new'), newBefore + 1], { timeout: 5000 })

    const acc = await apiCall('POST', `/work-orders/${o.id}/accept`, {})
    assert(acc.status === 200, 'accepted: ' + JSON.stringify(acc.body))
    await page.locator(`${$t('board-col-accepted')} ${$t('board-card-' + o.id)}`).waitFor({ timeout: 5000 })
    assert(await page.locator(`${$t('board-col-new')} ${$t('board-card-' + o.id)}`).count() === 0, 'left the new column')
    // the promised time passes: the card turns red and the late count goes up
    const lateBefore = await countOf(page, 'board-late')
    const ago = new Date(Date.now() - 2 * 3600e3).toISOString()
    const est = await apiCall('POST', `/work-orders/${o.id}/estimate`, { promised_at: ago })
    assert(est.status === 200, 'promised time set: ' + JSON.stringify(est.body))
    await page.locator(`${$t('board-card-' + o.id)}[data-late="true"]`).waitFor({ timeout: 5000 })
    await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).innerText) === n,
      [$t('board-late'), lateBefore + 1], { timeout: 5000 })
    assert(await page.evaluate(() => window.__noReload) === 'still here', 'the page was not reloaded')
    await page.waitForTimeout(400)
    await shot(page, '40-wall-board')

    const cancel = await apiCall('POST', `/work-orders/${o.id}/cancel`, { reason: 'e2e 看板测试完成' })
    assert(cancel.status === 200, 'cancelled')
    await page.locator($t('board-card-' + o.id)).waitFor({ state: 'detached', timeout: 5000 })
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('live: list tabs with counts, a saved filter, and a new order appearing live', async (browser) => {
    const page = await newPage(browser, 'zh-CN')
    await login(page)
    await page.locator($t('menu-work-orders')).waitFor()
    await page.click($t('menu-work-orders'))
    await page.locator($t('wo-tabs')).waitFor()
    await page.locator($t('wo-live') + '.open').waitFor()
    const sum = (await apiCall('GET', '/work-orders/summary')).body
    await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).innerText) === n, [$t('wo-count-all'), sum.total])
    assert(await countOf(page, 'wo-count-new') === (sum.counts.new || 0), 'the new tab counts the new orders')

    // a state tab filters the list
    await page.click($t('wo-tab-new'))
    await page.waitForURL(/status=new/)
    await page.locator($t('wo-tab-new') + '.active').waitFor()
    const states = await page.locator(`${$t('wo-table')} [data-status]`).evaluateAll((els) => els.map((e) => e.dataset.status))
    assert(states.length > 0 && states.every((s) => s === 'new'), 'only new orders: ' + states.join(','))

    // save the filter, pick it from the menu later
    const name = `待受理 ${RUN}`
    await page.click($t('wo-save-filter'))
    await page.locator('.el-message-box input').fill(name)
    await page.click('.el-message-box__btns .el-button--primary')
    await page.locator('.el-message--success').waitFor()
    await page.click($t('wo-tab-all'))
    await page.waitForURL((u) => !u.search.includes('status='))
    await page.click($t('wo-saved-open'))
    const item = page.locator('.el-dropdown-menu__item:visible', { hasText: name })
    await item.waitFor()
    await shot(page, '41-list-saved-filters')
    await item.click()
    await page.waitForURL(/status=new/)

    // a new order shows up in the list and in the counts without a reload
    const before = await countOf(page, 'wo-count-new')
    await page.evaluate(() => { window.__noReload = 'still here' })
    const o = await order(`列表实时 ${RUN} 洗衣机不排水`)
    await page.locator($t('wo-link-' + o.id)).waitFor({ timeout: 5000 })
    await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).innerText) === n,
      [$t('wo-count-new'), before + 1], { timeout: 5000 })
    assert(await page.evaluate(() => window.__noReload) === 'still here', 'the page was not reloaded')
    await shot(page, '42-list-live-tabs')
    // it leaves the "new" list when accepted
    await apiCall('POST', `/work-orders/${o.id}/accept`, {})
    await page.locator($t('wo-link-' + o.id)).waitFor({ state: 'detached', timeout: 5000 })

    // delete the saved filter
    await page.click($t('wo-saved-open'))
    const saved = (await apiCall('GET', '/saved-filters')).body.items
    const f = saved.find((x) => x.name === name)
    assert(f && f.query.status === 'new', 'saved with its query: ' + JSON.stringify(saved))
    const row = page.locator('.el-dropdown-menu__item:visible', { hasText: name })
    await row.locator('.saved-del').click()
    await page.click('.el-message-box__btns .el-button--primary')
    await page.locator('.el-message--success', { hasText: name }).waitFor()
    await page.click($t('wo-saved-open'))
    await page.waitForTimeout(300)
    assert(await page.locator('.el-dropdown-menu__item:visible', { hasText: name }).count() === 0, 'the filter is gone')
    await apiCall('POST', `/work-orders/${o.id}/cancel`, { reason: 'e2e 列表测试完成' })
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })
}
