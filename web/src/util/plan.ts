// The monthly plan's editor as data: what the person edits, what is sent, and what is checked
// before sending. Daily entries link to plan items by id, so an item that was saved keeps its id
// through every edit (the server assigns ids to new items and never reuses one).

import type { PlanIn, PlanItemIn, PlanOut } from '@/api/types'
import { charCount, filled, type FieldError } from './forms'

/** PlanIn's limits (docs/openapi.json). */
export const PLAN_LIMITS = { items: 30, content: 2000, target: 500, reason: 500 } as const

export interface PlanItemForm {
  /** a local key for the list (stable while editing; never sent) */
  key: string
  /** the saved item's id; null for an item added in this edit */
  id: string | null
  content: string
  target: string
}

export interface PlanForm {
  items: PlanItemForm[]
  reason: string
}

let counter = 0
function localKey(): string {
  counter += 1
  return `k${Date.now().toString(36)}${counter}`
}

export function newItem(): PlanItemForm {
  return { key: localKey(), id: null, content: '', target: '' }
}

/** The form for a plan as saved (or one empty item for a month without a plan). */
export function formFromPlan(plan: PlanOut | null): PlanForm {
  if (!plan || plan.items.length === 0) return { items: [newItem()], reason: '' }
  return {
    items: plan.items.map((i) => ({ key: localKey(), id: i.id, content: i.content, target: i.target ?? '' })),
    reason: '',
  }
}

/** The request body. Saved items keep their id; new items go without one; a blank target is left out. */
export function planBody(form: PlanForm, revising: boolean): PlanIn {
  const items: PlanItemIn[] = form.items.map((i) => {
    const item: PlanItemIn = { content: i.content }
    if (i.id) item.id = i.id
    if (filled(i.target)) item.target = i.target
    return item
  })
  const body: PlanIn = { items }
  if (revising) body.reason = form.reason
  return body
}

/** What is wrong before sending, per field (`items.0.content`, `items`, `reason`). */
export function checkPlan(form: PlanForm, revising: boolean): FieldError[] {
  const errors: FieldError[] = []
  if (form.items.length === 0) errors.push({ field: 'items', message: '至少填写一项计划' })
  if (form.items.length > PLAN_LIMITS.items) errors.push({ field: 'items', message: `最多 ${PLAN_LIMITS.items} 项，请合并或删减` })
  form.items.forEach((item, i) => {
    if (!filled(item.content)) errors.push({ field: `items.${i}.content`, message: `第 ${i + 1} 项的内容未填写；不需要的项请删除` })
    else if (charCount(item.content) > PLAN_LIMITS.content)
      errors.push({ field: `items.${i}.content`, message: `第 ${i + 1} 项超过 ${PLAN_LIMITS.content} 字` })
    if (charCount(item.target) > PLAN_LIMITS.target)
      errors.push({ field: `items.${i}.target`, message: `第 ${i + 1} 项的目标/时限超过 ${PLAN_LIMITS.target} 字` })
  })
  if (revising) {
    if (!filled(form.reason)) errors.push({ field: 'reason', message: '修改已保存的计划，请填写修订原因' })
    else if (charCount(form.reason) > PLAN_LIMITS.reason) errors.push({ field: 'reason', message: `修订原因最多 ${PLAN_LIMITS.reason} 字` })
  }
  return errors
}

/** Whether the form says something other than the saved plan (an unsaved edit worth a draft). */
export function planChanged(form: PlanForm, saved: PlanForm): boolean {
  const strip = (f: PlanForm) => JSON.stringify({ items: f.items.map(({ id, content, target }) => ({ id, content, target })), reason: f.reason })
  return strip(form) !== strip(saved)
}
