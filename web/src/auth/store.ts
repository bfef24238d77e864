// Where oidc-client-ts keeps the signed-in user. Tokens live in memory only; sessionStorage gets a
// copy without the id and access tokens, so a reload (or a closed tab, for sessionStorage's life)
// keeps at most the refresh token, which signs the person back in silently.

import type { StateStore } from 'oidc-client-ts'

const SECRET_FIELDS = ['id_token', 'access_token'] as const

export class MemoryFirstStore implements StateStore {
  private readonly memory = new Map<string, string>()
  private readonly backing: Storage

  constructor(backing: Storage) {
    this.backing = backing
  }

  async set(key: string, value: string): Promise<void> {
    this.memory.set(key, value)
    this.backing.setItem(key, strip(value))
  }

  async get(key: string): Promise<string | null> {
    return this.memory.get(key) ?? this.backing.getItem(key)
  }

  async remove(key: string): Promise<string | null> {
    const value = await this.get(key)
    this.memory.delete(key)
    this.backing.removeItem(key)
    return value
  }

  async getAllKeys(): Promise<string[]> {
    const keys = new Set(this.memory.keys())
    for (let i = 0; i < this.backing.length; i++) {
      const key = this.backing.key(i)
      if (key !== null) keys.add(key)
    }
    return [...keys]
  }
}

/** The stored user without its tokens, marked expired so it is renewed before use. */
export function strip(value: string): string {
  try {
    const user = JSON.parse(value) as Record<string, unknown>
    for (const field of SECRET_FIELDS) delete user[field]
    user.expires_at = 0
    return JSON.stringify(user)
  } catch {
    return value
  }
}
