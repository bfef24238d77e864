"""Text the runtime itself shows (local only; the handlers' messages live in worklog.messages),
and its error answers."""

from __future__ import annotations

from infra.local.events import HttpResponse, error_response

TEXT = {
    "not_found": "未找到该接口",
    "starting": "本地运行时正在启动，请稍候",
    "stopping": "本地运行时正在停止",
    "invalid_json": "请求体不是合法的 JSON",
    "validation_error": "请求内容校验失败",
    "unknown_cadre": "花名册中没有该人员",
    "unknown_function": "没有这个定时函数",
    "bad_date": "日期格式应为 YYYY-MM-DD",
    "bad_now": "时间应为带时区偏移的 ISO 8601 时间戳（如 2024-05-06T09:00:00+08:00），或 null",
    "unknown_role": "没有这个角色",
    "payload_too_large": "请求体超过函数 URL 的 6 MB 上限",
    "function_error": "函数执行出错（详见运行时日志）",
    "method_not_allowed": "该接口不支持此方法",
    "page_not_found": "页面不存在",
    "internal_error": "本地运行时内部错误",
    "demo_loading": (
        "演示数据的历史记录正在后台加载，加载完成前不能手动运行定时函数"
        "（/_local/health 中 demo 为 ready 即可）"
    ),
}


def not_found() -> HttpResponse:
    return error_response(404, "not_found", TEXT["not_found"])


def not_allowed() -> HttpResponse:
    return error_response(405, "method_not_allowed", TEXT["method_not_allowed"])


def too_large() -> HttpResponse:
    return error_response(413, "payload_too_large", TEXT["payload_too_large"])


def invalid(message: str, loc: list[str], msg: str) -> HttpResponse:
    """422 validation_error with one detail."""
    return error_response(422, "validation_error", message, details=[{"loc": loc, "msg": msg}])
