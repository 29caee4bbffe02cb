// techs.mjs — browser tests of the dispatch resources (issue 5): a manager opens a technician,
// adds a skill with its level and a certificate that has expired (shown as expired), sets
// Monday's shift, books leave and sees an overlapping second leave refused in words; an outlet
// proposes an authorisation (网签) to a manufacturer, the manufacturer accepts and suspends it
// with a reason, and the outlet's stale action is explained; a dispatch policy is changed to
// 自动派工 and saved; the screens render in English without raw keys or console errors.
export default function ({ test, assert, shot, newPage, login, pickOption, apiCall, $t, BASE, RUN }) {
  const DEMO_PW = 'demo12345'
  const inputOf = (page, id) => page.locator(`${$t(id)} input, input${$t(id)}`).first()

  async function orgByName(name) {
    const r = await apiCall('GET', '/organizations?limit=500')
    const o = r.body.items.find((x) => x.name === name)
    assert(o, 'demo organisation ' + name)
    return o
  }

  // A date-time picker inside a wrapper carrying the data-test attribute: type, then Enter.
  async function typeDate(page, id, text) {
    const input = inputOf(page, id)
    await input.click()
    await input.fill(text)
    await input.press('Enter')
  }

  // An organisation outside the user's view is given by its number (the select creates the option).
  async function typeOrg(page, id, orgId) {
    await page.click($t(id))
    await inputOf(page, id).fill(String(orgId))
    await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^\\s*${orgId}\\s*$`) }).first().click()
    await page.locator(`${$t(id)} .el-select__selected-item`, { hasText: String(orgId) }).first().waitFor()
  }

  async function successToast(page) {
    await page.locator('.el-message--success').last().waitFor()
    await page.evaluate(() => document.querySelectorAll('.el-message').forEach((m) => m.remove()))
  }

  test('techs: a manager adds a skill, an expired certificate, Monday\'s shift and leave; overlapping leave is refused', async (browser) => {
    const outlet = await orgByName('广州天河网点')
    const name = `技师${RUN}`
    const u = await apiCall('POST', '/users', { login: `e2e_tech_${RUN}`, name, password: 'Passw0rd-' + RUN, org_id: outlet.id, roles: ['technician'] })
    assert(u.status === 201, 'technician created: ' + u.status + JSON.stringify(u.body))
    const id = u.body.id

    const page = await newPage(browser, 'zh-CN')
    await login(page, 'manager1', DEMO_PW)
    await page.locator($t('menu-techs')).click()
    await page.locator($t('techs-table')).waitFor()
    await page.locator($t('techs-table') + ' tbody tr').first().waitFor()
    await shot(page, 'techs-1-list-zh')
    await inputOf(page, 'techs-filter-q').fill(name)
    await page.click($t('techs-search'))
    await page.locator($t('tech-link-' + id)).click()
    await page.locator($t('tech-name'), { hasText: name }).waitFor()

    // profile: team and base position
    await inputOf(page, 'tech-team').fill('空调一组')
    await inputOf(page, 'tech-base-lat').fill('23.1291')
    await inputOf(page, 'tech-base-lon').fill('113.2644')
    await page.click($t('tech-save-profile'))
    await successToast(page)

    // a skill: 空调, level 4
    await page.click('#tab-skills')
    await page.click($t('skill-add'))
    await pickOption(page, 'skill-name-0', '空调')
    await page.locator(`${$t('skill-level-0')} .el-rate__item`).nth(3).click()
    await page.locator($t('skill-level-text-0'), { hasText: '4 星' }).waitFor()
    await page.click($t('tech-save-skills'))
    await successToast(page)
    let rec = (await apiCall('GET', `/technicians/${id}`)).body
    assert(JSON.stringify(rec.skills) === JSON.stringify([{ skill: '空调', level: 4 }]), 'skill saved: ' + JSON.stringify(rec.skills))
    assert(rec.team === '空调一组' && rec.base_lat === 23.1291, 'profile saved: ' + JSON.stringify(rec))
    await shot(page, 'techs-2-skills-zh')

    // a certificate that has expired
    await page.click('#tab-certs')
    await page.click($t('cert-add'))
    await inputOf(page, 'cert-name-0').fill('制冷设备维修操作证')
    await inputOf(page, 'cert-number-0').fill(`ZL-${RUN}`)
    await inputOf(page, 'cert-skill-0').fill('空调')
    await typeDate(page, 'cert-from-0', '2018-01-01')
    await typeDate(page, 'cert-expires-0', '2021-12-31')
    await page.click($t('tech-save-certs'))
    await successToast(page)
    await page.locator($t('cert-expired-0'), { hasText: '已过期' }).waitFor()
    rec = (await apiCall('GET', `/technicians/${id}`)).body
    assert(rec.certs.length === 1 && rec.certs[0].expired === true && rec.certs[0].expires_on === '2021-12-31', 'expired cert: ' + JSON.stringify(rec.certs))
    await shot(page, 'techs-3-certs-zh')

    // Monday: 08:30–18:00 with a lunch break 12:00–13:00
    await page.click('#tab-shifts')
    await page.locator($t('shift-works-1')).click()
    await page.click($t('shift-start-1'))
    await page.locator('.shift-pop-1-start .el-select-dropdown__item', { hasText: '08:30' }).click()
    await page.locator($t('shift-hours-1'), { hasText: '8 小时 30 分' }).waitFor()
    await page.click($t('tech-save-shifts'))
    await successToast(page)
    rec = (await apiCall('GET', `/technicians/${id}`)).body
    assert(JSON.stringify(rec.shifts) === JSON.stringify([{ weekday: 1, start_min: 510, end_min: 1080, break_start_min: 720, break_end_min: 780 }]),
      'Monday saved in local minutes: ' + JSON.stringify(rec.shifts))
    await page.locator($t('shift-dirty')).waitFor({ state: 'hidden' })
    await shot(page, 'techs-4-shifts-zh')

    // leave, then an overlapping one: refused in words, naming the leave it runs into
    await page.click('#tab-leave')
    await pickOption(page, 'leave-kind', '年假')
    await typeDate(page, 'leave-from', '2031-03-02 09:00')
    await typeDate(page, 'leave-to', '2031-03-06 18:00')
    await inputOf(page, 'leave-reason').fill('回老家探亲')
    await page.click($t('leave-add'))
    await successToast(page)
    await page.locator($t('leave-table'), { hasText: '回老家探亲' }).waitFor()
    rec = (await apiCall('GET', `/technicians/${id}`)).body
    assert(rec.leave.length === 1 && rec.leave[0].from_at === '2031-03-02T01:00:00.000Z' && rec.leave[0].to_at === '2031-03-06T10:00:00.000Z',
      'leave stored in UTC from Beijing time: ' + JSON.stringify(rec.leave))
    await pickOption(page, 'leave-kind', '培训')
    await typeDate(page, 'leave-from', '2031-03-05 09:00')
    await typeDate(page, 'leave-to', '2031-03-07 18:00')
    await page.click($t('leave-add'))
    const err = page.locator($t('leave-error'))
    await err.waitFor()
    const text = await err.innerText()
    assert(text.includes('重叠') && text.includes('2031-03-02 09:00') && text.includes('年假'), 'overlap explained: ' + text)
    assert((await apiCall('GET', `/technicians/${id}`)).body.leave.length === 1, 'nothing booked')
    await shot(page, 'techs-5-leave-overlap-zh')

    // the score tab shows its parts
    await page.click('#tab-score')
    await page.locator($t('score-ftf')).waitFor()
    const score = await page.locator($t('tech-score')).innerText()
    assert(score.includes('一次修复率') && score.includes('返修次数') && score.includes('时限达成率'), 'score parts: ' + score)
    await shot(page, 'techs-6-score-zh')

    // a stale save (someone else changed the technician meanwhile) is explained
    await page.click('#tab-profile')
    const v = (await apiCall('GET', `/technicians/${id}`)).body.version
    const other = await apiCall('PATCH', `/technicians/${id}`, { level: 2 }, { 'If-Match': `"${v}"` })
    assert(other.status === 200, 'concurrent change: ' + other.status)
    await inputOf(page, 'tech-team').fill('空调二组')
    await page.click($t('tech-save-profile'))
    await page.locator($t('tech-save-error'), { hasText: '其他人修改' }).waitFor()
    await page.click($t('tech-reload'))
    await page.locator($t('tech-save-error')).waitFor({ state: 'hidden' })
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('techs: an outlet proposes a 网签, the manufacturer accepts and suspends it with a reason', async (browser) => {
    const outlet = await orgByName('广州海珠网点')
    const maker = await orgByName('美森电器')
    const pw = 'Passw0rd-' + RUN
    for (const [login, org, name] of [[`e2e_om_${RUN}`, outlet.id, '网点经理'], [`e2e_mm_${RUN}`, maker.id, '厂家经理']]) {
      const r = await apiCall('POST', '/users', { login, name: name + RUN, password: pw, org_id: org, roles: ['manager'] })
      assert(r.status === 201, 'user ' + login + ': ' + r.status)
    }
    const brand = `美森${RUN}`

    // the outlet proposes; the manufacturer lies outside its view, so its number is typed in
    const op = await newPage(browser, 'zh-CN')
    await login(op, `e2e_om_${RUN}`, pw)
    await op.locator($t('menu-authz')).click()
    await op.locator($t('authz-table')).waitFor()
    await op.click($t('authz-new'))
    const dlg = op.locator($t('authz-dialog'))
    await dlg.locator($t('authz-brand')).waitFor()
    await typeOrg(op, 'authz-principal', maker.id)
    assert((await dlg.locator($t('authz-outlet')).innerText()).includes('广州海珠网点'), 'own outlet preset')
    await inputOf(op, 'authz-brand').fill(brand)
    await inputOf(op, 'authz-category').fill('空调')
    await typeDate(op, 'authz-valid-from', '2026-01-01')
    await typeDate(op, 'authz-valid-to', '2030-12-31')
    await shot(op, 'techs-7-authz-propose-zh')
    await op.click($t('authz-submit'))
    await dlg.waitFor({ state: 'hidden' })
    const list = await apiCall('GET', `/authorizations?brand=${encodeURIComponent(brand)}`)
    assert(list.body.items.length === 1, 'proposed: ' + JSON.stringify(list.body))
    const a = list.body.items[0]
    assert(a.status === 'proposed' && a.principal_org_id === maker.id && a.outlet_org_id === outlet.id, JSON.stringify(a))
    await op.locator($t('authz-status-' + a.id), { hasText: '待确认' }).waitFor()
    await op.locator($t('authz-waiting-' + a.id)).waitFor()

    // the same again overlaps: refused in words
    await op.click($t('authz-new'))
    await dlg.locator($t('authz-brand')).waitFor()
    await typeOrg(op, 'authz-principal', maker.id)
    await inputOf(op, 'authz-brand').fill(brand)
    await inputOf(op, 'authz-category').fill('空调')
    await op.click($t('authz-submit'))
    const ferr = dlg.locator($t('authz-form-error'))
    await ferr.waitFor()
    assert((await ferr.innerText()).includes('重叠'), 'overlap explained: ' + (await ferr.innerText()))
    await op.keyboard.press('Escape')
    await dlg.waitFor({ state: 'hidden' })

    // the manufacturer accepts, then suspends with a reason
    const mp = await newPage(browser, 'zh-CN')
    await login(mp, `e2e_mm_${RUN}`, pw)
    await mp.locator($t('menu-authz')).click()
    await mp.locator($t('authz-accept-' + a.id)).click()
    await mp.locator($t('authz-status-' + a.id), { hasText: '生效' }).waitFor()
    await mp.locator($t('authz-suspend-' + a.id)).click()
    const rd = mp.locator($t('authz-reason-dialog'))
    await rd.locator($t('authz-reason-input')).waitFor()
    await mp.click($t('authz-reason-submit'))
    await rd.locator('.el-form-item__error', { hasText: '请填写原因' }).waitFor()
    await mp.locator(`${$t('authz-reason-input')} textarea, textarea${$t('authz-reason-input')}`).first().fill('质量问题整改')
    await mp.click($t('authz-reason-submit'))
    await rd.waitFor({ state: 'hidden' })
    await mp.locator($t('authz-status-' + a.id), { hasText: '暂停' }).waitFor()
    await mp.locator($t('authz-reason-' + a.id), { hasText: '质量问题整改' }).waitFor()
    const after = (await apiCall('GET', `/authorizations/${a.id}`)).body
    assert(after.status === 'suspended' && after.status_reason === '质量问题整改', JSON.stringify(after))
    await shot(mp, 'techs-8-authz-suspended-zh')

    // the outlet's page still shows the proposal: its action is refused (412) and explained
    await op.locator($t('authz-end-' + a.id)).click()
    await op.locator(`${$t('authz-reason-input')} textarea, textarea${$t('authz-reason-input')}`).first().fill('不再合作')
    await op.click($t('authz-reason-submit'))
    const aerr = op.locator($t('authz-action-error'))
    await aerr.waitFor()
    const atext = await aerr.innerText()
    assert(atext.includes('暂停') && atext.includes('刷新'), 'stale action explained: ' + atext)
    await op.locator($t('authz-status-' + a.id), { hasText: '暂停' }).waitFor()
    assert((await apiCall('GET', `/authorizations/${a.id}`)).body.status === 'suspended', 'nothing changed')
    await shot(op, 'techs-9-authz-stale-zh')
    assert(op.errors.length === 0 && mp.errors.length === 0, 'no page errors: ' + op.errors.concat(mp.errors).join('; '))
    await op.context().close()
    await mp.context().close()
  })

  test('techs: a dispatch policy is changed to 自动派工 and saved', async (browser) => {
    const station = await orgByName('广州服务站')
    const orgName = `派工测试网点${RUN}`
    const org = await apiCall('POST', '/organizations', { name: orgName, type: 'outlet', parent_id: station.id })
    assert(org.status === 201, 'org: ' + org.status)
    const before = (await apiCall('GET', '/dispatch/policies')).body.items
    const page = await newPage(browser, 'zh-CN')
    try {
      await login(page, 'manager1', DEMO_PW)
      await page.locator($t('menu-settings')).click()
      await page.locator($t('menu-settings-dispatch')).click()
      await page.locator($t('dp-table')).waitFor()
      await page.locator($t('dp-builtin')).waitFor()
      const n = await page.locator(`${$t('dp-table')} tbody tr`).count()
      await page.click($t('dp-add'))
      const i = before.length // the new row is the last one
      assert(n === before.length, `rows shown ${n} = policies ${before.length}`)
      await page.click($t('dp-org-' + i))
      await page.locator('.el-tree-select__popper:visible .el-select-dropdown__item', { hasText: orgName }).click()
      await pickOption(page, 'dp-type-' + i, '维修')
      await page.click($t(`dp-mode-${i}-auto`))
      await inputOf(page, 'dp-timeout-' + i).fill('10')
      await inputOf(page, 'dp-timeout-' + i).press('Tab')
      await page.locator($t('dp-dirty')).waitFor()
      await shot(page, 'techs-10-dispatch-policy-zh')
      await page.click($t('dp-save'))
      await page.locator($t('dp-dirty')).waitFor({ state: 'hidden' })
      const items = (await apiCall('GET', '/dispatch/policies')).body.items
      const mine = items.find((x) => x.org_id === org.body.id)
      assert(mine && mine.mode === 'auto' && mine.order_type === 'repair' && mine.priority === null && mine.accept_timeout_min === 10, 'saved: ' + JSON.stringify(items))
      assert(items.length === before.length + 1, 'the other policies are kept')
      const r = (await apiCall('GET', `/dispatch/policies/resolve?org_id=${org.body.id}&order_type=repair&priority=P2`)).body
      assert(r.mode === 'auto' && r.accept_timeout_min === 10, 'applies to the outlet: ' + JSON.stringify(r))
      // the saved row reads 自动派工 after a reload
      await page.reload()
      await page.locator($t('dp-table')).waitFor()
      const row = page.locator(`${$t('dp-table')} tbody tr`, { hasText: orgName })
      await row.waitFor()
      const active = await row.locator('.el-radio-button.is-active').innerText()
      assert(active.includes('自动派工'), 'mode shown in words: ' + active)
      await shot(page, 'techs-11-dispatch-policy-saved-zh')
      assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    } finally {
      // leave the policies as they were for the other tests
      const restore = before.map((x) => {
        const o = { org_id: x.org_id, order_type: x.order_type, priority: x.priority, mode: x.mode, accept_timeout_min: x.accept_timeout_min }
        if (x.weights) o.weights = x.weights
        return o
      })
      await apiCall('PUT', '/dispatch/policies', { items: restore })
      await page.context().close()
    }
  })

  test('techs: the technician, 网签 and dispatch-policy screens in English, no raw keys or console errors', async (browser) => {
    const page = await newPage(browser, 'en-US')
    const consoleErrors = []
    // (the login page's session check answers 401 before logging in: that one is expected)
    page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(m.text()) })
    await login(page)
    await page.locator($t('menu')).waitFor()
    const menu = await page.locator($t('menu')).innerText()
    assert(menu.includes('Technicians') && menu.includes('Authorisations'), 'English menu: ' + menu)
    const raw = /\b(techs|authz|dispatchPolicy)\.[a-zA-Z]/
    const check = async (what) => {
      const body = await page.locator('body').innerText()
      assert(!raw.test(body), `no raw keys on ${what}: ` + (body.match(raw) || [])[0])
      return body
    }
    await page.locator($t('menu-techs')).click()
    await page.locator($t('techs-table') + ' tbody tr').first().waitFor()
    let body = await check('the list')
    assert(body.includes('Last position') && body.includes('On duty'), 'English list')
    await shot(page, 'techs-12-list-en')
    await page.locator(`${$t('techs-table')} tbody tr a`).first().click()
    await page.locator($t('tech-tabs')).waitFor()
    for (const tab of ['profile', 'skills', 'certs', 'brands', 'shifts', 'leave', 'score']) {
      await page.click('#tab-' + tab)
      await page.waitForTimeout(150)
      body = await check('the technician\'s ' + tab)
    }
    await page.locator($t('score-ftf')).waitFor()
    assert(body.includes('First-time fix rate'), 'English score tab')
    await shot(page, 'techs-13-score-en')
    await page.click('#tab-shifts')
    await shot(page, 'techs-14-shifts-en')
    await page.locator($t('menu-authz')).click()
    await page.locator($t('authz-table')).waitFor()
    await page.click($t('authz-new'))
    await page.locator($t('authz-dialog')).waitFor()
    body = await check('the 网签 screen')
    assert(body.includes('Propose authorisation') && body.includes('Principal'), 'English 网签 screen')
    await shot(page, 'techs-15-authz-en')
    await page.keyboard.press('Escape')
    await page.goto(BASE + '/settings/dispatch')
    await page.locator($t('dp-builtin')).waitFor()
    body = await check('dispatch policies')
    assert(body.includes('When no row matches') && body.includes('Suggest'), 'English dispatch policies')
    await shot(page, 'techs-16-dispatch-en')
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    assert(consoleErrors.length === 0, 'no console errors: ' + consoleErrors.join('; '))
    await page.context().close()
  })
}
