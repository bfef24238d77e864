import { describe, expect, it } from 'vitest'

import { byField, charCount, fieldErrors } from '@/util/forms'
import { owedNotice } from '@/util/owed'
import { label, READ_PURPOSE_LABELS, roleList } from '@/util/labels'

describe("the server's 422 details on the form", () => {
  it('given an error on the first item (the server leaves out index 0), then it lands on item 0', () => {
    const errors = fieldErrors([{ loc: ['body', 'items', 'content'], msg: 'String should have at least 1 character', type: 'string_too_short' }])
    expect(errors).toEqual([{ field: 'items.0.content', message: '请填写此项' }])
  })
  it('given an error on a later item, then it lands on that item', () => {
    const errors = fieldErrors([{ loc: ['body', 'items', 2, 'target'], msg: 'String should have at most 500 characters', type: 'string_too_long' }])
    expect(errors).toEqual([{ field: 'items.2.target', message: '超过字数上限，请删减' }])
  })
  it("given a message in Chinese, then the server's own words are kept", () => {
    const errors = fieldErrors([{ loc: ['body', 'to'], msg: '请假结束日期不能早于开始日期', type: 'leave_reversed' }])
    expect(byField(errors)).toEqual({ to: '请假结束日期不能早于开始日期' })
  })
  it('given a forbidden character pasted in, then it says what to do', () => {
    const [e] = fieldErrors([{ loc: ['body', 'reason'], msg: 'text contains U+202E (Cf) at character 3', type: 'forbidden_character' }])
    expect(e?.field).toBe('reason')
    expect(e?.message).toContain('请删除后重新输入')
  })
  it('counts characters as code points', () => {
    expect(charCount('工作😀')).toBe(3)
  })
})

describe('what is owed, on the editor', () => {
  const owes = [{ kind: 'plan' as const, period: '2026-12', due: '2026-12-03', overdue: true, last_day: '2027-01-07', provisional: false }]
  it('given an overdue plan, then it says a save now is late and until when', () => {
    expect(owedNotice(owes, 'plan', '2026-12')).toBe('已过提交期限（12月3日），现在提交将记为补交；最迟可于 1月7日 前提交')
  })
  it('given nothing owed for the period, then it says nothing', () => {
    expect(owedNotice(owes, 'plan', '2027-01')).toBe('')
    expect(owedNotice(owes, 'summary', '2026-12')).toBe('')
  })
})

describe('labels', () => {
  it('words every read purpose, and shows an unknown code as itself', () => {
    expect(label(READ_PURPOSE_LABELS, 'vetting')).toBe('任前审查')
    expect(label(READ_PURPOSE_LABELS, 'something_new')).toBe('something_new')
    expect(roleList(['unit_head', 'cadre'])).toBe('单位负责人、普通干部')
  })
})
