"""The State Council's 2026 holiday arrangement (国办发明电〔2025〕号 notice), as published.

Test data, written down from the notice and independent of the chinese-calendar package.
"""

from datetime import date

HOLIDAYS_2026 = [
    # 元旦 1月1日至3日
    date(2026, 1, 1),
    date(2026, 1, 2),
    date(2026, 1, 3),
    # 春节 2月15日至23日
    *[date(2026, 2, d) for d in range(15, 24)],
    # 清明节 4月4日至6日
    date(2026, 4, 4),
    date(2026, 4, 5),
    date(2026, 4, 6),
    # 劳动节 5月1日至5日
    *[date(2026, 5, d) for d in range(1, 6)],
    # 端午节 6月19日至21日
    date(2026, 6, 19),
    date(2026, 6, 20),
    date(2026, 6, 21),
    # 中秋节 9月25日至27日
    date(2026, 9, 25),
    date(2026, 9, 26),
    date(2026, 9, 27),
    # 国庆节 10月1日至7日
    *[date(2026, 10, d) for d in range(1, 8)],
]
# 调休上班
MAKEUP_WORKDAYS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


def officially_working(d: date) -> bool:
    if d in MAKEUP_WORKDAYS_2026:
        return True
    if d in HOLIDAYS_2026:
        return False
    return d.weekday() < 5
