"""User-facing text (Simplified Chinese), kept in one place so it can be reviewed as a whole.

``MSG`` holds the text shared across the package (generic errors, periods, the journal, feedback
limits, administration); each area that words its own refusals and reasons has its own dict below
(``REVIEWS``, ``LADDER``, ``ROSTER_IMPORT`` …), which its module names ``TEXT`` (or ``MESSAGES``).
Labels of codes (verdicts, grades, states, kinds) are not here but in ``worklog.labels``. This
module imports nothing, so any module may use it.
"""

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
    "feedback_not_readable": "请求体必须是 JSON 对象或表单",
    "feedback_not_object": "请求体必须是 JSON 对象",
    "feedback_invalid": "反映内容不符合要求（必填，不超过2000字，不得含控制字符或不可见字符）",
    "feedback_received": "已收到您的反映，组织部门将依规核查处理。",
    "feedback_received_title": "已收到您的反映",
    "feedback_failed_title": "未能提交",
    "feedback_failed": "请求有误",
    # cases and audits
    "case_changed_meanwhile": "该案件刚被他人更新，请刷新后重试",
    "round_not_found": "没有这一轮抽查",
    # admin
    "bad_year": "年份超出范围",
    "schedule_wrong_year": "日期不属于 {year} 年：{dates}",
    "calendar_schedule_loaded": "此前已载入过官方安排",
    "calendar_days_passed": "该年度已有日期到来，提醒、点评和期限已按其工作日计算",
    "calendar_days_change": "替换将改变以下日期的工作日状态：{days}",
    "calendar_more_days": " 等，共 {n} 天",
    "calendar_no_day_changes": "替换不改变任何日期的工作日状态",
    "calendar_provisional": "该年度尚无官方节假日安排，暂按周一至周五计算；据此提醒但不升级问责",
    "calendar_confirm": (
        "{year} 年的工作日安排已在使用（{why}）。{what}。"
        "如确需替换，请确认后重新提交（接口加 ?confirm=true，命令行加 --confirm），替换将留档备查"
    ),
    "calendar_not_loaded": (
        "{years} 年的法定节假日安排尚未载入，暂按周一至周五计算工作日：据此发出的缺填提醒不会升级问责；"
        "载入后，落在节假日上的缺填记录自动撤销"
    ),
    "calendar_next_year_warning": (
        "{year} 年的法定节假日安排尚未载入：请在年底前按国务院办公厅通知载入（PUT /admin/calendar/{year}）"
    ),
    "calendar_changed_meanwhile": "{year} 年的工作日安排刚被他人修改，请刷新后重新确认",
    "unknown_cadre": "花名册中没有该人员",
    "unknown_unit": "没有该单位",
    "bad_import_format": "不支持的花名册格式",
    "bad_base64": "XLSX 内容必须是 base64 编码",
    "bad_cursor": "分页游标无效，请使用上一页返回的 next_cursor",
}

# who may read whom (worklog.access)
ACCESS: dict[str, str] = {
    "read_forbidden": "无权查阅该干部的工作日志",
    "outside_review_weeks": "审阅人只能查阅分配给您审阅的周：{weeks}",
    "week_span": "{first}至{last}",
    "list_separator": "、",
    "inspect_through_audit": "抽查人员只能通过本人的抽查任务查阅被抽中日期的日志",
    "vetting_or_audit": "组织部只能在任前公示期内查阅公示对象的日志，抽查请通过本人的抽查任务查阅",
    "evaluators_read_figures": "考核评价依据季度考评表中的统计数据，不查阅日志原文",
    "not_your_review": "该审阅任务不是分配给您的",
    "not_assigned": "这名干部不在您的抽查任务中",
    # nobody acts on themselves
    "self_review": "不能审阅本人的工作日志",
    "self_inspection": "不能核查本人的工作日志",
    "self_evaluation": "不能评定本人的季度考核等次",
    "self_notice": "不能为本人发布任前公示",
    "self_feedback": "不能查看或答复针对本人任前公示的反映",
}

