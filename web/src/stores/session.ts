// The signed-in person, shared by every screen: who they are, their roles, and "today" as the
// server's Asia/Shanghai calendar has it.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { api } from '@/api/client'
import type { Me } from '@/api/types'

const BIG_FONT_KEY = 'worklog.bigFont'
// Who was signed in on this tab at the last GET /me: the draft queue's owner when the app opens
// offline and cannot ask. sessionStorage, cleared at sign-out with the rest of it.
const CADRE_KEY = 'worklog.cadre'

export const useSession = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const bigFont = ref(window.localStorage.getItem(BIG_FONT_KEY) === '1')

  const roles = computed(() => new Set(me.value?.roles ?? []))
  const reviews = computed(() => roles.value.has('unit_head') || roles.value.has('district_leader'))
  const leads = computed(() => roles.value.has('district_leader'))
  const has = (...wanted: string[]) => computed(() => wanted.some((r) => roles.value.has(r)))
  /** Holds cases (talks, accountability): unit heads, district leaders, inspectors. */
  const holdsCases = has('unit_head', 'district_leader', 'org_inspector', 'discipline_inspector')
  /** Audit work: the inspectors of the Org Dept and the Discipline Commission. */
  const inspects = has('org_inspector', 'discipline_inspector')
  /** The Organization Department (vetting notices, spot-checks, evaluations). */
  const orgDept = has('org_inspector')
  /** Vetting notices: the Org Dept and admins. */
  const vets = has('org_inspector', 'admin')
  /** Quarterly evaluations: the Org Dept and HR. */
  const grades = has('org_inspector', 'hr_evaluator')
  /** Per-unit figures: unit heads (their unit), the Org Dept and district leaders (all). */
  const overview = has('unit_head', 'org_inspector', 'district_leader')
  /** The roster and the holiday schedule. */
  const administers = has('admin')

  async function load(): Promise<Me> {
    me.value = await api.get<Me>('/me')
    window.sessionStorage.setItem(CADRE_KEY, me.value.cadre_id)
    return me.value
  }

  /** The person of the last GET /me on this tab, when /me cannot be asked now (offline). */
  function lastCadreId(): string | null {
    return window.sessionStorage.getItem(CADRE_KEY)
  }

  function setBigFont(on: boolean): void {
    bigFont.value = on
    window.localStorage.setItem(BIG_FONT_KEY, on ? '1' : '0')
  }

  function clear(): void {
    me.value = null
    window.sessionStorage.removeItem(CADRE_KEY)
  }

  return {
    me,
    bigFont,
    roles,
    reviews,
    leads,
    holdsCases,
    inspects,
    orgDept,
    vets,
    grades,
    overview,
    administers,
    load,
    lastCadreId,
    setBigFont,
    clear,
  }
})
