import { describe, expect, it } from 'vitest'

import type { EntryOut } from '@/api/types'
import {
  bringIn,
  broughtLabel,
  broughtUnchanged,
  carryOver,
  emptyForm,
  emptyItem,
  entryBody,
  entryWindow,
  fieldErrorsFromApi,
  formFromEntry,
  formProblems,
  needsReason,
  reasonProblem,
  type EntryForm,
  type ItemForm,
} from '@/util/entry'

function item(over: Partial<ItemForm> = {}): ItemForm {
  return { ...emptyItem(), status: 'done', content: '走访企业', ...over }
}

function form(items: ItemForm[], over: Partial<EntryForm> = {}): EntryForm {
  return { items, mistakes: '', reflections: '', ...over }
}

function entry(date: string, items: EntryOut['items'], over: Partial<EntryOut> = {}): EntryOut {
  return {
    date,
    items,
    mistakes: null,
    reflections: null,
    revision: 1,
    late: false,
    amended: false,
    first_saved_at: `${date}T18:00:00+08:00`,
    saved_at: `${date}T18:00:00+08:00`,
    ...over,
  }
}

describe('the form becomes the body of PUT /entries/{date}', () => {
  it('given text with line breaks and outer blanks, when converted, then only the outer blanks go', () => {
    const body = entryBody(form([item({ content: '  第一行\n  第二行（缩进）\n\n第三行 \n' })]))
    expect(body.items[0]?.content).toBe('第一行\n  第二行（缩进）\n\n第三行')
  })

  it('given empty or blank mistakes and reflections, when converted, then they are null', () => {
    const body = entryBody(form([item()], { mistakes: '', reflections: ' \n ' }))
    expect(body.mistakes).toBeNull()
    expect(body.reflections).toBeNull()
  })

  it('given written mistakes and reflections, when converted, then they keep their line breaks', () => {
    const body = entryBody(form([item()], { mistakes: '材料报送晚了\n下次提前', reflections: '多听意见' }))
    expect(body.mistakes).toBe('材料报送晚了\n下次提前')
    expect(body.reflections).toBe('多听意见')
  })

  it('given items with a plan link, a status and the internal flag, when converted, then each is kept as chosen', () => {
    const body = entryBody(form([
      item({ content: '起草方案', status: 'in_progress', planItemId: 'p2', internal: true }),
      item({ content: '参加会议', status: 'not_done' }),
    ]))
    expect(body.items).toEqual([
      { content: '起草方案', status: 'in_progress', plan_item_id: 'p2', internal: true },
      { content: '参加会议', status: 'not_done', plan_item_id: null, internal: false },
    ])
  })

  it('given a first save, when converted without a reason, then the body has no reason at all', () => {
    expect('reason' in entryBody(form([item()]))).toBe(false)
    expect('reason' in entryBody(form([item()]), '   ')).toBe(false)
  })

  it('given a revision, when converted with a reason, then the reason is sent without its outer blanks', () => {
    expect(entryBody(form([item()]), ' 补充遗漏事项\n').reason).toBe('补充遗漏事项')
  })

  it('given a saved entry, when it is loaded into the form and sent back, then nothing changes', () => {
    const saved = entry('2026-12-01', [
      { content: '走访企业\n了解用工', status: 'done', plan_item_id: 'p1', internal: true },
      { content: '整理台账', status: 'not_done', internal: false },
    ], { mistakes: '无', reflections: null })
    const body = entryBody(formFromEntry(saved))
    expect(body.items).toEqual([
      { content: '走访企业\n了解用工', status: 'done', plan_item_id: 'p1', internal: true },
      { content: '整理台账', status: 'not_done', plan_item_id: null, internal: false },
    ])
    expect(body.mistakes).toBe('无')
    expect(body.reflections).toBeNull()
  })
})

