// billing.mjs — browser tests of settlement (issue 4 item 9): the cashier builds the bill of a
// car's order from its actual lines (a 三包 warranty part at ¥0 to the customer), takes two
// payments (WeChat Pay, then cash), the bill is paid, and the printable receipt renders without
// the console chrome. Screenshots: the bill panel and the receipt (zh-CN), the panel (en-US).

export default function ({ test, assert, shot, newPage, login, apiCall, $t, BASE, RUN }) {
  // An order at qc_passed with actual lines, made through the API as admin.
  async function orderForBilling(tag, customer = null) {
    const techs = await apiCall('GET', '/users?q=tech01&limit=5')
    const tech = (techs.body.items || []).find((u) => u.login === 'tech01')
    assert(tech, 'demo technician tech01')
    const n = String(parseInt(RUN, 36) % 100000000).padStart(8, '0')
    const o = await apiCall('POST', '/work-orders', {
      type: 'repair', priority: 'P2', channel: 'walk_in',
      customer: customer || { name: `林志明${tag}`, phone: `137${n}` },
      address: '广州市天河区黄埔大道西 100 号', fault_description: `空调不制冷，压缩机异响 ${RUN}`,
    })
    assert(o.status === 201, 'order: ' + JSON.stringify(o.body))
    const id = o.body.id
    const ev = async (e, body = {}) => {
      const r = await apiCall('POST', `/work-orders/${id}/${e}`, body)
      assert(r.status === 200, `${e}: ${r.status} ${JSON.stringify(r.body)}`)
    }
    await ev('accept')
    const lines = [
      { stage: 'actual', kind: 'labour', code: 'AC-0201', name: '更换空调压缩机', hours: '2', rate_fen: 9000, pay_type: 'self_pay' },
      { stage: 'actual', kind: 'part', code: 'YSJ-35', name: '空调压缩机', qty: '1', unit_price_fen: 128000, pay_type: 'warranty' },
      { stage: 'actual', kind: 'part', code: 'R32-1', name: '冷媒 R32', qty: '1.5', unit_price_fen: 6000, pay_type: 'self_pay' },
      { stage: 'actual', kind: 'fee', name: '上门费', qty: '1', unit_price_fen: 5000, pay_type: 'self_pay' },
    ]
    const ids = []
    for (const l of lines) {
      const r = await apiCall('POST', `/work-orders/${id}/lines`, l)
      assert(r.status === 201, 'line: ' + JSON.stringify(r.body))
      ids.push(r.body.line.id)
    }
    await ev('dispatch', { assignee_id: tech.id })
    await ev('take')
    await ev('arrive')
    for (const lid of ids) await apiCall('POST', `/work-orders/${id}/lines/${lid}/done`, { done: true })
    await ev('complete')
    await ev('qc-pass', {})
    return id
  }

  test('billing: the cashier builds the bill, takes two payments and prints the receipt', async (browser) => {
    const id = await orderForBilling('')
    const page = await newPage(browser)
    await login(page, 'cashier1', 'demo12345')
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${BASE}/work-orders/${id}?tab=bill`)
    await page.locator($t('bill-panel')).waitFor()
    await page.locator($t('bill-empty')).waitFor()
    await page.click($t('bill-build'))
    await page.locator($t('bill-number'), { hasText: 'BL' }).waitFor()
    // labour ¥180.00, parts ¥90.00 (the 三包 compressor at ¥0), fee ¥50.00 → ¥320.00
    await page.locator($t('bill-warranty-tag')).first().waitFor()
    const total = await page.locator($t('bill-total')).innerText()
    assert(total.includes('320.00'), 'total ¥320.00: ' + total)
    assert((await page.locator($t('bill-warranty')).innerText()).includes('1,280.00'), 'warranty part recorded for the claim')

    // first payment: WeChat Pay ¥200.00 with its transaction number
    await page.click($t('bill-pay'))
    await page.locator($t('pay-dialog')).waitFor()
    await page.click($t('pay-method-wechat'))
    await page.locator(`${$t('pay-amount')} input`).fill('200')
    await page.fill($t('pay-reference'), `WX${RUN}`)
    await shot(page, '60-bill-pay-dialog-zh')
    await page.click($t('pay-save'))
    await page.locator($t('pay-dialog')).waitFor({ state: 'hidden' })
    await page.locator($t('bill-balance'), { hasText: '120.00' }).waitFor()

    // more than the balance is refused with the balance named
    await page.click($t('bill-pay'))
    await page.locator(`${$t('pay-amount')} input`).fill('500')
    await page.click($t('pay-save'))
    const err = await page.locator($t('pay-error')).innerText()
    assert(err.includes('120.00') && err.includes('超过'), 'overpay refused in Chinese: ' + err)
    // second payment: the rest in cash
    await page.click($t('pay-method-cash'))
    await page.locator(`${$t('pay-amount')} input`).fill('120')
    await page.click($t('pay-save'))
    await page.locator($t('pay-dialog')).waitFor({ state: 'hidden' })
    await page.locator(`${$t('bill-state')}[data-state="paid"]`).waitFor()
    await page.locator($t('bill-balance'), { hasText: '0.00' }).waitFor()
    const rows = await page.locator(`${$t('bill-payments')} .el-table__body tr`).count()
    assert(rows === 2, 'two payments listed: ' + rows)
    const payText = await page.locator($t('bill-payments')).innerText()
    assert(payText.includes('微信支付') && payText.includes('现金'), 'method labels: ' + payText)
    await shot(page, '61-bill-panel-paid-zh')

    // the receipt: its own page, no console chrome
    const bills = await apiCall('GET', `/work-orders/${id}/bills`)
    const bill = bills.body.items[0]
    assert(bill.state === 'paid' && bill.paid_fen === 32000, 'paid in full: ' + JSON.stringify(bill))
    const [receipt] = await Promise.all([page.context().waitForEvent('page'), page.click($t('bill-print'))])
    const receiptErrors = []
    receipt.on('pageerror', (e) => receiptErrors.push(String(e)))
    await receipt.locator($t('print-bill')).waitFor()
    await receipt.locator($t('print-total')).waitFor()
    assert(receipt.url().endsWith(`/print/bill/${bill.id}`), 'receipt URL: ' + receipt.url())
    assert((await receipt.locator($t('print-number')).innerText()) === bill.number, 'number printed')
    assert((await receipt.locator($t('print-warranty')).count()) === 1, 'the 三包 line is marked')
    assert((await receipt.locator($t('print-balance')).innerText()).includes('0.00'), 'balance 0')
    assert((await receipt.locator('.el-menu, .el-aside, .el-header').count()) === 0, 'no console chrome on the receipt')
    assert((await receipt.locator($t('print-company')).innerText()).length > 0, 'company name printed')
    await shot(receipt, '62-bill-receipt-zh')
    assert(page.errors.length === 0 && receiptErrors.length === 0, 'no page errors: ' + [...page.errors, ...receiptErrors].join('; '))
    await page.context().close()
  })

  test('billing: the bill panel in English', async (browser) => {
    const id = await orderForBilling('E')
    const b = await apiCall('POST', `/work-orders/${id}/bill`, {})
    assert(b.status === 201, 'bill: ' + JSON.stringify(b.body))
    await apiCall('POST', `/bills/${b.body.id}/payments`, { method: 'alipay', amount_fen: 10000, reference: `ALI${RUN}` })
    const page = await newPage(browser, 'en-US')
    await login(page, 'cashier1', 'demo12345')
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${BASE}/work-orders/${id}?tab=bill`)
    await page.locator($t('bill-number'), { hasText: 'BL' }).waitFor()
    const text = await page.locator($t('bill-panel')).innerText()
    assert(text.includes('Balance') && text.includes('Alipay') && text.includes('Warranty'), 'English labels: ' + text.slice(0, 300))
    assert(!/billing\.[a-z]/.test(text), 'no raw keys')
    await shot(page, '63-bill-panel-en')
    await page.context().close()
  })

  test('billing: delivery closes the settled order; the customer confirms and rates it in the portal', async (browser) => {
    const users = await apiCall('GET', '/users?q=customer1&limit=5')
    const cu = (users.body.items || []).find((u) => u.login === 'customer1')
    assert(cu && cu.customer_id, 'demo customer account customer1')
    const cust = await apiCall('GET', `/customers/${cu.customer_id}`)
    const id = await orderForBilling('', { name: cust.body.name, phone: cust.body.phones[0] })
    const b = await apiCall('POST', `/work-orders/${id}/bill`, {})
    await apiCall('POST', `/bills/${b.body.id}/payments`, { method: 'card', amount_fen: b.body.total_fen, reference: `POS${RUN}` })
    const st = await apiCall('POST', `/work-orders/${id}/settle`, {})
    assert(st.status === 200, 'settle: ' + JSON.stringify(st.body))

    const page = await newPage(browser)
    await login(page, 'advisor1', 'demo12345')
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${BASE}/work-orders/${id}?tab=bill`)
    await page.locator($t('delivery-panel')).waitFor()
    await page.locator($t('delivery-no-suggestion')).waitFor() // no vehicle on this order
    await page.click($t('delivery-submit'))
    assert((await page.locator($t('delivery-error')).innerText()).includes('交车说明'), 'explanation required')
    await page.fill($t('delivery-explanation'), '已更换空调压缩机（三包）并补充冷媒，试机制冷正常；工时费 ¥180.00，冷媒 ¥90.00，上门费 ¥50.00。')
    await page.fill($t('delivery-next-maintenance'), '建议每年入夏前清洗一次室内机滤网')
    await page.click($t('delivery-old-parts'))
    await shot(page, '64-delivery-panel-zh')
    await page.click($t('delivery-submit'))
    await page.locator($t('delivery-record')).waitFor()
    await page.locator($t('wo-status') + ', [data-status="closed"]').first().waitFor()
    const o = await apiCall('GET', `/work-orders/${id}`)
    assert(o.body.status === 'closed' && o.body.delivery.old_parts_returned === true, 'delivered and closed: ' + o.body.status)
    await page.context().close()

    const cp = await newPage(browser)
    await login(cp, 'customer1', 'demo12345')
    await cp.waitForURL((u) => !u.pathname.startsWith('/login'))
    await cp.goto(`${BASE}/portal/orders/${id}`)
    await cp.locator($t('confirm-rate')).waitFor()
    await cp.click($t('confirm-submit'))
    await cp.locator($t('confirm-error')).waitFor()
    await cp.locator(`${$t('confirm-rating')} .el-rate__item`).nth(4).click()
    await cp.fill($t('confirm-comment'), '师傅很专业，空调修好了，谢谢！')
    await shot(cp, '65-portal-confirm-rate-zh')
    await cp.click($t('confirm-submit'))
    await cp.locator($t('confirm-done')).waitFor()
    const after = await apiCall('GET', `/work-orders/${id}`)
    assert(after.body.rating === 5 && after.body.confirm_channel === 'portal', 'rated 5 in the portal: ' + JSON.stringify(after.body.rating))
    await shot(cp, '66-portal-confirmed-zh')
    assert(cp.errors.length === 0, 'no page errors: ' + cp.errors.join('; '))
    await cp.context().close()
  })
}
