// Browser tests of the fuwu web console, driving Debian's Chromium with playwright-core.
//   FUWU_URL=http://127.0.0.1:18080 FUWU_ADMIN_PASSWORD=… node tests/e2e/run.mjs
// Prints `ok - name` / `not ok - name` per test and `e2e: N passed, M failed`; exits 1 on failure.
// Screenshots go to tests/e2e/screenshots/ (one per step worth seeing, and one per failure).
import { chromium } from 'playwright-core'
import { mkdirSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BASE = (process.env.FUWU_URL || 'http://127.0.0.1:8080').replace(/\/$/, '')
const ADMIN_PASSWORD = process.env.FUWU_ADMIN_PASSWORD || 'admin12345'
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots')
const RUN = Date.now().toString(36) // makes names unique: the database may hold earlier runs' data
const TIMEOUT = 15000

mkdirSync(SHOTS, { recursive: true })

const tests = []
const test = (name, fn) => tests.push({ name, fn })

function assert(cond, msg) {
  if (!cond) throw new Error('assertion failed: ' + msg)
}

// --- helpers ----------------------------------------------------------------------------

const $t = (id) => `[data-test="${id}"]`

// Screenshots for people to look at: let pop-up lists and toasts finish fading first.
async function shot(page, name) {
  await page.evaluate(() => document.querySelectorAll('.el-message').forEach((m) => m.remove()))
  await page.waitForTimeout(350)
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

async function newPage(browser, lang = 'zh-CN') {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: lang,
    timezoneId: 'Asia/Shanghai',
  })
  context.setDefaultTimeout(TIMEOUT)
  const page = await context.newPage()
  page.errors = []
  page.on('pageerror', (e) => page.errors.push(String(e)))
  // Start from a known interface language.
  await page.addInitScript((l) => {
    if (!sessionStorage.getItem('e2e-lang-set')) {
      localStorage.setItem('fuwu.lang', l)
      sessionStorage.setItem('e2e-lang-set', '1')
    }
  }, lang)
  return page
}

async function login(page, user = 'admin', password = ADMIN_PASSWORD) {
  await page.goto(BASE + '/login')
  await page.fill($t('login-name'), user)
  await page.fill($t('login-password'), password)
  await page.click($t('login-submit'))
}

// Pick an option of an Element Plus select (the list is teleported to <body>).
async function pickOption(page, selectTest, optionText) {
  await page.click($t(selectTest))
  const item = page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first()
  await item.click()
}

// API calls as admin, with a bearer token (no cookie, no CSRF): to set up or change data behind
// the browser's back.
let bearer = null
async function apiCall(method, path, body, headers = {}) {
  if (!bearer) {
    const r = await fetch(BASE + '/api/v1/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: ADMIN_PASSWORD }),
    })
    if (r.status !== 200) throw new Error('admin API login failed: ' + r.status)
    bearer = (await r.json()).token
  }
  const r = await fetch(BASE + '/api/v1' + path, {
    method,
    headers: { Authorization: 'Bearer ' + bearer, 'Content-Type': 'application/json', ...headers },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : null }
}

// --- tests ------------------------------------------------------------------------------

test('login with a wrong password shows an error', async (browser) => {
  const page = await newPage(browser)
  await login(page, 'admin', 'wrong-password-' + RUN)
  const err = page.locator($t('login-error'))
  await err.waitFor()
  const text = await err.innerText()
  assert(text.includes('账号或密码错误'), 'Chinese 401 message shown, got: ' + text)
  assert(page.url().includes('/login'), 'still on the login page')
  await shot(page, '01-login-wrong-password')
  await page.context().close()
})

test('login refused for too many attempts (429) says when to retry', async (browser) => {
  // The answer is stubbed in the browser so the server's real per-IP counter is left alone
  // (the server side of 429 is covered by the API tests).
  const page = await newPage(browser)
  await page.route('**/api/v1/session', (route) => {
    if (route.request().method() !== 'POST') return route.continue()
    return route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '600' },
      body: JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, code: 'rate_limited',
        detail: 'too many failed logins', retry_after: 600 }),
    })
  })
  await login(page, 'admin', 'whatever')
  const err = page.locator($t('login-error'))
  await err.waitFor()
  const text = await err.innerText()
  assert(text.includes('登录失败次数过多') && text.includes('600'), '429 message with the wait: ' + text)
  await shot(page, '01b-login-429')
  await page.context().close()
})

