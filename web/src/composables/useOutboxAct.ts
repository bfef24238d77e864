// Sending one act (a verdict, a finding, an answer, a grade) through the outbox: one request, kept on
// this device and retried with the same key when the network fails. The form learns the three
// outcomes — saved (its `saved` callback), kept locally (a toast), refused (the server's words in
// `error`, and its `refused` callback to mark fields) — and sees an act of its key that waits in the
// outbox, which it may discard. When a waiting act lands, `landed` is called to read it as stored.

import { showToast } from 'vant'
import { computed, ref, watch } from 'vue'

import { ApiError, messageOf } from '@/api/errors'
import type { PeriodKind } from '@/offline/db'
import type { NewSave } from '@/offline/outbox'
import { KEPT_LOCALLY } from '@/composables/usePeriodSave'
import { useOutbox } from '@/stores/outbox'

export type ActRequest = Omit<NewSave, 'cadreId' | 'kind' | 'period'>

export interface ActOutcome<T> {
  saved: (response: T) => void
  refused?: (err: ApiError) => void
}

/** True when the server's refusal names `field` among the places it found wrong. */
export function refusedAt(err: ApiError, field: string): boolean {
  return err.details.some((d) => Array.isArray(d.loc) && d.loc.includes(field))
}

export function useOutboxAct(kind: PeriodKind, key: () => string, landed: () => void) {
  const outbox = useOutbox()
  const saving = ref(false)
  const error = ref<string | null>(null)
  const waiting = computed(() => outbox.items.find((i) => i.kind === kind && i.period === key()))

  watch(waiting, (now, before) => {
    if (before && !now && before.state === 'pending') landed()
  })

  async function send<T>(request: ActRequest, outcome: ActOutcome<T>): Promise<void> {
    if (saving.value) return
    saving.value = true
    try {
      const result = await outbox.submit<T>({ ...request, kind, period: key() })
      if (result.status === 'saved') outcome.saved(result.response)
      else showToast(KEPT_LOCALLY)
    } catch (err) {
      error.value = messageOf(err)
      if (err instanceof ApiError) outcome.refused?.(err)
    } finally {
      saving.value = false
    }
  }

  async function discard(): Promise<void> {
    if (!waiting.value) return
    await outbox.discard(waiting.value.id)
    landed()
  }

  return { waiting, saving, error, send, discard }
}