# log export as XLSX (worklog.compliance.export)
EXPORT: dict[str, str] = {
    "unknown_unit": "没有这个单位",
    "export_forbidden": (
        "您无权导出该单位干部的工作日志：单位负责人可导出本单位在岗干部的日志，"
        "区领导可导出单位负责人的日志；本人的日志请在“导出”中选择“我的日志”"
    ),
    "future_month": "{month}还没有开始，不能导出",
    "unit_title": "{district}{unit} {month} 干部工作日志",
    "own_title": "{name} {month} 工作日志",
    "generated": "生成时间：{at}　导出人：{who}",
    "month": "{year}年{month}月",
    "unit_file": "工作日志-{unit}-{month}.xlsx",
    "own_file": "工作日志-{name}-{month}.xlsx",
}

# weekly review assignment (worklog.compliance.assignment)
ASSIGNMENT: dict[str, str] = {
    "no_leader": "{name}（{cadre_id}）：本单位没有在岗负责人可审阅，也没有在岗的区领导，"
    "{week_start}至{week_end}的工作日志无人审阅",
    "only_self": "{name}（{cadre_id}）：除本人外没有其他在岗的区领导，"
    "{week_start}至{week_end}的工作日志无人审阅",
}

# weekly reviews (worklog.compliance.reviews)
REVIEWS: dict[str, str] = {
    "review_not_found": "没有该审阅任务",
    "already_reviewed": "该周日志已于 {at} 提交审阅结论（{verdict}），结论只能提交一次",
    "unknown_cadre": "花名册中没有该人员",
    "reviewer_role_lost": "您已不再担任审阅该干部所需的职务（所在单位主要负责人或区领导），不能提交审阅结论",
}

# What the reviewer reads (Simplified Chinese). Hints, in a neutral tone: a signal is a reason to
# look closer, not a finding.
SIGNALS: dict[str, str] = {
    "near_duplicate_days": "{day}与{other_day}的日志内容高度相似（相似度 {score}）",
    "near_duplicate_colleagues": (
        "{day}的日志与同单位 {other} {other_day}的日志内容高度相似（相似度 {score}）"
    ),
    "same_day": "同日",
    "near_empty_short": "{day}的日志内容较少（有效字数 {chars}，参考下限 {limit}）",
    "near_empty_stock": "{day}的日志仅有常用语（{phrases}），可关注具体工作内容",
    "bulk_backfill": "{days}共 {count} 天的日志于 {start}至{end} 集中首次保存，其中 {late} 天为补记",
    "day": "{month}月{day}日",
    "list_separator": "、",
    "quoted": "“{text}”",
}

# unit figures (worklog.compliance.figures)
FIGURES: dict[str, str] = {
    "district_only": "只有组织部和区领导可以查看全区各单位的概况；单位负责人请查看本单位的概况",
    "own_unit_only": "单位负责人只能查看本单位的概况",
    "figures_forbidden": "单位概况供单位负责人、组织部和区领导查看",
    "unknown_unit": "没有这个单位",
    "not_closed": "{month}尚未锁定（每天的日志可补记{days}天），暂不统计；已锁定的最近月份是{latest}",
    "range_reversed": "起始月份不能晚于结束月份",
    "range_too_wide": "一次最多查看{months}个月",
    "month_spoken": "{year}年{month}月",
}

# the escalation ladder's reasons and refusals (worklog.compliance.ladder)
LADDER: dict[str, str] = {
    "talk_for_misses": "近{window}个工作日内{count}次未按时填写（{days}）",
    "talk_for_perfunctory": "{quarter}审阅结论为“{verdict}”{count}次（{days}）",
    "talk_for_overdue_reviews": "{quarter}有{count}周的审阅逾期未完成（{weeks}所在周）",
    "accountability_for_misses": "提醒谈话（{talk_day}）后{window}个工作日内又{count}次未按时填写（{days}）",
    "accountability_for_falsification": "审阅结论为“{verdict}”或随机抽查结果为“{finding}”",
    "invalid_transition": "案件 {case_id} 当前状态为“{state}”，不能{action}",
    "talk_only_for_reminder": "只有提醒谈话案件可以记录谈话（案件 {case_id} 是{kind}）",
    "escalate_only_reminder": "只有提醒谈话案件可以升级（案件 {case_id} 是{kind}）",
    "reason_required": "{action}必须填写原因",
    "talk_content_required": "必须填写谈话内容",
    "talk_date_before_opening": "谈话日期不能早于立案日期（{opened_on}）",
    "talk_date_in_future": "谈话日期不能晚于今天",
    "note_opened": "立案",
    "note_talk_recorded": "已进行提醒谈话",
    "note_evidence_added": "补充证据",
}

