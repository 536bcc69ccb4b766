import pytest

from core.codes.billable import map_to_billable
from core.datasets.codiesp import read_codiesp
from core.paths import REPO_ROOT

REAL_DEV = REPO_ROOT.parent / "shared" / "datasets" / "codiesp" / "dev"  # the project's copy, when present


@pytest.fixture()
def split(tmp_path):
    root = tmp_path / "dev"
    (root / "text_files_en").mkdir(parents=True)
    (root / "text_files_en" / "case-1.txt").write_text(
        "A 60-year-old man with essential hypertension.\nHe fractured the left femoral neck after a fall.\n"
        "Low back pain for years.\n", encoding="utf-8")
    (root / "text_files_en" / "case-2.txt").write_text("Breast carcinoma was found.\n", encoding="utf-8")
    (root / "devD.tsv").write_text("case-1\ti10\ncase-1\ts72.002\ncase-1\tm54.5\ncase-1\ti10\ncase-2\tc50.9\n",
                                   encoding="utf-8")
    (root / "devP.tsv").write_text("case-1\t0qs604z\n", encoding="utf-8")
    return root


def test_codes_are_normalized_mapped_and_counted(split):
    cases, report = read_codiesp(split)
    first, second = cases
    assert first.id == "codiesp-case-1"
    assert first.meta["original_codes"]["icd10cm"] == ["I10", "S72.002", "M54.5"]
    assert first.codes["icd10cm"] == ["I10", "S72.002A", "M54.50"]
    assert first.meta["mapping"] == {"S72.002": "S72.002A", "M54.5": "M54.50"}
    assert first.meta["icd10pcs"] == ["0QS604Z"]
    assert second.codes["icd10cm"] == [] and second.meta["mapping"] == {"C50.9": None}
    counts = report.to_dict()
    assert (counts["cases"], counts["codes"], counts["valid"], counts["child"]) == (2, 4, 1, 1)
    assert (counts["seventh_character"], counts["dropped"], counts["icd10pcs_codes"]) == (1, 1, 1)


def test_evaluation_gold_keeps_the_originals(split):
    gold = read_codiesp(split)[0][0].to_gold()
    assert gold["codes"]["icd10cm"] == ["I10", "S72.002", "M54.5"]
    assert gold["meta"]["training_codes"]["icd10cm"] == ["I10", "S72.002A", "M54.50"]


def test_evidence_quotes_the_best_matching_sentence(split):
    case = read_codiesp(split)[0][0]
    quotes = {e.code: e.quote for e in case.evidence}
    assert "hypertension" in quotes["I10"]
    assert "femoral neck" in quotes["S72.002A"]
    assert "back pain" in quotes["M54.50"].lower()


def test_mapping_rules(codeset):
    assert map_to_billable(codeset, "E11.9") == ("E11.9", "valid")
    assert map_to_billable(codeset, "R52.9") == ("R52", "parent")  # CIE-10-ES-only code
    assert map_to_billable(codeset, "I25.1") == (None, "dropped")  # two billable children, none unspecified
    assert map_to_billable(codeset, "V87.9XX") == ("V87.9XXA", "seventh_character")


def test_a_folder_that_is_not_a_split_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a CodiEsp split folder"):
        read_codiesp(tmp_path)


@pytest.mark.skipif(not REAL_DEV.is_dir(), reason="CodiEsp dev split not available")
def test_real_dev_split_has_250_cases():
    cases, report = read_codiesp(REAL_DEV, with_evidence=False)
    assert len(cases) == 250 and report.codes == 2677
