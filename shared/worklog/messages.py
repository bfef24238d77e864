"""User-facing text (Simplified Chinese), kept in one place so it can be reviewed as a whole."""

MSG: dict[str, str] = {
    # generic errors
    "invalid_json": "请求体不是合法的 JSON",
    "unsupported_media_type": "不支持该请求体类型：本接口只接受 {accepted}（UTF-8 编码）",
    "validation_error": "请求内容校验失败",
    "payload_too_large": "请求体超过 {limit} 字节的上限",
    "not_found": "未找到该接口",
    "internal_error": "服务器内部错误，请稍后重试",
    # authentication / authorization
    "missing_token": "缺少身份令牌（Authorization: Bearer …）",
    "invalid_token": "身份令牌无效",
    "token_expired": "身份令牌已过期，请重新登录",
    "unknown_subject": "令牌对应的人员不在干部花名册中",
    "auth_unavailable": "暂时无法验证身份令牌，请稍后重试",
    "inactive_cadre": "该人员已不在岗，不能使用本系统",
    "forbidden_role": "当前角色无权执行此操作",
    # periods
    "bad_month": "月份格式应为 YYYY-MM",
    "bad_half": "半年度格式应为 YYYY-H1 或 YYYY-H2",
    "future_entry": "不能填写未来日期的工作日志",
    "future_plan": "该月份的工作谋划尚未开放填写",
    "future_summary": "该半年度总结尚未开放填写",
    "period_locked": "{label}已超过补记和修订期限（截至{last}），不能再修改",
    # journal
    "reason_required": "修订已保存的内容必须填写修订原因",
    "entry_not_found": "该日期没有工作日志",
    "plan_not_found": "该月份没有工作谋划",
    "summary_not_found": "该半年度没有工作总结",
    "unknown_plan_item": "引用的月度谋划事项不存在：{ids}",
    "duplicate_plan_item": "月度谋划事项编号重复：{ids}",
    "range_too_wide": "查询区间最多 {days} 天",
    "range_reversed": "起始日期不能晚于结束日期",
    "concurrent_update": "该内容刚被另一次保存更新，请刷新后填写修订原因再保存",
    "busy": "保存冲突过多，请稍后重试",
    "leave_reversed": "请假结束日期不能早于开始日期",
    "leave_too_long": "单次请假最多 {days} 天",
    "leave_too_far": "只能登记一年以内的请假",
    "leave_locked": "请假开始日期已超过补登期限（最早可从{first}起登记）",
    "leave_overlap": "与已登记的请假（{span}）重叠",
    "idempotency_mismatch": "同一个 Idempotency-Key 不能用于内容不同的请求",
    "idempotency_in_progress": "相同 Idempotency-Key 的请求正在处理中，请稍后重试",
    # public feedback on vetting notices
    "feedback_sender_limit": "您所在的网络提交反映过于频繁：每{minutes}分钟最多{allowed}条，请于{at}后再试",
    "feedback_notice_window_limit": (
        "该公示近期收到的反映较多（每{minutes}分钟最多受理{allowed}条），请于{at}后再试"
    ),
    "feedback_notice_day_limit": "该公示今日受理的反映已达上限（{allowed}条），请明日再试",
    "feedback_busy": "同时提交的反映较多，请稍后再试",
    "feedback_unavailable": "暂时无法受理反映，请稍后再试",
    # admin
    "bad_year": "年份超出范围",
    "schedule_wrong_year": "日期不属于 {year} 年：{dates}",
    "calendar_schedule_loaded": "此前已载入过官方安排",
    "calendar_days_passed": "该年度已有日期到来，提醒、点评和期限已按其工作日计算",
    "calendar_days_change": "替换将改变以下日期的工作日状态：{days}",
    "calendar_more_days": " 等，共 {n} 天",
    "calendar_no_day_changes": "替换不改变任何日期的工作日状态",
    "calendar_confirm": (
        "{year} 年的工作日安排已在使用（{why}）。{what}。"
        "如确需替换，请确认后重新提交（接口加 ?confirm=true，命令行加 --confirm），替换将留档备查"
    ),
    "calendar_changed_meanwhile": "{year} 年的工作日安排刚被他人修改，请刷新后重新确认",
    "unknown_cadre": "花名册中没有该人员",
    "unknown_unit": "没有该单位",
    "bad_import_format": "不支持的花名册格式",
    "bad_base64": "XLSX 内容必须是 base64 编码",
    "bad_cursor": "分页游标无效，请使用上一页返回的 next_cursor",
}