describe('items brought in from an earlier day must be rewritten before saving', () => {
  const from = { date: '2026-11-30', text: '推进老旧小区改造方案' }

  it('given a brought-in item left as it was, then it is refused', () => {
    const f = form([item(), item({ content: from.text, broughtFrom: from, status: 'in_progress' })])
    expect(broughtUnchanged(f)).toEqual([1])
    expect(formProblems(f)['items.1.content']).toContain('修改')
  })

  it('given a brought-in item changed only in spacing or line breaks, then it is still refused', () => {
    const f = form([item({ content: ' 推进老旧小区\n改造方案 ', broughtFrom: from })])
    expect(broughtUnchanged(f)).toEqual([0])
  })

  it('given a brought-in item whose text was changed, then it may be saved', () => {
    const f = form([item({ content: '推进老旧小区改造方案：完成三个小区的入户调查', broughtFrom: from })])
    expect(broughtUnchanged(f)).toEqual([])
    expect(formProblems(f)).toEqual({})
  })

  it('given an item typed by the cadre with the same words, then it is not held back (only brought-in items are)', () => {
    expect(broughtUnchanged(form([item({ content: from.text })]))).toEqual([])
  })
})

describe('a save needs a reason once the entry exists', () => {
  it('given no saved revision and nothing queued, then the first save has no reason', () => {
    expect(needsReason(0, false)).toBe(false)
  })
  it('given a saved revision, then a later save needs a reason', () => {
    expect(needsReason(1, false)).toBe(true)
    expect(needsReason(3, false)).toBe(true)
  })
  it('given a first save still queued on the phone, then the next save needs a reason too', () => {
    expect(needsReason(0, true)).toBe(true)
  })
  it('given a reason, then it must have words and at most 500 characters', () => {
    expect(reasonProblem('  \n')).toBe('请填写修改原因')
    expect(reasonProblem('补充')).toBeNull()
    expect(reasonProblem('字'.repeat(500))).toBeNull()
    expect(reasonProblem('字'.repeat(501))).toContain('500')
    expect(reasonProblem('😀'.repeat(500))).toBeNull()
  })
})

describe('the form says what to fix before anything is sent', () => {
  it('given an item without text or status, then both are named', () => {
    const problems = formProblems(form([item({ content: '  ', status: null })]))
    expect(Object.keys(problems).sort()).toEqual(['items.0.content', 'items.0.status'])
  })
  it('given an item over 2000 characters, then it says by how much, counting characters not UTF-16 units', () => {
    expect(formProblems(form([item({ content: '字'.repeat(2000) })]))).toEqual({})
    expect(formProblems(form([item({ content: '𠀀'.repeat(2000) })]))).toEqual({})
    expect(formProblems(form([item({ content: '字'.repeat(2003) })]))['items.0.content']).toContain('超出 3 字')
  })
  it('given reflections over 5000 characters, then they are named', () => {
    expect(formProblems(form([item()], { reflections: '字'.repeat(5001) })).reflections).toContain('超出 1 字')
  })
  it('given no items or more than 30, then the list is named', () => {
    expect(formProblems(form([])).items).toBeDefined()
    expect(formProblems(form(Array.from({ length: 31 }, () => item()))).items).toContain('30')
  })
})

describe("the server's 422 details land on the form's fields", () => {
  it('given an error on the first item (the server leaves index 0 out), then it lands on item 0', () => {
    const errors = fieldErrorsFromApi([{ loc: ['body', 'items', 'content'], msg: 'String should have at least 1 character', type: 'string_too_short' }])
    expect(errors).toEqual({ 'items.0.content': '此处不能为空' })
  })
  it('given errors on a later item, then they land on that item in Chinese', () => {
    const errors = fieldErrorsFromApi([
      { loc: ['body', 'items', 1, 'content'], msg: 'text contains U+200B', type: 'forbidden_character' },
      { loc: ['body', 'items', 1, 'status'], msg: "Input should be 'done'", type: 'literal_error' },
    ])
    expect(errors['items.1.content']).toContain('不可见')
    expect(errors['items.1.status']).toBe('请选择完成情况')
  })
  it('given a domain refusal with a Chinese message, then that message is shown', () => {
    expect(fieldErrorsFromApi([{ loc: ['body', 'reason'], msg: '修订已保存的内容必须填写修订原因', type: 'reason_required' }]))
      .toEqual({ reason: '修订已保存的内容必须填写修订原因' })
    expect(fieldErrorsFromApi([{ loc: ['body', 'items'], msg: '引用的月度谋划事项不存在：p9', type: 'unknown_plan_item' }]))
      .toEqual({ items: '引用的月度谋划事项不存在：p9' })
  })
})

