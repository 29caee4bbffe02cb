// exec.mjs — browser tests of execution and QC (issue 4 items 7 and 8): a technician starts the
// work log, uploads a photo (a HEIC photo is refused in words), ticks the maintenance checklist
// taken from the model's schedule and saves it; QC refuses a pass with items unticked and sends
// the order back for rework; the rework report shows the technician under 报表.
export default function ({ test, assert, shot, newPage, login, apiCall, $t, BASE, RUN }) {
  const PW = 'demo12345'
  const n = String(parseInt(RUN, 36) % 100000000).padStart(8, '0')
  let orderId = null
  let techId = null

  async function as(browser, user, lang = 'zh-CN') {
    const page = await newPage(browser, lang)
    await login(page, user, PW)
    await page.locator($t('menu')).waitFor()
    return page
  }
  async function ev(id, event, body = {}) {
    const r = await apiCall('POST', `/work-orders/${id}/${event}`, body)
    assert(r.status === 200, `${event}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }

  test('exec: a technician starts the work log, uploads a photo and ticks the maintenance checklist', async (browser) => {
    const techs = await apiCall('GET', '/users?q=tech07') // a car technician: the order is a car's first service
    const tech = (techs.body.items || []).find((u) => u.login === 'tech07')
    assert(tech, 'demo user tech07 (load the demo data first)')
    techId = tech.id
    // a car whose model has a maintenance schedule, and its first service
    const model = await apiCall('POST', '/product-models', { brand: '广汽传祺', category: '汽车', model: `GS4-E2E-${RUN}`, warranty_months: 36,
      maintenance: [{ name: '首保', km: 5000, months: 6, operations: ['更换机油', '更换机油滤清器', '检查制动液', '检查轮胎气压'] },
        { name: '二保', km: 10000, months: 12, operations: ['更换机油', '更换空气滤清器'] }] })
    assert(model.status === 201, 'model: ' + model.status)
    const phone = '136' + n // 137+n is the archive test's customer
    const cust = await apiCall('POST', '/customers', { name: `车主${n.slice(-3)}`, phones: [phone], class: 'B' })
    assert(cust.status === 201, 'customer: ' + cust.status)
    const buy = new Date(Date.now() - 150 * 86400000).toISOString().slice(0, 10)
    const car = await apiCall('POST', '/assets', { customer_id: cust.body.id, model_id: model.body.id, serial: `LVGE2E${n}`, plate: `粤B${n.slice(-5)}`, purchase_date: buy })
    assert(car.status === 201, 'asset: ' + car.status)
    const o = await apiCall('POST', '/work-orders', { type: 'maintenance', priority: 'P3', channel: 'walk_in', customer_id: cust.body.id,
      asset_id: car.body.id, fault_description: `首次保养 E2E-${RUN}` })
    assert(o.status === 201, 'order: ' + o.status)
    orderId = o.body.id
    await ev(orderId, 'accept')
    await ev(orderId, 'dispatch', { assignee_id: techId })

    const page = await as(browser, 'tech07')
    await ev(orderId, 'take')
    await ev(orderId, 'arrive')
    await page.goto(`${BASE}/work-orders/${orderId}?tab=work`)
    await page.locator($t('work-panel')).waitFor()
    await page.locator($t('photos-panel')).waitFor()
    // the checklist comes from the schedule: 首保
    const src = await page.locator($t('checklist-source')).innerText()
    assert(src.includes('首保'), 'checklist from the maintenance schedule: ' + src)
    // work log: start, the timer runs
    await page.fill($t('worklog-note'), '开始首保作业')
    await page.click($t('worklog-start'))
    await page.locator($t('worklog-timer')).waitFor()
    // a photo, by its real bytes: a picture of the page
    const jpeg = await page.screenshot({ type: 'jpeg', quality: 70, clip: { x: 0, y: 0, width: 800, height: 500 } })
    await page.fill($t('photo-caption'), '保养前仪表盘里程')
    await page.locator('input[type=file][data-test="photo-input"]').setInputFiles({ name: 'dashboard.jpg', mimeType: 'image/jpeg', buffer: jpeg })
    await page.locator(`${$t('photo-grid')} img`).first().waitFor()
    // a HEIC photo from an iPhone is refused, and the technician is told what to do
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(400, 9)])
    await page.locator('input[type=file][data-test="photo-input"]').setInputFiles({ name: 'IMG_2048.HEIC', mimeType: 'image/heic', buffer: heic })
    const err = page.locator($t('photo-error'))
    await err.waitFor()
    const errText = await err.innerText()
    assert(errText.includes('HEIC') && errText.includes('兼容性最佳'), 'HEIC refusal explained: ' + errText)
    // tick the first two operations with a note, save
    await page.click(`${$t('check-box-op_1')}`)
    await page.click(`${$t('check-box-op_2')}`)
    await page.fill($t('check-note-op_1'), '5W-30 全合成 4L')
    await page.click($t('check-save'))
    await page.locator($t('checklist-progress'), { hasText: '2/' }).waitFor()
    await page.locator('.el-message--success').first().waitFor()
    await shot(page, 'exec-1-work-photo-checklist-zh')
    // the thumbnail opens the full photo
    await page.locator(`${$t('photo-grid')} .el-image`).first().click()
    await page.locator('.el-image-viewer__wrapper').waitFor()
    await shot(page, 'exec-2-photo-viewer-zh')
    await page.keyboard.press('Escape')

    // what the server holds
    const cl = await apiCall('GET', `/work-orders/${orderId}/checklists/execution`)
    const op1 = cl.body.items.find((i) => i.key === 'op_1')
    assert(op1.checked && op1.note === '5W-30 全合成 4L' && op1.label === '更换机油', 'checklist saved: ' + JSON.stringify(op1))
    const ph = await apiCall('GET', `/work-orders/${orderId}/photos`)
    assert(ph.body.items.length === 1 && ph.body.items[0].caption === '保养前仪表盘里程', 'one photo with its caption')
    const wl = await apiCall('GET', `/work-orders/${orderId}/worklog`)
    assert(wl.body.items.length === 1 && wl.body.items[0].running, 'the work log runs')
    // stop the work log
    await page.click($t('worklog-stop'))
    await page.locator($t('worklog-start')).waitFor()
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('exec: QC refuses a pass with unticked items, fails it back for rework; 报表 shows the rework rate', async (browser) => {
    assert(orderId, 'the order of the previous test')
    await ev(orderId, 'complete')
    const qc = await as(browser, 'qc1')
    await qc.goto(`${BASE}/work-orders/${orderId}?tab=qc`)
    await qc.locator($t('qc-panel')).waitFor()
    await qc.locator($t('qc-item-safety_brakes')).waitFor()
    // nothing ticked: the pass is refused, in words
    await qc.click($t('qc-pass'))
    const err = qc.locator($t('qc-error'))
    await err.waitFor()
    const text = await err.innerText()
    assert(text.includes('质检不能通过'), 'refusal shown: ' + text)
    await qc.click($t('qc-box-safety_brakes'))
    await qc.fill($t('qc-note-safety_tyres'), '右后轮胎压 1.8 bar，偏低')
    await shot(qc, 'exec-3-qc-refused-zh')
    await qc.click($t('qc-fail'))
    await qc.locator($t('qc-fail-reason')).waitFor()
    await qc.click($t('qc-fail-confirm'))
    await qc.locator(`.title-row ${$t('wo-status')}[data-status="in_service"]`).waitFor()
    const o = await apiCall('GET', `/work-orders/${orderId}`)
    assert(o.body.rework_count >= 1, 'rework counted')
    await qc.context().close()

    const mgr = await as(browser, 'manager1')
    await mgr.click($t('menu-reports'))
    await mgr.click($t('menu-report-rework'))
    await mgr.locator($t('rework-report')).waitFor()
    const row = mgr.locator($t(`rework-row-${techId}`))
    await row.waitFor()
    await row.click()
    await mgr.locator(`${$t('rework-table')} .el-table__expand-icon`).first().click()
    await mgr.locator($t('rework-table'), { hasText: '轮胎' }).waitFor()
    await shot(mgr, 'exec-4-rework-report-zh')
    assert(mgr.errors.length === 0, 'no page errors: ' + mgr.errors.join('; '))
    await mgr.context().close()

    const en = await as(browser, 'manager1', 'en-US')
    await en.goto(`${BASE}/reports/rework`)
    await en.locator($t(`rework-row-${techId}`)).waitFor()
    const body = await en.locator($t('rework-report')).innerText()
    assert(body.includes('Rework rate') && !/reports\.|woExec\./.test(body), 'English, no raw keys: ' + body.slice(0, 300))
    await en.goto(`${BASE}/work-orders/${orderId}?tab=work`)
    await en.locator($t('work-panel')).waitFor()
    const wp = await en.locator($t('work-panel')).innerText()
    assert(wp.includes('Work checklist') && !/woExec\./.test(wp), 'work panel in English: ' + wp.slice(0, 300))
    await shot(en, 'exec-5-work-en')
    await en.context().close()
  })
}
