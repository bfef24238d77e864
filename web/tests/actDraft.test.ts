import { mount } from '@vue/test-utils'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'

import { useActDraft, type ActDraft } from '@/composables/useActDraft'
import { resetDbForTests } from '@/offline/db'
import { loadDraft, saveDraft } from '@/offline/drafts'

interface Answer {
  answer: string
}

function host(owner: string | null = 'c1') {
  let key = 'n1/f1'
  let draft!: ActDraft<Answer>
  const wrapper = mount(
    defineComponent({
      setup() {
        draft = useActDraft<Answer>('answer', () => owner, () => key)
        return () => h('div')
      },
    }),
  )
  return { draft, wrapper, moveTo: (k: string) => (key = k) }
}

async function writes(): Promise<void> {
  vi.advanceTimersByTime(450)
  vi.useRealTimers()
  await new Promise((resolve) => setTimeout(resolve, 20))
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  resetDbForTests()
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe("the draft of an act being written", () => {
  it('is written once, about 400 ms after the last change, with the last change', async () => {
    const { draft } = host()
    draft.keep({ answer: '已' }, true)
    vi.advanceTimersByTime(200)
    draft.keep({ answer: '已核实' }, true)
    await writes()
    expect((await loadDraft<Answer>('c1', 'answer', 'n1/f1'))?.body.answer).toBe('已核实')
  })

  it('is deleted when the form holds nothing worth keeping', async () => {
    await saveDraft('c1', 'answer', 'n1/f1', { answer: '旧稿' })
    const { draft } = host()
    draft.keep({ answer: '' }, false)
    await writes()
    expect(await loadDraft('c1', 'answer', 'n1/f1')).toBeUndefined()
  })

  it("is not written by the form's own quiet changes", async () => {
    const { draft } = host()
    await draft.quietly(() => {
      expect(draft.quiet()).toBe(true)
      draft.keep({ answer: '从服务器读来的答复' }, true)
    })
    expect(draft.quiet()).toBe(false)
    await writes()
    expect(await loadDraft('c1', 'answer', 'n1/f1')).toBeUndefined()
  })

  it('is written under the key it was typed for, even when the form has moved on before the write', async () => {
    const { draft, moveTo } = host()
    draft.keep({ answer: '第一条的答复' }, true)
    moveTo('n1/f2')
    await writes()
    expect((await loadDraft<Answer>('c1', 'answer', 'n1/f1'))?.body.answer).toBe('第一条的答复')
    expect(await loadDraft('c1', 'answer', 'n1/f2')).toBeUndefined()
    expect((await draft.load())).toBeUndefined()
  })

  it('is not written after the form is gone', async () => {
    const { draft, wrapper } = host()
    draft.keep({ answer: '离开前输入的' }, true)
    wrapper.unmount()
    await writes()
    expect(await loadDraft('c1', 'answer', 'n1/f1')).toBeUndefined()
  })

  it('can be forgotten at once', async () => {
    await saveDraft('c1', 'answer', 'n1/f1', { answer: '旧稿' })
    const { draft } = host()
    draft.forget()
    vi.useRealTimers()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await loadDraft('c1', 'answer', 'n1/f1')).toBeUndefined()
  })
})
