// One lazy route per screen but the first: a cadre's phone downloads the reviewers' screens only if
// opened.

import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'

import { NetworkError } from '@/api/errors'
import { prefetch } from '@/api/client'
import { currentUser } from '@/auth/session'
import { useOutbox } from '@/stores/outbox'
import { useSession } from '@/stores/session'
import { shanghaiDate } from '@/util/dates'
import Today from '@/views/Today.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Shown without the tab bar and menu. */
    bare?: boolean
    /** Any of these roles may open it. */
    roles?: string[]
    title?: string
  }
}

const REVIEWERS = ['unit_head', 'district_leader']
const CASE_HOLDERS = ['unit_head', 'district_leader', 'org_inspector', 'discipline_inspector']
const INSPECTORS = ['org_inspector', 'discipline_inspector']
const VETTERS = ['org_inspector', 'admin']
const GRADERS = ['org_inspector', 'hr_evaluator']
const OVERSEERS = ['unit_head', 'org_inspector', 'district_leader']
const ADMINS = ['admin']

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    { path: '/', redirect: '/today' },
    { path: '/signin', component: () => import('@/views/SignIn.vue'), meta: { public: true, bare: true, title: '登录' } },
    { path: '/callback', component: () => import('@/views/Callback.vue'), meta: { public: true, bare: true, title: '正在登录' } },
    // 今日 is everyone's first screen: it ships with the app's own code (one download with it, no
    // second round of requests before the form), every other screen loads when opened.
    { path: '/today', component: Today, meta: { title: '今日' } },
    { path: '/calendar/:month(\\d{4}-\\d{2})?', component: () => import('@/views/Calendar.vue'), meta: { title: '日志日历' } },
    { path: '/day/:date(\\d{4}-\\d{2}-\\d{2})', component: () => import('@/views/Day.vue'), meta: { title: '工作日志' } },
    { path: '/plan/:month(\\d{4}-\\d{2})?', component: () => import('@/views/Plan.vue'), meta: { title: '月度计划' } },
    { path: '/summary/:half(\\d{4}-H[12])?', component: () => import('@/views/Summary.vue'), meta: { title: '半年总结' } },
    { path: '/leave', component: () => import('@/views/Leave.vue'), meta: { title: '请假' } },
    { path: '/reads', component: () => import('@/views/Reads.vue'), meta: { title: '谁看过我的日志' } },
    { path: '/matters', component: () => import('@/views/Matters.vue'), meta: { title: '关于我的事项' } },
    { path: '/review', component: () => import('@/views/ReviewQueue.vue'), meta: { title: '周审阅', roles: REVIEWERS } },
    {
      path: '/review/:week(\\d{4}-\\d{2}-\\d{2})/:cadre',
      component: () => import('@/views/ReviewWeek.vue'),
      meta: { title: '周审阅', roles: REVIEWERS },
    },
    { path: '/log/:cadre', component: () => import('@/views/CadreLog.vue'), meta: { title: '查阅日志', roles: REVIEWERS } },
    // The oversight side. Paths stay clear of the API's prefixes (/cases, /audits, /admin,
    // /evaluations, /units): deployed, the app and the API share one origin.
    { path: '/todo', component: () => import('@/views/Todo.vue'), meta: { title: '待办案件', roles: CASE_HOLDERS } },
    { path: '/case/:id', component: () => import('@/views/CaseView.vue'), meta: { title: '案件', roles: CASE_HOLDERS } },
    { path: '/inspect', component: () => import('@/views/Inspect.vue'), meta: { title: '抽查', roles: INSPECTORS } },
    { path: '/inspect/:round', component: () => import('@/views/InspectRound.vue'), meta: { title: '抽查', roles: INSPECTORS } },
    { path: '/inspect/:round/:cadre', component: () => import('@/views/InspectCadre.vue'), meta: { title: '抽查', roles: INSPECTORS } },
    { path: '/vetting', component: () => import('@/views/Vetting.vue'), meta: { title: '任前公示', roles: VETTERS } },
    { path: '/vetting/:notice', component: () => import('@/views/VettingNotice.vue'), meta: { title: '任前公示', roles: VETTERS } },
    { path: '/roster', component: () => import('@/views/Roster.vue'), meta: { title: '花名册', roles: ADMINS } },
    { path: '/roster/:unit', component: () => import('@/views/RosterUnit.vue'), meta: { title: '花名册', roles: ADMINS } },
    { path: '/holidays', component: () => import('@/views/Holidays.vue'), meta: { title: '节假日安排', roles: ADMINS } },
    { path: '/grading/:quarter(\\d{4}-Q[1-4])?', component: () => import('@/views/Grading.vue'), meta: { title: '季度考评', roles: GRADERS } },
    { path: '/overview', component: () => import('@/views/Overview.vue'), meta: { title: '单位概况', roles: OVERSEERS } },
    { path: '/export', component: () => import('@/views/Export.vue'), meta: { title: '导出' } },
    { path: '/mine', component: () => import('@/views/Mine.vue'), meta: { title: '我的' } },
    // The inbox of reminders (消息) and how they reach me: clear of the API's /me/notifications.
    { path: '/inbox', component: () => import('@/views/Inbox.vue'), meta: { title: '消息' } },
    { path: '/inbox/settings', component: () => import('@/views/InboxSettings.vue'), meta: { title: '提醒方式' } },
    { path: '/:rest(.*)*', component: () => import('@/views/NotFound.vue'), meta: { title: '页面不存在' } },
  ],
  scrollBehavior: () => ({ top: 0 }),
})

/**
 * Start fetching the screen's code now. The router loads a lazy screen only after the guards have
 * run, and the first guard waits for the token and GET /me: in parallel, the screen's chunk is
 * already there when they are done (a round trip less before the first screen). A chunk that fails
 * to load here is loaded, and reported, by the router itself.
 */
function preload(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    const view = record.components?.default
    if (typeof view === 'function') void (view as () => Promise<unknown>)().catch(() => undefined)
  }
}

/**
 * 今日 needs today's entry and this month's plan, and "today" is GET /me's. Guess it from the
 * phone's clock in Asia/Shanghai and ask for both while GET /me is on its way: when /me agrees (it
 * nearly always does), the screen finds them already there; when it does not, the screen asks for
 * its own day and the guess is never read. Nothing is shown or saved by the guess.
 */
function prefetchToday(): void {
  const guess = shanghaiDate(new Date())
  prefetch(`/entries/${guess}`)
  prefetch(`/plans/${guess.slice(0, 7)}`)
}

async function guard(to: RouteLocationNormalized): Promise<true | string> {
  if (to.meta.public) return true
  const session = useSession()
  if (!session.me) {
    preload(to)
    let user
    try {
      user = await currentUser()
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err
      // Offline with a session kept from before: the shell opens (with its offline banner), the
      // draft queue is the same person's, and the screens show their own error states.
      const owner = session.lastCadreId()
      if (owner) await useOutbox().start(owner)
      return true
    }
    if (!user) return `/signin?target=${encodeURIComponent(to.fullPath)}`
    if (to.path === '/today') prefetchToday()
    try {
      const me = await session.load()
      // The outbox lists and sends in the background: the screen does not wait for IndexedDB.
      void useOutbox().start(me.cadre_id).catch(() => undefined)
    } catch {
      // /me failed (offline, or the server is down): the screens show their own error state and
      // the guard does not strand the person on a blank page.
    }
  }
  const roles = to.meta.roles
  if (roles && session.me && !roles.some((r) => session.roles.has(r))) return '/today'
  return true
}

router.beforeEach(guard)
router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 干部工作日志` : '干部工作日志'
})
