// The passages two texts have in common, for drawing a near-duplicate signal on the text itself.
//
// The server flags two days as near-duplicates by comparing their normalised texts (letters and
// digits only, case and width folded); this finds WHERE they agree, so the reviewer sees the copied
// passages highlighted in both days. A character is highlighted when it lies in a common passage of
// at least `minLength` letters/digits, compared the same normalised way (so "排查隐患8处。" and
// "排查 隐患 8 处" agree, punctuation between matched characters is highlighted with them).
//
// Done with shared n-grams, not a quadratic table: a stretch of text lies in a common passage of
// length >= n exactly when it is covered by n-grams that also occur in the other text. Linear in
// the length of the texts, so a day of many 2000-character items stays instant on a phone.

/** A half-open range of UTF-16 offsets into a string: text.slice(start, end). */
export interface TextRange {
  start: number
  end: number
}

export interface Segment {
  text: string
  marked: boolean
}

/** Shortest passage worth highlighting, in letters/digits (about one clause of Chinese). */
export const MIN_PASSAGE = 8

const KEPT = /[\p{L}\p{N}\p{M}]/u

interface Projection {
  /** The normalised characters that are compared. */
  chars: string[]
  /** For each of them, the range of the original text it came from. */
  from: number[]
  to: number[]
}

/** The letters/digits of a text, folded (NFKC, lower case), each tied to where it stands. */
function project(text: string): Projection {
  const chars: string[] = []
  const from: number[] = []
  const to: number[] = []
  let offset = 0
  for (const original of text) {
    const end = offset + original.length
    for (const c of original.normalize('NFKC').toLowerCase()) {
      if (KEPT.test(c)) {
        chars.push(c)
        from.push(offset)
        to.push(end)
      }
    }
    offset = end
  }
  return { chars, from, to }
}

function grams(p: Projection, n: number): string[] {
  const out: string[] = []
  for (let i = 0; i + n <= p.chars.length; i++) out.push(p.chars.slice(i, i + n).join(''))
  return out
}

/** Which projected characters of `p` lie in an n-gram that `other` contains too. */
function covered(p: Projection, mine: string[], other: Set<string>, n: number): boolean[] {
  const marked = new Array<boolean>(p.chars.length).fill(false)
  mine.forEach((gram, i) => {
    if (other.has(gram)) for (let k = i; k < i + n; k++) marked[k] = true
  })
  return marked
}

/** Runs of marked projected characters as ranges of the original text. */
function toRanges(p: Projection, marked: boolean[]): TextRange[] {
  const ranges: TextRange[] = []
  let i = 0
  while (i < marked.length) {
    if (!marked[i]) {
      i++
      continue
    }
    let j = i
    while (j + 1 < marked.length && marked[j + 1]) j++
    ranges.push({ start: p.from[i] as number, end: p.to[j] as number })
    i = j + 1
  }
  return mergeRanges(ranges)
}

/**
 * The passages of at least `minLength` letters/digits that `a` and `b` share, as ranges of each.
 * Ranges are sorted, never overlap, and never split a character (surrogate pairs stay whole).
 */
export function commonPassages(a: string, b: string, minLength = MIN_PASSAGE): { a: TextRange[]; b: TextRange[] } {
  const n = Math.max(1, Math.floor(minLength))
  const pa = project(a)
  const pb = project(b)
  const ga = grams(pa, n)
  const gb = grams(pb, n)
  if (ga.length === 0 || gb.length === 0) return { a: [], b: [] }
  const setA = new Set(ga)
  const setB = new Set(gb)
  return {
    a: toRanges(pa, covered(pa, ga, setB, n)),
    b: toRanges(pb, covered(pb, gb, setA, n)),
  }
}

/** Sorted, with overlapping or touching ranges joined and empty ones dropped. */
export function mergeRanges(ranges: readonly TextRange[]): TextRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((x, y) => x.start - y.start || x.end - y.end)
  const out: TextRange[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end)
    else out.push({ ...r })
  }
  return out
}

/** The separator a day's items are joined with before comparing (the server joins them so too). */
export const PART_SEPARATOR = '\n'

/**
 * Ranges of `parts.join(separator)` cut back into ranges of each part (the separators themselves
 * are never part of a result).
 */
export function splitRanges(parts: readonly string[], ranges: readonly TextRange[], separator = PART_SEPARATOR): TextRange[][] {
  const merged = mergeRanges(ranges)
  let offset = 0
  return parts.map((part) => {
    const start = offset
    const end = offset + part.length
    offset = end + separator.length
    return merged
      .filter((r) => r.start < end && r.end > start)
      .map((r) => ({ start: Math.max(r.start, start) - start, end: Math.min(r.end, end) - start }))
  })
}

/** The common passages of two lists of texts (a day's items), per item of each list. */
export function commonPassagesOfParts(
  a: readonly string[],
  b: readonly string[],
  minLength = MIN_PASSAGE,
): { a: TextRange[][]; b: TextRange[][] } {
  const found = commonPassages(a.join(PART_SEPARATOR), b.join(PART_SEPARATOR), minLength)
  return { a: splitRanges(a, found.a), b: splitRanges(b, found.b) }
}

/** A text cut into plain and marked pieces, in order; joined back they are the text unchanged. */
export function segments(text: string, ranges: readonly TextRange[]): Segment[] {
  const out: Segment[] = []
  let at = 0
  for (const r of mergeRanges(ranges)) {
    const start = Math.min(Math.max(r.start, at), text.length)
    const end = Math.min(r.end, text.length)
    if (end <= start) continue
    if (start > at) out.push({ text: text.slice(at, start), marked: false })
    out.push({ text: text.slice(start, end), marked: true })
    at = end
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), marked: false })
  return out
}
