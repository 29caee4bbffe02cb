// settings.mjs — browser tests of the 设置 / Settings screens (issue 4 item 3): edit a fault
// category in the tree, create and edit an SLA policy and try it in the calculator, add a
// holiday and a 调休 working day to the calendar, change a company setting; the order page's
// SLA panel shows the deadlines with the time left; the screens render in English without raw
// keys.
export default function ({ test, assert, shot, newPage, login, pickOption, apiCall, $t, BASE, RUN }) {
  const n = parseInt(RUN, 36)

  // An Element Plus input inside a wrapper that carries the data-test attribute.
  const inputOf = (page, id) => page.locator(`${$t(id)} input, input${$t(id)}`).first()

  test('settings: edit a fault category and an SLA policy, add a holiday', async (browser) => {
    const code = `E2E${RUN}`.toUpperCase()
    const root = await apiCall('POST', '/fault-categories', { code, name: `测试家电${RUN}`, default_type: 'repair', default_priority: 'P3' })
    assert(root.status === 201, 'category: ' + root.status + JSON.stringify(root.body))
    const child = await apiCall('POST', '/fault-categories', { parent_id: root.body.id, code: `${code}-NOCOOL`, name: '空调不制冷' })
    assert(child.status === 201, 'child: ' + child.status)

    const page = await newPage(browser, 'zh-CN')
    await login(page)
    await page.locator($t('menu-settings')).click()
    await page.locator($t('menu-settings-categories')).click()
    await page.locator($t('fc-row-' + child.body.code)).waitFor()
    // the child inherits the parent's priority (shown greyed), then gets its own
    await page.fill($t('fc-filter'), code)
    await page.click($t('fc-edit-' + child.body.code))
    await page.locator($t('fc-dialog')).waitFor()
    await inputOf(page, 'fc-name').fill('空调不制冷（含缺氟）')
    await inputOf(page, 'fc-name-en').fill('AC not cooling')
    await pickOption(page, 'fc-priority', 'P2 高')
    await shot(page, 'settings-1-category-edit-zh')
    await page.click($t('fc-save'))
    await page.locator($t('fc-dialog')).waitFor({ state: 'hidden' })
    await page.locator($t('fc-prio-' + child.body.code)).waitFor()
    const row = await page.locator($t('fc-tree')).innerText()
    assert(row.includes('空调不制冷（含缺氟）'), 'renamed in the tree: ' + row)
    const saved = await apiCall('GET', `/fault-categories/${child.body.id}`)
    assert(saved.body.default_priority === 'P2' && saved.body.name_en === 'AC not cooling' && saved.body.version === 2, JSON.stringify(saved.body))
    await shot(page, 'settings-2-categories-zh')
    // a category in use by a sub-category cannot be deleted: the server's reason is shown
    await page.click($t('fc-delete-' + code))
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('.el-message-box', { hasText: '子类别' }).waitFor()
    await page.locator('.el-message-box__btns .el-button').first().click()

    // SLA: a policy for a contract, then changed, then tried in the calculator
    await page.locator($t('menu-settings-sla')).click()
    await page.locator($t('sla-defaults')).waitFor()
    await page.click($t('sla-new'))
    await page.locator($t('sla-dialog')).waitFor()
    await pickOption(page, 'sla-priority', 'P2 高')
    const contract = `E2E合同${RUN}`
    await inputOf(page, 'sla-contract').fill(contract)
    await inputOf(page, 'sla-response').fill('60')
    await inputOf(page, 'sla-response').press('Tab')
    await page.click($t('sla-save'))
    await page.locator($t('sla-dialog')).waitFor({ state: 'hidden' })
    const list = await apiCall('GET', '/sla-policies?priority=P2')
    const pol = list.body.items.find((p) => p.contract === contract)
    assert(pol && pol.response_min === 60 && pol.calendar === 'working' && pol.resolve_min === 1620, 'created: ' + JSON.stringify(list.body))
    await page.locator($t(`sla-${pol.id}-response`), { hasText: '1个工作小时' }).waitFor()
    await page.click($t('sla-edit-' + pol.id))
    await page.locator($t('sla-dialog')).waitFor()
    await inputOf(page, 'sla-response').fill('90')
    await inputOf(page, 'sla-response').press('Tab')
    await page.click($t('sla-save'))
    await page.locator($t('sla-dialog')).waitFor({ state: 'hidden' })
    await page.locator($t(`sla-${pol.id}-response`), { hasText: '1小时30分' }).waitFor()
    // too late a response is refused in the form, nothing saved
    await page.click($t('sla-edit-' + pol.id))
    await inputOf(page, 'sla-response').fill('5000')
    await inputOf(page, 'sla-response').press('Tab')
    await page.click($t('sla-save'))
    await page.locator($t('sla-form-error'), { hasText: '不能晚于' }).waitFor()
    await page.keyboard.press('Escape')
    await page.locator($t('sla-dialog')).waitFor({ state: 'hidden' })
    assert((await apiCall('GET', `/sla-policies/${pol.id}`)).body.response_min === 90, 'still 90')
    await pickOption(page, 'sla-pv-priority', 'P2 高')
    await page.locator('input[placeholder="服务协议"]').fill(contract)
    await page.click($t('sla-pv-run'))
    await page.locator($t('sla-pv-result'), { hasText: `自定义策略 #${pol.id}` }).waitFor()
    await shot(page, 'settings-3-sla-zh')

    // calendar: a holiday and a 调休 working Saturday in a far year (unique per run)
    await page.locator($t('menu-settings-calendar')).click()
    await page.locator($t('cal-days')).waitFor()
    const year = 2040 + (n % 50)
    const holiday = `${year}-10-0${1 + (n % 7)}`
    const before = (await apiCall('GET', '/calendar')).body
    const fresh = !before.days.some((d) => d.day === holiday)
    if (fresh) {
      await inputOf(page, 'cal-new-day').fill(holiday)
      await inputOf(page, 'cal-new-day').press('Enter')
      await page.click($t('cal-kind-holiday'))
      await inputOf(page, 'cal-new-name').fill('国庆节')
      await page.click($t('cal-add-day'))
      await page.locator($t('cal-day-' + holiday)).waitFor()
      await page.locator($t('cal-dirty')).waitFor()
      await shot(page, 'settings-4-calendar-zh')
      await page.click($t('cal-save'))
      await page.locator($t('cal-dirty')).waitFor({ state: 'hidden' })
      const after = (await apiCall('GET', '/calendar')).body
      const d = after.days.find((x) => x.day === holiday)
      assert(d && d.kind === 'holiday' && d.name === '国庆节', 'holiday saved: ' + JSON.stringify(after.days))
      assert(after.days.length === before.days.length + 1, 'the other days are kept')
      assert(JSON.stringify(after.weekdays) === JSON.stringify(before.weekdays), 'the week is kept')
    }
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('settings: company settings, the SLA panel of an order, English screens', async (browser) => {
    const page = await newPage(browser, 'zh-CN')
    await login(page)
    await page.locator($t('menu')).waitFor()
    await page.goto(BASE + '/settings/company')
    await page.locator($t('tenant-company-name')).waitFor()
    const before = (await apiCall('GET', '/settings')).body
    const phone = `020-${String(n % 100000000).padStart(8, '0')}`
    await inputOf(page, 'tenant-company-phone').fill(phone)
    await page.click($t('tenant-save'))
    await page.locator('.el-message--success').waitFor()
    const after = (await apiCall('GET', '/settings')).body
    assert(after.company_phone === phone, 'phone saved: ' + after.company_phone)
    assert(after.labour_rate_fen === before.labour_rate_fen, 'untouched settings stay')
    await shot(page, 'settings-5-company-zh')

    // an urgent order: four deadlines with the time left
    const o = await apiCall('POST', '/work-orders', {
      type: 'repair', priority: 'P1', channel: 'phone', customer: { name: `SLA测试${RUN}`, phone: `137${String(n % 100000000).padStart(8, '0')}` },
      address: '广东省广州市天河区天河路385号', fault_description: '燃气热水器漏气',
    })
    assert(o.status === 201, 'order: ' + o.status)
    await page.goto(BASE + `/work-orders/${o.body.id}`)
    const panel = page.locator($t('sla-panel'))
    await panel.waitFor()
    const text = await page.locator($t('sla-state-response')).innerText()
    assert(/剩余 1小时5\d分|剩余 2小时/.test(text), 'two hours to the first response: ' + text)
    await panel.scrollIntoViewIfNeeded()
    await shot(page, 'settings-6-order-sla-panel-zh')

    // English: the settings screens have no raw keys
    await page.evaluate(() => localStorage.setItem('fuwu.lang', 'en-US'))
    for (const [path, id] of [['/settings/sla', 'sla-defaults'], ['/settings/calendar', 'cal-days'], ['/settings/fault-categories', 'fc-tree'], ['/settings/company', 'tenant-company-name']]) {
      await page.goto(BASE + path)
      await page.locator($t(id)).waitFor()
      const body = await page.locator('body').innerText()
      assert(!/settings\.|slaPanel\./.test(body), `no raw keys on ${path}: ` + body.match(/(settings|slaPanel)\.[\w.]+/))
      if (path === '/settings/sla') {
        assert(body.includes('First response') && body.includes('Working time'), 'English SLA page')
        await shot(page, 'settings-7-sla-en')
      }
    }
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })
}