test('unknown page path falls back to the app (history routing) and asks to log in', async (browser) => {
  const page = await newPage(browser)
  await page.goto(BASE + '/work-orders/12345')
  await page.locator($t('login-submit')).waitFor()
  assert(page.url().includes('/login?redirect='), 'redirected to login with the target kept: ' + page.url())
  await page.context().close()
})

test('main path: Chinese login, new user, new work order, find it, detail, switch to English', async (browser) => {
  const page = await newPage(browser, 'zh-CN')
  await login(page)
  await page.locator($t('menu')).waitFor()
  const menu = await page.locator($t('menu')).innerText()
  for (const word of ['首页', '工单', '组织机构', '用户', '审计日志', 'API 令牌']) {
    assert(menu.includes(word), `menu shows ${word}: ${menu}`)
  }
  await page.locator($t('welcome')).waitFor()
  assert((await page.locator($t('current-user')).innerText()).includes('系统管理员'), 'header shows the admin name')
  await page.locator($t('status-count-new')).waitFor()
  await shot(page, '02-home-zh')

  // A user.
  const loginName = `e2e_${RUN}`
  await page.click($t('menu-users'))
  await page.locator($t('user-table')).waitFor()
  await page.click($t('user-new'))
  const dlg = page.locator($t('user-dialog'))
  await dlg.locator($t('user-login')).waitFor()
  await dlg.locator($t('user-login')).fill(loginName)
  await dlg.locator($t('user-name')).fill('王小明')
  await dlg.locator($t('user-password')).fill('Passw0rd-' + RUN)
  await pickOption(page, 'user-roles', '服务顾问')
  await page.keyboard.press('Escape')
  await dlg.locator($t('user-phone')).fill('13912345678')
  await shot(page, '03-user-dialog-zh')
  await dlg.locator($t('user-save')).click()
  await dlg.waitFor({ state: 'hidden' })
  await page.fill($t('user-filter-q'), loginName)
  await page.click($t('user-search'))
  await page.locator($t('user-login-' + loginName)).waitFor()
  const row = await page.locator($t('user-table')).innerText()
  assert(row.includes('王小明') && row.includes('服务顾问'), 'new user listed with translated role: ' + row)
  await shot(page, '04-users-zh')

  // A work order.
  const fault = `空调不制冷 E2E-${RUN}`
  await page.click($t('menu-work-orders'))
  await page.locator($t('wo-table')).waitFor()
  await page.click($t('wo-new'))
  await page.locator($t('wo-create')).waitFor()
  await pickOption(page, 'wo-type', '维修')
  await pickOption(page, 'wo-priority', 'P2')
  await pickOption(page, 'wo-channel', '电话')
  await page.fill($t('wo-customer-name'), '张伟')
  await page.fill($t('wo-customer-phone'), '13800138000')
  await page.fill($t('wo-address'), '广东省广州市天河区天河路385号')
  await page.fill($t('wo-fault-input'), fault)
  await shot(page, '05-wo-create-zh')
  await page.click($t('wo-submit'))
  await page.locator($t('wo-detail')).waitFor()
  await page.locator($t('wo-number')).waitFor()
  const number = (await page.locator($t('wo-number')).innerText()).trim()
  assert(/^WO\d{8}-\d{5}$/.test(number), 'work-order number shown: ' + number)

  // Find it in the list by its fault text, open it.
  await page.click($t('menu-work-orders'))
  await page.fill($t('wo-filter-q'), `E2E-${RUN}`)
  await page.click($t('wo-search'))
  const link = page.locator(`${$t('wo-table')} a`, { hasText: number })
  await link.waitFor()
  const listText = await page.locator($t('wo-table')).innerText()
  assert(listText.includes(fault) && listText.includes('待受理'), 'list row shows fault and status 待受理')
  await shot(page, '06-wo-list-zh')
  await link.click()
  await page.locator($t('wo-fault-text')).waitFor()
  assert((await page.locator($t('wo-fault-text')).innerText()).includes(fault), 'detail shows the fault')
  const fields = await page.locator($t('wo-fields')).innerText()
  for (const word of ['工单号', '待受理', '维修', '电话', '张伟', '故障描述']) assert(fields.includes(word), `detail shows ${word}`)
  await page.locator($t('wo-timeline')).waitFor()
  assert((await page.locator($t('wo-timeline')).innerText()).includes('创建工单'), 'timeline has the create event')
  await shot(page, '07-wo-detail-zh')

  // English.
  await page.click($t('lang-button'))
  await page.click($t('lang-en-US'))
  await page.locator($t('menu'), { hasText: 'Work orders' }).waitFor()
  const menuEn = await page.locator($t('menu')).innerText()
  for (const word of ['Home', 'Work orders', 'Organizations', 'Users', 'Audit log', 'API tokens']) {
    assert(menuEn.includes(word), `English menu shows ${word}: ${menuEn}`)
  }
  const fieldsEn = await page.locator($t('wo-fields')).innerText()
  for (const word of ['Number', 'Status', 'New', 'Repair', 'Phone', 'Fault description']) {
    assert(fieldsEn.includes(word), `English detail shows ${word}: ${fieldsEn}`)
  }
  assert((await page.locator($t('logout')).innerText()).includes('Log out'), 'English logout button')
  assert(!/[待维故]/.test(fieldsEn.replace(fault, '').replace(/张伟|广东省广州市天河区天河路385号/g, '')), 'no Chinese labels left')
  await shot(page, '08-wo-detail-en')

  // The choice is remembered.
  await page.reload()
  await page.locator($t('menu'), { hasText: 'Work orders' }).waitFor()
  assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
  await page.context().close()
})

