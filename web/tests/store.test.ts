import { describe, expect, it } from 'vitest'

import { MemoryFirstStore, strip } from '@/auth/store'

describe('the signed-in user store', () => {
  it('keeps tokens in memory and only the refresh token in sessionStorage', async () => {
    const backing = window.sessionStorage
    backing.clear()
    const store = new MemoryFirstStore(backing)
    const user = { id_token: 'ID', access_token: 'AT', refresh_token: 'RT', expires_at: 99, profile: { sub: 'c1' } }
    await store.set('user:x', JSON.stringify(user))
    expect(JSON.parse((await store.get('user:x')) as string).id_token).toBe('ID')
    const stored = JSON.parse(backing.getItem('user:x') as string)
    expect(stored.id_token).toBeUndefined()
    expect(stored.access_token).toBeUndefined()
    expect(stored.refresh_token).toBe('RT')
    expect(stored.expires_at).toBe(0)
    // After a reload only the stripped copy is there: it must be renewed before use.
    const reloaded = new MemoryFirstStore(backing)
    expect(JSON.parse((await reloaded.get('user:x')) as string).id_token).toBeUndefined()
    await reloaded.remove('user:x')
    expect(backing.getItem('user:x')).toBeNull()
  })
  it('passes non-JSON values through', () => {
    expect(strip('plain')).toBe('plain')
  })
})
