// wo_dispatch.mjs — dispatch from the order page (issue 5 item 2): the dispatch dialog offers the
// suggested technicians with their reasons; a technician who cannot take the order (here: no
// skill for an air conditioner) is refused in words, and dispatched anyway with a reason that
// the timeline keeps.
export default function ({ test, assert, shot, newPage, login, pickOption, apiCall, $t, BASE, RUN }) {
  test('dispatch dialog: suggestions with reasons; a conflict explained in words, dispatched anyway with a reason', async (browser) => {
    const users = async (q) => (await apiCall('GET', '/users?q=' + q)).body.items || []
    const fridgeOnly = (await users('tech11')).find((u) => u.login === 'tech11') // 冰箱 only in the demo
    assert(fridgeOnly, 'demo technician tech11')
    const model = (await apiCall('GET', '/product-models?category=' + encodeURIComponent('空调'))).body.items[0]
    assert(model, 'an air-conditioner model in the demo data')
    const n = String(parseInt(RUN, 36) % 100000000).padStart(8, '0')
    const cust = await apiCall('POST', '/customers', { name: `派工客户${n.slice(-3)}`, phones: ['133' + n] })
    assert(cust.status === 201, 'customer: ' + cust.status)
    const asset = await apiCall('POST', '/assets', { customer_id: cust.body.id, model_id: model.id, serial: `AC-E2E-${n}`, purchase_date: '2026-05-01' })
    assert(asset.status === 201, 'asset: ' + asset.status)
    const o = await apiCall('POST', '/work-orders', {
      type: 'repair', priority: 'P2', channel: 'phone', customer_id: cust.body.id, asset_id: asset.body.id,
      address: '广东省深圳市南山区科技园科苑路15号', region: '深圳市', lat: 22.54, lon: 113.95, fault_description: `空调不制冷 派工 ${RUN}`,
    })
    assert(o.status === 201, 'order: ' + JSON.stringify(o.body))
    assert((await apiCall('POST', `/work-orders/${o.body.id}/accept`, {})).status === 200, 'accepted')

    const page = await newPage(browser, 'zh-CN')
    await login(page, 'dispatcher1', 'demo12345')
    await page.locator($t('menu')).waitFor()
    await page.goto(`${BASE}/work-orders/${o.body.id}`)
    await page.locator($t('wo-action-dispatch')).click()
    const sug = page.locator($t('wo-dispatch-suggestions'))
    await sug.waitFor()
    const text = await sug.innerText()
    assert(/公里|距离未知/.test(text) && text.includes('在办'), 'suggestions with their reasons: ' + text)
    assert(!text.includes(fridgeOnly.name), 'a technician without the skill is not suggested')
    // the dispatcher insists on the fridge technician
    await pickOption(page, 'wo-dispatch-tech', fridgeOnly.name)
    await page.locator(`${$t('wo-event-dialog')} ${$t('wo-event-submit')}`).click()
    const conf = page.locator($t('wo-dispatch-conflicts'))
    await conf.waitFor()
    assert((await conf.innerText()).includes('不具备该品类技能'), 'the conflict in words: ' + (await conf.innerText()))
    // without a reason: asked for one
    await page.locator(`${$t('wo-event-dialog')} ${$t('wo-event-submit')}`).click()
    await page.locator('.el-form-item__error', { hasText: '请填写理由' }).waitFor()
    await shot(page, 'wo-dispatch-1-conflict-zh')
    await page.fill(`input${$t('wo-dispatch-override')}`, '客户点名要这位师傅')
    await page.locator(`${$t('wo-event-dialog')} ${$t('wo-event-submit')}`).click()
    await page.locator($t('wo-event-dialog')).waitFor({ state: 'hidden' })
    await page.locator(`.title-row ${$t('wo-status')}[data-status="dispatched"]`).waitFor()
    const after = (await apiCall('GET', `/work-orders/${o.body.id}`)).body
    assert(after.assignee_id === fridgeOnly.id, 'dispatched to the chosen technician')
    const tl = (await apiCall('GET', `/work-orders/${o.body.id}/timeline`)).body.items
    const ev = tl.find((e) => e.event === 'dispatch')
    assert(ev && ev.data.override_reason === '客户点名要这位师傅' && ev.data.conflicts.includes('no_skill'), 'the override on the timeline: ' + JSON.stringify(ev))
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })
}