test('work-order form shows the server field errors under the fields', async (browser) => {
  const page = await newPage(browser)
  await login(page)
  await page.locator($t('menu')).waitFor()
  await page.goto(BASE + '/work-orders/new')
  await page.fill($t('wo-customer-name'), '李娜')
  await page.fill($t('wo-customer-phone'), '12')
  await page.fill($t('wo-fault-input'), '洗衣机漏水')
  await page.click($t('wo-submit'))
  await page.locator($t('form-error')).waitFor()
  const item = page.locator('.el-form-item', { has: page.locator($t('wo-customer-phone')) })
  await item.locator('.el-form-item__error').waitFor()
  await shot(page, '09-wo-field-error-zh')
  assert(page.url().endsWith('/work-orders/new'), 'stays on the form')
  await page.context().close()
})

test('stale edit of a work order (412) is explained', async (browser) => {
  const created = await apiCall('POST', '/work-orders', {
    type: 'repair', priority: 'P3', channel: 'phone', customer: { name: '陈静', phone: '13700137000' },
    address: '广东省广州市越秀区中山五路1号', fault_description: `冰箱不制冷 E2E-412-${RUN}`,
  })
  assert(created.status === 201, 'set-up order created: ' + created.status)
  const page = await newPage(browser)
  await login(page)
  await page.locator($t('menu')).waitFor()
  await page.goto(`${BASE}/work-orders/${created.body.id}`)
  await page.click($t('wo-edit'))
  const dlg = page.locator($t('wo-edit-dialog'))
  await dlg.locator($t('wo-edit-address')).waitFor()
  // Someone else changes it meanwhile.
  const other = await apiCall('PATCH', `/work-orders/${created.body.id}`, { priority: 'P1' }, { 'If-Match': '"1"' })
  assert(other.status === 200, 'concurrent change saved: ' + other.status)
  await dlg.locator($t('wo-edit-address')).fill('广东省广州市越秀区中山五路2号')
  await dlg.locator($t('wo-edit-save')).click()
  const err = dlg.locator($t('wo-edit-error'))
  await err.waitFor()
  assert((await err.innerText()).includes('已被其他人修改'), 'clear 412 message: ' + (await err.innerText()))
  await shot(page, '10-wo-412-zh')
  await dlg.locator($t('wo-reload')).click()
  await page.locator($t('wo-version'), { hasText: '2' }).waitFor()
  await page.context().close()
})

