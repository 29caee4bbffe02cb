// Routes (history mode; the server answers unknown page paths with index.html).
// meta.perm: the permission a route needs; meta.public: reachable without a session.
import { createRouter, createWebHistory } from 'vue-router'
import { session, loadSession, can } from './session.js'
import AppLayout from './components/AppLayout.vue'

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/login/LoginView.vue'), meta: { public: true } },
  // the wall board (进度看板) for a TV: full screen, no menu
  { path: '/board', name: 'board', component: () => import('./views/board/WallBoard.vue'), meta: { perm: 'wo.read', title: 'live.board' } },
  // the technician's phone (issue 5 item 7): full screen, no console menu, works offline
  { path: '/m', name: 'mobile', component: () => import('./views/mobile/MobileHome.vue'), meta: { perm: 'wo.update', title: 'mobile.title' } },
  { path: '/m/orders/:id(\\d+)', name: 'mobile-order', component: () => import('./views/mobile/MobileOrder.vue'), meta: { perm: 'wo.update', title: 'mobile.title' }, props: true },
  // printable bill / receipt (settlement): outside the console chrome
  { path: '/print/bill/:id(\\d+)', name: 'print-bill', component: () => import('./views/print/PrintBill.vue'), meta: { perm: 'wo.read', title: 'billing.printTitle' }, props: true },
  // the printable 任务委托书 (estimate / service authorisation): outside the console chrome
  { path: '/print/estimate/:id(\\d+)', name: 'print-estimate', component: () => import('./views/print/EstimatePrint.vue'), meta: { perm: 'wo.read', title: 'woLines.printTitle' }, props: true },
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
        meta: { perm: 'wo.create', title: 'woFlow.intake.title', menu: 'work-orders' },
      },
      {
        path: 'work-orders/:id(\\d+)', name: 'work-order', component: () => import('./views/work-orders/WorkOrderDetail.vue'),
        meta: { perm: 'wo.read', title: 'wo.detail', menu: 'work-orders' }, props: true,
      },
      // issue 4 (web): the technician's tasks and the customer portal
      {
        path: 'tech/tasks', name: 'tech-tasks', component: () => import('./views/tech/TechTasks.vue'),
        meta: { perm: 'wo.update', title: 'woFlow.menu.techTasks', menu: 'tech-tasks' },
      },
      // 派工台: the dispatcher's board of a day (DOMAIN §4)
      {
        path: 'dispatch', name: 'dispatch', component: () => import('./views/dispatch/DispatchBoard.vue'),
        meta: { perm: 'tech.write', title: 'dispatchBoard.title', menu: 'dispatch' },
      },
      {
        path: 'portal/orders', name: 'portal-orders', component: () => import('./views/portal/PortalOrders.vue'),
        meta: { perm: 'wo.read', title: 'woFlow.menu.myOrders', menu: 'portal-orders' },
      },
      {
        path: 'portal/orders/:id(\\d+)', name: 'portal-order', component: () => import('./views/portal/PortalOrder.vue'),
        meta: { perm: 'wo.read', title: 'woFlow.portal.order', menu: 'portal-orders' }, props: true,
      },
      {
        path: 'portal/new', name: 'portal-new', component: () => import('./views/portal/PortalRequest.vue'),
        meta: { perm: 'wo.create', title: 'woFlow.menu.request', menu: 'portal-new' },
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
        path: 'contact-tasks', name: 'care', component: () => import('./views/care/ContactTasks.vue'),
        meta: { perm: 'customer.write', title: 'care.title', menu: 'care' },
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
      // issue 5 (dispatch): technicians as resources, authorisations (网签), dispatch policies
      {
        path: 'techs', name: 'techs', component: () => import('./views/techs/TechList.vue'),
        meta: { perm: 'wo.update', title: 'techs.title', menu: 'techs' },
      },
      {
        path: 'techs/:id(\\d+)', name: 'tech', component: () => import('./views/techs/TechDetail.vue'),
        meta: { perm: 'wo.update', title: 'techs.detail', menu: 'techs' }, props: true,
      },
      {
        path: 'authorizations', name: 'authz', component: () => import('./views/authz/AuthzList.vue'),
        meta: { perm: 'org.read', title: 'authz.menu', menu: 'authz' },
      },
      {
        path: 'settings/dispatch', name: 'settings-dispatch', component: () => import('./views/settings/DispatchPolicies.vue'),
        meta: { perm: 'wo.update', title: 'dispatchPolicy.title', menu: 'settings-dispatch' },
      },
      // issue 5 item 6: the appointment board (预约看板) and the workshop's bays (工位)
      {
        path: 'appointments', name: 'appointments', component: () => import('./views/appointments/AppointmentBoard.vue'),
        meta: { perm: 'wo.update', title: 'appointments.board.title', menu: 'appointments' },
      },
      {
        path: 'settings/bays', name: 'settings-bays', component: () => import('./views/appointments/BayList.vue'),
        meta: { perm: 'org.read', title: 'appointments.bays.title', menu: 'settings-bays' },
      },
      // reports (issue 4 item 8): rework per technician
      {
        path: 'reports/rework', name: 'report-rework', component: () => import('./views/reports/ReworkReport.vue'),
        meta: { perm: 'wo.read', title: 'reports.rework.title', menu: 'report-rework' },
      },
      // settings (issue 4 item 3): fault categories, SLA deadlines, working calendar, company settings
      {
        path: 'settings/fault-categories', name: 'settings-categories', component: () => import('./views/settings/FaultCategories.vue'),
        meta: { perm: 'wo.read', title: 'settings.menu.categories', menu: 'settings-categories' },
      },
      {
        path: 'settings/sla', name: 'settings-sla', component: () => import('./views/settings/SlaPolicies.vue'),
        meta: { perm: 'wo.read', title: 'settings.menu.sla', menu: 'settings-sla' },
      },
      {
        path: 'settings/calendar', name: 'settings-calendar', component: () => import('./views/settings/WorkCalendar.vue'),
        meta: { perm: 'wo.read', title: 'settings.menu.calendar', menu: 'settings-calendar' },
      },
      {
        path: 'settings/company', name: 'settings-company', component: () => import('./views/settings/TenantSettings.vue'),
        meta: { perm: 'wo.read', title: 'settings.menu.tenant', menu: 'settings-company' },
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
