import { mount } from '@vue/test-utils'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick, ref } from 'vue'

import { usePeriodDraft, type PeriodDraft } from '@/composables/usePeriodDraft'
import { resetDbForTests } from '@/offline/db'
import { deleteDraft, loadDraft } from '@/offline/drafts'

interface Form {
  text: string
}

function host() {
  const form = ref<Form>({ text: '' })
  let draft!: PeriodDraft<Form>
  const wrapper = mount(
    defineComponent({
      setup() {
        draft = usePeriodDraft(() => 'c1', 'plan', form, (f, s) => f.text !== s.text)
        return () => h('div')
      },
    }),
  )
  return { form, draft: () => draft, wrapper }
}

async function typed(): Promise<void> {
  await nextTick()
  await nextTick()
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  resetDbForTests()
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('drafts of a plan as it is typed', () => {
  it('are kept about 400 ms after the last keystroke, and deleted once the form says what was saved', async () => {
    const { form, draft } = host()
    draft().track('2026-12', { text: '' })
    form.value.text = '调研'
    await typed()
    vi.advanceTimersByTime(450)
    await draft().settle()
    expect((await loadDraft<Form>('c1', 'plan', '2026-12'))?.body.text).toBe('调研')
    form.value.text = ''
    await typed()
    vi.advanceTimersByTime(450)
    await draft().settle()
    expect(await loadDraft('c1', 'plan', '2026-12')).toBeUndefined()
  })

  it('given keystrokes still waiting when the save is pressed, when the save lands, then no stale draft comes back', async () => {
    const { form, draft } = host()
    draft().track('2026-12', { text: '' })
    form.value.text = '刚输入的内容'
    await typed()
    // The save: settle first, then the outbox deletes the draft when the server has it.
    await draft().settle()
    await deleteDraft('c1', 'plan', '2026-12')
    // The screen reloads the saved plan: pausing must not write the pre-save form back.
    draft().pause()
    await draft().settle()
    vi.advanceTimersByTime(1000)
    expect(await draft().restore('2026-12')).toBeUndefined()
  })

  it('given the screen is left within 400 ms of typing, then the last keystrokes are kept', async () => {
    const { form, draft, wrapper } = host()
    draft().track('2026-12', { text: '' })
    form.value.text = '最后几个字'
    await typed()
    wrapper.unmount()
    await draft().settle()
    expect((await loadDraft<Form>('c1', 'plan', '2026-12'))?.body.text).toBe('最后几个字')
  })
})