test('organisations tree: create a child outlet, delete is refused while it has users', async (browser) => {
  const page = await newPage(browser)
  await login(page)
  await page.locator($t('menu')).waitFor()
  await page.click($t('menu-organizations'))
  await page.locator($t('org-tree')).waitFor()
  await page.click($t('org-new'))
  const dlg = page.locator($t('org-dialog'))
  await dlg.locator($t('org-name')).waitFor()
  const name = `天河网点 ${RUN}`
  await dlg.locator($t('org-name')).fill(name)
  await dlg.locator($t('org-code')).fill(`TH${RUN}`.toUpperCase().slice(0, 32))
  await dlg.locator($t('org-province')).fill('广东省')
  await dlg.locator($t('org-city')).fill('广州市')
  await dlg.locator($t('org-district')).fill('天河区')
  await dlg.locator($t('org-address')).fill('天河路385号')
  await dlg.locator(`${$t('org-lat')} input`).fill('23.13')
  await dlg.locator(`${$t('org-lon')} input`).fill('113.32')
  await shot(page, '11a-org-dialog-zh')
  await dlg.locator($t('org-save')).click()
  await dlg.waitFor({ state: 'hidden' })
  const row = page.locator(`${$t('org-tree')} tr`, { hasText: name })
  await row.waitFor()
  assert((await row.innerText()).includes('网点'), 'type shown translated')
  await shot(page, '11-orgs-zh')

  // Give it a user, then try to delete it: 409 is shown.
  const orgs = await apiCall('GET', '/organizations?q=' + encodeURIComponent(RUN))
  const org = orgs.body.items.find((o) => o.name === name)
  assert(org, 'org visible over the API')
  const u = await apiCall('POST', '/users', {
    login: `e2e_org_${RUN}`, name: '赵技师', password: 'Passw0rd-' + RUN, org_id: org.id, roles: ['technician'],
  })
  assert(u.status === 201, 'user in the org: ' + u.status)
  await page.click($t('org-delete-' + org.id))
  await page.locator('.el-message-box__btns .el-button--primary').click()
  const box = page.locator('.el-message-box', { hasText: '无法删除' })
  await box.waitFor()
  await shot(page, '12-org-delete-409-zh')
  await page.context().close()
})

test('audit log shows times in Beijing time and a before/after diff', async (browser) => {
  const page = await newPage(browser)
  await login(page)
  await page.locator($t('menu')).waitFor()
  await page.click($t('menu-audit'))
  await page.locator(`${$t('audit-time')}`).first().waitFor()
  const time = await page.locator($t('audit-time')).first().innerText()
  assert(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(time.trim()), 'time formatted: ' + time)
  await page.locator(`${$t('audit-table')} .el-table__expand-icon`).first().click()
  await page.locator($t('audit-diff')).first().waitFor()
  await shot(page, '13-audit-zh')
  await page.context().close()
})

test('API token is shown once and can be revoked', async (browser) => {
  const page = await newPage(browser)
  await login(page)
  await page.locator($t('menu')).waitFor()
  await page.click($t('menu-tokens'))
  await page.locator($t('token-table')).waitFor()
  await page.click($t('token-new'))
  await page.fill($t('token-name'), `ERP ${RUN}`)
  await page.click($t('token-save'))
  const value = await page.locator($t('token-value')).inputValue()
  assert(value.startsWith('fwt_'), 'token shown: ' + value)
  await shot(page, '14-token-created-zh')
  const r = await fetch(BASE + '/api/v1/work-orders?limit=1', { headers: { Authorization: 'Bearer ' + value } })
  assert(r.status === 200, 'the new token works: ' + r.status)
  const row = page.locator(`${$t('token-table')} tr`, { hasText: `ERP ${RUN}` })
  await row.locator('button', { hasText: '吊销' }).click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await row.locator('.el-tag', { hasText: '已吊销' }).waitFor()
  const r2 = await fetch(BASE + '/api/v1/work-orders?limit=1', { headers: { Authorization: 'Bearer ' + value } })
  assert(r2.status === 401, 'the revoked token is refused: ' + r2.status)
  await page.context().close()
})

