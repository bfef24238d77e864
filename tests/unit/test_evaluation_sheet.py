"""The quarterly evaluation sheet: layout, values and types, print setup, and no formula injection."""

import io

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from worklog.audit.evaluation import GRADE_LABELS, HEADERS, SIGNATURE, evaluation_workbook
from worklog.models.grades import Grade, SheetRow, on_time_rate, quarter_label

INJECTION = '=HYPERLINK("http://evil.example/x","点此查看")'

ROWS = [
    SheetRow(
        cadre_id="c03",
        name="王芳",
        title="科员",
        owed_days=3,
        on_time=2,
        late=1,
        missing=0,
        verdicts={"perfunctory": 1},
        grade=Grade.FAIR,
        comment=INJECTION,
    ),
    SheetRow(
        cadre_id="c01",
        name="张伟",
        title="局长",
        owed_days=13,
        on_time=12,
        late=1,
        missing=0,
        verdicts={"adequate": 3, "perfunctory": 1},
        findings={"verified": 2},
        cases={"reminder_talk": 1},
        grade=Grade.EXCELLENT,
        comment="记录详实，按时完成。",
    ),
    SheetRow(cadre_id="c04", name="赵敏", owed_days=0, on_time=0, late=0, missing=0),
    SheetRow(
        cadre_id="c02",
        name="李娜",
        title="副局长",
        owed_days=8,
        on_time=1,
        late=2,
        missing=5,
        verdicts={"suspected_falsification": 1},
        findings={"discrepancy": 1, "falsified": 1},
        cases={"reminder_talk": 1, "accountability": 2},
        grade=Grade.POOR,
        comment="-缺记较多，需整改",
    ),
]


@pytest.fixture(scope="module")
def sheet() -> Worksheet:
    content = evaluation_workbook(
        district="示范区",
        unit_name="发展改革局",
        quarter="2026-Q3",
        rows=ROWS,
        generated_at="2026-10-09 10:30",
    )
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["2026年第三季度"]
    return workbook["2026年第三季度"]


def table(ws: Worksheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in ws.iter_rows(min_row=4, max_row=7, max_col=13)]


def test_title_generated_at_and_header(sheet: Worksheet) -> None:
    assert sheet["A1"].value == "示范区发展改革局 2026年第三季度 干部工作日志考评表"
    assert sheet["A2"].value == "生成时间：2026-10-09 10:30"
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"A1:M1", "A2:M2"}
    assert [c.value for c in sheet[3]] == list(HEADERS)
    assert HEADERS[8] == "评阅结论（合格/敷衍应付/涉嫌造假）"
    assert HEADERS[9] == "抽查结果（属实/不符/造假）"
    assert HEADERS[10] == "案件（提醒谈话/问责）"


def test_rows_sorted_with_values_and_types(sheet: Worksheet) -> None:
    assert table(sheet) == [
        [1, "张伟", "局长", 13, 12, 1, 0, "92.3%", "3/1/0", "2/0/0", "1/0", "优秀", "记录详实，按时完成。"],
        [2, "李娜", "副局长", 8, 1, 2, 5, "12.5%", "0/0/1", "0/1/1", "1/2", "较差", "-缺记较多，需整改"],
        [3, "王芳", "科员", 3, 2, 1, 0, "66.7%", "0/1/0", "0/0/0", "0/0", "一般", INJECTION],
        [4, "赵敏", None, 0, 0, 0, 0, "—", "0/0/0", "0/0/0", "0/0", None, None],
    ]
    for row in sheet.iter_rows(min_row=4, max_row=7, max_col=7):
        assert all(type(cell.value) is int and cell.data_type == "n" for cell in (row[0], *row[3:7]))
    assert all(sheet.cell(row=r, column=8).data_type == "s" for r in range(4, 8))


def test_formula_looking_text_is_stored_as_text(sheet: Worksheet) -> None:
    comment = sheet["M6"]
    assert comment.value == INJECTION
    assert comment.data_type == "s"
    assert comment.quotePrefix
    assert sheet["M5"].data_type == "s" and sheet["M5"].quotePrefix  # a leading "-" too
    assert not sheet["M4"].quotePrefix


def test_formula_looking_names_and_title_are_text_too() -> None:
    row = SheetRow(cadre_id="x", name="@SUM(1)", title="+1", owed_days=1, on_time=1, late=0, missing=0)
    content = evaluation_workbook(
        district="=1+1", unit_name="局", quarter="2026-Q1", rows=[row], generated_at="=NOW()"
    )
    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    for ref, value in {"A1": "=1+1局 2026年第一季度 干部工作日志考评表", "A2": "生成时间：=NOW()"}.items():
        assert ws[ref].value == value and ws[ref].data_type == "s"
    for ref, value in {"B4": "@SUM(1)", "C4": "+1"}.items():
        assert ws[ref].value == value and ws[ref].data_type == "s" and ws[ref].quotePrefix


def test_print_setup_and_frozen_header(sheet: Worksheet) -> None:
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert int(sheet.page_setup.fitToWidth) == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.freeze_panes == "A4"
    assert sheet["M4"].alignment.wrap_text
    assert sheet["A4"].border.left.style == "thin" and sheet["M7"].border.bottom.style == "thin"
    assert sheet.column_dimensions["M"].width > sheet.column_dimensions["A"].width


def test_signature_line_under_the_table(sheet: Worksheet) -> None:
    assert sheet["A9"].value == SIGNATURE
    assert "审核人" in SIGNATURE and "日期" in SIGNATURE
    assert sheet.max_row == 9


def test_on_time_rate_rounds_half_up_in_integers() -> None:
    def rate(on_time: int, owed: int) -> str:
        return on_time_rate(
            SheetRow(cadre_id="c", name="某", owed_days=owed, on_time=on_time, late=0, missing=0)
        )

    assert rate(12, 13) == "92.3%"
    assert rate(2, 3) == "66.7%"
    assert rate(1, 8) == "12.5%"
    assert rate(1, 16) == "6.3%"  # 6.25 -> 6.3
    assert rate(0, 5) == "0.0%"
    assert rate(7, 7) == "100.0%"
    assert rate(0, 0) == "—"


def test_grade_labels() -> None:
    assert [GRADE_LABELS[g] for g in Grade] == ["优秀", "良好", "一般", "较差"]
    assert (
        SheetRow.model_validate(
            {
                "cadre_id": "c",
                "name": "某",
                "owed_days": 1,
                "on_time": 1,
                "late": 0,
                "missing": 0,
                "grade": "good",
            }
        ).grade
        is Grade.GOOD
    )


@pytest.mark.parametrize(
    ("quarter", "label"),
    [
        ("2026-Q1", "2026年第一季度"),
        ("2026-Q2", "2026年第二季度"),
        ("2026-Q3", "2026年第三季度"),
        ("2027-Q4", "2027年第四季度"),
    ],
)
def test_quarter_label(quarter: str, label: str) -> None:
    assert quarter_label(quarter) == label


@pytest.mark.parametrize("quarter", ["2026-Q5", "2026Q1", "2026-Q0", "2026-q1", "26-Q1", "2026-Q1 "])
def test_quarter_label_rejects_bad_quarters(quarter: str) -> None:
    with pytest.raises(ValueError):
        quarter_label(quarter)
    with pytest.raises(ValueError):
        evaluation_workbook(district="区", unit_name="局", quarter=quarter, rows=[], generated_at="")
