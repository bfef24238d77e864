// Drafts of a plan or summary as it is typed: kept in IndexedDB per cadre, kind and period ~400 ms
// after the last keystroke (and at once when the screen is left), restored when the screen opens.
// A form that says exactly what was saved has no draft: it is deleted instead.

import { onBeforeUnmount, watch, type Ref } from 'vue'

import type { PeriodKind } from '@/offline/db'
import { deleteDraft, loadDraft, saveDraft } from '@/offline/drafts'

const DEBOUNCE_MS = 400

export interface PeriodDraft<T> {
  /** The stored draft of a period, if any (call before `track`). */
  restore(period: string): Promise<{ body: T; updatedAt: number } | undefined>
  /** Start keeping drafts of `period`, compared against what was saved. */
  track(period: string, saved: T): void
  /** Stop keeping drafts (while a period loads). */
  pause(): void
  /** Throw away the draft of the tracked period. */
  discard(): Promise<void>
}

export function usePeriodDraft<T>(
  cadreId: () => string | undefined,
  kind: PeriodKind,
  form: Ref<T>,
  changed: (form: T, saved: T) => boolean,
): PeriodDraft<T> {
  let period: string | null = null
  let saved: T | null = null
  let timer: ReturnType<typeof setTimeout> | null = null

  async function write(): Promise<void> {
    timer = null
    const who = cadreId()
    if (!who || period === null || saved === null) return
    if (changed(form.value, saved)) await saveDraft(who, kind, period, form.value)
    else await deleteDraft(who, kind, period)
  }

  function later(): void {
    if (period === null) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void write(), DEBOUNCE_MS)
  }

  function now(): void {
    if (!timer) return
    clearTimeout(timer)
    void write()
  }

  watch(form, later, { deep: true })
  window.addEventListener('pagehide', now)
  onBeforeUnmount(() => {
    now()
    window.removeEventListener('pagehide', now)
  })

  return {
    async restore(p) {
      const who = cadreId()
      if (!who) return undefined
      const draft = await loadDraft<T>(who, kind, p)
      return draft ? { body: draft.body, updatedAt: draft.updatedAt } : undefined
    },
    track(p, s) {
      period = p
      saved = s
    },
    pause() {
      now()
      period = null
      saved = null
    },
    async discard() {
      const who = cadreId()
      if (timer) clearTimeout(timer)
      timer = null
      if (who && period !== null) await deleteDraft(who, kind, period)
    },
  }
}
