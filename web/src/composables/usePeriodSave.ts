// Saving a plan or a summary: check the form, settle the draft, one submit through the outbox, and
// the three outcomes in words — queued on this phone, saved as revision n (late or not), or the
// server's refusal with its fields marked. One flow for both editors.

import { ref } from 'vue'

import { ApiError, messageOf } from '@/api/errors'
import type { SubmitResult } from '@/offline/outbox'
import { useSession } from '@/stores/session'
import { byField, fieldErrors, type FieldError } from '@/util/forms'

interface Saved {
  revision: number
  late: boolean
}

export interface PeriodSaveSteps<T extends Saved> {
  /** What is wrong with the form before anything is sent; empty when it may go. */
  check: () => FieldError[]
  /** Write the draft as it is now (a late draft write must not follow the save). */
  settle: () => Promise<void>
  /** The one request, through the outbox. */
  submit: () => Promise<SubmitResult<T>>
  /** Read the period again after it was saved. */
  reload: () => Promise<void>
  /** Put the cursor in a field named by a problem. */
  focus: (field: string) => void
}

export const KEPT_LOCALLY = '已保存在本机，联网后自动提交'

export function usePeriodSave<T extends Saved>(steps: PeriodSaveSteps<T>) {
  const session = useSession()
  const errors = ref<Record<string, string>>({})
  const saveError = ref('')
  const done = ref('')
  const saving = ref(false)

  async function save(): Promise<void> {
    if (saving.value) return
    done.value = ''
    saveError.value = ''
    const problems = steps.check()
    errors.value = byField(problems)
    if (problems.length) {
      saveError.value = problems.length === 1 ? (problems[0]?.message ?? '') : `有 ${problems.length} 处需要修改，见标出的内容`
      steps.focus(problems[0]?.field ?? '')
      return
    }
    saving.value = true
    try {
      await steps.settle()
      const result = await steps.submit()
      if (result.status === 'queued') {
        done.value = KEPT_LOCALLY
        return
      }
      const r = result.response
      // What is owed changed with this save: GET /me says it anew (the notice above follows).
      void session.load().catch(() => undefined)
      await steps.reload()
      done.value = `已提交，第 ${r.revision} 版${r.late ? '（逾期提交，记为补交）' : ''}`
    } catch (err) {
      saveError.value = messageOf(err)
      if (err instanceof ApiError) {
        errors.value = byField(fieldErrors(err.details))
        const first = Object.keys(errors.value)[0]
        if (first) steps.focus(first)
      }
    } finally {
      saving.value = false
    }
  }

  return { errors, saveError, done, saving, save }
}
