// Entry point: Vue + Element Plus + vue-i18n + router; 401 from the API → login page.
import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './style.css'
import App from './App.vue'
import { i18n } from './i18n.js'
import { router } from './router.js'
import { setUnauthorizedHandler } from './api.js'
import { clearSession } from './session.js'

setUnauthorizedHandler(() => {
  const wasLoggedIn = clearSession()
  const here = router.currentRoute.value
  if (here.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: here.fullPath, expired: wasLoggedIn ? '1' : undefined } })
  }
})

createApp(App).use(i18n).use(ElementPlus).use(router).mount('#app')
