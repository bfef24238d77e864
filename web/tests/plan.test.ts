import { describe, expect, it } from 'vitest'

import type { PlanOut } from '@/api/types'
import { checkPlan, formFromPlan, newItem, planBody, planChanged, PLAN_LIMITS } from '@/util/plan'

function saved(items: { id: string; content: string; target?: string | null }[]): PlanOut {
  return { month: '2026-12', items, revision: 1, late: false, amended: false, first_saved_at: '2026-12-01T09:00:00+08:00', saved_at: '2026-12-01T09:00:00+08:00' }
}

const PLAN = saved([
  { id: 'p1', content: '完成年度考核材料', target: '12月20日前' },
  { id: 'p2', content: '走访三个社区', target: null },
  { id: 'p3', content: '整理档案' },
])

describe('plan items keep their ids', () => {
  it('given a saved plan, when an item is edited and saved again, then it keeps its id', () => {
    const form = formFromPlan(PLAN)
    form.items[0]!.content = '完成年度考核材料并报送'
    form.reason = '补充报送要求'
    const body = planBody(form, true)
    expect(body.items[0]).toEqual({ id: 'p1', content: '完成年度考核材料并报送', target: '12月20日前' })
    expect(body.items.map((i) => i.id)).toEqual(['p1', 'p2', 'p3'])
  })
  it('given a saved plan, when items are added, then the new ones go without an id', () => {
    const form = formFromPlan(PLAN)
    form.items.push({ ...newItem(), content: '新增：参加培训' })
    const body = planBody(form, true)
    expect(body.items).toHaveLength(4)
    expect(body.items[3]).toEqual({ content: '新增：参加培训' })
    expect('id' in body.items[3]!).toBe(false)
  })
  it('given a saved plan, when an item is removed and the rest reordered, then each remaining item keeps its own id', () => {
    const form = formFromPlan(PLAN)
    form.items.splice(1, 1)
    form.items.reverse()
    expect(planBody(form, true).items.map((i) => [i.id, i.content])).toEqual([
      ['p3', '整理档案'],
      ['p1', '完成年度考核材料'],
    ])
  })
  it('given a month without a plan, when the form opens, then there is one empty new item', () => {
    const form = formFromPlan(null)
    expect(form.items).toHaveLength(1)
    expect(form.items[0]).toMatchObject({ id: null, content: '', target: '' })
  })
})

describe('the plan body', () => {
  it('leaves out a blank target and sends text as typed, line breaks and all', () => {
    const form = formFromPlan(null)
    form.items[0]!.content = '  第一行\n第二行  '
    form.items[0]!.target = '   '
    expect(planBody(form, false)).toEqual({ items: [{ content: '  第一行\n第二行  ' }] })
  })
  it('sends the reason only from the second save on', () => {
    const form = formFromPlan(PLAN)
    form.reason = '调整'
    expect(planBody(form, false).reason).toBeUndefined()
    expect(planBody(form, true).reason).toBe('调整')
  })
})

describe('checks before saving', () => {
  it('given an item with no content, then it names that item', () => {
    const form = formFromPlan(PLAN)
    form.items[1]!.content = '  \n '
    expect(checkPlan(form, false)).toEqual([{ field: 'items.1.content', message: '第 2 项的内容未填写；不需要的项请删除' }])
  })
  it('given content over 2000 characters (counted as the server counts, an emoji is one), then it says so', () => {
    const form = formFromPlan(null)
    form.items[0]!.content = '😀'.repeat(PLAN_LIMITS.content)
    expect(checkPlan(form, false)).toEqual([])
    form.items[0]!.content += '字'
    expect(checkPlan(form, false).map((e) => e.field)).toEqual(['items.0.content'])
  })
  it('given a revision without a reason, then the reason is asked for; a first save needs none', () => {
    const form = formFromPlan(PLAN)
    expect(checkPlan(form, false)).toEqual([])
    expect(checkPlan(form, true).map((e) => e.field)).toEqual(['reason'])
    form.reason = '增加一项'
    expect(checkPlan(form, true)).toEqual([])
  })
  it('given more than 30 items or none, then it refuses before sending', () => {
    const form = formFromPlan(null)
    form.items = []
    expect(checkPlan(form, false).map((e) => e.field)).toEqual(['items'])
    form.items = Array.from({ length: 31 }, () => ({ ...newItem(), content: '事项' }))
    expect(checkPlan(form, false).map((e) => e.field)).toEqual(['items'])
  })
  it('given a target over 500 characters, then it names the target', () => {
    const form = formFromPlan(null)
    form.items[0]!.content = '事项'
    form.items[0]!.target = '限'.repeat(501)
    expect(checkPlan(form, false).map((e) => e.field)).toEqual(['items.0.target'])
  })
})

describe('whether there is anything to keep as a draft', () => {
  it('is false for the saved plan as loaded and true once anything is typed', () => {
    const base = formFromPlan(PLAN)
    const form = formFromPlan(PLAN)
    expect(planChanged(form, base)).toBe(false)
    form.items[2]!.target = '月底'
    expect(planChanged(form, base)).toBe(true)
  })
})
