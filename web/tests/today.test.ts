import { mount, RouterLinkStub } from '@vue/test-utils'
import { IDBFactory } from 'fake-indexeddb'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { Me } from '@/api/types'
import { resetDbForTests } from '@/offline/db'
import { useOutbox } from '@/stores/outbox'
import { useSession } from '@/stores/session'
import Today from '@/views/Today.vue'

const NOTE = '2027 年的法定节假日安排尚未载入，暂按周一至周五计算工作日：据此发出的缺填提醒不会升级问责；载入后，落在节假日上的缺填记录自动撤销'

function me(today: string, calendar: Me['calendar']): Me {
  return { cadre_id: 'c1', name: '张三', unit_id: 'u1', title: '科员', roles: ['cadre'], today, working_day: true, on_leave: false, owes: [], contact: {}, calendar } as Me
}

function mounted() {
  // The entry editor below is another screen's concern: only the head of 今日 is looked at here.
  return mount(Today, { global: { stubs: { RouterLink: RouterLinkStub, EntryEditor: true, PageHeader: true } }, attachTo: document.body })
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  resetDbForTests()
  setActivePinia(createPinia())
  useOutbox().owner = 'c1'
  vi.stubGlobal('fetch', vi.fn<typeof fetch>())
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.replaceChildren()
})

describe('今日 says when the year’s holidays are not loaded', () => {
  it('shows the server’s plain statement in a notice, in words, when a year in view is provisional', () => {
    useSession().me = me('2026-12-02', {
      years: [
        { year: 2026, source: 'library', provisional: false },
        { year: 2027, source: 'provisional', provisional: true },
      ],
      provisional: true,
      note: NOTE,
    })
    const notice = mounted().find('[data-test="calendar-notice"]')
    expect(notice.exists()).toBe(true)
    expect(notice.attributes('role')).toBe('status')
    expect(notice.text()).toContain('节假日安排待定')
    expect(notice.text()).toContain(NOTE)
  })

  it('shows nothing once every year in view is loaded (or known)', () => {
    useSession().me = me('2027-01-04', { years: [{ year: 2027, source: 'official', provisional: false }], provisional: false, note: null })
    expect(mounted().find('[data-test="calendar-notice"]').exists()).toBe(false)
  })
})
