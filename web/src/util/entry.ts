// The rules of the daily-entry form, kept out of the components so that they can be tested alone:
// what the form sends, what it refuses to send, when a save needs a reason, where a day stands in
// its writing window, and how the server's 422 details land on the form's fields.

import type { EntryIn, EntryItemOut, EntryOut, Owed } from '@/api/types'
import type { ErrorDetail } from '@/api/errors'
import { addDays, monthOf, shortDate } from './dates'

export type ItemStatus = EntryItemOut['status']

export const STATUS_CHOICES: ReadonlyArray<{ value: ItemStatus; label: string }> = [
  { value: 'done', label: '已完成' },
  { value: 'in_progress', label: '推进中' },
  { value: 'not_done', label: '未完成' },
]

export const STATUS_LABEL: Record<ItemStatus, string> = {
  done: '已完成',
  in_progress: '推进中',
  not_done: '未完成',
}

/** The API's fixed maxima (docs/openapi.json); the server may configure tighter ones. */
export const LIMITS = { items: 30, itemChars: 2000, textChars: 5000, reasonChars: 500 } as const

/** How long after a day its entry can still be saved, when GET /me does not say (docs/rules.md). */
export const DEFAULT_LATE_DAYS = 7

/** How far back "带入昨日推进中事项" looks for the previous entry. */
export const CARRY_OVER_DAYS = 7

export interface BroughtFrom {
  /** The date of the entry the item was brought in from. */
  date: string
  /** Its text as it was brought in: the item may not be saved until it differs. */
  text: string
}

export interface ItemForm {
  /** Stable key for the list (never sent). */
  key: number
  content: string
  /** null until the cadre has chosen: a status is never guessed for them. */
  status: ItemStatus | null
  planItemId: string | null
  internal: boolean
  broughtFrom: BroughtFrom | null
}

export interface EntryForm {
  items: ItemForm[]
  mistakes: string
  reflections: string
}

/** What a draft of an entry keeps: the form, and the revision it was written on top of. */
export interface EntryDraft {
  form: EntryForm
  baseRevision: number
}

let lastKey = 0
function nextKey(): number {
  lastKey += 1
  return lastKey
}

/** Characters as the server counts them (code points, not UTF-16 units). */
export function countChars(text: string): number {
  return Array.from(text).length
}

export function emptyItem(): ItemForm {
  return { key: nextKey(), content: '', status: null, planItemId: null, internal: false, broughtFrom: null }
}

export function emptyForm(): EntryForm {
  return { items: [emptyItem()], mistakes: '', reflections: '' }
}

export function formFromEntry(entry: EntryOut | null): EntryForm {
  if (!entry || entry.items.length === 0) return emptyForm()
  return {
    items: entry.items.map((i) => ({
      key: nextKey(),
      content: i.content,
      status: i.status,
      planItemId: i.plan_item_id ?? null,
      internal: Boolean(i.internal),
      broughtFrom: null,
    })),
    mistakes: entry.mistakes ?? '',
    reflections: entry.reflections ?? '',
  }
}

/** A form restored from a draft gets fresh list keys (the stored ones belong to another session). */
export function rekeyed(form: EntryForm): EntryForm {
  return { ...form, items: form.items.map((i) => ({ ...i, key: nextKey() })) }
}

/** The form's content without its list keys: two forms with the same signature say the same. */
export function formSignature(form: EntryForm): string {
  return JSON.stringify([
    form.items.map((i) => [i.content, i.status, i.planItemId, i.internal, i.broughtFrom?.text ?? null]),
    form.mistakes,
    form.reflections,
  ])
}

function isBlank(item: ItemForm): boolean {
  return item.content.trim() === '' && item.planItemId === null && !item.broughtFrom
}

/**
 * The request body of PUT /entries/{date}. Text keeps its line breaks and inner spacing; only the
 * outer whitespace goes (the server trims the ends too). An empty optional text is null, and the
 * reason is sent only for a revision.
 */
