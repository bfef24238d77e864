import { describe, expect, it } from 'vitest'

import { singleFlight } from '@/util/singleFlight'

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('a task that must not overlap itself (a token renewal spends its refresh token)', () => {
  it('given a run in progress, when it is called again, then the second call shares the first run', async () => {
    const runs: Array<ReturnType<typeof deferred<string>>> = []
    const renew = singleFlight(() => {
      const d = deferred<string>()
      runs.push(d)
      return d.promise
    })

    const first = renew()
    const second = renew()
    runs[0]?.resolve('new token')

    expect(runs).toHaveLength(1)
    await expect(first).resolves.toBe('new token')
    await expect(second).resolves.toBe('new token')
  })

  it('given a run that failed, then every caller sees the failure and the next call runs again', async () => {
    let calls = 0
    const renew = singleFlight(async () => {
      calls++
      if (calls === 1) throw new Error('offline')
      return 'token'
    })

    const [a, b] = await Promise.allSettled([renew(), renew()])
    const again = await renew()

    expect(a.status).toBe('rejected')
    expect(b.status).toBe('rejected')
    expect(calls).toBe(2)
    expect(again).toBe('token')
  })

  it('given a run that has settled, when it is called again, then a new run starts', async () => {
    let calls = 0
    const renew = singleFlight(async () => ++calls)

    expect(await renew()).toBe(1)
    expect(await renew()).toBe(2)
  })
})
