// Sign-in settings, read once at start from config.json beside index.html: the local runtime
// writes them for its own issuer, `make deploy` uploads them for the stack's Cognito pool.

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

let loaded: AppConfig | null = null

export async function loadConfig(): Promise<AppConfig> {
  if (loaded) return loaded
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' })
  if (!response.ok) throw new Error('无法读取登录配置（config.json），请稍后刷新重试')
  loaded = (await response.json()) as AppConfig
  return loaded
}

export function config(): AppConfig {
  if (!loaded) throw new Error('config.json has not been loaded yet')
  return loaded
}
