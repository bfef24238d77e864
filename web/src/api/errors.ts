// What can go wrong with a request, in the two kinds the app treats differently: the server said
// no (shown to the person, never retried) and the request never got an answer (queued, retried).

export interface ErrorDetail {
  field?: string
  message?: string
  [key: string]: unknown
}

/** The server answered with an error body `{code, message}` (docs/api.md). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: ErrorDetail[]

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }

  /** A client error: the same request would fail the same way, so it is never retried. */
  get final(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429
  }
}

/** No answer: offline, DNS, a dropped connection, a timeout. Worth retrying with the same key. */
export class NetworkError extends Error {
  constructor(message = '网络连接中断，请检查网络后重试') {
    super(message)
    this.name = 'NetworkError'
  }
}

/** Whether a failed save should wait in the queue for another attempt. */
export function retryable(err: unknown): boolean {
  if (err instanceof NetworkError) return true
  if (err instanceof ApiError) return !err.final
  return false
}

/** The message to show a person for any failure, in plain Chinese. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof NetworkError) return err.message
  return '出现了意外错误，请稍后重试；如仍不行，请联系管理员'
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
    const b = body as { code: unknown; message: unknown; details?: unknown }
    const details = Array.isArray(b.details) ? (b.details as ErrorDetail[]) : []
    return new ApiError(response.status, String(b.code), String(b.message), details)
  }
  const fallback: Record<number, string> = {
    401: '登录已失效，请重新登录',
    403: '您没有权限进行此操作',
    404: '未找到相关内容',
    429: '请求过于频繁，请稍后再试',
  }
  const message = fallback[response.status] ?? (response.status >= 500 ? '服务暂时不可用，请稍后重试' : '请求未被接受')
  return new ApiError(response.status, `http_${response.status}`, message)
}
