// The two full flows of issue 4 in the browser, one role after another, each with its own login:
//   (a) service company: an agent takes a phone request (intake screen), a dispatcher assigns a
//       technician by hand (action bar), the technician completes it with a photo, the customer
//       (customer1) confirms and rates in the portal;
//   (b) car workshop: an advisor receives a car (reception sheet), the estimate is signed on the
//       pad, an additional item is approved by phone, QC fails once then passes, the bill is
//       paid in two payments, the car is delivered.
// Steps that have no screen use the API (apiCall, as admin). Screenshots: flow-a-*, flow-b-*.
const PW = 'demo12345'

export default function ({ test, assert, shot, newPage, login, pickOption, apiCall, $t, BASE, RUN }) {
  async function as(browser, user, lang = 'zh-CN') {
    const page = await newPage(browser, lang)
    await login(page, user, PW)
    await page.locator($t('menu')).waitFor()
    return page
  }
  async function openOrder(page, id, tab) {
    await page.goto(`${BASE}/work-orders/${id}${tab ? '?tab=' + tab : ''}`)
    await page.locator($t('wo-number')).waitFor()
  }
  async function act(page, ev) {
    await page.locator($t('wo-action-' + ev)).click()
  }
  async function dialogSubmit(page) {
    await page.locator(`${$t('wo-event-dialog')} ${$t('wo-event-submit')}`).click()
    await page.locator($t('wo-event-dialog')).waitFor({ state: 'hidden' })
  }
  async function user(login) {
    const r = await apiCall('GET', '/users?q=' + encodeURIComponent(login))
    const u = (r.body.items || []).find((x) => x.login === login)
    assert(u, 'demo user ' + login + ' exists (load the demo data first)')
    return u
  }
  // A real JPEG to upload: a picture of the page itself.
  const photoOf = (page) => page.screenshot({ type: 'jpeg', quality: 70, clip: { x: 0, y: 0, width: 640, height: 480 } })

  test('flow (a) service company: phone intake, dispatch by hand, technician completes with a photo, customer confirms and rates', async (browser) => {
    const cu = await user('customer1')
    assert(cu.customer_id, 'customer1 is tied to a customer record')
    const cust = (await apiCall('GET', `/customers/${cu.customer_id}`)).body
    const phone = cust.phones[0]
    const tech = await user('tech11') // 深圳南山网点: the customer lives in Nanshan, Shenzhen
    const fault = `空调不制冷，外机不转 E2E-A-${RUN}`
    // The fault categories an administrator sets up once (settings screen): here as a fixture.
    const found = await apiCall('GET', '/fault-categories?q=' + encodeURIComponent('空调不制冷'))
    if (!(found.body.items || []).some((c) => c.name === '空调不制冷')) {
      const root = await apiCall('POST', '/fault-categories', { code: `HA-${RUN}`, name: '家用电器', name_en: 'Home appliances', default_type: 'repair', default_priority: 'P3' })
      const ac = await apiCall('POST', '/fault-categories', { code: `AC-${RUN}`, name: '空调', name_en: 'Air conditioner', parent_id: root.body.id })
      const nc = await apiCall('POST', '/fault-categories', { code: `AC-NC-${RUN}`, name: '空调不制冷', name_en: 'AC not cooling', parent_id: ac.body.id, default_priority: 'P2' })
      assert(nc.status === 201, 'fault category: ' + nc.status + ' ' + JSON.stringify(nc.body))
    }

    // 1. The agent takes the call: the last 4 digits find the customer.
    const agent = await as(browser, 'agent1')
    await agent.click($t('menu-work-orders'))
    await agent.click($t('wo-new'))
    await agent.locator($t('wo-create')).waitFor()
    await agent.fill($t('wo-customer-phone'), phone.slice(-4))
    await agent.locator($t('intake-cust-' + cust.id)).click()
    await agent.locator($t('intake-customer'), { hasText: cust.name }).waitFor()
    await agent.click($t('intake-category'))
    await agent.keyboard.type('不制冷')
    await agent.locator('.el-tree-node__content:visible', { hasText: '空调不制冷' }).first().click()
    await agent.locator($t('intake-suggestion'), { hasText: 'P2' }).waitFor()
    assert((await agent.locator($t('wo-priority')).innerText()).includes('P2'), 'the suggested priority is taken')
    await agent.fill($t('wo-fault-input'), fault)
    // the outlet of the technician who will go (the agent routes the request)
    await agent.click($t('intake-outlet'))
    await agent.keyboard.type(tech.org_name)
    await agent.locator('.el-tree-node__content:visible', { hasText: tech.org_name }).first().click()
    assert((await agent.locator($t('wo-channel')).innerText()).includes('电话'), 'channel defaults to phone for an agent')
    await shot(agent, 'flow-a-1-intake-zh')
    await agent.click($t('wo-submit'))
    await agent.locator($t('wo-detail')).waitFor()
    const toast = await agent.locator('.el-message--success').first().innerText()
    const number = (await agent.locator($t('wo-number')).innerText()).trim()
    assert(toast.includes('已受理') && toast.includes(number) && toast.includes('已通知客户'), 'success message names the number: ' + toast)
    const id = Number(new URL(agent.url()).pathname.split('/').pop())
    await agent.locator(`.title-row ${$t('wo-status')}[data-status="new"]`).waitFor()
    assert((await agent.locator($t('wo-flow')).getAttribute('data-flow')) === 'service', 'a phone repair follows the service flow')
    const o1 = (await apiCall('GET', `/work-orders/${id}`)).body
    assert(o1.customer_id === cust.id && o1.channel === 'phone', 'the order is customer1\'s, by phone')
    await shot(agent, 'flow-a-2-created-zh')
    await agent.context().close()

    // 2. The dispatcher assigns a technician by hand.
    const disp = await as(browser, 'dispatcher1')
    await openOrder(disp, id)
    await act(disp, 'accept')
    await disp.locator(`.title-row ${$t('wo-status')}[data-status="accepted"]`).waitFor()
    await act(disp, 'dispatch')
    await disp.locator($t('wo-event-dialog')).waitFor()
    await pickOption(disp, 'wo-dispatch-tech', tech.name)
    await shot(disp, 'flow-a-3-dispatch-zh')
    await dialogSubmit(disp)
    await disp.locator(`.title-row ${$t('wo-status')}[data-status="dispatched"]`).waitFor()
    assert((await disp.locator($t('wo-assignee')).innerText()).includes(tech.name), 'assignee shown')
    await disp.context().close()

    // 3. The technician: my tasks → take, set off, arrive; a photo; complete.
    const tp = await as(browser, 'tech11')
    await tp.click($t('menu-tech-tasks'))
    await tp.locator($t('tech-task-' + id)).waitFor()
    await shot(tp, 'flow-a-4-tech-tasks-zh')
    await tp.click($t(`tech-take-${id}`))
    await tp.locator($t(`tech-depart-${id}`)).click()
    await tp.locator($t(`tech-arrive-${id}`)).click()
    await tp.locator($t(`tech-complete-${id}`)).waitFor()
    await tp.click($t('tech-open-' + id))
    await tp.locator(`.title-row ${$t('wo-status')}[data-status="in_service"]`).waitFor()
    await tp.click($t('wo-tab-work'))
    await tp.fill($t('photo-caption'), '室外机：风扇电容已更换')
    await tp.locator('input[type=file][data-test="photo-input"]').setInputFiles({ name: 'outdoor-unit.jpg', mimeType: 'image/jpeg', buffer: await photoOf(tp) })
    await tp.locator(`${$t('photo-grid')} img`).first().waitFor()
    await shot(tp, 'flow-a-5-photo-zh')
    await act(tp, 'complete')
    await tp.locator(`.title-row ${$t('wo-status')}[data-status="completed"]`).waitFor()
    await shot(tp, 'flow-a-6-completed-zh')
    await tp.context().close()

    // 4. Back office: QC passes (a repair under warranty: nothing to pay), the bill of ¥0, settled.
    const qc = await as(browser, 'qc1')
    await openOrder(qc, id)
    await act(qc, 'qc-pass') // → the QC tab when its panel is there
    await qc.locator($t('qc-check-all')).click()
    await qc.click($t('qc-pass'))
    await qc.locator(`.title-row ${$t('wo-status')}[data-status="qc_passed"]`).waitFor()
    await qc.context().close()
    const cash = await as(browser, 'cashier1')
    await openOrder(cash, id, 'bill')
    await cash.click($t('bill-build'))
    await cash.locator($t('bill-balance'), { hasText: '0.00' }).waitFor()
    await act(cash, 'settle')
    await cash.locator('.el-message-box__btns .el-button--primary').click()
    await cash.locator(`.title-row ${$t('wo-status')}[data-status="settled"]`).waitFor()
    await cash.context().close()

    // 5. The customer confirms and rates in the portal.
    const cp = await as(browser, 'customer1')
    const menu = await cp.locator($t('menu')).innerText()
    assert(menu.includes('我的工单') && menu.includes('我要报修'), 'portal menu: ' + menu)
    await cp.click($t('menu-portal-orders'))
    await cp.locator($t('portal-order-' + id)).click()
    await cp.locator($t('portal-order')).waitFor()
    await cp.locator($t('confirm-rating')).waitFor()
    const tl = await cp.locator($t('portal-timeline')).innerText()
    assert(!tl.includes('内部'), 'the customer sees no internal marks')
    await cp.locator(`${$t('confirm-rating')} .el-rate__item`).nth(4).click()
    await cp.fill($t('confirm-comment'), '师傅很专业，准时上门')
    await shot(cp, 'flow-a-7-portal-confirm-zh')
    await cp.click($t('confirm-submit'))
    await cp.locator($t('confirm-done')).waitFor()
    await cp.locator(`${$t('wo-status')}[data-status="closed"]`).waitFor()
    await shot(cp, 'flow-a-8-portal-done-zh')
    await cp.context().close()
    const done = (await apiCall('GET', `/work-orders/${id}`)).body
    assert(done.status === 'closed' && done.rating === 5, 'closed with 5 stars: ' + done.status + ' ' + done.rating)
  })

  // Draw a signature on the pad of the open dialog.
  async function sign(page) {
    const canvas = page.locator(`${$t('signature-canvas')}:visible`).first()
    await canvas.waitFor()
    const b = await canvas.boundingBox()
    await page.mouse.move(b.x + b.width * 0.15, b.y + b.height * 0.6)
    await page.mouse.down()
    for (let i = 1; i <= 12; i++) await page.mouse.move(b.x + b.width * (0.15 + i * 0.05), b.y + b.height * (0.6 - Math.sin(i / 2) * 0.3), { steps: 2 })
    await page.mouse.up()
  }
  async function addLine(page, stage, kind, name, { hours, rate, qty, unit, pay = '自付' } = {}) {
    await page.click($t('lines-add-' + stage))
    const d = page.locator($t('line-dialog'))
    await d.waitFor()
    await d.locator($t('line-kind-' + kind)).click()
    await d.locator($t('line-name')).fill(name)
    if (kind === 'labour') {
      await d.locator($t('line-hours')).fill(hours)
      await d.locator(`${$t('line-rate')} input`).fill(String(rate))
    } else {
      await d.locator($t('line-qty')).fill(String(qty))
      await d.locator(`${$t('line-unit')} input`).fill(String(unit))
    }
    if (pay) await pickOption(page, 'line-pay-type', pay)
    await d.locator($t('line-save')).click()
    await d.waitFor({ state: 'hidden' })
    await page.locator(`${$t('lines-table-' + stage)} tr`, { hasText: name }).first().waitFor()
  }
  async function approval(page, { channel, by }) {
    const d = page.locator(`${$t('approval-dialog')}:visible`).first()
    await d.waitFor()
    if (by) await d.locator($t('approval-name')).fill(by)
    if (channel) await d.locator($t('approval-channel-' + channel)).click()
    if (!channel || channel === 'signature') await sign(page)
    await d.locator($t('approval-submit')).click()
    await d.waitFor({ state: 'hidden' })
  }
  const titleStatus = (page, s) => page.locator(`.title-row ${$t('wo-status')}[data-status="${s}"]`).waitFor()

  test('flow (b) car workshop: reception, signed estimate, additional item by phone, QC fails then passes, two payments, delivery', async (browser) => {
    const tech = await user('tech06') // a car technician of 广州 (the demo's second outlet of each city services cars)
    const n = String(parseInt(RUN, 36) % 100000000).padStart(8, '0')
    const phone = '139' + n
    const plate = `粤A${n.slice(-5)}`
    const cust = await apiCall('POST', '/customers', { name: `车主${n.slice(-3)}`, phones: [phone], class: 'B', addresses: [{ text: '广东省广州市天河区体育西路103号' }] })
    assert(cust.status === 201, 'customer: ' + cust.status)
    const models = await apiCall('GET', '/product-models?category=' + encodeURIComponent('汽车'))
    const model = models.body.items[0]
    assert(model, 'a car model in the demo data')
    const car = await apiCall('POST', '/assets', { customer_id: cust.body.id, model_id: model.id, serial: `LVSE2E${n}`, plate, purchase_date: '2025-03-01' })
    assert(car.status === 201, 'car: ' + car.status + ' ' + JSON.stringify(car.body))

    // 1. The advisor receives the car: intake by the plate's owner's phone, walk-in.
    const adv = await as(browser, 'advisor1')
    await adv.goto(BASE + '/work-orders/new')
    await adv.locator($t('wo-create')).waitFor()
    await adv.fill($t('wo-customer-phone'), phone)
    await adv.locator($t('intake-customer')).waitFor()
    await adv.locator($t('intake-asset-' + car.body.id)).click()
    assert((await adv.locator($t('wo-channel')).innerText()).includes('到店'), 'an advisor registers walk-ins')
    await pickOption(adv, 'wo-type', '保养')
    await adv.fill($t('wo-fault-input'), `首保，顺带检查刹车异响 E2E-B-${RUN}`)
    await adv.locator(`${$t('intake-mileage')} input`).fill('5230')
    await pickOption(adv, 'intake-payment-type', '自付')
    await adv.click($t('intake-outlet'))
    await adv.keyboard.type(tech.org_name)
    await adv.locator('.el-tree-node__content:visible', { hasText: tech.org_name }).first().click()
    await shot(adv, 'flow-b-1-intake-zh')
    await adv.click($t('wo-submit'))
    await adv.locator($t('wo-detail')).waitFor()
    const id = Number(new URL(adv.url()).pathname.split('/').pop())
    await adv.locator(`${$t('wo-flow')}[data-flow="workshop"]`).waitFor() // a car follows the workshop flow
    await adv.locator($t('wo-asset'), { hasText: plate }).waitFor() // the plate is in the header

    // 2. Reception sheet, signed by the customer.
    await adv.click($t('wo-tab-reception'))
    await adv.locator($t('reception-panel')).waitFor()
    const svg = adv.locator($t('reception-car'))
    await svg.waitFor()
    const box = await svg.boundingBox()
    await svg.click({ position: { x: box.width * 0.3, y: box.height * 0.2 } }) // a scratch at the front left
    await adv.locator($t('reception-note-1')).fill('左前保险杠划痕约 5 cm')
    await adv.locator(`${$t('reception-mileage')} input`).fill('5230')
    await adv.click($t('reception-valuables'))
    await adv.click($t('reception-save'))
    await adv.locator($t('reception-sign') + ':not(.is-disabled)').waitFor()
    await adv.click($t('reception-sign'))
    await approval(adv, {})
    await adv.locator($t('reception-signed')).waitFor()
    await shot(adv, 'flow-b-2-reception-signed-zh')

    // 3. Estimate lines, the customer's limit, signed on the pad.
    await adv.click($t('wo-tab-lines'))
    await adv.locator($t('lines-panel')).waitFor()
    await addLine(adv, 'estimate', 'labour', '更换机油机滤', { hours: '0.50', rate: 120 })
    await addLine(adv, 'estimate', 'part', '全合成机油 4L', { qty: 1, unit: 398 })
    await addLine(adv, 'estimate', 'part', '机油滤清器', { qty: 1, unit: 45 })
    const tomorrow = new Date(Date.now() + 86400e3).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 10)
    const promised = adv.locator('.terms-form .el-form-item').first().locator('input').first()
    await promised.fill(`${tomorrow} 17:00`)
    await promised.press('Enter')
    await adv.locator(`${$t('lines-limit')} input`).fill('1000')
    await adv.click($t('lines-terms-save'))
    await adv.click($t('lines-approve'))
    await approval(adv, { channel: 'signature' })
    await adv.locator($t('lines-approval'), { hasText: '已确认' }).waitFor()
    await shot(adv, 'flow-b-3-estimate-signed-zh')
    await adv.click($t('wo-tab-overview'))
    await act(adv, 'accept')
    await titleStatus(adv, 'accepted')
    await adv.locator(`${$t('wo-flow')}[data-step="work"]`).waitFor() // signed estimate: the flow is at 作业
    await adv.locator($t('wo-summary'), { hasText: `${tomorrow} 17:00` }).waitFor() // the promised time in the header
    await adv.context().close()

    // 4. Dispatch to the workshop technician (the advisor may not list technicians: the dispatcher does).
    const disp = await as(browser, 'dispatcher1')
    await openOrder(disp, id)
    await act(disp, 'dispatch')
    await pickOption(disp, 'wo-dispatch-tech', tech.name)
    await dialogSubmit(disp)
    await titleStatus(disp, 'dispatched')
    await disp.context().close()

    // 5. The technician works: takes it, starts, carries out the estimate, finds an additional item.
    const tp = await as(browser, 'tech06')
    await openOrder(tp, id)
    await act(tp, 'take')
    await titleStatus(tp, 'taken')
    await act(tp, 'arrive')
    await titleStatus(tp, 'in_service')
    await tp.click($t('wo-tab-lines'))
    await tp.click($t('lines-copy'))
    await tp.locator(`${$t('lines-table-actual')} tr`, { hasText: '机油滤清器' }).waitFor()
    await addLine(tp, 'actual', 'part', '前刹车片（追加）', { qty: 1, unit: 360 })
    await tp.locator(`${$t('lines-table-actual')} ${$t('line-additional')}`).first().waitFor()
    await tp.context().close()

    // 6. The advisor calls the customer: the additional item is agreed by phone.
    const adv2 = await as(browser, 'advisor1')
    await openOrder(adv2, id, 'lines')
    await adv2.locator(`${$t('lines-table-actual')} ${$t('line-consent')}`).first().click()
    await approval(adv2, { channel: 'phone' })
    await adv2.locator(`${$t('lines-table-actual')} ${$t('line-consented')}`).first().waitFor()
    await shot(adv2, 'flow-b-4-additional-consent-zh')
    await adv2.context().close()

    // 7. The technician marks the lines done and completes.
    const tp2 = await as(browser, 'tech06')
    await openOrder(tp2, id, 'lines')
    const boxes = tp2.locator(`${$t('lines-table-actual')} ${$t('line-done')}`)
    await boxes.first().waitFor()
    const nBoxes = await boxes.count()
    assert(nBoxes === 4, 'four actual lines: ' + nBoxes)
    for (let i = 0; i < nBoxes; i++) {
      await boxes.nth(i).click()
      await tp2.locator(`${$t('lines-table-actual')} ${$t('line-done')}.is-checked`).nth(i).waitFor()
    }
    await tp2.click($t('wo-tab-overview'))
    await act(tp2, 'complete')
    await titleStatus(tp2, 'completed')
    await tp2.context().close()

    // 8. QC fails once (rework), then passes.
    const qc = await as(browser, 'qc1')
    await openOrder(qc, id)
    await act(qc, 'qc-fail') // → the QC tab
    await qc.locator($t('qc-panel')).waitFor()
    await qc.click($t('qc-fail'))
    await qc.fill($t('qc-fail-reason'), '刹车片安装后仍有轻微异响，请复查')
    await shot(qc, 'flow-b-5-qc-fail-zh')
    await qc.click($t('qc-fail-confirm'))
    await titleStatus(qc, 'in_service')
    await qc.locator($t('wo-rework'), { hasText: '1' }).waitFor()
    await qc.context().close()
    const tp3 = await as(browser, 'tech06')
    await openOrder(tp3, id)
    await act(tp3, 'complete')
    await titleStatus(tp3, 'completed')
    await tp3.context().close()
    const qc2 = await as(browser, 'qc1')
    await openOrder(qc2, id)
    await act(qc2, 'qc-pass')
    await qc2.locator($t('qc-check-all')).click()
    await shot(qc2, 'flow-b-6-qc-pass-zh')
    await qc2.click($t('qc-pass'))
    await titleStatus(qc2, 'qc_passed')
    await qc2.context().close()

    // 9. The cashier: the bill, paid in two payments, settled.
    const cash = await as(browser, 'cashier1')
    await openOrder(cash, id, 'bill')
    await cash.click($t('bill-build'))
    await cash.locator($t('bill-total')).waitFor()
    const totalText = await cash.locator($t('bill-total')).innerText()
    const total = Math.round(Number(totalText.replace(/[^\d.]/g, '')) * 100)
    assert(total > 0, 'bill total: ' + totalText)
    const first = Math.round(total / 2)
    for (const [method, fen] of [['cash', first], ['wechat', total - first]]) {
      await cash.click($t('bill-pay'))
      const d = cash.locator($t('pay-dialog'))
      await d.waitFor()
      await d.locator($t('pay-method-' + method)).click()
      await d.locator(`${$t('pay-amount')} input`).fill((fen / 100).toFixed(2))
      await d.locator($t('pay-save')).click()
      await d.waitFor({ state: 'hidden' })
    }
    await cash.locator($t('bill-balance'), { hasText: '0.00' }).waitFor()
    await shot(cash, 'flow-b-7-paid-zh')
    await act(cash, 'settle')
    await cash.locator('.el-message-box__btns .el-button--primary').click()
    await titleStatus(cash, 'settled')
    await cash.context().close()

    // 10. Delivery: the advisor explains the work and hands the car over.
    const adv3 = await as(browser, 'advisor1')
    await openOrder(adv3, id)
    await act(adv3, 'close') // → the bill tab with the delivery form
    await adv3.locator($t('delivery-panel')).waitFor()
    await adv3.fill($t('delivery-explanation'), '已更换机油机滤及前刹车片，试车无异响；旧件已交还客户。')
    await adv3.click($t('delivery-old-parts'))
    await adv3.click($t('delivery-submit'))
    await titleStatus(adv3, 'closed')
    await shot(adv3, 'flow-b-8-delivered-zh')
    await adv3.click($t('wo-tab-timeline'))
    await adv3.locator($t('wo-timeline-full')).waitFor()
    await shot(adv3, 'flow-b-9-timeline-zh')
    await adv3.context().close()

    // The same order in English.
    const en = await as(browser, 'advisor1', 'en-US')
    await openOrder(en, id)
    await en.locator($t('wo-flow'), { hasText: 'Reception' }).waitFor()
    await shot(en, 'flow-b-10-detail-en')
    await en.context().close()

    const o = (await apiCall('GET', `/work-orders/${id}`)).body
    assert(o.status === 'closed' && o.rework_count === 1, `closed with one rework: ${o.status} ${o.rework_count}`)
  })

  test('portal: a customer requests service, approves the estimate online, cancels another request before dispatch', async (browser) => {
    const cp = await as(browser, 'customer1')
    await cp.click($t('menu-portal-new'))
    await cp.locator($t('portal-request')).waitFor()
    await cp.locator($t('request-type')).locator('label', { hasText: '维修' }).click()
    await cp.fill($t('request-fault'), `洗碗机不排水 E2E-C-${RUN}`)
    await shot(cp, 'portal-1-request-zh')
    await cp.click($t('request-submit'))
    await cp.locator($t('portal-order')).waitFor()
    const id = Number(new URL(cp.url()).pathname.split('/').pop())
    const o = (await apiCall('GET', `/work-orders/${id}`)).body
    assert(o.channel === 'web' && o.status === 'new', `a portal request: channel web, new: ${o.channel} ${o.status}`)
    // The service team puts an estimate on it (their screen is the lines tab; here the API).
    const line = await apiCall('POST', `/work-orders/${id}/lines`, { stage: 'estimate', kind: 'fee', name: '上门检测费', qty: '1', unit_price_fen: 5000, pay_type: 'self_pay' }, { 'If-Match': `"${o.version}"` })
    assert(line.status === 201, 'estimate line: ' + line.status + ' ' + JSON.stringify(line.body))
    await cp.reload()
    await cp.locator($t('portal-estimate')).waitFor()
    await cp.click($t('portal-approve'))
    await cp.locator('.el-message-box__btns .el-button--primary').click()
    await cp.locator($t('portal-approved')).waitFor()
    await cp.locator($t('portal-timeline'), { hasText: '客户同意估价' }).waitFor()
    await shot(cp, 'portal-2-estimate-approved-zh')
    const a = (await apiCall('GET', `/work-orders/${id}`)).body
    assert(a.approved_total_fen === 5000, 'approved online: ' + a.approved_total_fen)

    // Another request, cancelled before a technician is sent.
    await cp.click($t('menu-portal-new'))
    await cp.fill($t('request-fault'), `热水器点不着火 E2E-C2-${RUN}`)
    await cp.click($t('request-submit'))
    await cp.locator($t('portal-order')).waitFor()
    await cp.click($t('portal-cancel'))
    await cp.fill($t('portal-cancel-reason'), '已经自己修好了')
    await cp.click($t('portal-cancel-submit'))
    await cp.locator(`${$t('wo-status')}[data-status="cancelled"]`).waitFor()
    await cp.click($t('menu-portal-orders'))
    await cp.locator($t('portal-order-' + id)).waitFor()
    await shot(cp, 'portal-3-my-orders-zh')
    assert(cp.errors.length === 0, 'no page errors: ' + cp.errors.join('; '))
    await cp.context().close()
  })

  test('action bar: a stale order (412) is reloaded and said so; a refused event names the rule (409)', async (browser) => {
    const c = await apiCall('POST', '/work-orders', {
      type: 'repair', priority: 'P3', channel: 'phone', customer: { name: '周敏', phone: '13711112222' },
      address: '广东省广州市海珠区江南大道中100号', fault_description: `燃气灶打不着火 E2E-D-${RUN}`,
    })
    assert(c.status === 201, 'order: ' + c.status)
    const id = c.body.id
    const disp = await as(browser, 'dispatcher1')
    // no live updates on this page: it stays on the version it read (as a page whose stream dropped)
    await disp.route('**/api/v1/events**', (r) => r.abort())
    await openOrder(disp, id)
    await disp.locator($t('wo-action-accept')).waitFor()
    // someone else accepts it meanwhile
    const other = await apiCall('POST', `/work-orders/${id}/accept`, {}, { 'If-Match': `"${c.body.version}"` })
    assert(other.status === 200, 'accepted behind the page: ' + other.status)
    await act(disp, 'accept')
    const err = disp.locator($t('wo-action-error'))
    await err.waitFor()
    assert((await err.innerText()).includes('其他人刚刚修改了此工单'), '412 in words: ' + (await err.innerText()))
    await titleStatus(disp, 'accepted') // reloaded
    await shot(disp, 'action-412-zh')
    // a cancel without a reason is refused in the dialog; with one it goes through
    await act(disp, 'cancel')
    await disp.locator(`${$t('wo-event-dialog')} ${$t('wo-event-submit')}`).click()
    await disp.locator($t('wo-event-dialog'), { hasText: '请填写原因' }).waitFor()
    await disp.fill($t('wo-event-reason'), '重复报修')
    await dialogSubmit(disp)
    await titleStatus(disp, 'cancelled')
    await disp.context().close()

    // settle with nothing paid: 409 names the rule (the order brought to QC passed over the API, as admin)
    const o2 = (await apiCall('POST', '/work-orders', {
      type: 'repair', channel: 'phone', customer: { name: '周敏', phone: '13711112222' }, fault_description: `E2E-D2-${RUN}`,
    })).body
    const tech = await user('tech01')
    const ver = async () => `"${(await apiCall('GET', `/work-orders/${o2.id}`)).body.version}"`
    const step = async (method, path, body) => {
      const r = await apiCall(method, `/work-orders/${o2.id}${path}`, body, { 'If-Match': await ver() })
      assert(r.status === 200 || r.status === 201, `${path}: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body
    }
    await step('POST', '/lines', { stage: 'estimate', kind: 'fee', name: '上门费', qty: '1', unit_price_fen: 5000, pay_type: 'self_pay' })
    await step('POST', '/dispatch', { assignee_id: tech.id })
    await step('POST', '/take', {})
    await step('POST', '/arrive', {})
    const copied = await step('POST', '/lines/copy-estimate', {})
    for (const l of copied.items) await step('POST', `/lines/${l.id}/done`, { done: true })
    await step('POST', '/complete', {})
    await step('POST', '/qc-pass', {})
    const bill = await step('POST', '/bill', {})
    assert(bill.total_fen === 5000, 'a bill of ¥50: ' + bill.total_fen)
    const cash = await as(browser, 'cashier1')
    await openOrder(cash, o2.id)
    await act(cash, 'settle')
    await cash.locator('.el-message-box__btns .el-button--primary').click()
    await cash.locator($t('wo-action-error'), { hasText: '结算单尚未结清' }).waitFor()
    await titleStatus(cash, 'qc_passed')
    await shot(cash, 'action-409-zh')
    await cash.context().close()
  })


  test('work-order screens in both languages: every tab, intake, my tasks, the portal — no untranslated keys, no console errors', async (browser) => {
    const r = await apiCall('GET', '/work-orders?q=' + encodeURIComponent('E2E-B-' + RUN) + '&limit=1')
    const orderId = r.body.items.length ? r.body.items[0].id : (await apiCall('GET', '/work-orders?limit=1')).body.items[0].id
    const mine = await apiCall('GET', '/work-orders?q=' + encodeURIComponent('E2E-C-' + RUN) + '&limit=1')
    const plan = [
      ['advisor1', ['/work-orders/new', ...['overview', 'reception', 'lines', 'work', 'qc', 'bill', 'timeline'].map((tab) => `/work-orders/${orderId}?tab=${tab}`)]],
      ['tech01', ['/tech/tasks']],
      ['customer1', ['/portal/orders', '/portal/new', ...(mine.body.items.length ? [`/portal/orders/${mine.body.items[0].id}`] : [])]],
    ]
    for (const lang of ['zh-CN', 'en-US']) {
      for (const [who, paths] of plan) {
        const page = await as(browser, who, lang)
        const problems = []
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(`${page.url()}: ${m.text()}`)
        })
        for (const path of paths) {
          await page.goto(BASE + path)
          await page.locator('.main .page').first().waitFor()
          await page.waitForTimeout(600)
          const text = await page.locator('.el-container').first().innerText()
          const keys = text.match(/\b(woFlow|woLines|woExec|billing|live|settings|wo|status|timeline|field)\.[a-zA-Z_.]+/g)
          assert(!keys, `${lang} ${who} ${path}: untranslated ${keys}`)
        }
        assert(problems.length === 0, `${lang} ${who}: ` + problems.join(' | '))
        assert(page.errors.length === 0, `${lang} ${who}: page errors ` + page.errors.join('; '))
        await page.context().close()
      }
    }
  })
}