# what is done to a case, as refusals word it
CASE_ACTIONS: dict[str, str] = {
    "talk_recorded": "记录提醒谈话",
    "escalated": "升级",
    "closed": "办结",
    "evidence_added": "补充证据",
}

# cases (worklog.compliance.cases)
CASES: dict[str, str] = {
    "case_not_found": "没有该案件：{case_id}",
    "case_forbidden": "无权查看该案件",
    "own_case": "案件当事人只能查看关于本人的案件，不能办理",
    "escalated_from": "由{kind}案件 {case_id} 升级：{reason}",
}

# roster import (worklog.roster.importer)
ROSTER_IMPORT: dict[str, str] = {
    "unreadable": "无法读取上传的 {fmt} 文件，请确认文件格式与内容是否一致",
    "unknown_format": "不支持的文件格式：{fmt}（仅支持 JSON、CSV、XLSX）",
    "empty": "上传的文件为空：没有表头，也没有数据",
    "json_shape": 'JSON 文件应为由行对象组成的数组，或形如 {"rows": [...]} 的对象',
    "json_row": "JSON 第 {row} 条记录不是对象",
    "missing_columns": "文件缺少必需的列：{columns}",
    "required": "缺少{label}",
    "bad_id": "{label}格式不正确（应为 1–40 位字母、数字、下划线或连字符，并以字母或数字开头）",
    "too_long": "{label}过长（最多 {max} 个字符）",
    "not_text": "{label}应为文本",
    "bad_date": "{label}格式不正确（应为 YYYY-MM-DD）",
    "unknown_role": "未知角色：{role}",
    "left_before_joined": "离任日期早于任职日期",
    "bad_mobile": "{label}应为11位大陆手机号（如 13800138000）",
    "mobile_scientific": (
        "{label}被显示为科学计数法（{shown}），可能已丢失位数：请将该列设为文本格式，填写完整号码后重新导出"
    ),
    "bad_email": "{label}格式不正确（应形如 name@example.gov.cn）",
    "bad_messenger_id": "{label}格式不正确（应为 1–64 位字母、数字或 _ . @ - 符号）",
    "bad_channel": "未知的首选渠道：{value}（可填短信、邮件、企业微信、钉钉，留空为全区默认方式）",
    "channel_unreachable": "首选渠道为{channel}，但本行没有填写{need}",
    "duplicate_cadre": "工号 {cadre_id} 与第 {first} 行重复",
    "duplicate_head": "单位 {unit_id} 的一把手已由第 {first} 行指定，同一单位只能有一名一把手",
    "unit_name_conflict": "单位 {unit_id} 的名称与第 {first} 行不一致",
    "unit_category_conflict": "单位 {unit_id} 的类别与第 {first} 行不一致",
    "unknown_unit": "单位编码 {unit_id} 不存在，文件中也没有可导入的行给出该单位的名称",
    "invalid_value": "{label}不符合要求",
    "own_change": "不能修改本人的角色、所在单位或离任日期，请由其他管理员导入本行",
    "own_head_taken": "本行将取消您本人单位 {unit_id} 一把手的身份，请由其他管理员导入本行",
    "changed_meanwhile": "导入期间该干部（或被替换的原一把手）的名册记录已被他人修改，"
    "本行未写入，请核对后重新导入",
    "forbidden_char": (
        "{label}含有不允许的字符 {code}（第 {position} 个字符）："
        "控制字符、双向文字控制符和零宽等不可见字符一律不接受"
    ),
    # who a row is, and its unit by name (a 花名册 without staff numbers or unit codes); these
    # messages never repeat the ID-card number itself
    "no_identity": "缺少工号（或干部编号、人员编号）和身份证号码，无法确定是哪位干部",
    "no_unit": "缺少单位：请填写单位编码或单位名称（工作单位）",
    "unknown_unit_name": "没有名为“{name}”的单位：请核对单位名称，或填写单位编码",
    "ambiguous_unit_name": "有 {count} 个单位名为“{name}”（单位编码 {unit_ids}）：请填写单位编码以区分",
    "id_card_number_cell": "身份证号码被存为数字，后几位已丢失：请将该列设为文本格式，填写完整号码后重新导出",
    "id_card_scientific": (
        "身份证号码被显示为科学计数法，可能已丢失位数：请将该列设为文本格式，填写完整号码后重新导出"
    ),
    "id_card_old": "身份证号码是15位的旧号码：请填写18位居民身份证号码",
    "id_card_form": "身份证号码格式不正确（应为18位：17位数字加1位数字或X）",
    "id_card_region": "身份证号码的前两位不是有效的省级行政区划代码",
    "id_card_birth": "身份证号码中的出生日期不存在",
    "id_card_check": "身份证号码的校验位不符，请核对是否有错填、漏填或颠倒的数字",
    "duplicate_id_card": "身份证号码与第 {first} 行相同",
    "id_card_elsewhere": "该身份证号码已登记在干部 {owner} 名下，与本行的工号 {cadre_id} 不符",
    "id_card_differs": "工号 {cadre_id} 已登记了另一个身份证号码，与本行不符：为免把两人当成一人，本行不导入",
    "generated_id_taken": "按身份证号码生成的干部编号 {cadre_id} 已被另一名干部使用，请为本行填写工号",
    "id_card_key_missing": "系统尚未配置身份证号码的密钥，暂时无法导入含身份证号码的花名册，请联系运维人员",
}

