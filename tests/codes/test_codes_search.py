from __future__ import annotations

import pytest

from core.codes.search import Document, load_or_build_index
from core.text import context_bits, tokenize


def test_tokenize_expands_abbreviations_spellings_and_stems():
    assert tokenize("T2DM w/ hyperglycaemia") == tokenize("type 2 diabetes mellitus with hyperglycemia")
    assert tokenize("Injections") == tokenize("injection")
    assert "the" not in tokenize("the patient") and "without" in tokenize("without complications")
    assert tokenize("Diabète") == tokenize("diabete")
    assert tokenize("") == [] and tokenize("!!! ---") == []


def test_context_bits_name_contexts():
    assert context_bits(tokenize("neonatal jaundice")) != 0
    assert context_bits(tokenize("chest pain")) == 0


def test_icd_must_show(codeset):
    hits = codeset.search("type 2 diabetes with hyperglycemia")
    assert "E11.65" in [hit.code for hit in hits[:3]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("T2DM with hyperglycaemia", "E11.65"), ("essential hypertension", "I10"),
     ("sepsis due to e coli", "A41.51"), ("copd with acute exacerbation", "J44.1"),
     ("chronic kidney disease stage 3a", "N18.31"), ("urinary tract infection", "N39.0")],
)
def test_icd_queries_rank_the_expected_code_high(codeset, query, expected):
    assert expected in [hit.code for hit in codeset.search(query, k=5)]


def test_hcpcs_must_show(codeset):
    if codeset.lookup("J2405", "hcpcs") is None:
        pytest.skip("curated HCPCS file lacks J2405")
    hits = codeset.search("ondansetron injection", system="hcpcs")
    assert "J2405" in [hit.code for hit in hits[:3]]


def test_system_filter_and_hit_fields(codeset):
    icd_hits = codeset.search("fracture", system="icd10cm", k=20)
    assert len(icd_hits) == 20 and {hit.system for hit in icd_hits} == {"icd10cm"}
    assert all(hit.description == codeset.describe(hit.code) for hit in icd_hits)
    assert all(a.score >= b.score for a, b in zip(icd_hits, icd_hits[1:], strict=False))
    assert all(hit.system == "cpt" for hit in codeset.search("fracture", system="cpt"))


def test_exact_code_query_comes_first(codeset):
    assert codeset.search("e11.65")[0].code == "E11.65"


def test_nothing_to_search(codeset):
    assert codeset.search("") == []
    assert codeset.search("qwzxv blorf") == []
    assert codeset.search("diabetes", k=0) == []


def _documents():
    return [Document("icd10cm", "A01", "acute widget inflammation", False),
            Document("icd10cm", "A01.1", "acute widget inflammation of the left gear", True),
            Document("icd10cm", "P01", "neonatal widget inflammation", True),
            Document("hcpcs", "J0001", "injection, widget serum, per 1 mg", True),
            Document("cpt", "00001", "widget removal procedure", True)]


def test_small_index_roundtrip_filter_and_context(tmp_path, monkeypatch):
    monkeypatch.setenv("THCE_CACHE_DIR", str(tmp_path))
    built = load_or_build_index(_documents, "unit")
    assert (tmp_path / "codes" / "search-unit").is_dir()
    loaded = load_or_build_index(lambda: pytest.fail("must load from disk"), "unit")
    for index in (built, loaded):
        ranked = [code for _, code, _ in index.query("widget inflammation")]
        assert ranked[0] == "A01"
        assert ranked.index("P01") > ranked.index("A01")  # newborn context not named in the query
        assert [code for _, code, _ in index.query("widget", system="hcpcs")] == ["J0001"]
        assert index.query("neonatal widget")[0][1] == "P01"


def test_billable_boost_breaks_ties(tmp_path, monkeypatch):
    monkeypatch.setenv("THCE_CACHE_DIR", str(tmp_path))
    docs = [Document("icd10cm", "B01", "gear fever", False), Document("icd10cm", "B01.0", "gear fever", True)]
    index = load_or_build_index(lambda: docs, "tie")
    assert index.query("gear fever")[0][1] == "B01.0"
