// Saves that must get through exactly once. A save is written to the outbox before it is sent, so
// a closed tab or a reload never loses it; it is sent with one Idempotency-Key for its whole life,
// so a retry after a lost answer never makes a second revision. A refusal by the server (4xx) is
// final: shown to the person, never retried.

import { NetworkError, messageOf, retryable } from '@/api/errors'
import { db, type OutboxItem, type PeriodKind } from './db'
import { deleteDraft } from './drafts'

export type Sender = (item: OutboxItem) => Promise<unknown>

export interface NewSave {
  cadreId: string
  kind: PeriodKind
  period: string
  label: string
  method: 'PUT' | 'POST'
  path: string
  body: unknown
}

export type SubmitResult<T> = { status: 'saved'; response: T } | { status: 'queued'; item: OutboxItem }

const FIRST_DELAY_MS = 2_000
const LONGEST_DELAY_MS = 5 * 60_000

/** Wait before attempt n+1 after n failed attempts: 2 s, 4 s, 8 s … at most 5 minutes. */
export function backoff(attempts: number): number {
  return Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_DELAY_MS)
}

export function newKey(): string {
  return crypto.randomUUID()
}

async function put(item: OutboxItem): Promise<void> {
  await (await db()).put('outbox', JSON.parse(JSON.stringify(item)) as OutboxItem)
}

async function remove(id: string): Promise<void> {
  await (await db()).delete('outbox', id)
}

/** A save that arrived: its item leaves the outbox and its draft is done with. */
async function landed(item: OutboxItem): Promise<void> {
  await remove(item.id)
  await deleteDraft(item.cadreId, item.kind, item.period)
}

/** Queue a save and try it now. Resolves once it is saved or safely queued; rejects on a 4xx. */
export async function submit<T>(save: NewSave, send: Sender, now = Date.now()): Promise<SubmitResult<T>> {
  const item: OutboxItem = {
    ...save,
    id: newKey(),
    idempotencyKey: newKey(),
    createdAt: now,
    attempts: 0,
    nextAttemptAt: now,
    state: 'pending',
  }
  await put(item)
  // An earlier save of the same period still waiting goes first: revisions keep their order.
  const earlier = (await listOutbox(save.cadreId)).filter((o) => o.kind === save.kind && o.period === save.period && o.id !== item.id)
  if (earlier.length > 0) return { status: 'queued', item }
  try {
    const response = (await send(item)) as T
    await landed(item)
    return { status: 'saved', response }
  } catch (err) {
    if (retryable(err)) {
      const failed = { ...item, attempts: 1, nextAttemptAt: now + backoff(1), error: messageOf(err) }
      await put(failed)
      return { status: 'queued', item: failed }
    }
    await remove(item.id)
    throw err
  }
}

/** The cadre's outbox, oldest first. */
export async function listOutbox(cadreId: string): Promise<OutboxItem[]> {
  const items = await (await db()).getAllFromIndex('outbox', 'cadre', cadreId)
  return items.sort((a, b) => a.createdAt - b.createdAt)
}

async function pending(cadreId: string): Promise<OutboxItem[]> {
  return (await listOutbox(cadreId)).filter((o) => o.state === 'pending')
}

export interface FlushReport {
  sent: number
  rejected: number
  waiting: number
}

/**
 * Send what is due, oldest first, for this cadre only (another person's queue is never sent with
 * this person's token). Stops at the first network failure: the network is down for the rest too.
 * `force` ignores the backoff (the person pressed 立即重试, or the browser came back online).
 */
export async function flush(cadreId: string, send: Sender, now = Date.now(), force = false): Promise<FlushReport> {
  const report: FlushReport = { sent: 0, rejected: 0, waiting: 0 }
  const blocked = new Set<string>()
  for (const item of await listOutbox(cadreId)) {
    const period = `${item.kind}|${item.period}`
    // A refused save holds back the later saves of its period until the person has looked at it:
    // they were written on top of it.
    if (item.state === 'rejected' || blocked.has(period) || (!force && item.nextAttemptAt > now)) {
      blocked.add(period)
      continue
    }
    try {
      await send(item)
      await landed(item)
      report.sent++
    } catch (err) {
      blocked.add(period)
      if (retryable(err)) {
        const attempts = item.attempts + 1
        await put({ ...item, attempts, nextAttemptAt: now + backoff(attempts), error: messageOf(err) })
        if (err instanceof NetworkError) break
      } else {
        await put({ ...item, state: 'rejected', error: messageOf(err) })
        report.rejected++
      }
    }
  }
  report.waiting = (await pending(cadreId)).length
  return report
}

/** The person gives up on a refused or waiting save (the draft stays, to edit and save again). */
export async function discard(id: string): Promise<void> {
  await remove(id)
}
