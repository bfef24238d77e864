import { describe, expect, it } from 'vitest'

import {
  base64Length,
  bodyProblem,
  contactLines,
  decodeText,
  describeRoleChange,
  detectFormat,
  importBody,
  largestFile,
  MAX_IMPORT_BYTES,
  postStatus,
  sizeProblem,
  toBase64,
} from '@/util/roster'

const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00])
const OLE = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1])
const text = (s: string) => new TextEncoder().encode(s)

describe('the roster file format', () => {
  it('given an XLSX, CSV or JSON by name with matching content, then that format', () => {
    expect(detectFormat('花名册.XLSX', ZIP)).toEqual({ format: 'xlsx' })
    expect(detectFormat('roster.csv', text('工号,姓名'))).toEqual({ format: 'csv' })
    expect(detectFormat('roster.json', text('[{"cadre_id": "c1"}]'))).toEqual({ format: 'json' })
  })
  it('given an old .xls workbook, then it asks to save it as .xlsx', () => {
    for (const [name, head] of [['名册.xls', OLE], ['名册.xlsx', OLE], ['名册', OLE]] as const) {
      const found = detectFormat(name, head)
      expect(found).toHaveProperty('problem')
      expect((found as { problem: string }).problem).toContain('另存为')
    }
  })
  it('given a name whose content disagrees, then the mismatch is named', () => {
    expect((detectFormat('名册.xlsx', text('工号,姓名')) as { problem: string }).problem).toContain('不是 Excel')
    expect((detectFormat('名册.csv', ZIP) as { problem: string }).problem).toContain('是 Excel 工作簿')
  })
  it('given no extension, then the content decides', () => {
    expect(detectFormat('名册', ZIP)).toEqual({ format: 'xlsx' })
    expect(detectFormat('名册', text('\ufeff  [{"a": 1}]'))).toEqual({ format: 'json' })
    expect(detectFormat('名册', text('工号,姓名'))).toEqual({ format: 'csv' })
  })
  it('given another kind of file, then it is refused naming the formats taken', () => {
    expect((detectFormat('名册.pdf', text('%PDF')) as { problem: string }).problem).toContain('XLSX、CSV 或 JSON')
  })
})

describe('the 4 MiB import limit, checked before upload', () => {
  it('given an XLSX, then its base64 must fit: about 3 MB of file', () => {
    const largest = largestFile('xlsx')
    expect(base64Length(largest)).toBeLessThanOrEqual(MAX_IMPORT_BYTES - 1024)
    expect(sizeProblem(largest, 'xlsx')).toBeNull()
    expect(sizeProblem(largest + 3, 'xlsx')).toContain('拆成几个文件')
  })
  it('given a CSV, then it may be nearly 4 MB', () => {
    expect(sizeProblem(3_500_000, 'csv')).toBeNull()
    expect(sizeProblem(MAX_IMPORT_BYTES, 'csv')).toContain('超过了单次导入的上限')
  })
  it('given an empty file, then it says so', () => {
    expect(sizeProblem(0, 'csv')).toContain('空')
  })
  it('given the body as it will be sent, then its UTF-8 bytes are measured', () => {
    expect(bodyProblem({ content: '张'.repeat(1_000_000) })).toBeNull()
    expect(bodyProblem({ content: '张'.repeat(1_500_000) })).toContain('4 MB')
  })
})

describe('reading the file in the browser', () => {
  it('given bytes, then base64 as btoa would give it, even for large files', () => {
    expect(toBase64(text('PK roster'))).toBe(btoa('PK roster'))
    const big = new Uint8Array(100_000).map((_, i) => i % 256)
    expect(atob(toBase64(big)).length).toBe(100_000)
  })
  it('given UTF-8 with or without BOM, GB18030 or UTF-16, then the same text', () => {
    expect(decodeText(text('\ufeff工号,姓名'))).toBe('工号,姓名')
    expect(decodeText(text('工号,姓名'))).toBe('工号,姓名')
    // 工号 in GB18030 (as Excel saves "CSV" on a Chinese Windows)
    expect(decodeText(new Uint8Array([0xb9, 0xa4, 0xba, 0xc5]))).toBe('工号')
    expect(decodeText(new Uint8Array([0xff, 0xfe, 0xe5, 0x5d, 0xf7, 0x53]))).toBe('工号')
  })
  it('given an XLSX, then base64; a CSV, then its text', () => {
    expect(importBody('xlsx', ZIP)).toEqual({ format: 'xlsx', content: toBase64(ZIP), encoding: 'base64' })
    expect(importBody('csv', text('a,b'))).toEqual({ format: 'csv', content: 'a,b', encoding: 'text' })
  })
})

describe('what an import changes, in words', () => {
  it('given a new cadre, then their roles and unit', () => {
    expect(describeRoleChange(null, { roles: ['cadre', 'unit_head'], unit_id: 'cgj' })).toEqual([
      '新增人员：普通干部、单位负责人，单位 cgj',
    ])
  })
  it('given a changed cadre, then only what differs', () => {
    const before = { roles: ['cadre', 'unit_head'], unit_id: 'cgj', left_on: null }
    expect(describeRoleChange(before, { roles: ['cadre'], unit_id: 'swj', left_on: '2026-12-31' })).toEqual([
      '取消角色：单位负责人',
      '单位：cgj → swj',
      '离任日期：无 → 2026-12-31',
    ])
  })
  it('given a cadre left before today, then 已离任; joining later, 尚未到任; else 在职', () => {
    expect(postStatus({ left_on: '2026-11-01' }, '2026-11-20')).toBe('已离任')
    expect(postStatus({ left_on: '2026-11-20' }, '2026-11-20')).toBe('在职')
    expect(postStatus({ joined_on: '2026-12-01' }, '2026-11-20')).toBe('尚未到任')
  })
})

describe('a cadre\'s contact details on the roster (admins see them)', () => {
  it('given every detail, then one line each, the preferred channel marked', () => {
    const cadre = { mobile: '13900000001', email: 'c0001@jinjiang.example.gov.cn', wecom_user_id: 'jj-c0001', dingtalk_user_id: 'dt000001', preferred_channel: 'wecom' as const }
    expect(contactLines(cadre)).toEqual(['手机 13900000001', '邮箱 c0001@jinjiang.example.gov.cn', '企业微信 jj-c0001（首选）', '钉钉 dt000001'])
  })
  it('given no preference, then the lines say the district default is used', () => {
    expect(contactLines({ mobile: '13900000002' })).toEqual(['手机 13900000002', '提醒方式：全区默认'])
  })
  it('given nothing to reach them by, then it says the in-app inbox only', () => {
    expect(contactLines({})).toEqual(['未登记（仅站内消息）'])
  })
})
