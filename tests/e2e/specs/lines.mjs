// lines.mjs — browser tests of issue 4 items 4-6: a service advisor at a car workshop fills in
// the reception sheet (damage marks on the car, mileage, fuel, valuables) and has the customer
// sign it; adds estimate lines (labour from a standard operation, a part), records the
// customer's limit, has the customer sign the estimate on the pad, and prints the 任务委托书.
export default function ({ test, assert, shot, newPage, login, apiCall, $t, RUN }) {
  const n = String(parseInt(RUN, 36) % 1000000).padStart(6, '0')
  const daysAgo = (d) => new Date(Date.now() + 8 * 3600e3 - d * 86400e3).toISOString().slice(0, 10)

  // A car out of warranty and a walk-in order in the advisor's outlet (so advisor1 sees it).
  async function fixture(k) {
    const users = await apiCall('GET', '/users?q=advisor1')
    const advisor = users.body.items.find((u) => u.login === 'advisor1')
    assert(advisor, 'the demo advisor exists')
    const model = await apiCall('POST', '/product-models', {
      brand: '丰田', category: '轿车', model: `凯美瑞 2.5L ${RUN}${k}`, warranty_months: 36, complexity: '1.15',
    })
    assert(model.status === 201, 'model: ' + JSON.stringify(model.body))
    const phone = `137${n}5${k}`
    const cust = await apiCall('POST', '/customers', { name: '陈志强', phones: [phone], org_id: advisor.org_id })
    assert(cust.status === 201, 'customer: ' + JSON.stringify(cust.body))
    const asset = await apiCall('POST', '/assets', {
      customer_id: cust.body.id, model_id: model.body.id, serial: `LVGBE40K${n}E2E${k}`, plate: `粤A·${n.slice(0, 4)}${k}`, purchase_date: daysAgo(4 * 366),
    })
    assert(asset.status === 201, 'asset: ' + JSON.stringify(asset.body))
    const op = await apiCall('POST', '/labour-operations', { code: `BRK${n}${k}`, name: '更换前刹车片', standard_hours: '1.50' })
    assert(op.status === 201, 'labour operation: ' + JSON.stringify(op.body))
    const wo = await apiCall('POST', '/work-orders', {
      type: 'repair', channel: 'walk_in', customer: { name: '陈志强', phone }, asset_id: asset.body.id, org_id: advisor.org_id,
      fault_description: '刹车时有异响，前轮抖动；客户要求检查刹车系统并做保养',
    })
    assert(wo.status === 201, 'order: ' + JSON.stringify(wo.body))
    return { wo: wo.body, op: op.body, asset: asset.body }
  }

  async function openTab(page, id, tab) {
    await page.goto(`${page.url().split('/').slice(0, 3).join('/')}/work-orders/${id}`)
    await page.locator($t('wo-detail')).waitFor()
    await page.click(`#tab-${tab}`)
  }

  // A signature: a few strokes across the pad.
  async function sign(page) {
    const box = await page.locator(`${$t('approval-dialog')} ${$t('signature-canvas')}`).boundingBox()
    const at = (fx, fy) => [box.x + box.width * fx, box.y + box.height * fy]
    const strokes = [
      [[0.12, 0.6], [0.2, 0.3], [0.26, 0.65], [0.32, 0.35], [0.4, 0.62]],
      [[0.45, 0.4], [0.55, 0.7], [0.62, 0.3], [0.7, 0.6], [0.85, 0.45]],
    ]
    for (const s of strokes) {
      await page.mouse.move(...at(...s[0]))
      await page.mouse.down()
      for (const p of s.slice(1)) await page.mouse.move(...at(...p), { steps: 6 })
      await page.mouse.up()
    }
  }

  test('lines: the advisor adds estimate lines, the customer signs the estimate on the pad, the 任务委托书 prints', async (browser) => {
    const { wo } = await fixture(1)
    // the promised time, set behind the browser's back (the panel shows it)
    const promised = new Date(Date.now() + 26 * 3600e3)
    promised.setUTCMinutes(0, 0, 0)
    const est = await apiCall('POST', `/work-orders/${wo.id}/estimate`, { promised_at: promised.toISOString() }, { 'If-Match': `"${wo.version}"` })
    assert(est.status === 200, 'promised time: ' + JSON.stringify(est.body))

    const page = await newPage(browser)
    await login(page, 'advisor1', 'demo12345')
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await openTab(page, wo.id, 'lines')
    await page.locator($t('lines-panel')).waitFor()

    // labour from the standard operation: 1.5 h × ¥120.00 × 1.15 = ¥207.00
    await page.click($t('lines-add-estimate'))
    await page.locator($t('line-dialog')).waitFor()
    await page.click($t('line-operation'))
    await page.keyboard.type(`BRK${n}1`)
    await page.locator('.el-select-dropdown__item:visible', { hasText: `BRK${n}1` }).first().click()
    const preview = await page.locator($t('line-preview')).innerText()
    assert(preview.includes('207.00'), 'the amount is previewed: ' + preview)
    await shot(page, '60-lines-add-labour-zh')
    await page.click($t('line-save'))
    await page.locator($t('line-dialog')).waitFor({ state: 'hidden' })
    await page.locator($t('lines-table-estimate'), { hasText: '更换前刹车片' }).waitFor()

    // a part: 2 × ¥380.00
    await page.click($t('lines-add-estimate'))
    await page.click($t('line-kind-part'))
    await page.fill($t('line-code'), '04465-33471')
    await page.fill($t('line-name'), '前刹车片（原厂）')
    await page.fill($t('line-qty'), '2')
    await page.fill(`${$t('line-unit')} input`, '380')
    await page.click($t('line-save'))
    await page.locator($t('line-dialog')).waitFor({ state: 'hidden' })
    await page.locator($t('lines-table-estimate'), { hasText: '前刹车片（原厂）' }).waitFor()
    // and the customer's limit: call above ¥1,000
    await page.fill(`${$t('lines-limit')} input`, '1000')
    await page.click($t('lines-terms-save'))
    await page.waitForFunction(() => /967\.00/.test(document.querySelector('[data-test="lines-total-estimate"]')?.textContent || ''))
    const total = await page.locator($t('lines-total-estimate')).innerText()
    assert(total.includes('967.00'), 'total ¥207.00 + ¥760.00: ' + total)
    const pay = await page.locator($t('line-pay')).first().innerText()
    assert(pay.includes('自付'), 'out of warranty → self-pay: ' + pay)

    // the customer signs on the pad
    await page.click($t('lines-approve'))
    await page.locator($t('approval-dialog')).waitFor()
    await page.click($t('approval-submit'))
    await page.locator($t('approval-error')).waitFor()
    assert((await page.locator($t('approval-error')).innerText()).includes('签名'), 'an empty pad is not a signature')
    await sign(page)
    await shot(page, '61-lines-sign-estimate-zh')
    await page.click($t('approval-submit'))
    await page.locator($t('approval-dialog')).waitFor({ state: 'hidden' })
    await page.locator($t('lines-approval'), { hasText: '客户已确认估价' }).waitFor()
    await shot(page, '62-lines-estimate-approved-zh')
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))

    // the printable 任务委托书, without the console chrome
    await page.click($t('lines-print'))
    await page.locator($t('print-estimate')).waitFor()
    await page.locator($t('print-signature')).waitFor()
    const sheet = await page.locator($t('print-estimate')).innerText()
    for (const s of ['任务委托书', wo.number, '陈志强', '更换前刹车片', '967.00', '1,000.00', '委托须知']) {
      assert(sheet.includes(s), `the print page shows ${s}`)
    }
    assert(await page.locator('.el-menu').count() === 0, 'no console menu on the print page')
    await shot(page, '63-print-estimate-zh')
    // as it goes to paper: A4 width, the print button hidden
    await page.setViewportSize({ width: 794, height: 1123 })
    await page.emulateMedia({ media: 'print' })
    assert(!(await page.locator($t('print-button')).isVisible()), 'the print button is not printed')
    await shot(page, '63b-print-estimate-paper-zh')
    await page.emulateMedia({ media: 'screen' })
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()

    // the same in English: every word translated
    const en = await newPage(browser, 'en-US')
    await login(en, 'advisor1', 'demo12345')
    await en.waitForURL((u) => !u.pathname.startsWith('/login'))
    await openTab(en, wo.id, 'lines')
    await en.locator($t('lines-approval'), { hasText: 'Estimate approved' }).waitFor()
    const text = await en.locator($t('lines-panel')).innerText()
    assert(!/woLines\./.test(text), 'no raw keys in English: ' + text.match(/woLines\.[\w.]+/))
    await shot(en, '65-lines-en')
    await en.goto(en.url().split('/').slice(0, 3).join('/') + `/print/estimate/${wo.id}`)
    await en.locator($t('print-signature')).waitFor()
    assert((await en.locator($t('print-estimate')).innerText()).includes('Service authorisation'), 'English print page')
    await en.context().close()
  })

  test('lines: reception sheet with damage marks, mileage and the customer\'s signature', async (browser) => {
    const { wo } = await fixture(2)
    const page = await newPage(browser)
    await login(page, 'advisor1', 'demo12345')
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await openTab(page, wo.id, 'reception')
    await page.locator($t('reception-panel')).waitFor()
    const carEl = page.locator($t('reception-car'))
    await carEl.scrollIntoViewIfNeeded()
    const car = await carEl.boundingBox()
    await carEl.click({ position: { x: car.width * 0.3, y: car.height * 0.15 } }) // front left
    await page.locator($t('reception-mark-1')).waitFor()
    await carEl.click({ position: { x: car.width * 0.72, y: car.height * 0.86 } }) // rear right
    await page.locator($t('reception-mark-2')).waitFor()
    await page.fill($t('reception-note-1'), '左前翼子板划痕约 5cm')
    await page.fill(`${$t('reception-mileage')} input`, '45210')
    await page.click($t('reception-valuables'))
    await page.click($t('reception-save'))
    await page.locator($t('reception-sign')).waitFor()
    await page.waitForFunction(() => !document.querySelector('[data-test="reception-sign"]')?.disabled)
    await page.click($t('reception-sign'))
    await page.locator($t('approval-dialog')).waitFor()
    await sign(page)
    await page.click($t('approval-submit'))
    await page.locator($t('reception-signed')).waitFor()
    await page.locator($t('reception-signature')).waitFor()
    const area = await page.locator(`${$t('reception-area-1')}`).innerText()
    assert(area.includes('左前'), 'the first mark is on the front left: ' + area)
    const readings = await apiCall('GET', `/assets/${wo.asset_id}/readings`)
    assert(readings.body.items.some((r) => r.km === 45210), 'the mileage became a reading of the car')
    await shot(page, '64-reception-signed-zh')
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })
}