test('every page renders in both languages without console errors or untranslated keys', async (browser) => {
  const page = await newPage(browser)
  await login(page)
  await page.locator($t('menu')).waitFor()
  const problems = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${page.url()}: ${m.text()}`)
  })
  const pages = ['/', '/work-orders', '/work-orders/new', '/customers', '/product-models', '/maintenance', '/campaigns', '/organizations', '/users', '/audit', '/tokens', '/no/such/page']
  for (const lang of ['zh-CN', 'en-US']) {
    if (lang === 'en-US') {
      await page.click($t('lang-button'))
      await page.click($t('lang-en-US'))
      await page.locator($t('menu'), { hasText: 'Work orders' }).waitFor()
    }
    for (const path of pages) {
      await page.goto(BASE + path)
      await page.locator('.main .page, .main [data-test="not-found"]').first().waitFor()
        .catch((e) => { throw new Error(`${lang} ${path}: page did not render (${page.errors.join('; ')}) ${e.message.split('\n')[0]}`) })
      await page.waitForTimeout(300)
      const text = await page.locator('.el-container').first().innerText()
      // A missing translation shows as its key (e.g. "wo.status").
      const keys = text.match(/\b(app|menu|header|common|login|home|wo|status|woType|channel|priority|orgType|role|userStatus|org|user|audit|auditAction|entity|token|errors|fieldError|field|timeline|notFound|cust|asset|model|maint|churn|importError|reg|labour|campaign|campaignChannel|faultKind|entitlement|custClass|custKind|assetStatus)\.[a-zA-Z_]+/g)
      assert(!keys, `${lang} ${path}: untranslated ${keys}`)
      if (['/', '/work-orders', '/users', '/audit'].includes(path)) await shot(page, `15-${lang}${path.replace(/\//g, '-')}`)
    }
  }
  assert(problems.length === 0, 'console: ' + problems.join(' | '))
  await page.context().close()
})

test('the menu follows the permissions of the role (agent)', async (browser) => {
  const orgs = await apiCall('GET', '/organizations?limit=1')
  const login = `e2e_agent_${RUN}`
  const password = 'Passw0rd-' + RUN
  const u = await apiCall('POST', '/users', { login, name: '客服小李', password, org_id: orgs.body.items[0].id, roles: ['agent'] })
  assert(u.status === 201, 'agent created: ' + u.status)
  const page = await newPage(browser)
  await page.goto(BASE + '/login')
  await page.fill($t('login-name'), login)
  await page.fill($t('login-password'), password)
  await page.click($t('login-submit'))
  await page.locator($t('menu')).waitFor()
  const menu = await page.locator($t('menu')).innerText()
  assert(menu.includes('工单') && menu.includes('组织机构'), 'agent sees work orders and organisations: ' + menu)
  assert(!menu.includes('用户') && !menu.includes('审计日志') && !menu.includes('API 令牌'), 'agent does not see admin entries: ' + menu)
  await page.goto(BASE + '/audit')
  await page.locator($t('home')).waitFor()
  assert(!page.url().includes('/audit'), 'a page without the permission sends home')
  await shot(page, '16-agent-home-zh')
  await page.context().close()
})

test('logout returns to the login page and the session is gone', async (browser) => {
  const page = await newPage(browser)
  await login(page)
  await page.locator($t('menu')).waitFor()
  await page.click($t('logout'))
  await page.locator($t('login-submit')).waitFor()
  await page.goto(BASE + '/users')
  await page.locator($t('login-submit')).waitFor()
  assert(page.url().includes('/login'), 'protected page needs login again')
  await page.context().close()
})