export function entryBody(form: EntryForm, reason: string | null = null): EntryIn {
  const optional = (text: string): string | null => (text.trim() === '' ? null : text.trim())
  const body: EntryIn = {
    items: form.items.map((i) => ({
      content: i.content.trim(),
      // The form refuses to send an item without a status (formProblems); never guessed here.
      status: i.status as ItemStatus,
      plan_item_id: i.planItemId,
      internal: i.internal,
    })),
    mistakes: optional(form.mistakes),
    reflections: optional(form.reflections),
  }
  const why = reason === null ? null : optional(reason)
  if (why !== null) body.reason = why
  return body
}

/** Text compared for "has it been changed": spacing and line breaks alone are no change. */
function sameWords(a: string, b: string): boolean {
  return a.replace(/\s+/gu, '') === b.replace(/\s+/gu, '')
}

/**
 * The indexes of items brought in from an earlier day whose text has not been changed. The form
 * refuses to save while there are any: a day's log is written for that day, never copied over.
 */
export function broughtUnchanged(form: EntryForm): number[] {
  const out: number[] = []
  form.items.forEach((item, index) => {
    if (item.broughtFrom && sameWords(item.content, item.broughtFrom.text)) out.push(index)
  })
  return out
}

/** A save needs a reason once the entry exists on the server, or once a first save is queued for it. */
export function needsReason(revision: number, queuedEarlier: boolean): boolean {
  return revision >= 1 || queuedEarlier
}

export function reasonProblem(reason: string): string | null {
  const text = reason.trim()
  if (text === '') return '请填写修改原因'
  if (countChars(text) > LIMITS.reasonChars) return `修改原因最多 ${LIMITS.reasonChars} 字，请删减`
  return null
}

function overBy(text: string, max: number): number {
  return countChars(text.trim()) - max
}

/** Field key → what to fix, for everything the form can tell before sending. Empty when it may be sent. */
export function formProblems(form: EntryForm): Record<string, string> {
  const problems: Record<string, string> = {}
  if (form.items.length === 0) problems.items = '请至少填写 1 项工作'
  if (form.items.length > LIMITS.items) problems.items = `最多填写 ${LIMITS.items} 项工作，请合并或删除一些事项`
  const unchanged = new Set(broughtUnchanged(form))
  form.items.forEach((item, i) => {
    const over = overBy(item.content, LIMITS.itemChars)
    if (item.content.trim() === '') problems[`items.${i}.content`] = '请填写工作内容，或删除此项'
    else if (over > 0) problems[`items.${i}.content`] = `已超出 ${over} 字，请删减至 ${LIMITS.itemChars} 字以内`
    else if (unchanged.has(i)) problems[`items.${i}.content`] = '此项是带入的事项，请按今日进展修改内容后再保存'
    if (item.status === null) problems[`items.${i}.status`] = '请选择完成情况'
  })
  for (const field of ['mistakes', 'reflections'] as const) {
    const over = overBy(form[field], LIMITS.textChars)
    if (over > 0) problems[field] = `已超出 ${over} 字，请删减至 ${LIMITS.textChars} 字以内`
  }
  return problems
}

const DETAIL_TEXT: Record<string, string> = {
  string_too_short: '此处不能为空',
  string_too_long: '内容超过字数上限，请删减',
  forbidden_character: '含有不可见的控制或格式字符（常见于从别处粘贴的文字），请删除后重新输入',
  literal_error: '请选择完成情况',
  too_long: `最多填写 ${LIMITS.items} 项工作`,
  too_short: '请至少填写 1 项工作',
}

/**
 * The server's 422 details mapped onto the form's field keys (`items.<i>.content`, `mistakes`,
 * `reason`, …). The server leaves index 0 out of a location (["body", "items", "content"] is the
 * first item's content), so an item field with no index is the first item's.
 */
