// Sign-in settings, read once at start from config.json beside index.html: the local runtime
// writes them for its own issuer, `make deploy` uploads them for the stack's Cognito pool.
//
// A copy of the last settings read is kept in localStorage (they are no secret): offline, the
// service worker serves the app's shell but not config.json, and the shell must still open.

export interface AppConfig {
  authority: string
  client_id: string
  scope: string
  redirect_path: string
  post_logout_path: string
  /** The provider's own sign-out page, for issuers without an end_session_endpoint (Cognito). */
  sign_out_url: string | null
  environment: 'local' | 'aws' | string
  /**
   * The issuer's endpoints, when the app must not discover them itself: on AWS the CSP allows no
   * other origin, so the token endpoint is the front door's /oauth2/token (forwarded to Cognito) and
   * the authorize page is a navigation to Cognito's hosted domain. Absent or null: discovery.
   */
  authorization_endpoint?: string | null
  token_endpoint?: string | null
  revocation_endpoint?: string | null
}

export const CONFIG_COPY_KEY = 'worklog.config'

let loaded: AppConfig | null = null

function keptCopy(): AppConfig | null {
  try {
    const kept = window.localStorage.getItem(CONFIG_COPY_KEY)
    const value = kept ? (JSON.parse(kept) as Partial<AppConfig>) : null
    return value && typeof value.authority === 'string' && typeof value.client_id === 'string' ? (value as AppConfig) : null
  } catch {
    return null
  }
}

export async function loadConfig(): Promise<AppConfig> {
  if (loaded) return loaded
  let response: Response
  try {
    response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' })
  } catch {
    // No answer at all (offline): the settings of the last visit, if there was one.
    loaded = keptCopy()
    if (!loaded) throw new Error('无法连接服务器，请联网后刷新重试')
    return loaded
  }
  if (!response.ok) throw new Error('无法读取登录配置（config.json），请稍后刷新重试')
  loaded = (await response.json()) as AppConfig
  try {
    window.localStorage.setItem(CONFIG_COPY_KEY, JSON.stringify(loaded))
  } catch {
    // Storage full or disabled: the app works online without the copy.
  }
  return loaded
}

export function config(): AppConfig {
  if (!loaded) throw new Error('config.json has not been loaded yet')
  return loaded
}

/** Tests only: forget the settings read. */
export function resetConfigForTests(): void {
  loaded = null
}
