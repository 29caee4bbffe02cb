// Interface language: vue-i18n with zh-CN (default) and en-US, the choice kept in localStorage.
// The Element Plus locale follows the same choice (see App.vue).
import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
import zhCN from './locales/zh-CN.json'
import enUS from './locales/en-US.json'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import elEn from 'element-plus/es/locale/lang/en'

export const LANGS = ['zh-CN', 'en-US']
const STORAGE_KEY = 'fuwu.lang'

function initialLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (LANGS.includes(saved)) return saved
  } catch {
    /* storage blocked: use the default */
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, 'en-US': enUS },
})

export function setLang(lang) {
  if (!LANGS.includes(lang)) return
  i18n.global.locale.value = lang
  document.documentElement.lang = lang
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    /* ignore */
  }
}
document.documentElement.lang = i18n.global.locale.value

export const elementLocale = computed(() => (i18n.global.locale.value === 'en-US' ? elEn : elZhCn))
