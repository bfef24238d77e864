import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'

import { isTypingTarget, reviewKeyAction, useReviewKeys, type ReviewKeyAction } from '@/composables/useReviewKeys'

function on(tag: string, attrs: Record<string, string> = {}): HTMLElement {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v)
  document.body.appendChild(el)
  return el
}

afterEach(() => {
  document.body.replaceChildren()
})

describe('reviewKeyAction: the reviewer keys on a desktop', () => {
  it('given j or k on the page, when pressed, then they move to the next or previous member', () => {
    const page = on('div')

    expect(reviewKeyAction({ key: 'j', target: page })).toEqual({ kind: 'next' })
    expect(reviewKeyAction({ key: 'k', target: page })).toEqual({ kind: 'prev' })
  })

  it('given 1, 2 or 3 on the page, when pressed, then they choose 合格, 敷衍应付, 涉嫌造假 in that order', () => {
    const page = on('div')

    expect(reviewKeyAction({ key: '1', target: page })).toEqual({ kind: 'verdict', verdict: 'adequate' })
    expect(reviewKeyAction({ key: '2', target: page })).toEqual({ kind: 'verdict', verdict: 'perfunctory' })
    expect(reviewKeyAction({ key: '3', target: page })).toEqual({ kind: 'verdict', verdict: 'suspected_falsification' })
  })

  it('given other keys, when pressed, then nothing happens', () => {
    const page = on('div')

    for (const key of ['4', '0', 'J', 'K', 'Enter', ' ', 'ArrowDown', 'jj']) expect(reviewKeyAction({ key, target: page })).toBeNull()
  })

  it('given the person is typing in a field, a text area, a select or editable content, when they press keys, then none is taken', () => {
    const targets = [
      on('input'),
      on('textarea'),
      on('select'),
      on('div', { contenteditable: 'true' }),
      on('div', { contenteditable: '' }),
      on('div', { role: 'textbox' }),
    ]
    const inside = document.createElement('span')
    targets[3]?.appendChild(inside)

    for (const target of [...targets, inside]) {
      for (const key of ['j', 'k', '1', '2', '3']) expect(reviewKeyAction({ key, target })).toBeNull()
    }
  })

  it('given an IME is composing, when a digit picks a candidate, then it is not taken as a verdict', () => {
    const page = on('div')

    expect(reviewKeyAction({ key: '1', isComposing: true, target: page })).toBeNull()
    expect(reviewKeyAction({ key: 'j', keyCode: 229, target: page })).toBeNull()
  })

  it('given a modifier is held, when a key is pressed, then the browser keeps its own shortcut', () => {
    const page = on('div')

    expect(reviewKeyAction({ key: '1', ctrlKey: true, target: page })).toBeNull()
    expect(reviewKeyAction({ key: 'j', metaKey: true, target: page })).toBeNull()
    expect(reviewKeyAction({ key: '2', altKey: true, target: page })).toBeNull()
  })

  it('given a dialog is open, when keys are pressed inside it, then none is taken', () => {
    const dialog = on('div', { role: 'dialog' })
    const button = document.createElement('button')
    dialog.appendChild(button)

    expect(reviewKeyAction({ key: '3', target: button })).toBeNull()
  })

  it('given a key already handled elsewhere, when it arrives, then it is not taken again', () => {
    expect(reviewKeyAction({ key: 'j', defaultPrevented: true, target: on('div') })).toBeNull()
  })

  it('given a contenteditable="false" element or a button, when keys are pressed, then they are not typing', () => {
    expect(isTypingTarget(on('div', { contenteditable: 'false' }))).toBe(false)
    expect(isTypingTarget(on('button'))).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
  })
})

describe('useReviewKeys: listening while mounted', () => {
  function harness(handle: (a: ReviewKeyAction) => boolean | void) {
    return mount(
      defineComponent({
        setup() {
          useReviewKeys(handle)
          return () => h('div')
        },
      }),
      { attachTo: document.body },
    )
  }

  function press(key: string, target: EventTarget = document.body, init: KeyboardEventInit = {}): KeyboardEvent {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init })
    target.dispatchEvent(event)
    return event
  }

  it('given a mounted screen, when j is pressed on the page, then the handler gets it and the key does nothing else', () => {
    const handle = vi.fn()
    const wrapper = harness(handle)

    const event = press('j')

    expect(handle).toHaveBeenCalledWith({ kind: 'next' })
    expect(event.defaultPrevented).toBe(true)
    wrapper.unmount()
  })

  it('given the handler declines (no member there), when the key is pressed, then the key is left alone', () => {
    const wrapper = harness(() => false)

    expect(press('k').defaultPrevented).toBe(false)
    wrapper.unmount()
  })

  it('given a text area with focus, when 1 is typed into it, then the handler is not called', () => {
    const handle = vi.fn()
    const wrapper = harness(handle)
    const area = on('textarea')

    press('1', area)

    expect(handle).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('given the screen is gone, when keys are pressed, then nothing listens any more', () => {
    const handle = vi.fn()
    harness(handle).unmount()

    press('j')

    expect(handle).not.toHaveBeenCalled()
  })
})
