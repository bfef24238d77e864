// Drafts survive a reload: each keystroke's state is kept per cadre, kind and period until saved.

import { db, type Draft, type PeriodKind } from './db'

export function draftKey(cadreId: string, kind: PeriodKind, period: string): string {
  return `${cadreId}|${kind}|${period}`
}

export async function saveDraft<T>(cadreId: string, kind: PeriodKind, period: string, body: T, now = Date.now()): Promise<void> {
  const draft: Draft<T> = { key: draftKey(cadreId, kind, period), cadreId, kind, period, body, updatedAt: now }
  // Vue's reactive proxies cannot be cloned into IndexedDB: store a plain copy.
  await (await db()).put('drafts', JSON.parse(JSON.stringify(draft)) as Draft)
}

export async function loadDraft<T>(cadreId: string, kind: PeriodKind, period: string): Promise<Draft<T> | undefined> {
  return (await (await db()).get('drafts', draftKey(cadreId, kind, period))) as Draft<T> | undefined
}

export async function deleteDraft(cadreId: string, kind: PeriodKind, period: string): Promise<void> {
  await (await db()).delete('drafts', draftKey(cadreId, kind, period))
}

export async function listDrafts(cadreId: string): Promise<Draft[]> {
  return (await db()).getAllFromIndex('drafts', 'cadre', cadreId)
}
