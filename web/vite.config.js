// Vite build of the fuwu web console. `npm run build` writes dist/ (index.html + hashed
// assets under dist/assets/), which `make` embeds into the server binary.
// `npm run dev` serves the app with /api proxied to a local server (FUWU_DEV_API).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const api = process.env.FUWU_DEV_API || 'http://127.0.0.1:18080'

export default defineConfig({
  base: '/',
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '^/api/': { target: api, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
})