# vetting notices (worklog.vetting)
NOTICES: dict[str, str] = {
    "start_in_past": "公示开始日期不能早于今天",
    "notice_too_short": "公示期不少于{min_days}个工作日（{start}至{end}只有{days}个），最早结束于{shortest}",
    "notice_too_long": "公示期过长（超过{max_days}天）",
    "unknown_cadre": "没有这名在职干部",
    "publish_forbidden": "只有组织部或管理员可以发布公示",
    "no_notice": "没有这项公示",
    "not_open": "该公示不在公示期内，不受理反映",
    "feedback_forbidden": "只有组织部或管理员可以查看反映",
    "no_feedback": "没有这条反映",
    "answer_concurrent": "这条反映刚被他人答复，请刷新后重试",
}

# audit rounds and quarterly evaluations (worklog.audit)
AUDIT: dict[str, str] = {
    "quarter_not_ended": "这个季度还没有结束",
    "unknown_unit": "没有这个单位",
    "future_quarter": "这个季度还没有开始",
    "quarter_draw_forbidden": "只有组织部或纪委监委可以抽取季度抽查",
    "already_drawn": "{round_id} 已经抽取过，不能再次抽取",
    "spot_forbidden": "只有组织部可以发起随机抽查",
    "round_concurrent": "同时发起了另一轮抽查，请重试",
    "sample_forbidden": "只有组织部或纪委监委可以查看抽查样本",
    "no_round": "没有这一轮抽查",
    "not_drawn": "{round_id} 尚未抽取，还没有样本",
    "no_longer_inspector": "您已不再担任纪检监察检查人员，不能记录核查结果",
    "not_in_sample": "这一天的日志不在您的抽查样本中",
    "already_recorded": "您已记录过这篇日志的核查结果",
    "evaluate_forbidden": "只有组织部或人社局考核人员可以评定等次",
    "evaluators_only": "只有组织部或人社局考核人员可以{act}",
    "no_cadre": "没有这名干部",
}

# the in-app inbox and a person's channel preferences (worklog.notify.inbox)
INBOX: dict[str, str] = {
    "nothing_to_mark": "请指明要标为已读的消息（ids），或选择全部已读（all）",
    "bad_cursor": "分页游标无效，请从第一页重新查看消息",
}

