// The one place that talks to the API: bearer token, Idempotency-Key, JSON, the error body.
// Screens never call fetch themselves.

import { ApiError, NetworkError, errorFromResponse } from './errors'

export type TokenSource = {
  /** The bearer token to send now, or null when signed out. */
  token(): Promise<string | null>
  /** Called once on a 401 for an expired token: renew and return the new token, or null. */
  renew(): Promise<string | null>
}

let tokens: TokenSource = { token: async () => null, renew: async () => null }

export function useTokens(source: TokenSource): void {
  tokens = source
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>
  body?: unknown
  idempotencyKey?: string
  signal?: AbortSignal
  /** What to ask for; JSON unless a download says otherwise. */
  accept?: string
}

function url(path: string, query?: RequestOptions['query']): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v))
  const s = params.toString()
  return s ? `${path}?${s}` : path
}

async function send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  try {
    return await fetch(url(path, options.query), {
      method,
      headers,
      body,
      signal: options.signal,
      credentials: 'omit',
      cache: 'no-store',
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new NetworkError()
  }
}

/** One request with the bearer token, renewed once on a 401; a refusal becomes an ApiError. */
async function answered(method: string, path: string, options: RequestOptions): Promise<Response> {
  let response = await send(method, path, options, await tokens.token())
  if (response.status === 401) {
    const renewed = await tokens.renew()
    if (renewed) response = await send(method, path, options, renewed)
  }
  if (!response.ok) throw await errorFromResponse(response)
  return response
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await answered(method, path, options)
  if (response.status === 204) return undefined as T
  try {
    return (await response.json()) as T
  } catch {
    throw new ApiError(response.status, 'bad_response', '服务器返回的内容无法识别，请稍后重试')
  }
}

// Reads started before a screen asks for them (see prefetch); each is handed out once, while fresh.
const PREFETCH_FRESH_MS = 10_000
const prefetched = new Map<string, { at: number; answer: Promise<unknown> }>()

/**
 * Start a GET now so that the screen that asks for the same path shortly gets this answer instead
 * of waiting a round trip more (today's entry and plan, in parallel with GET /me). Only a path
 * asked for within 10 s, once, uses it; anything else is simply never read.
 */
export function prefetch(path: string, now = Date.now()): void {
  for (const [key, kept] of prefetched) if (now - kept.at > PREFETCH_FRESH_MS) prefetched.delete(key)
  if (prefetched.has(path)) return
  const answer = request<unknown>('GET', path)
  answer.catch(() => undefined) // read by the screen, or by nobody
  prefetched.set(path, { at: now, answer })
}

function takePrefetched<T>(path: string, now = Date.now()): Promise<T> | null {
  const kept = prefetched.get(path)
  if (!kept) return null
  prefetched.delete(path)
  return now - kept.at > PREFETCH_FRESH_MS ? null : (kept.answer as Promise<T>)
}

/** For tests: forget what was prefetched. */
export function forgetPrefetched(): void {
  prefetched.clear()
}

/** A file the API sent, with the name it gave it. */
export interface Download {
  blob: Blob
  filename: string
}

/**
 * The file name a Content-Disposition header gives (RFC 6266: `filename*=UTF-8''…` first, then
 * `filename="…"`), reduced to a plain name (no folders); `fallback` when it gives none.
 */
export function filenameOf(header: string | null, fallback: string): string {
  let name: string | null = null
  if (header) {
    const extended = /filename\*\s*=\s*utf-8''([^;]+)/i.exec(header)
    if (extended?.[1]) {
      try {
        name = decodeURIComponent(extended[1].trim())
      } catch {
        name = null
      }
    }
    if (!name) {
      const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header)
      name = plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2] ?? null) : null
    }
  }
  const base = name?.split(/[\\/]/).pop()?.trim()
  return base ? base : fallback
}

/**
 * GET a file (an XLSX sheet, say) with the bearer token — a plain link cannot carry it — as a Blob
 * and its file name (from Content-Disposition, else the path's last part). Refusals are ApiError
 * with the server's words, as for any other request.
 */
async function download(path: string, query?: RequestOptions['query']): Promise<Download> {
  const response = await answered('GET', path, { query, accept: '*/*' })
  let blob: Blob
  try {
    blob = await response.blob()
  } catch {
    throw new NetworkError() // the connection broke while the file was coming
  }
  const fallback = path.split('/').filter(Boolean).pop() ?? 'download'
  return { blob, filename: filenameOf(response.headers.get('Content-Disposition'), fallback) }
}

export const api = {
  get: <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) =>
    (query === undefined && !signal ? takePrefetched<T>(path) : null) ?? request<T>('GET', path, { query, signal }),
  put: <T>(path: string, body: unknown, idempotencyKey?: string) =>
    request<T>('PUT', path, { body, idempotencyKey }),
  post: <T>(path: string, body: unknown, idempotencyKey?: string) =>
    request<T>('POST', path, { body, idempotencyKey }),
  download,
}
