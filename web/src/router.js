// Routes (history mode; the server answers unknown page paths with index.html).
// meta.perm: the permission a route needs; meta.public: reachable without a session.
import { createRouter, createWebHistory } from 'vue-router'
import { session, loadSession, can } from './session.js'
import AppLayout from './components/AppLayout.vue'

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/login/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', name: 'home', component: () => import('./views/home/HomeView.vue'), meta: { title: 'menu.home' } },
      {
        path: 'work-orders', name: 'work-orders', component: () => import('./views/work-orders/WorkOrderList.vue'),
        meta: { perm: 'wo.read', title: 'menu.workOrders', menu: 'work-orders' },
      },
      {
        path: 'work-orders/new', name: 'work-order-new', component: () => import('./views/work-orders/WorkOrderCreate.vue'),
        meta: { perm: 'wo.create', title: 'wo.create', menu: 'work-orders' },
      },
      {
        path: 'work-orders/:id(\\d+)', name: 'work-order', component: () => import('./views/work-orders/WorkOrderDetail.vue'),
        meta: { perm: 'wo.read', title: 'wo.detail', menu: 'work-orders' }, props: true,
      },
      {
        path: 'customers', name: 'customers', component: () => import('./views/customers/CustomerList.vue'),
        meta: { perm: 'customer.read', title: 'menu.customers', menu: 'customers' },
      },
      {
        path: 'customers/:id(\\d+)', name: 'customer', component: () => import('./views/customers/CustomerDetail.vue'),
        meta: { perm: 'customer.read', title: 'cust.archive', menu: 'customers' }, props: true,
      },
      {
        path: 'assets/:id(\\d+)', name: 'asset', component: () => import('./views/customers/AssetDetail.vue'),
        meta: { perm: 'customer.read', title: 'asset.title', menu: 'customers' }, props: true,
      },
      {
        path: 'product-models', name: 'product-models', component: () => import('./views/product-models/ModelList.vue'),
        meta: { perm: 'customer.read', title: 'menu.productModels', menu: 'product-models' },
      },
      {
        path: 'warranty-registration', name: 'warranty-registration', component: () => import('./views/customers/WarrantyRegister.vue'),
        meta: { perm: 'warranty.register', title: 'menu.warrantyRegister', menu: 'warranty-registration' },
      },
      {
        path: 'campaigns', name: 'campaigns', component: () => import('./views/campaigns/CampaignList.vue'),
        meta: { perm: 'customer.write', title: 'menu.campaigns', menu: 'campaigns' },
      },
      {
        path: 'maintenance', name: 'maintenance', component: () => import('./views/maintenance/MaintenanceDue.vue'),
        meta: { perm: 'customer.read', title: 'menu.maintenance', menu: 'maintenance' },
      },
      {
        path: 'organizations', name: 'organizations', component: () => import('./views/organizations/OrgList.vue'),
        meta: { perm: 'org.read', title: 'menu.organizations', menu: 'organizations' },
      },
      {
        path: 'users', name: 'users', component: () => import('./views/users/UserList.vue'),
        meta: { perm: 'user.read', title: 'menu.users', menu: 'users' },
      },
      {
        path: 'audit', name: 'audit', component: () => import('./views/audit/AuditLog.vue'),
        meta: { perm: 'audit.read', title: 'menu.audit', menu: 'audit' },
      },
      {
        path: 'tokens', name: 'tokens', component: () => import('./views/tokens/TokenList.vue'),
        meta: { perm: 'token.manage', title: 'menu.tokens', menu: 'tokens' },
      },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue'), meta: { title: 'notFound.title' } },
    ],
  },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession()
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return { path: typeof to.query.redirect === 'string' ? to.query.redirect : '/' }
    return true
  }
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (to.meta.perm && !can(to.meta.perm)) return { name: 'home' }
  return true
})
