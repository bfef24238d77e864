import { describe, expect, it } from 'vitest'

import { commonPassages, commonPassagesOfParts, mergeRanges, segments, splitRanges, type TextRange } from '@/util/similar'

function cut(text: string, ranges: TextRange[]): string[] {
  return ranges.map((r) => text.slice(r.start, r.end))
}

describe('commonPassages: where two days agree', () => {
  it('given a passage copied into another day, when compared, then it is marked in both texts', () => {
    const monday = '上午召开安全生产专题会议，部署节前检查。下午走访企业。'
    const tuesday = '到社区调研。召开安全生产专题会议，部署节前检查，落实责任。'

    const found = commonPassages(monday, tuesday, 8)

    expect(cut(monday, found.a)).toEqual(['召开安全生产专题会议，部署节前检查'])
    expect(cut(tuesday, found.b)).toEqual(['召开安全生产专题会议，部署节前检查'])
  })

  it('given common passages shorter than the threshold, when compared, then nothing is marked', () => {
    const found = commonPassages('召开会议研究工作', '组织会议研究问题', 8)

    expect(found).toEqual({ a: [], b: [] })
  })

  it('given the same words with different spacing, punctuation, width and case, when compared, then they still agree', () => {
    const a = '排查隐患8处，整改ABC项目。'
    const b = '排查 隐患 ８ 处 整改abc项目'

    const found = commonPassages(a, b, 8)

    expect(cut(a, found.a)).toEqual(['排查隐患8处，整改ABC项目'])
    expect(cut(b, found.b)).toEqual(['排查 隐患 ８ 处 整改abc项目'])
  })

  it('given a copy with one number changed, when compared, then the passages either side of it are marked apart', () => {
    const a = '完成辖区内燃气管道巡查共计十二公里并形成巡查台账报送街道'
    const b = '完成辖区内燃气管道巡查共计十五公里并形成巡查台账报送街道'

    const found = commonPassages(a, b, 8)

    expect(cut(a, found.a)).toEqual(['完成辖区内燃气管道巡查共计十', '公里并形成巡查台账报送街道'])
    expect(cut(b, found.b)).toEqual(['完成辖区内燃气管道巡查共计十', '公里并形成巡查台账报送街道'])
  })

  it('given a passage that occurs twice in one text and once in the other, when compared, then both occurrences are marked', () => {
    const a = '走访困难群众了解诉求。其后再次走访困难群众了解诉求。'
    const b = '今日走访困难群众了解诉求'

    const found = commonPassages(a, b, 8)

    expect(cut(a, found.a)).toEqual(['走访困难群众了解诉求', '走访困难群众了解诉求'])
  })

  it('given characters outside the basic plane, when marked, then no surrogate pair is split', () => {
    const a = '𠮷野家门店食品安全检查已完成'
    const b = '对𠮷野家门店食品安全检查已完成'

    const found = commonPassages(a, b, 8)

    expect(cut(a, found.a)).toEqual([a])
    expect(cut(b, found.b)).toEqual(['𠮷野家门店食品安全检查已完成'])
  })

  it('given an empty or blank text, when compared, then nothing is marked', () => {
    expect(commonPassages('', '召开安全生产专题会议', 8)).toEqual({ a: [], b: [] })
    expect(commonPassages('，。 ', '，。 ', 1)).toEqual({ a: [], b: [] })
  })

  it('given long texts, when compared, then it answers quickly', () => {
    const base = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('')
    const a = base.repeat(10)
    const b = `前言${base.repeat(10)}`

    const started = performance.now()
    const found = commonPassages(a, b, 8)

    expect(performance.now() - started).toBeLessThan(2000)
    expect(found.a).toEqual([{ start: 0, end: a.length }])
  })
})

describe('splitRanges and commonPassagesOfParts: marks per item of a day', () => {
  it('given ranges over items joined by a line feed, when split, then each item gets its own part and the separator none', () => {
    const parts = ['甲乙丙', '丁戊']

    expect(splitRanges(parts, [{ start: 1, end: 5 }])).toEqual([[{ start: 1, end: 3 }], [{ start: 0, end: 1 }]])
  })

  it('given a passage copied across the items of another day, when compared by items, then marks land in the right items', () => {
    const monday = ['上午召开安全生产专题会议', '部署节前安全检查工作']
    const tuesday = ['到社区调研', '召开安全生产专题会议部署节前安全检查工作']

    const found = commonPassagesOfParts(monday, tuesday, 8)

    expect(found.a.map((r, i) => cut(monday[i] as string, r))).toEqual([['召开安全生产专题会议'], ['部署节前安全检查工作']])
    expect(found.b.map((r, i) => cut(tuesday[i] as string, r))).toEqual([[], ['召开安全生产专题会议部署节前安全检查工作']])
  })
})

describe('segments: the text cut for rendering', () => {
  it('given ranges, when cut, then the pieces join back into the text and only the ranges are marked', () => {
    const text = '甲乙丙丁戊己'

    const pieces = segments(text, [{ start: 4, end: 6 }, { start: 1, end: 2 }])

    expect(pieces).toEqual([
      { text: '甲', marked: false },
      { text: '乙', marked: true },
      { text: '丙丁', marked: false },
      { text: '戊己', marked: true },
    ])
    expect(pieces.map((p) => p.text).join('')).toBe(text)
  })

  it('given no ranges, when cut, then the text is one plain piece', () => {
    expect(segments('无', [])).toEqual([{ text: '无', marked: false }])
  })

  it('given overlapping ranges and ranges past the end, when merged and cut, then nothing is doubled or invented', () => {
    expect(mergeRanges([{ start: 3, end: 5 }, { start: 0, end: 2 }, { start: 1, end: 4 }, { start: 6, end: 6 }])).toEqual([{ start: 0, end: 5 }])
    expect(segments('甲乙', [{ start: 1, end: 9 }])).toEqual([
      { text: '甲', marked: false },
      { text: '乙', marked: true },
    ])
  })
})
