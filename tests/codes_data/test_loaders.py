"""Readers for the CMS HCPCS annual file (fixed-width text, CSV, ZIP) and for a licensed CPT file."""

import importlib.util
import zipfile
from datetime import date

import pytest

from core.codes.loaders import load_cms_hcpcs, load_cpt_file

TODAY = date(2025, 6, 1)


def record(code, seq, recid, long, short="", term=""):
    """One line in the CMS fixed-width layout (1-based: code 1-5, seq 6-10, recid 11, long 12-91,
    short 92-119, termination date 273-280), padded like the real 320-character records."""
    line = f"{code:<5}{seq:<5}{recid}{long:<80}{short:<28}"
    line = line.ljust(272) + f"{term:<8}"
    return line.ljust(320)


FIXED_WIDTH_LINES = [
    record(
        "J2405", "00100", "3", "Injection, ondansetron hydrochloride, per 1 mg", "Ondansetron hcl injection"
    ),
    record(
        "G0503",
        "00100",
        "3",
        "Subsequent psychiatric collaborative care management, first 60 minutes in a",
        "Subseq psych care man,60mi",
    ),
    record("G0503", "00200", "4", "subsequent month of behavioral health care manager activities"),
    record(
        "G0202", "00100", "3", "Screening mammography, bilateral", "Scr mammo bi incl cad", term="20161231"
    ),
    record("Q2037", "00100", "3", "Influenza virus vaccine (fluvirin)", "Fluvirin vacc", term="20251231"),
    record(
        "25",
        "00100",
        "7",
        "Significant, separately identifiable evaluation and management service",
        "Sig sep e/m",
    ),
    record("25", "00200", "8", "by the same physician on the same day of the procedure"),
    "",
]


def write_txt(tmp_path, lines=FIXED_WIDTH_LINES, name="HCPC2025_JAN_ANWEB.txt"):
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode("latin-1"))
    return path


def by_code(entries):
    return {entry["code"]: entry for entry in entries}


def test_fixed_width_file_joins_continuations_and_drops_modifiers_and_terminated_codes(tmp_path):
    entries = by_code(load_cms_hcpcs(write_txt(tmp_path), today=TODAY))
    assert sorted(entries) == ["G0503", "J2405", "Q2037"]
    assert entries["G0503"]["description"] == (
        "Subsequent psychiatric collaborative care management, first 60 minutes in a "
        "subsequent month of behavioral health care manager activities"
    )
    assert entries["J2405"]["short_description"] == "Ondansetron hcl injection"
    assert entries["J2405"]["category"].startswith("Drugs administered")


def test_termination_is_judged_against_today(tmp_path):
    assert "Q2037" not in by_code(load_cms_hcpcs(write_txt(tmp_path), today=date(2026, 1, 1)))
    assert "G0202" in by_code(load_cms_hcpcs(write_txt(tmp_path), today=date(2016, 6, 1)))


def test_zip_prefers_the_data_text_over_layout_docs(tmp_path):
    archive = tmp_path / "2025-alpha-numeric-hcpcs-file.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("HCPC2025_recordlayout.txt", "HCPC 1-5 SEQNUM 6-10 RECID 11 ...")
        zf.writestr("proc_notes_JAN2025.txt", "notes")
        zf.writestr("HCPC2025_JAN_ANWEB.xlsx", b"not really a spreadsheet")
        zf.writestr("HCPC2025_JAN_ANWEB.txt", "\n".join(FIXED_WIDTH_LINES))
    assert sorted(by_code(load_cms_hcpcs(archive, today=TODAY))) == ["G0503", "J2405", "Q2037"]


CSV_EXPORT = (
    "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,PRICE1,ADD DT,ACT EFF DT,TERM DT,ACTION CD\n"
    'J3420,00100,3,"Injection, vitamin B-12 cyanocobalamin, up to 1000 mcg",Vitamin b12 injection,51,19840101,,,N\n'
    "G0503,00100,3,Subsequent psychiatric collaborative care management first 60 minutes,Subseq psych,,,,,N\n"
    "G0503,00200,4,of behavioral health care manager activities,,,,,,\n"
    "G0202,00100,3,Screening mammography,Scr mammo,,,,20161231,D\n"
    "AA,00100,7,Anesthesia services performed personally by anesthesiologist,Anesthesia perf,,,,,N\n"
)


def test_csv_export_in_a_zip(tmp_path):
    archive = tmp_path / "hcpcs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("HCPC2025_JAN_ANWEB.csv", CSV_EXPORT)
    entries = by_code(load_cms_hcpcs(archive, today=TODAY))
    assert sorted(entries) == ["G0503", "J3420"]
    assert entries["J3420"]["description"] == "Injection, vitamin B-12 cyanocobalamin, up to 1000 mcg"
    assert entries["G0503"]["description"].endswith(
        "first 60 minutes of behavioral health care manager activities"
    )


