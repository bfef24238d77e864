import { IDBFactory } from 'fake-indexeddb'
import { beforeEach, describe, expect, it } from 'vitest'

import { ApiError, NetworkError } from '@/api/errors'
import { resetDbForTests, type OutboxItem } from '@/offline/db'
import { loadDraft, saveDraft } from '@/offline/drafts'
import { backoff, discard, flush, listOutbox, submit, type NewSave } from '@/offline/outbox'

const T0 = 1_700_000_000_000

function save(period = '2026-12-01', body: unknown = { items: [{ content: '调研', status: 'done' }] }): NewSave {
  return { cadreId: 'c1', kind: 'entry', period, label: `${period} 工作日志`, method: 'PUT', path: `/entries/${period}`, body }
}

/** A fake server that remembers what it stored per Idempotency-Key, as the API does. */
function server() {
  const revisions: { key: string; body: unknown }[] = []
  const seen = new Map<string, unknown>()
  let failNext: (Error | null)[] = []
  const send = async (item: OutboxItem) => {
    const failure = failNext.shift()
    if (failure) throw failure
    if (!seen.has(item.idempotencyKey)) {
      revisions.push({ key: item.idempotencyKey, body: item.body })
      seen.set(item.idempotencyKey, { revision: revisions.length })
    }
    return seen.get(item.idempotencyKey)
  }
  return {
    send,
    revisions,
    failWith: (...errors: (Error | null)[]) => {
      failNext = errors
    },
  }
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  resetDbForTests()
})

describe('a save on a good network', () => {
  it('is sent once, leaves nothing queued and clears its draft', async () => {
    const s = server()
    await saveDraft('c1', 'entry', '2026-12-01', { typed: true })
    const result = await submit(save(), s.send, T0)
    expect(result.status).toBe('saved')
    expect(s.revisions).toHaveLength(1)
    expect(await listOutbox('c1')).toEqual([])
    expect(await loadDraft('c1', 'entry', '2026-12-01')).toBeUndefined()
  })
})

describe('a save that gets no answer', () => {
  it('is queued with its key and retried with the same key, landing exactly once', async () => {
    const s = server()
    s.failWith(new NetworkError())
    const result = await submit(save(), s.send, T0)
    expect(result.status).toBe('queued')
    const [queued] = await listOutbox('c1')
    expect(queued?.attempts).toBe(1)

    const report = await flush('c1', s.send, T0 + backoff(1))
    expect(report).toEqual({ sent: 1, rejected: 0, waiting: 0 })
    expect(s.revisions).toHaveLength(1)
    expect(s.revisions[0]?.key).toBe(queued?.idempotencyKey)
  })

  it('is sent again with the same key when the first answer was lost after the server stored it', async () => {
    const s = server()
    // The server stores the first attempt but the answer never arrives.
    const lossy = async (item: OutboxItem) => {
      await s.send(item)
      throw new NetworkError()
    }
    await submit(save(), lossy, T0)
    await flush('c1', s.send, T0 + backoff(1))
    expect(s.revisions).toHaveLength(1)
    expect(await listOutbox('c1')).toEqual([])
  })

  it('waits for its backoff unless forced, and backs off longer after each failure', async () => {
    const s = server()
    s.failWith(new NetworkError(), new NetworkError())
    await submit(save(), s.send, T0)
    expect((await flush('c1', s.send, T0 + 1)).sent).toBe(0)
    await flush('c1', s.send, T0 + backoff(1))
    const [item] = await listOutbox('c1')
    expect(item?.attempts).toBe(2)
    expect(item?.nextAttemptAt).toBe(T0 + backoff(1) + backoff(2))
    expect(backoff(2)).toBeGreaterThan(backoff(1))
    expect((await flush('c1', s.send, T0 + backoff(1) + 1, true)).sent).toBe(1)
  })

  it('keeps a server error (5xx) and a rate limit (429) for another try', async () => {
    const s = server()
    s.failWith(new ApiError(503, 'service_unavailable', '服务暂时不可用'), new ApiError(429, 'rate_limited', '请求过于频繁'))
    await submit(save(), s.send, T0)
    await flush('c1', s.send, T0, true)
    expect(await listOutbox('c1')).toHaveLength(1)
    await flush('c1', s.send, T0, true)
    expect(s.revisions).toHaveLength(1)
  })
})

