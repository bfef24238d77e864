// One file download from the API (an XLSX sheet) as a screen shows it: busy while it comes, the
// saved file's name once the browser has it, or the server's words when it is refused.

import { ref, type Ref } from 'vue'

import { api, type Download } from '@/api/client'
import { messageOf } from '@/api/errors'
import { saveFile } from '@/util/saveFile'

export interface FileDownload {
  busy: Ref<boolean>
  /** the last file saved, until the next download starts */
  saved: Ref<Download | null>
  error: Ref<string | null>
  /** Fetch the file at `path` with the bearer token and hand it to the browser; true when saved. */
  run: (path: string) => Promise<boolean>
}

export function useDownload(): FileDownload {
  const busy = ref(false)
  const saved = ref<Download | null>(null)
  const error = ref<string | null>(null)

  async function run(path: string): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    saved.value = null
    error.value = null
    try {
      const file = await api.download(path)
      saveFile(file)
      saved.value = file
      return true
    } catch (err) {
      error.value = messageOf(err)
      return false
    } finally {
      busy.value = false
    }
  }

  return { busy, saved, error, run }
}
