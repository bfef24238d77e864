// The reviewer's queue, shared by the queue screen and the week screen (which needs it for j/k,
// 下一位 and the names of colleagues named in signals).

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { api } from '@/api/client'
import { messageOf } from '@/api/errors'
import type { ReviewList, ReviewOut } from '@/api/types'
import { useOutbox } from '@/stores/outbox'
import { useSession } from '@/stores/session'
import { filterQueue, groupByWeek, nextPending, neighbour, queueCounts, queueOrder, reviewKey, type QueueFilter } from '@/util/reviewQueue'

export const useReviewQueue = defineStore('reviewQueue', () => {
  const reviews = ref<ReviewOut[]>([])
  /** The week asked for (any day of it), or null for the unfinished ones and the last four weeks. */
  const week = ref<string | null>(null)
  /** What the queue lists; j/k walk the listed rows (and the one being looked at). */
  const filter = ref<QueueFilter>('pending')
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const session = useSession()
  const outbox = useOutbox()

  const today = computed(() => session.me?.today ?? '')
  const groups = computed(() => groupByWeek(reviews.value, today.value))
  const order = computed(() => queueOrder(groups.value))
  const counts = computed(() => queueCounts(reviews.value, today.value))
  /** Assignments whose verdict waits in this device's outbox. */
  const queued = computed(() => new Set(outbox.items.filter((i) => i.kind === 'review').map((i) => i.period)))

  let asked = 0
  async function load(forWeek: string | null = week.value): Promise<void> {
    const ticket = ++asked
    week.value = forWeek
    loading.value = true
    error.value = null
    try {
      const list = await api.get<ReviewList>('/reviews', forWeek ? { week: forWeek } : undefined)
      if (ticket !== asked) return
      reviews.value = list.reviews
      loaded.value = true
    } catch (err) {
      if (ticket === asked) error.value = messageOf(err)
    } finally {
      if (ticket === asked) loading.value = false
    }
  }

  async function ensure(): Promise<void> {
    if (!loaded.value && !loading.value) await load()
  }

  function find(weekStart: string, cadreId: string): ReviewOut | undefined {
    return reviews.value.find((r) => r.week_start === weekStart && r.cadre_id === cadreId)
  }

  /** A verdict arrived: the row shows it without another request. */
  function update(review: ReviewOut): void {
    const at = reviews.value.findIndex((r) => reviewKey(r) === reviewKey(review))
    if (at >= 0) reviews.value.splice(at, 1, { ...reviews.value[at], ...review })
  }

  function nameOf(cadreId: string): string | undefined {
    return reviews.value.find((r) => r.cadre_id === cadreId)?.cadre_name
  }

  /** The rows the queue lists: those the filter keeps, and the one being looked at (`key`), so a
   * row does not vanish from under the reviewer the moment its verdict is given. */
  function listed(key: string | null): ReviewOut[] {
    const kept = new Set(filterQueue(order.value, filter.value).map(reviewKey))
    return order.value.filter((r) => kept.has(reviewKey(r)) || reviewKey(r) === key)
  }

  function step(key: string, by: 1 | -1): ReviewOut | null {
    return neighbour(listed(key), key, by)
  }

  function nextWaiting(key: string): ReviewOut | null {
    return nextPending(order.value, key, queued.value)
  }

  return { reviews, week, filter, loaded, loading, error, today, groups, order, counts, queued, load, ensure, find, update, nameOf, listed, step, nextWaiting }
})