test('archive: an advisor finds a customer by the last 4 digits of a phone, registers an asset, checks its warranty, sees it due', async (browser) => {
  const orgs = await apiCall('GET', '/organizations?limit=1')
  const login = `e2e_advisor_${RUN}`
  const password = 'Passw0rd-' + RUN
  const u = await apiCall('POST', '/users', { login, name: '服务顾问小王', password, org_id: orgs.body.items[0].id, roles: ['advisor'] })
  assert(u.status === 201, 'advisor created: ' + u.status)
  const digits = String(parseInt(RUN, 36) % 100000000).padStart(8, '0')
  const phone = '137' + digits
  const cust = await apiCall('POST', '/customers', { name: `档案客户${RUN}`, phones: [phone], class: 'A', addresses: [{ text: '广东省广州市天河区体育西路1号' }] })
  assert(cust.status === 201, 'customer created: ' + cust.status + ' ' + JSON.stringify(cust.body))
  const model = await apiCall('POST', '/product-models', {
    brand: '格力', category: '空调', model: `KFR-E2E-${RUN}`, warranty_months: 12, complexity: '1.20',
    maintenance: [{ name: '首保', km: 5000, months: 6, operations: ['清洗滤网', '检查冷媒'] }],
  })
  assert(model.status === 201, 'model created: ' + model.status)

  const page = await newPage(browser)
  await page.goto(BASE + '/login')
  await page.fill($t('login-name'), login)
  await page.fill($t('login-password'), password)
  await page.click($t('login-submit'))
  await page.locator($t('menu-customers')).click()
  await page.locator($t('cust-list')).waitFor()
  await page.fill($t('cust-filter-phone'), phone.slice(-4))
  await page.click($t('cust-search'))
  const link = page.locator($t('cust-link-' + cust.body.id))
  await link.waitFor()
  await shot(page, '20-archive-search-zh')
  await link.click()
  await page.locator($t('cust-detail')).waitFor()
  await page.locator($t('cust-name'), { hasText: `档案客户${RUN}` }).waitFor()
  const phones = await page.locator($t('cust-detail-phones')).innerText()
  assert(phones.includes('+86' + phone), 'archive shows the phone: ' + phones)

  await page.click($t('asset-new'))
  await page.locator($t('asset-dialog')).waitFor()
  await pickOption(page, 'asset-form-model', `KFR-E2E-${RUN}`)
  await page.fill($t('asset-form-serial'), `SN-E2E-${RUN}`)
  await shot(page, '21-archive-new-asset-zh')
  await page.click($t('asset-form-submit'))
  await page.locator($t('asset-detail')).waitFor()
  await page.locator($t('asset-warranty-status')).waitFor()
  const status = await page.locator($t('asset-warranty-status')).innerText()
  assert(status.includes('保修至'), 'a new asset is in warranty: ' + status)

  await page.click($t('warranty-check'))
  await page.locator($t('warranty-result')).waitFor()
  const verdict = await page.locator($t('warranty-verdict')).innerText()
  const words = await page.locator($t('warranty-explanation')).innerText()
  assert(verdict.includes('保内'), 'bought today: in warranty: ' + verdict)
  assert(words.includes('退货'), 'within 7 days: refund offered: ' + words)
  await shot(page, '22-archive-warranty-zh')

  // A liquid spill is excluded, with the reason read to the customer.
  await pickOption(page, 'warranty-fault', '进液')
  await page.click($t('warranty-check'))
  await page.locator($t('warranty-verdict'), { hasText: '保外' }).waitFor()
  const why = await page.locator($t('warranty-explanation')).innerText()
  assert(why.includes('进液'), 'exclusion explained: ' + why)

  // Back in the archive the asset is listed.
  const assetId = Number(new URL(page.url()).pathname.split('/').pop())
  await page.goto(BASE + `/customers/${cust.body.id}`)
  await page.locator($t('cust-assets'), { hasText: `SN-E2E-${RUN}` }).waitFor()
  await shot(page, '23-archive-customer-zh')

  // At its first visit the car shows 6,000 km: past the 5,000 km first service, so it is in the due list.
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  const rd = await apiCall('POST', `/assets/${assetId}/readings`, { date: today, km: 6000 })
  assert(rd.status === 201, 'reading added: ' + rd.status)
  await page.locator($t('menu-maintenance')).click()
  await page.locator($t('maint-table'), { hasText: `SN-E2E-${RUN}` }).waitFor()
  await shot(page, '24-archive-maintenance-due-zh')
  assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
  await page.context().close()
})

test('archive: importing customers from CSV lists every bad row first, then imports a clean file', async (browser) => {
  const page = await newPage(browser)
  await login(page)
  await page.locator($t('menu-customers')).click()
  await page.locator($t('cust-list')).waitFor()
  const n = String(parseInt(RUN, 36) % 1000000).padStart(6, '0')
  const bad = `姓名,电话,等级\n导入甲${RUN},13${n}001,A\n,13${n}002,B\n导入丙${RUN},123,C\n`
  await page.click($t('cust-import'))
  await page.locator($t('import-file')).setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
  await page.locator($t('import-errors')).waitFor()
  const errs = await page.locator($t('import-errors')).innerText()
  assert(errs.includes('3') && errs.includes('4'), 'rows 3 and 4 reported: ' + errs)
  assert(await page.locator($t('import-submit')).isDisabled(), 'cannot import a bad file')
  await shot(page, '25-archive-import-errors-zh')
  const good = `姓名,电话,等级\n导入甲${RUN},13${n}001,A\n导入乙${RUN},13${n}002,B\n`
  await page.locator($t('import-file')).setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
  await page.locator($t('import-valid')).waitFor()
  await page.click($t('import-submit'))
  await page.locator($t('import-dialog')).waitFor({ state: 'hidden' })
  await page.fill($t('cust-filter-phone'), `13${n}002`)
  await page.click($t('cust-search'))
  await page.locator($t('cust-table'), { hasText: `导入乙${RUN}` }).waitFor()
  assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
  await page.context().close()
})