describe('a save the server refuses', () => {
  it('is shown to the person (rejects) and never queued or retried', async () => {
    const s = server()
    s.failWith(new ApiError(409, 'period_locked', '该日已锁定，不能再修改'))
    await expect(submit(save(), s.send, T0)).rejects.toMatchObject({ code: 'period_locked' })
    expect(await listOutbox('c1')).toEqual([])
    expect(s.revisions).toHaveLength(0)
  })

  it('when refused during a later retry, is marked and holds back later saves of the same day', async () => {
    const s = server()
    s.failWith(new NetworkError(), new NetworkError())
    await submit(save('2026-12-01', { v: 1 }), s.send, T0)
    await submit(save('2026-12-01', { v: 2 }), s.send, T0 + 1)
    await submit(save('2026-12-02', { v: 3 }), s.send, T0 + 2)
    s.failWith(new ApiError(422, 'validation_error', '内容不合要求'))
    const report = await flush('c1', s.send, T0 + 10, true)
    expect(report.rejected).toBe(1)
    const items = await listOutbox('c1')
    expect(items.map((i) => i.state)).toEqual(['rejected', 'pending'])
    expect(items[0]?.error).toBe('内容不合要求')
    // The other day went through; the later save of the refused day waits for the person.
    expect(s.revisions.map((r) => r.body)).toEqual([{ v: 3 }])
    await discard(items[0]!.id)
    await flush('c1', s.send, T0 + 20, true)
    expect(s.revisions.map((r) => r.body)).toEqual([{ v: 3 }, { v: 2 }])
  })
})

describe('order and ownership', () => {
  it('sends two saves of one day in the order they were made, after the network returns', async () => {
    const s = server()
    s.failWith(new NetworkError())
    await submit(save('2026-12-01', { v: 1 }), s.send, T0)
    // The first is still queued: the second must not overtake it.
    const second = await submit(save('2026-12-01', { v: 2 }), s.send, T0 + 1)
    expect(second.status).toBe('queued')
    expect(s.revisions).toHaveLength(0)
    await flush('c1', s.send, T0 + 5, true)
    expect(s.revisions.map((r) => r.body)).toEqual([{ v: 1 }, { v: 2 }])
  })

  it("never sends or lists another person's queue", async () => {
    const s = server()
    s.failWith(new NetworkError())
    await submit(save(), s.send, T0)
    expect(await listOutbox('c2')).toEqual([])
    expect((await flush('c2', s.send, T0 + 60_000, true)).sent).toBe(0)
    expect(s.revisions).toHaveLength(0)
  })

  it('stops at the first network failure without counting the rest as attempts', async () => {
    const s = server()
    s.failWith(new NetworkError(), new NetworkError())
    await submit(save('2026-12-01'), s.send, T0)
    await submit(save('2026-12-02'), s.send, T0 + 1)
    s.failWith(new NetworkError())
    const report = await flush('c1', s.send, T0 + 60_000, true)
    expect(report).toEqual({ sent: 0, rejected: 0, waiting: 2 })
    const attempts = (await listOutbox('c1')).map((i) => i.attempts)
    expect(attempts).toEqual([2, 1])
  })

  it('survives a reload: a new connection finds the queued save', async () => {
    const s = server()
    s.failWith(new NetworkError())
    await submit(save(), s.send, T0)
    resetDbForTests()
    expect(await listOutbox('c1')).toHaveLength(1)
  })
})

describe('drafts', () => {
  it('are kept per cadre, kind and period', async () => {
    await saveDraft('c1', 'entry', '2026-12-01', { text: '甲' })
    await saveDraft('c2', 'entry', '2026-12-01', { text: '乙' })
    await saveDraft('c1', 'plan', '2026-12', { text: '丙' })
    expect((await loadDraft<{ text: string }>('c1', 'entry', '2026-12-01'))?.body.text).toBe('甲')
    expect((await loadDraft<{ text: string }>('c2', 'entry', '2026-12-01'))?.body.text).toBe('乙')
    expect((await loadDraft<{ text: string }>('c1', 'plan', '2026-12'))?.body.text).toBe('丙')
    expect(await loadDraft('c2', 'plan', '2026-12')).toBeUndefined()
  })
})
