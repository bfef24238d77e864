"""The local issuer's sign-in pages: plain HTML with no script, one stylesheet of their own.

The page that lists the demo accounts (演示环境, no password), the page that says why a sign-in
request was refused, and the page after sign-out; ``infra.local.oidc.endpoints`` serves them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from infra.local.events import HttpResponse
from infra.local.security import APP_SECURITY_HEADERS


@dataclass(frozen=True)
class DemoAccount:
    """One account the sign-in page offers (roles and unit already in words)."""

    cadre_id: str
    name: str
    unit: str
    roles: tuple[str, ...]


# Text the sign-in pages show (local only).
TEXT = {
    "title": "登录 · 干部工作日志（演示环境）",
    "heading": "干部工作日志",
    "demo_badge": "演示环境",
    "demo_notice": "本页面只在本机运行时中存在，正式环境通过统一身份认证登录。",
    "choose": "请选择一个演示账号登录（无需密码）",
    "other": "其他人员：输入人员编号",
    "sign_in": "登录",
    "no_accounts": "花名册中还没有人员：请先通过管理接口导入花名册，或输入人员编号。",
    "bad_request_title": "登录请求无效",
    "bad_request_lead": "登录请求有以下问题，因此没有继续登录：",
    "bad_request_next": "请回到应用重新登录；若仍然出现，请检查应用的登录设置（/app/config.json）。",
    "back_to_choice": "返回选择账号",
    "signed_out_title": "已退出登录",
    "signed_out": "您已退出登录。",
    "back_to_app": "返回应用",
    "duplicate": "参数 {name} 出现了不止一次",
    "response_type": "response_type 应为 code（只支持授权码流程）",
    "client_id": "client_id 应为 {client_id}",
    "redirect_uri": "redirect_uri 应为本运行时自身地址下的完整网址（{origins}），不能带 # 片段",
    "state": "缺少 state，或 state 过长、含有不允许的字符",
    "code_challenge_method": "code_challenge_method 应为 S256",
    "code_challenge": "code_challenge 应为 43 个 base64url 字符（code_verifier 的 SHA-256 摘要）",
    "scope": "scope 应为 openid",
    "nonce": "nonce 过长或含有不允许的字符",
    "response_mode": "response_mode 只支持 query",
    "no_cadre": "请选择一个账号，或输入人员编号",
    "unknown_cadre": "花名册中没有人员编号为 {cadre_id} 的人员",
    "not_a_form": "请求体应为表单（application/x-www-form-urlencoded）",
}

_HTML_HEADERS = (
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    *APP_SECURITY_HEADERS,
)


_e = html.escape


def page(status: int, title: str, main: str) -> HttpResponse:
    document = (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{_e(title)}</title>\n"
        # No icon: without this line the browser asks for /favicon.ico, a 404 in its console.
        '<link rel="icon" href="data:,">\n'
        '<link rel="stylesheet" href="/_local/signin.css">\n</head>\n<body>\n'
        f'<p class="badge" role="note"><strong>{TEXT["demo_badge"]}</strong> {TEXT["demo_notice"]}</p>\n'
        f"<main>\n{main}</main>\n</body>\n</html>\n"
    )
    return HttpResponse(status, list(_HTML_HEADERS), document.encode("utf-8"))


def _hidden(parameters: Sequence[tuple[str, str]]) -> str:
    """The authorization request's parameters, carried on by the form."""
    return "".join(
        f'<input type="hidden" name="{_e(name)}" value="{_e(value)}">\n' for name, value in parameters
    )


def choice_html(parameters: Sequence[tuple[str, str]], accounts: Sequence[DemoAccount]) -> str:
    parts = [f"<h1>{TEXT['heading']}</h1>\n", f"<h2>{TEXT['choose']}</h2>\n"]
    if accounts:
        parts.append('<form method="post" action="/_local/authorize">\n' + _hidden(parameters))
        parts.append('<ul class="accounts">\n')
        for account in accounts:
            roles = " · ".join(account.roles)
            parts.append(
                f'<li><button type="submit" name="cadre_id" value="{_e(account.cadre_id)}">'
                f'<span class="name">{_e(account.name)}</span>'
                f'<span class="unit">{_e(account.unit)}</span>'
                f'<span class="roles">{_e(roles)}</span>'
                f'<span class="id">{_e(account.cadre_id)}</span></button></li>\n'
            )
        parts.append("</ul>\n</form>\n")
    else:
        parts.append(f"<p>{TEXT['no_accounts']}</p>\n")
    parts.append(
        '<form method="post" action="/_local/authorize" class="other">\n'
        + _hidden(parameters)
        + f'<label for="cadre-id">{TEXT["other"]}</label>\n'
        '<input id="cadre-id" name="cadre_id" required autocomplete="off" autocapitalize="off" '
        'spellcheck="false" maxlength="40" pattern="[A-Za-z0-9][A-Za-z0-9_\\-]{0,39}">\n'
        f'<button type="submit">{TEXT["sign_in"]}</button>\n</form>\n'
    )
    return "".join(parts)


def problems_html(problems: Sequence[str], back: str | None = None) -> str:
    items = "".join(f"<li>{_e(p)}</li>\n" for p in problems)
    out = f"<h1>{TEXT['bad_request_title']}</h1>\n<p>{TEXT['bad_request_lead']}</p>\n<ul>\n{items}</ul>\n"
    if back is not None:
        out += f'<p><a class="button" href="{_e(back)}">{TEXT["back_to_choice"]}</a></p>\n'
    else:
        out += f"<p>{TEXT['bad_request_next']}</p>\n"
    return out


def signed_out_html() -> str:
    return (
        f"<h1>{TEXT['signed_out_title']}</h1>\n<p>{TEXT['signed_out']}</p>\n"
        f'<p><a class="button" href="/app/">{TEXT["back_to_app"]}</a></p>\n'
    )


CSS = """\
body { margin: 0; font: 16px/1.6 "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  color: #1f2329; background: #f5f6f7; }
.badge { margin: 0; padding: 12px 16px; background: #fff3cd; color: #5c4400;
  border-bottom: 2px solid #c98a00; }
.badge strong { display: inline-block; margin-right: 8px; padding: 0 8px; border: 2px solid #5c4400; }
main { max-width: 560px; margin: 0 auto; padding: 16px; }
h1 { font-size: 24px; margin: 16px 0 4px; }
h2 { font-size: 18px; font-weight: normal; margin: 0 0 16px; }
ul.accounts { list-style: none; margin: 0; padding: 0; }
ul.accounts li { margin: 0 0 12px; }
button, .button { font: inherit; min-height: 44px; cursor: pointer; border-radius: 8px; }
ul.accounts button { display: grid; width: 100%; text-align: left; padding: 12px 16px; color: inherit;
  background: #fff; border: 1px solid #c9cdd4; grid-template-columns: 1fr auto; column-gap: 12px; }
ul.accounts button:hover, ul.accounts button:focus { border-color: #1456f0; outline: 2px solid #1456f0; }
.name { font-weight: bold; font-size: 18px; }
.unit { grid-column: 1; color: #3d4148; }
.roles { grid-column: 1; color: #1456f0; }
.id { grid-column: 2; grid-row: 1; color: #4e5561; font-family: monospace; }
form.other { margin-top: 24px; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
form.other label { flex-basis: 100%; }
form.other input { font: inherit; min-height: 44px; padding: 0 12px; border: 1px solid #8a9099;
  border-radius: 8px; }
form.other button, .button { padding: 0 20px; color: #fff; background: #1456f0; border: 0;
  display: inline-block; line-height: 44px; text-decoration: none; }
"""
