// The editor of a period's document — a month's plan, a half-year's summary: the stored version and
// its revisions read together, the form started from a draft kept on this device or from what is
// stored, what is still owed for the period, one save through the outbox (a revision once a version
// exists, or one waits in the outbox), and throwing a draft away. The screens keep only their form.

import { showConfirmDialog } from 'vant'
import { computed, ref, watch, type Ref } from 'vue'

import { api } from '@/api/client'
import { ApiError, messageOf } from '@/api/errors'
import type { RevisionList, RevisionOut } from '@/api/types'
import { usePeriodDraft } from '@/composables/usePeriodDraft'
import { usePeriodSave } from '@/composables/usePeriodSave'
import { useOutbox } from '@/stores/outbox'
import { useSession } from '@/stores/session'
import type { FieldError } from '@/util/forms'
import { owedNotice } from '@/util/owed'

export interface PeriodEditorSpec<Out, Form> {
  kind: 'plan' | 'summary'
  /** How the document is called in the words shown: 计划, 总结. */
  noun: string
  /** The period on the screen, or null until it is known. */
  period: () => string | null
  /** The document's API path for a period, e.g. /plans/2026-12. */
  path: (period: string) => string
  /** What the outbox calls a save of the period. */
  label: (period: string) => string
  fromOut: (out: Out | null) => Form
  changed: (form: Form, saved: Form) => boolean
  check: (form: Form, revising: boolean) => FieldError[]
  body: (form: Form, revising: boolean) => unknown
  focus: (field: string) => void
  /** Called as a period starts loading (a screen may pin it in the address). */
  opened?: (period: string) => void
}

function absentAs<T>(fallback: T): (err: unknown) => T {
  return (err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return fallback
    throw err
  }
}

export function usePeriodEditor<Out, Form, Saved extends { revision: number; late: boolean }>(spec: PeriodEditorSpec<Out, Form>) {
  const session = useSession()
  const outbox = useOutbox()

  const loading = ref(true)
  const loadError = ref<string | null>(null)
  const current = ref<Out | null>(null) as Ref<Out | null>
  const revisions = ref<RevisionOut[]>([])
  const form = ref(spec.fromOut(null)) as Ref<Form>
  const saved = ref(spec.fromOut(null)) as Ref<Form>
  const restoredAt = ref<number | null>(null)

  /** A version saved before (or a first save still waiting in the outbox): this save is a revision. */
  const revising = computed(() => !!current.value || outbox.items.some((i) => i.kind === spec.kind && i.period === spec.period()))
  const owed = computed(() => {
    const period = spec.period()
    return session.me && period ? owedNotice(session.me.owes, spec.kind, period) : ''
  })

  const draft = usePeriodDraft(() => session.me?.cadre_id, spec.kind, form, spec.changed)

  const saver = usePeriodSave<Saved>({
    check: () => spec.check(form.value, revising.value),
    settle: () => draft.settle(),
    submit: () => {
      const period = spec.period() as string
      return outbox.submit<Saved>({
        kind: spec.kind,
        period,
        label: spec.label(period),
        method: 'PUT',
        path: spec.path(period),
        body: spec.body(form.value, revising.value),
      })
    },
    reload: () => load(),
    focus: spec.focus,
  })
  const { errors, saveError, done, saving } = saver

  let asked = 0
  async function read(period: string, ticket: number): Promise<void> {
    const [stored, history] = await Promise.all([
      api.get<Out>(spec.path(period)).catch(absentAs<Out | null>(null)),
      api.get<RevisionList>(`${spec.path(period)}/revisions`).catch(absentAs<RevisionList>({ revisions: [] })),
    ])
    if (ticket !== asked) return
    current.value = stored
    revisions.value = history.revisions
    saved.value = spec.fromOut(stored)
    const kept = await draft.restore(period)
    if (ticket !== asked) return
    form.value = kept ? kept.body : spec.fromOut(stored)
    restoredAt.value = kept ? kept.updatedAt : null
    draft.track(period, saved.value)
  }

  async function load(): Promise<void> {
    const ticket = ++asked
    draft.pause()
    loading.value = true
    loadError.value = null
    errors.value = {}
    saveError.value = ''
    try {
      if (!session.me) await session.load()
      const period = spec.period() as string
      spec.opened?.(period)
      await read(period, ticket)
    } catch (err) {
      if (ticket === asked) loadError.value = messageOf(err)
    } finally {
      if (ticket === asked) loading.value = false
    }
  }

  watch(spec.period, () => {
    done.value = ''
    void load()
  }, { immediate: true })

  async function discardDraft(): Promise<void> {
    try {
      await showConfirmDialog({
        title: '放弃草稿？',
        message: `将恢复为已保存的${spec.noun}，本机草稿中的修改不再保留。`,
        confirmButtonText: '放弃草稿',
        cancelButtonText: '继续编辑',
      })
    } catch {
      return
    }
    await draft.discard()
    form.value = spec.fromOut(current.value)
    restoredAt.value = null
  }

  async function save(): Promise<void> {
    if (spec.period()) await saver.save()
  }

  return { loading, loadError, current, revisions, form, restoredAt, revising, owed, errors, saveError, done, saving, load, save, discardDraft }
}