def test_csv_without_recid_treats_a_repeated_code_as_continuation(tmp_path):
    path = tmp_path / "hcpcs.csv"
    path.write_text(
        "hcpcs code;long_description;termination date\n".replace(";", ",")
        + "E0601,Continuous positive airway pressure,\n"
        + "E0601,(CPAP) device,\n"
        + "A4253,Blood glucose test strips,2015-01-01 00:00:00\n"
        + "25,A modifier without record id,\n",
        encoding="utf-8",
    )
    entries = by_code(load_cms_hcpcs(path, today=TODAY))
    assert entries == {
        "E0601": {
            "code": "E0601",
            "description": "Continuous positive airway pressure (CPAP) device",
            "short_description": "",
            "category": "Durable medical equipment",
        }
    }


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([record("J2405", "00100", "5", "Injection")], r"line 1: record id '5' is not 3, 4, 7 or 8"),
        (
            ["", record("12345", "00100", "3", "Not a HCPCS code")],
            r"line 2: '12345' is not a HCPCS Level II code",
        ),
        (
            [record("G0503", "00200", "4", "orphan continuation")],
            r"line 1: continuation of G0503 before its first",
        ),
        ([record("J2405", "00100", "3", "Injection", term="2025-13")], r"line 1: termination date '2025-13'"),
        (
            [record("J2405", "00100", "3", "Injection", term="20251341")],
            r"line 1: termination date .* not a valid date",
        ),
        (["J2405 short"], r"line 1 is 11 characters"),
        ([record("J2405", "00100", "3", "Injection", term="20000101")], r"no active HCPCS codes found"),
    ],
)
def test_bad_hcpcs_files_give_line_numbered_errors(tmp_path, lines, message):
    with pytest.raises(ValueError, match=message):
        load_cms_hcpcs(write_txt(tmp_path, lines), today=TODAY)


def test_hcpcs_container_problems(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="HCPCS file not found"):
        load_cms_hcpcs(tmp_path / "missing.zip")
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("HCPC2025_recordlayout.txt", "layout only")
        zf.writestr("readme.pdf", "")
    with pytest.raises(ValueError, match=r"no HCPCS data file \(.txt, .csv or .xlsx\) in the ZIP"):
        load_cms_hcpcs(archive)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "openpyxl" else real_find_spec(name, *a)
    )
    sheet = tmp_path / "HCPC2025_JAN_ANWEB.xlsx"
    sheet.write_bytes(b"PK")
    with pytest.raises(ValueError, match="needs the openpyxl package"):
        load_cms_hcpcs(sheet)
    table = tmp_path / "wrong.csv"
    table.write_text("code,price\nJ2405,1.00\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no long column"):
        load_cms_hcpcs(table)


# ---------------------------------------------------------------- licensed CPT file


def test_cpt_csv_with_header_names_and_quoted_commas(tmp_path):
    path = tmp_path / "cpt.csv"
    path.write_text(
        '"CPT Code","Long Descriptor","Short Descriptor"\n'
        '99214,"Office visit, established patient, moderate MDM","OFFICE O/P EST MOD"\n'
        "\n"
        "0042T,Category III example,CAT III\n"
        "1036F,Category II example,CAT II\n",
        encoding="utf-8",
    )
    entries = load_cpt_file(path)
    assert entries == [
        {"code": "99214", "description": "Office visit, established patient, moderate MDM"},
        {"code": "0042T", "description": "Category III example"},
        {"code": "1036F", "description": "Category II example"},
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cpt.tsv", "cpt_code\tdescription\n99213\tOffice visit low\n36415\tVenipuncture\n"),
        ("LONGULT.txt", "99213\tOffice visit low\n36415\tVenipuncture\n"),
        ("pipe.txt", "99213|Office visit low\n36415|Venipuncture\n"),
        ("SHORTU.txt", "99213 Office visit low\n36415   Venipuncture\n"),
        ("commas.txt", "99213,Office visit low\n36415,Venipuncture\n"),
        ("piped_header.txt", "CODE|SHORT DESCRIPTION\n99213|Office visit low\n36415|Venipuncture\n"),
    ],
)
def test_cpt_text_layouts(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert [(e["code"], e["description"]) for e in load_cpt_file(path)] == [
        ("99213", "Office visit low"),
        ("36415", "Venipuncture"),
    ]


def test_headerless_space_separated_descriptors_may_contain_commas(tmp_path):
    path = tmp_path / "MEDU.txt"
    path.write_text(
        "99214 Office visit, established, moderate\n0042T Category III, example\n", encoding="utf-8"
    )
    assert [e["description"] for e in load_cpt_file(path)] == [
        "Office visit, established, moderate",
        "Category III, example",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "99213\tOffice visit\n9921\tToo short\n99214\tOK\n",
            r"1 bad line\(s\): line 2: '9921' is not a CPT code",
        ),
        ("code,description\n99213,ok\nJ2405,HCPCS not CPT\n", r"line 3: 'J2405' is not a CPT code"),
        ("code,description\n99213,\n", r"line 2: code 99213 has an empty description"),
        ("procedure,price\n99213,1.00\n", r"line 1: need a code column .* found \['procedure', 'price'\]"),
        ("\n\n", r"the file is empty"),
        ("just some words without delimiter\n", r"line 1: cannot find a delimiter"),
    ],
)
def test_bad_cpt_files_give_line_numbered_errors(tmp_path, text, message):
    path = tmp_path / "cpt.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_cpt_file(path)


def test_many_bad_cpt_lines_are_summarized(tmp_path):
    path = tmp_path / "cpt.txt"
    path.write_text("".join(f"X{n:04d}\tbad\n" for n in range(8)), encoding="utf-8")
    with pytest.raises(ValueError, match=r"8 bad line\(s\): line 1: .*line 5: .*\(and 3 more\)"):
        load_cpt_file(path)
    with pytest.raises(ValueError, match="CPT file not found"):
        load_cpt_file(tmp_path / "absent.csv")
