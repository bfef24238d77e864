// The unread count behind the badge (我的 tab, the side menu's 消息): asked once after sign-in and
// again when the person comes back to the app, with the cheapest request (limit=1); the inbox screen
// and its mark-read answers keep it current without asking again.

import { defineStore } from 'pinia'
import { ref } from 'vue'

import { api } from '@/api/client'
import type { NotificationList } from '@/api/types'

/** Coming back to the app asks again only when the count is older than this. */
export const STALE_MS = 60_000

export const useInbox = defineStore('inbox', () => {
  const unread = ref<number | null>(null)
  let fetchedAt = 0
  let pending: Promise<void> | null = null
  // Bumped by every count set: an answer asked for before a newer count was set is not shown.
  let version = 0

  function set(count: number, now = Date.now()): void {
    unread.value = count
    fetchedAt = now
    version += 1
  }

  /** Ask the server; with `ifOlderThan`, only when the count is older than that. A failure keeps
   *  the count shown (the badge is a hint, the inbox screen shows its own errors). */
  async function refresh(ifOlderThan = 0, now = Date.now()): Promise<void> {
    if (ifOlderThan && now - fetchedAt < ifOlderThan) return
    if (pending) return pending
    const asked = version
    pending = api
      .get<NotificationList>('/me/notifications', { limit: 1 })
      .then((list) => {
        if (version === asked) set(list.unread)
      })
      .catch(() => undefined)
      .finally(() => {
        pending = null
      })
    return pending
  }

  function clear(): void {
    unread.value = null
    fetchedAt = 0
    version += 1
  }

  return { unread, set, refresh, clear }
})