# a case's dossier: how each cited piece of evidence is summed up (worklog.audit.dossier)
DOSSIER: dict[str, str] = {
    "unknown_key": "无法识别的证据编号",
    "miss_gone": "缺记记录已不存在",
    "miss": "{kind} {period} 未按时填写{late}",
    "miss_late": "，已于 {day} 补记",
    "review_gone": "评阅记录已不存在",
    "review": "{first}—{last} 周评阅：{verdict}（评阅人 {reviewer}）",
    "not_reviewed": "未评阅",
    "finding_gone": "核查记录已不存在",
    "finding": "{round_id} 抽查 {day} 日志：{result}（{note}）",
    "case_gone": "案件已不存在",
    "case": "{case_id}（{state}）{reason}{said}",
    "talk": "；谈话：{said}；本人表态：{response}",
}

# what the notifier tells people (worklog.notify): notice titles, the digest's words. Titles never
# name another cadre or a case's reason: a robot's message is read by the whole group.
NOTIFY: dict[str, str] = {
    "entry_missing_entry": "填写{period}的工作日志",
    "entry_missing_plan": "提交{period}的月度计划",
    "entry_missing_summary": "提交{period}的半年总结",
    "review_assigned": "审阅{week_start}至{week_end}的周工作日志（{count}人）",
    "review_overdue": "{week_start}这一周的审阅已逾期（{count}人未审阅）",
    "month": "{year}年{month}月",
    "half": "{year}年{half}",
    "H1": "上半年",
    "H2": "下半年",
    "talk_opened": "有一件提醒谈话案件待您处理",
    "accountability_subject": "有一件关于您的问责案件已立案，请登录查看",
    "accountability_holder": "有一件问责案件待您处理",
    "audit_assigned": "{quarter} 抽查：{count} 名干部的日志待您核查",
    # a provisional miss withdrawn once the year's schedule made its day a holiday: nothing to do
    "entry_withdrawn": "{period}已确定为节假日，该日工作日志无需填写，此前的提醒已撤销",
    "calendar_not_loaded": "{year}年法定节假日安排尚未载入，请按国务院办公厅通知及时载入",
    "for_information": "请知悉：",
    # a line's last day, in the app's words (截止日期, 最迟可于 ... 前)
    "due": "（请于 {due} 前完成）",
    "overdue": "（已过截止日期 {due}，最迟可于 {last_day} 前补交）",
    "last_day": "（最迟可于 {last_day} 前完成）",
    "past_due": "（已过截止日期 {due}）",
    "owed": "您需要完成的事项：",
    "waiting": "等待您处理的事项：",
    "greeting": "{name}，您好：",
    "act": "请登录干部工作日志办理：{link}",
    "title_morning": "{day} 工作提醒：{count} 项待办",
    "title_morning_info": "{day} 工作提醒：{count} 条通知，无需办理",
    "sms_info": "{name}您好，{day}通知您：{items}。详情请登录{link}查看。",
    "title_urgent": "重要提醒：{title}",
    "subject": "干部工作日志 · {title}",
    "sms_full": "{name}您好，{day}您有{count}项待办：{items}。请登录{link}办理。",
    # the short form, when the full list would take more than two segments
    "sms_short": (
        "{day}您有{count}项待办（待完成{owed}项，待处理{waiting}项），最早{first}截止，请登录{link}办理。"
    ),
    "sms_short_no_day": "{day}您有{count}项待办（待完成{owed}项，待处理{waiting}项），请登录{link}办理。",
    "sms_urgent": "{name}您好，{title}。请登录{link}查看。",
    "date": "{month}月{day}日",
    "rest_day": "{day} 不是工作日，不发送晨间提醒",
}

# The archive's restore (worklog.archive.restore), worded for the administrator at the command line.
ARCHIVE: dict[str, str] = {
    "table_not_empty": "表 {table} 不是空表：恢复只写入新建的空表，不覆盖任何已有数据",
    "unknown_table": "无法恢复到 {table}：只能恢复 journal（日志）表和 compliance（督办）表",
}