export function fieldErrorsFromApi(details: ErrorDetail[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const d of details) {
    const loc = (Array.isArray(d.loc) ? d.loc : []).filter((p) => p !== 'body') as Array<string | number>
    const type = typeof d.type === 'string' ? d.type : ''
    const msg = typeof d.msg === 'string' ? d.msg : ''
    // Domain refusals carry a Chinese message of their own; pydantic's are English, so use ours.
    const text = /[\u4e00-\u9fff]/u.test(msg) ? msg : (DETAIL_TEXT[type] ?? '此处内容未通过校验，请检查')
    let key: string
    if (loc[0] === 'items' && loc.length > 1) {
      const index = typeof loc[1] === 'number' ? loc[1] : 0
      const field = typeof loc[1] === 'number' ? loc[2] : loc[1]
      key = field === undefined ? 'items' : `items.${index}.${field === 'plan_item_id' ? 'plan' : String(field)}`
    } else {
      key = String(loc[0] ?? 'items')
    }
    out[key] ??= text
  }
  return out
}

export interface CarryOver {
  date: string
  items: EntryItemOut[]
}

/**
 * The 推进中 items of the entry before `date`: the latest saved entry within the days before it
 * (yesterday's when there is one), or null when there is none or it has no such item.
 */
export function carryOver(entries: EntryOut[], date: string, days = CARRY_OVER_DAYS): CarryOver | null {
  const earliest = addDays(date, -days)
  const previous = entries
    .filter((e) => e.date < date && e.date >= earliest)
    .sort((a, b) => (a.date < b.date ? 1 : -1))[0]
  if (!previous) return null
  const items = previous.items.filter((i) => i.status === 'in_progress')
  return items.length ? { date: previous.date, items } : null
}

/**
 * The form with the chosen earlier items added, each marked as brought in. A plan link is kept
 * only within the same month (plan item ids belong to one month's plan). A lone blank item is
 * replaced. Never more than the item limit: `left` says how many did not fit.
 */
export function bringIn(form: EntryForm, source: CarryOver, picked: number[], date: string): { form: EntryForm; added: number; left: number } {
  const base = form.items.length === 1 && form.items[0] && isBlank(form.items[0]) ? [] : [...form.items]
  const room = Math.max(0, LIMITS.items - base.length)
  const chosen = picked.map((i) => source.items[i]).filter((i): i is EntryItemOut => Boolean(i))
  const sameMonth = monthOf(source.date) === monthOf(date)
  const added = chosen.slice(0, room).map((i) => ({
    key: nextKey(),
    content: i.content,
    status: 'in_progress' as const,
    planItemId: sameMonth ? (i.plan_item_id ?? null) : null,
    internal: Boolean(i.internal),
    broughtFrom: { date: source.date, text: i.content },
  }))
  return { form: { ...form, items: [...base, ...added] }, added: added.length, left: chosen.length - added.length }
}

/** "来自昨日" or "来自 12月1日": where a brought-in item came from, seen from the entry's date. */
export function broughtLabel(from: string, date: string): string {
  return from === addDays(date, -1) ? '来自昨日' : `来自${shortDate(from)}`
}

export interface EntryWindow {
  /** A date after today: nothing can be written. */
  future: boolean
  /** Past the last day it can be saved: read only. */
  locked: boolean
  /** Saving now (a first save) marks the entry late (补记). */
  lateIfSaved: boolean
  /** The last day it can still be saved or revised. */
  lastDay: string
}

/**
 * Where a date stands for writing, as far as the app can tell: from GET /me's owed row when the
 * date is owed, else by the documented default window. The server decides; its refusal is shown.
 */
export function entryWindow(date: string, today: string, entry: Pick<EntryOut, 'revision'> | null, owed?: Pick<Owed, 'last_day'>): EntryWindow {
  const lastDay = owed?.last_day ?? addDays(date, DEFAULT_LATE_DAYS)
  const future = date > today
  return {
    future,
    locked: !future && today > lastDay,
    lateIfSaved: !future && date < today && !(entry && entry.revision >= 1),
    lastDay,
  }
}
