// The app's IndexedDB: drafts as they are typed, and saves waiting for the network. Everything is
// keyed by cadre id, so a shared phone never shows one person's drafts or queue to another.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb'

export type PeriodKind = 'entry' | 'plan' | 'summary' | 'leave' | 'review' | 'evaluation' | 'finding' | 'case' | 'answer'

export interface Draft<T = unknown> {
  key: string
  cadreId: string
  kind: PeriodKind
  period: string
  body: T
  updatedAt: number
}

export type OutboxState = 'pending' | 'rejected'

export interface OutboxItem {
  id: string
  cadreId: string
  kind: PeriodKind
  period: string
  /** What the person sees in 我的, e.g. "2026年12月1日 工作日志". */
  label: string
  method: 'PUT' | 'POST'
  path: string
  body: unknown
  idempotencyKey: string
  createdAt: number
  attempts: number
  nextAttemptAt: number
  state: OutboxState
  error?: string
}

interface Schema extends DBSchema {
  drafts: { key: string; value: Draft; indexes: { cadre: string } }
  outbox: { key: string; value: OutboxItem; indexes: { cadre: string } }
}

const NAME = 'worklog-app'
let opening: Promise<IDBPDatabase<Schema>> | null = null

export function db(): Promise<IDBPDatabase<Schema>> {
  opening ??= openDB<Schema>(NAME, 1, {
    upgrade(database) {
      database.createObjectStore('drafts', { keyPath: 'key' }).createIndex('cadre', 'cadreId')
      database.createObjectStore('outbox', { keyPath: 'id' }).createIndex('cadre', 'cadreId')
    },
  })
  return opening
}

/** For tests: forget the open connection (a fresh fake IndexedDB follows). */
export function resetDbForTests(): void {
  opening = null
}