describe('带入昨日推进中事项 offers the previous entry within a week', () => {
  const day = '2026-12-02'
  const yesterday = entry('2026-12-01', [
    { content: '起草方案', status: 'in_progress', plan_item_id: 'p1', internal: false },
    { content: '参加会议', status: 'done', internal: false },
  ])
  const older = entry('2026-11-27', [{ content: '调研走访', status: 'in_progress', plan_item_id: 'p4', internal: true }])

  it("given yesterday's entry, then its 推进中 items are offered", () => {
    expect(carryOver([older, yesterday], day)).toEqual({ date: '2026-12-01', items: [yesterday.items[0]] })
  })
  it('given no entry yesterday, then the latest one within 7 days is offered', () => {
    expect(carryOver([older], day)?.date).toBe('2026-11-27')
  })
  it('given only entries older than 7 days, the same day or later, then nothing is offered', () => {
    expect(carryOver([entry('2026-11-24', older.items), entry(day, older.items), entry('2026-12-03', older.items)], day)).toBeNull()
  })
  it('given the previous entry has no 推进中 item, then nothing is offered', () => {
    expect(carryOver([entry('2026-12-01', [{ content: '参加会议', status: 'done', internal: false }])], day)).toBeNull()
  })
  it('given picked items, then they are added marked as brought in, replacing a lone blank item', () => {
    const { form: f, added } = bringIn(emptyForm(), { date: '2026-12-01', items: yesterday.items }, [0], day)
    expect(added).toBe(1)
    expect(f.items).toHaveLength(1)
    expect(f.items[0]).toMatchObject({ content: '起草方案', status: 'in_progress', planItemId: 'p1', broughtFrom: { date: '2026-12-01', text: '起草方案' } })
    expect(broughtLabel('2026-12-01', day)).toBe('来自昨日')
    expect(broughtLabel('2026-11-27', day)).toBe('来自11月27日')
  })
  it("given items from last month, then their plan links (last month's plan) are not carried", () => {
    const { form: f } = bringIn(form([item()]), { date: '2026-11-27', items: older.items }, [0], day)
    expect(f.items).toHaveLength(2)
    expect(f.items[1]).toMatchObject({ planItemId: null, internal: true })
  })
  it('given a form near the limit, then only what fits is added and the rest is counted', () => {
    const full = form(Array.from({ length: 29 }, () => item()))
    const result = bringIn(full, { date: '2026-12-01', items: [...yesterday.items, ...yesterday.items] }, [0, 1, 2], day)
    expect(result.form.items).toHaveLength(30)
    expect([result.added, result.left]).toEqual([1, 2])
  })
})

describe('where a date stands in its writing window', () => {
  it('given a future date, then nothing can be written', () => {
    expect(entryWindow('2026-12-03', '2026-12-02', null)).toMatchObject({ future: true, locked: false, lateIfSaved: false })
  })
  it('given today, then it is neither late nor locked', () => {
    expect(entryWindow('2026-12-02', '2026-12-02', null)).toMatchObject({ future: false, locked: false, lateIfSaved: false })
  })
  it('given a past day with no entry, then saving marks it late until the owed last day', () => {
    const w = entryWindow('2026-12-01', '2026-12-02', null, { last_day: '2026-12-08' })
    expect(w).toMatchObject({ lateIfSaved: true, locked: false, lastDay: '2026-12-08' })
  })
  it('given a past day already saved, then a revision is not a new 补记', () => {
    expect(entryWindow('2026-12-01', '2026-12-02', { revision: 1 }).lateIfSaved).toBe(false)
  })
  it('given a day past its last day, then it is locked (7 days when GET /me does not say)', () => {
    expect(entryWindow('2026-11-20', '2026-11-27', null).locked).toBe(false)
    expect(entryWindow('2026-11-20', '2026-11-28', null)).toMatchObject({ locked: true, lastDay: '2026-11-27' })
  })
})
