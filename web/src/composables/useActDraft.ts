// The draft of an act being written — a verdict, a finding, an answer, a grade: kept in IndexedDB
// per person, kind and key ~400 ms after the last change, deleted when the form holds nothing worth
// keeping. The form's own programmatic changes (starting from the stored act, restoring a draft)
// are made `quietly` and never written back as a draft.

import { nextTick, onBeforeUnmount } from 'vue'

import type { PeriodKind } from '@/offline/db'
import { deleteDraft, loadDraft, saveDraft } from '@/offline/drafts'

const DEBOUNCE_MS = 400

export interface ActDraft<T> {
  /** The stored draft of the current key, if any. */
  load(): Promise<T | undefined>
  /** Change the form without the change becoming a draft. */
  quietly(change: () => void): Promise<void>
  /** True while a quiet change is being applied. */
  quiet(): boolean
  /** The form changed: write `body` soon if it is `worth` keeping, else delete the draft. */
  keep(body: T, worth: boolean): void
  /** Delete the current key's draft now. */
  forget(): void
}

export function useActDraft<T>(kind: PeriodKind, owner: () => string | null | undefined, key: () => string): ActDraft<T> {
  let quiet = false
  let timer: ReturnType<typeof setTimeout> | null = null

  async function load(): Promise<T | undefined> {
    const who = owner()
    if (!who) return undefined
    return (await loadDraft<T>(who, kind, key()))?.body
  }

  async function quietly(change: () => void): Promise<void> {
    quiet = true
    change()
    await nextTick()
    quiet = false
  }

  function keep(body: T, worth: boolean): void {
    const who = owner()
    if (quiet || !who) return
    if (timer) clearTimeout(timer)
    // The key as it is now: the write may run after the form moved to another act.
    const at = key()
    timer = setTimeout(() => {
      if (worth) void saveDraft(who, kind, at, body)
      else void deleteDraft(who, kind, at)
    }, DEBOUNCE_MS)
  }

  function forget(): void {
    const who = owner()
    if (who) void deleteDraft(who, kind, key())
  }

  onBeforeUnmount(() => {
    if (timer) clearTimeout(timer)
  })

  return { load, quietly, quiet: () => quiet, keep, forget }
}
