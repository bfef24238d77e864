// One lazy route per screen: a cadre's phone downloads the reviewers' screens only if opened.

import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'

import { NetworkError } from '@/api/errors'
import { currentUser } from '@/auth/session'
import { useOutbox } from '@/stores/outbox'
import { useSession } from '@/stores/session'

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

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    { path: '/', redirect: '/today' },
    { path: '/signin', component: () => import('@/views/SignIn.vue'), meta: { public: true, bare: true, title: '登录' } },
    { path: '/callback', component: () => import('@/views/Callback.vue'), meta: { public: true, bare: true, title: '正在登录' } },
    { path: '/today', component: () => import('@/views/Today.vue'), meta: { title: '今日' } },
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
    { path: '/mine', component: () => import('@/views/Mine.vue'), meta: { title: '我的' } },
    { path: '/:rest(.*)*', component: () => import('@/views/NotFound.vue'), meta: { title: '页面不存在' } },
  ],
  scrollBehavior: () => ({ top: 0 }),
})

async function guard(to: RouteLocationNormalized): Promise<true | string> {
  if (to.meta.public) return true
  const session = useSession()
  if (!session.me) {
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
    try {
      const me = await session.load()
      await useOutbox().start(me.cadre_id)
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
