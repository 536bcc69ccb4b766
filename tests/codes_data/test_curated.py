"""The shipped curated CPT and HCPCS files: size, schema, formats, units, known deletions, and the schema checks."""

import json
import logging
import re

import pytest

from core.codes.loaders import load_curated
from core.paths import CODE_DB_DIR

FORMATS = {"cpt": re.compile(r"^\d{4}[0-9FT]$"), "hcpcs": re.compile(r"^[A-V]\d{4}$")}
ALLOWED_FIELDS = {"code", "description", "category", "unit"}


def _document(system: str) -> dict:
    return json.loads((CODE_DB_DIR / f"{system}_curated.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("system", ["cpt", "hcpcs"])
def test_curated_file_has_enough_valid_unique_codes(system):
    entries = _document(system)["codes"]
    assert len(entries) >= 450
    codes = [entry["code"] for entry in entries]
    assert len(codes) == len(set(codes)), "duplicate codes"
    bad_format = [code for code in codes if not FORMATS[system].match(code)]
    assert bad_format == []
    for entry in entries:
        assert set(entry) <= ALLOWED_FIELDS, entry
        assert all(
            isinstance(entry[name], str) and entry[name].strip() for name in ("description", "category")
        )
    assert len(load_curated(system)) == len(entries)


@pytest.mark.parametrize("system", ["cpt", "hcpcs"])
def test_curated_header_names_its_system_and_source(system):
    document = _document(system)
    assert document["system"] == system
    assert document["version"] and document["source"] and document["notice"]


def test_cpt_notice_says_paraphrased_and_ama_trademark():
    notice = _document("cpt")["notice"]
    assert "paraphrase" in notice and "not AMA CPT descriptors" in notice
    assert "registered trademark" in notice and "--cpt-file" in notice


def test_every_j_code_has_a_billing_unit():
    missing = [
        e["code"] for e in _document("hcpcs")["codes"] if e["code"].startswith("J") and not e.get("unit")
    ]
    assert missing == []


def test_known_drug_codes_carry_the_cms_dose_unit():
    by_code = {entry["code"]: entry for entry in load_curated("hcpcs")}
    assert by_code["J2405"]["unit"] == "1 mg" and "ondansetron" in by_code["J2405"]["description"]
    assert by_code["J3420"]["unit"] == "up to 1000 mcg"
    assert by_code["J0696"]["unit"] == "250 mg" and by_code["J1885"]["unit"] == "15 mg"
    assert by_code["J7050"]["unit"] == "250 cc"
    assert (
        "emergency" in by_code["A0427"]["description"] and "non-emergency" in by_code["A0428"]["description"]
    )


@pytest.mark.parametrize(
    ("system", "code"),
    [
        ("hcpcs", "G0202"),  # screening mammography, replaced by CPT 77067
        ("hcpcs", "K0553"),  # CGM supply allowance, replaced by A4239 in 2023
        ("hcpcs", "J1030"),  # methylprednisolone acetate 40 mg, replaced by J1010 in 2024
        ("hcpcs", "J2505"),  # pegfilgrastim 6 mg, replaced by J2506
        ("cpt", "99201"),  # deleted 2021
        ("cpt", "99441"),  # telephone E/M, deleted 2025
        ("cpt", "99218"),  # observation care, merged into 99221-99223 in 2023
    ],
)
def test_deleted_codes_are_not_shipped(system, code):
    assert code not in {entry["code"] for entry in load_curated(system)}


def _write(tmp_path, codes, system="hcpcs"):
    path = tmp_path / "curated.json"
    path.write_text(json.dumps({"system": system, "codes": codes}), encoding="utf-8")
    return path


GOOD = {"code": "J2405", "description": "Injection, ondansetron hydrochloride, per 1 mg", "category": "Drugs"}


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([GOOD, {"code": "J3420", "description": "B12"}], r"codes\[1\]\.category"),
        ([GOOD, {**GOOD, "description": ""}], r"codes\[1\]\.description"),
        ([{**GOOD, "code": "99214"}], r"codes\[0\]\.code '99214' is not a valid hcpcs code"),
        ([GOOD, GOOD], r"codes\[1\] duplicates code J2405 \(first at codes\[0\]\)"),
        ([{**GOOD, "dose": "1 mg"}], r"codes\[0\] has unknown field\(s\) \['dose'\]"),
        ([{**GOOD, "unit": 1}], r"codes\[0\]\.unit must be a non-empty string"),
        (["J2405"], r"codes\[0\] must be an object"),
        ({"code": "J2405"}, r"'codes' must be a list, got dict"),
    ],
)
def test_bad_curated_entries_name_index_and_field(tmp_path, codes, message):
    with pytest.raises(ValueError, match=message):
        load_curated("hcpcs", _write(tmp_path, codes))


def test_curated_file_problems_are_reported_clearly(tmp_path, caplog):
    with pytest.raises(ValueError, match="'system' is 'cpt', expected 'hcpcs'"):
        load_curated("hcpcs", _write(tmp_path, [GOOD], system="cpt"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"codes": [\n  {"code": "J2405",}\n]}', encoding="utf-8")
    with pytest.raises(ValueError, match="invalid JSON at line 2"):
        load_curated("hcpcs", broken)
    with pytest.raises(ValueError, match="unknown procedure code system 'icd9'"):
        load_curated("icd9")
    with caplog.at_level(logging.WARNING):
        assert load_curated("cpt", tmp_path / "absent.json") == []
    assert "absent.json is missing" in caplog.text


def test_a_valid_small_file_loads_with_optional_unit(tmp_path):
    entries = load_curated("hcpcs", _write(tmp_path, [{**GOOD, "unit": "1 mg"}, {**GOOD, "code": "E0601"}]))
    assert [(e["code"], e.get("unit")) for e in entries] == [("J2405", "1 mg"), ("E0601", None)]
