// archive_more.mjs — browser tests of the rest of issue 3: importing assets and product models
// from an Excel workbook (bad rows listed first, then a clean file), exporting the customer
// list and the due list as .xlsx, finding a customer by pinyin initials, and the contact-task
// list (generate, take, mark done with an outcome). Both languages render without raw keys.
import { zip } from '../../api/xlsx_helper.mjs'

// A workbook with inline strings and numbers (the shape WPS and Excel write).
function xlsx(rows) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
  const col = (i) => String.fromCharCode(65 + i)
  const body = rows.map((r, i) => `<row r="${i + 1}">` + r.map((v, c) => (v === null ? '' : typeof v === 'number'
    ? `<c r="${col(c)}${i + 1}"><v>${v}</v></c>` : `<c r="${col(c)}${i + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`)).join('') + '</row>').join('')
  return zip({ 'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body}</sheetData></worksheet>` })
}

export default function ({ test, assert, shot, newPage, login, pickOption, apiCall, $t, BASE, RUN }) {
  const n = String(parseInt(RUN, 36) % 1000000).padStart(6, '0')

  test('archive more: a plate another active car carries is warned about, and can be saved anyway', async (browser) => {
    const m = await apiCall('POST', '/product-models', { brand: '长城', category: '汽车', model: `DUP-${RUN}`, warranty_months: 36 })
    assert(m.status === 201, 'model: ' + m.status)
    const owner = await apiCall('POST', '/customers', { name: `原车主${RUN}`, phones: [`138${n}66`] })
    const buyer = await apiCall('POST', '/customers', { name: `新车主${RUN}`, phones: [`138${n}55`] })
    assert(owner.status === 201 && buyer.status === 201, 'customers')
    const plate = `粤B${n.slice(0, 5)}`
    const first = await apiCall('POST', '/assets', { customer_id: owner.body.id, model_id: m.body.id, serial: `VIN-A-${RUN}`, purchase_date: '2025-06-01', plate })
    assert(first.status === 201, 'first car: ' + first.status)
    const page = await newPage(browser)
    await login(page)
    await page.locator($t('menu')).waitFor()
    await page.goto(`${BASE}/customers/${buyer.body.id}`)
    await page.locator($t('cust-detail')).waitFor()
    await page.click($t('asset-new'))
    await page.locator($t('asset-dialog')).waitFor()
    await pickOption(page, 'asset-form-model', `DUP-${RUN}`)
    await page.fill($t('asset-form-serial'), `VIN-B-${RUN}`)
    await page.fill($t('asset-form-plate'), plate)
    await page.click($t('asset-form-submit'))
    const warn = page.locator($t('asset-form-duplicate'))
    await warn.waitFor()
    const text = await warn.innerText()
    assert(text.includes(plate) && text.includes(`原车主${RUN}`), 'the warning names the plate and its owner: ' + text)
    await shot(page, '46-archive-duplicate-plate-zh')
    const before = await apiCall('GET', `/assets?customer_id=${buyer.body.id}`)
    assert(before.body.items.length === 0, 'nothing saved before the advisor confirms')
    await page.click($t('asset-form-confirm'))
    await page.locator($t('asset-detail')).waitFor()
    const after = await apiCall('GET', `/assets?customer_id=${buyer.body.id}`)
    assert(after.body.items.length === 1 && after.body.items[0].plate === plate, 'saved anyway: ' + JSON.stringify(after.body.items))
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('archive more: pinyin search, import of models and assets from .xlsx, export as Excel', async (browser) => {
    const phone = `139${n}77`
    const c = await apiCall('POST', '/customers', { name: `诸葛明${RUN}`, phones: [phone], class: 'A' })
    assert(c.status === 201, 'customer: ' + c.status)
    const page = await newPage(browser)
    await login(page)
    await page.locator($t('menu-customers')).click()
    await page.locator($t('cust-list')).waitFor()
    // pinyin initials in the name box
    await page.fill($t('cust-filter-name'), 'zgm')
    await page.click($t('cust-search'))
    await page.locator($t('cust-table'), { hasText: `诸葛明${RUN}` }).waitFor()
    await shot(page, '40-archive-pinyin-search-zh')
    // product models from a workbook: a bad row first
    await page.click($t('cust-import'))
    await page.locator($t('import-dialog')).waitFor()
    await page.click($t('import-kind-models'))
    const model = `E2E-${RUN}`
    const bad = xlsx([['品牌', '类别', '型号', '保修月数', '技术复杂系数'], ['长城', '汽车', model, 36, '1.50'], ['长城', '汽车', `${model}-X`, '三年', null]])
    await page.locator($t('import-file')).setInputFiles({ name: 'models.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bad })
    await page.locator($t('import-errors')).waitFor()
    const errs = await page.locator($t('import-errors')).innerText()
    assert(errs.includes('3') && errs.includes('数字不正确'), 'row 3 reported in Chinese: ' + errs)
    assert(await page.locator($t('import-submit')).isDisabled(), 'a bad file cannot be imported')
    await shot(page, '41-archive-import-models-errors-zh')
    const good = xlsx([['品牌', '类别', '型号', '保修月数', '技术复杂系数'], ['长城', '汽车', model, 36, '1.50']])
    await page.locator($t('import-file')).setInputFiles({ name: 'models.xlsx', mimeType: 'application/octet-stream', buffer: good })
    await page.locator($t('import-valid')).waitFor()
    await page.click($t('import-submit'))
    await page.locator($t('import-dialog')).waitFor({ state: 'hidden' })
    // assets of that model for the customer, by phone
    await page.click($t('cust-import'))
    await page.click($t('import-kind-assets'))
    const assets = xlsx([['客户电话', '品牌', '型号', '车架号', '购买日期', '车牌'], [Number(phone), '长城', model, `VIN${RUN}`, 45658, `粤A${n.slice(0, 5)}`]])
    await page.locator($t('import-file')).setInputFiles({ name: 'assets.xlsx', mimeType: 'application/octet-stream', buffer: assets })
    await page.locator($t('import-valid')).waitFor()
    await shot(page, '42-archive-import-assets-valid-zh')
    await page.click($t('import-submit'))
    await page.locator($t('import-dialog')).waitFor({ state: 'hidden' })
    await page.click($t('cust-link-' + c.body.id))
    await page.locator($t('cust-assets'), { hasText: `VIN${RUN}` }).waitFor()
    // export: the links carry the format and the filters
    await page.locator($t('menu-customers')).click()
    await page.fill($t('cust-filter-name'), 'zgm')
    await page.click($t('cust-search'))
    await page.locator($t('cust-table'), { hasText: `诸葛明${RUN}` }).waitFor()
    const href = await page.locator($t('cust-export-xlsx')).getAttribute('href')
    assert(href.includes('format=xlsx') && href.includes('name=zgm'), 'export follows the search: ' + href)
    const res = await page.request.get(BASE + href)
    assert(res.status() === 200, 'export answered ' + res.status())
    assert((res.headers()['content-type'] || '').includes('spreadsheetml'), 'an .xlsx workbook')
    const body = await res.body()
    assert(body[0] === 0x50 && body[1] === 0x4b, 'a zip')
    await page.locator($t('menu-maintenance')).click()
    await page.locator($t('maint-due')).waitFor()
    const mhref = await page.locator($t('maint-export-xlsx')).getAttribute('href')
    assert(mhref.includes('format=xlsx'), 'due list export as .xlsx: ' + mhref)
    await shot(page, '43-maintenance-due-export-zh')
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })

  test('archive more: contact tasks by the ABC plans — generate, take, mark done with an outcome', async (browser) => {
    const c = await apiCall('POST', '/customers', { name: `联系甲${RUN}`, phones: [`137${n}88`], class: 'A' })
    assert(c.status === 201, 'customer: ' + c.status)
    const page = await newPage(browser)
    await login(page)
    await page.locator($t('menu-care')).click()
    await page.locator($t('care-tasks')).waitFor()
    const plans = await page.locator($t('care-plans')).innerText()
    assert(plans.includes('每') && plans.includes('A'), 'the plans are shown: ' + plans)
    await page.click($t('care-generate'))
    await page.locator('.el-message', { hasText: '已生成' }).waitFor()
    await shot(page, '44-care-tasks-zh')
    // from the customer's archive to their tasks
    await page.goto(BASE + `/customers/${c.body.id}`)
    await page.click($t('cust-tasks'))
    await page.locator($t('care-filter-customer'), { hasText: `联系甲${RUN}` }).waitFor()
    const row = page.locator($t('care-table') + ' tr', { hasText: `联系甲${RUN}` })
    await row.waitFor()
    const tasks = await apiCall('GET', `/contact-tasks?customer_id=${c.body.id}`)
    const id = tasks.body.items[0].id
    await page.click($t('care-take-' + id))
    await row.filter({ hasText: '系统管理员' }).waitFor().catch(async () => {
      const who = (await apiCall('GET', `/contact-tasks/${id}`)).body.owner_name
      await row.filter({ hasText: who }).waitFor()
    })
    await page.click($t('care-done-' + id))
    await page.locator($t('care-done-dialog')).waitFor()
    await page.click($t('care-outcome-visit_booked'))
    await page.fill($t('care-note'), '已预约周六上午保养')
    await shot(page, '45-care-done-dialog-zh')
    await page.click($t('care-done-submit'))
    await page.locator($t('care-done-dialog')).waitFor({ state: 'hidden' })
    const done = (await apiCall('GET', `/contact-tasks/${id}`)).body
    assert(done.status === 'done' && done.outcome === 'visit_booked' && done.note === '已预约周六上午保养', 'saved: ' + JSON.stringify(done))
    await page.locator($t('care-table') + ' tr', { hasText: '已预约到店' }).first().waitFor()
    await shot(page, '45b-care-customer-done-zh')
    // both languages, no raw keys of the new areas
    for (const lang of ['zh-CN', 'en-US']) {
      if (lang === 'en-US') {
        await page.click($t('lang-button'))
        await page.click($t('lang-en-US'))
        await page.locator($t('menu'), { hasText: 'Contact tasks' }).waitFor()
      }
      for (const path of ['/contact-tasks', '/customers', '/maintenance']) {
        await page.goto(BASE + path)
        await page.locator('.main .page').first().waitFor()
        await page.waitForTimeout(300)
        const text = await page.locator('.el-container').first().innerText()
        const keys = text.match(/\b(care|archiveIo|importError|cust|maint)\.[a-zA-Z_]+/g)
        assert(!keys, `${lang} ${path}: untranslated ${keys}`)
      }
      await page.goto(BASE + '/contact-tasks')
      await page.locator($t('care-table')).waitFor()
      await shot(page, `46-care-tasks-${lang}`)
    }
    assert(page.errors.length === 0, 'no page errors: ' + page.errors.join('; '))
    await page.context().close()
  })
}
