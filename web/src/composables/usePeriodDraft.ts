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
  /** Write what is waiting now and wait for it: call before a save, so that the save's deletion
   * of the draft comes after, never before, the last keystrokes' write. */
  settle(): Promise<void>
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
  let writing: Promise<void> = Promise.resolve()

  function write(): Promise<void> {
    timer = null
    const who = cadreId()
    if (!who || period === null || saved === null) return writing
    // A copy as it is now: the write may run after later keystrokes or after the period changed.
    const [p, s, f] = [period, saved, JSON.parse(JSON.stringify(form.value)) as T]
    // One write at a time, in order: a later write never lands before an earlier one.
    writing = writing.then(() => (changed(f, s) ? saveDraft(who, kind, p, f) : deleteDraft(who, kind, p))).catch(() => undefined)
    return writing
  }

  function later(): void {
    if (period === null) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void write(), DEBOUNCE_MS)
  }

  function now(): Promise<void> {
    if (!timer) return writing
    clearTimeout(timer)
    return write()
  }

  watch(form, later, { deep: true })
  const onPageHide = (): void => void now()
  window.addEventListener('pagehide', onPageHide)
  onBeforeUnmount(() => {
    void now()
    window.removeEventListener('pagehide', onPageHide)
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
      void now()
      period = null
      saved = null
    },
    async discard() {
      const who = cadreId()
      if (timer) clearTimeout(timer)
      timer = null
      await writing
      if (who && period !== null) await deleteDraft(who, kind, period)
    },
    settle: now,
  }
}
