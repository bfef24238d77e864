// The saves waiting for the network, shared by the banner, the editors and 我的.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { request } from '@/api/client'
import type { OutboxItem } from '@/offline/db'
import { discard as discardItem, flush as flushOutbox, listOutbox, submit as submitSave, type NewSave, type SubmitResult } from '@/offline/outbox'

export function sendItem(item: OutboxItem): Promise<unknown> {
  return request(item.method, item.path, { body: item.body, idempotencyKey: item.idempotencyKey })
}

const RETRY_EVERY_MS = 15_000

export const useOutbox = defineStore('outbox', () => {
  const owner = ref<string | null>(null)
  const items = ref<OutboxItem[]>([])
  const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
  let timer: ReturnType<typeof setInterval> | null = null
  let flushing: Promise<void> | null = null

  const waiting = computed(() => items.value.filter((i) => i.state === 'pending'))
  const rejected = computed(() => items.value.filter((i) => i.state === 'rejected'))

  async function refresh(): Promise<void> {
    items.value = owner.value ? await listOutbox(owner.value) : []
  }

  async function flush(force = false): Promise<void> {
    if (!owner.value) return
    flushing ??= (async () => {
      try {
        await flushOutbox(owner.value as string, sendItem, Date.now(), force)
      } finally {
        await refresh()
        flushing = null
      }
    })()
    await flushing
  }

  function onOnline(): void {
    online.value = true
    void flush(true)
  }

  function onOffline(): void {
    online.value = false
  }

  // The banner follows the connection from the start, signed in or not (an app opened offline has
  // no owner until it can ask who is signed in); sending waits for an owner.
  if (typeof window !== 'undefined') {
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onOffline)
  }

  /** Start for a person: only their queue is listed and sent. */
  async function start(cadreId: string): Promise<void> {
    owner.value = cadreId
    await refresh()
    timer ??= setInterval(() => void flush(), RETRY_EVERY_MS)
    void flush(true)
  }

  /** Sign-out: the queue stays in IndexedDB under its owner, but nothing more is shown or sent. */
  function stop(): void {
    owner.value = null
    items.value = []
    if (timer) clearInterval(timer)
    timer = null
  }

  async function submit<T>(save: Omit<NewSave, 'cadreId'>): Promise<SubmitResult<T>> {
    if (!owner.value) throw new Error('not signed in')
    try {
      return await submitSave<T>({ ...save, cadreId: owner.value }, sendItem)
    } finally {
      await refresh()
    }
  }

  async function discard(id: string): Promise<void> {
    await discardItem(id)
    await refresh()
  }

  return { owner, items, online, waiting, rejected, refresh, flush, start, stop, submit, discard }
})