test('archive: a customer registers a purchase electronically and sees only their own archive', async (browser) => {
  const orgs = await apiCall('GET', '/organizations?limit=1')
  const n = String(parseInt(RUN, 36) % 100000000).padStart(8, '0')
  const cust = await apiCall('POST', '/customers', { name: `门户客户${RUN}`, phones: ['135' + n] })
  assert(cust.status === 201, 'customer: ' + cust.status)
  const model = await apiCall('POST', '/product-models', { brand: '美的', category: '洗衣机', model: `MG-E2E-${RUN}` })
  assert(model.status === 201, 'model: ' + model.status)
  const login = `e2e_cust_${RUN}`
  const password = 'Passw0rd-' + RUN
  const u = await apiCall('POST', '/users', { login, name: `门户客户${RUN}`, password, org_id: orgs.body.items[0].id, roles: ['customer'], customer_id: cust.body.id })
  assert(u.status === 201, 'customer account: ' + u.status)
  const page = await newPage(browser)
  await page.goto(BASE + '/login')
  await page.fill($t('login-name'), login)
  await page.fill($t('login-password'), password)
  await page.click($t('login-submit'))
  await page.locator($t('menu-warranty-registration')).click()
  await page.locator($t('warranty-register')).waitFor()
  await pickOption(page, 'reg-model', `MG-E2E-${RUN}`)
  await page.fill($t('reg-serial'), `REG-E2E-${RUN}`)
  await page.click($t('reg-submit'))
  await page.locator($t('reg-done')).waitFor()
  await shot(page, '26-archive-warranty-registration-zh')
  await page.click($t('reg-submit'))
  await page.locator($t('reg-error')).waitFor()
  const err = await page.locator($t('reg-error')).innerText()
  assert(err.includes('操作冲突'), 'a second registration is refused: ' + err)
  await page.locator($t('menu-customers')).click()
  await page.locator($t('cust-link-' + cust.body.id)).waitFor()
  const rows = await page.locator($t('cust-table') + ' tbody tr').count()
  assert(rows === 1, 'a customer sees only their own record: ' + rows)
  await page.click($t('cust-link-' + cust.body.id))
  await page.locator($t('cust-assets'), { hasText: `REG-E2E-${RUN}` }).waitFor()
  assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
  await page.context().close()
})

// --- runner -----------------------------------------------------------------------------

// More tests live in specs/*.mjs, one file per area: each default-exports a function that
// registers its tests with the helpers above.
const SPECS = join(dirname(fileURLToPath(import.meta.url)), 'specs')
mkdirSync(SPECS, { recursive: true })
for (const f of readdirSync(SPECS).filter((n) => n.endsWith('.mjs')).sort()) {
  const m = await import(join(SPECS, f))
  m.default({ test, assert, shot, newPage, login, pickOption, apiCall, $t, BASE, RUN, ADMIN_PASSWORD, TIMEOUT })
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
let passed = 0
let failed = 0
const only = process.env.E2E_ONLY
for (const { name, fn } of tests) {
  if (only && !name.includes(only)) continue
  try {
    await fn(browser)
    passed++
    console.log(`ok - ${name}`)
  } catch (e) {
    failed++
    console.log(`not ok - ${name}`)
    console.log('  # ' + String((e && e.stack) || e).split('\n').slice(0, 6).join('\n  # '))
    for (const ctx of browser.contexts()) {
      for (const p of ctx.pages()) {
        await p.screenshot({ path: join(SHOTS, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {})
      }
      await ctx.close().catch(() => {})
    }
  }
}
await browser.close()
console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
