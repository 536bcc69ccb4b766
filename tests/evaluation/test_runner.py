import json
from pathlib import Path

import pytest

import core.pipeline
from core.evaluation import REPORT_SCHEMA, default_train_spec, read_report, run_eval
from core.evaluation.runner import dataset_sha256

GOLD = {
    "dev": [
        {"id": "d1", "narrative": "type 2 diabetes, metformin refill", "codes": {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}},
        {"id": "d2", "narrative": "asthma with wheezing today", "codes": {"icd10cm": ["J45.909"], "cpt": [], "hcpcs": []}},
        {"id": "d3", "narrative": "hypertension check", "codes": {"icd10cm": ["I10"], "cpt": [], "hcpcs": []}},
    ],
    "train": [
        {"id": "t1", "narrative": "diabetes type 2 on metformin", "codes": {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}},
        {"id": "t2", "narrative": "asthma wheezing", "codes": {"icd10cm": ["J45.909"], "cpt": [], "hcpcs": []}},
        {"id": "t3", "narrative": "hypertension, blood pressure high", "codes": {"icd10cm": ["I10"], "cpt": [], "hcpcs": []}},
        {"id": "t4", "narrative": "diabetes control", "codes": {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}},
        {"id": "t5", "narrative": "hypertension check", "codes": {"icd10cm": ["I10"], "cpt": [], "hcpcs": []}},
        {"id": "t6", "narrative": "asthma again", "codes": {"icd10cm": ["J45.909"], "cpt": [], "hcpcs": []}},
    ],
}


@pytest.fixture
def fake_datasets(monkeypatch):
    """load_cases("fake:dev") / ("fake:train") from GOLD; records every spec asked for."""
    asked = []

    def load_cases(spec):
        asked.append(spec)
        kind, _, split = spec.partition(":")
        if kind != "fake" or split not in GOLD:
            raise ValueError(f"case spec {spec!r}: unknown")
        return [dict(case) for case in GOLD[split]]

    monkeypatch.setattr("core.datasets.load_cases", load_cases)
    return asked


def test_baseline_run_writes_report_plots_and_predictions(tmp_path, fake_datasets):
    report_path = tmp_path / "out" / "tfidf.json"
    report = run_eval("fake:dev", baseline="tfidf_lr", train="fake:train", report_path=report_path, n_resamples=50)
    assert fake_datasets == ["fake:dev", "fake:train"]
    saved = read_report(report_path)
    assert saved["schema"] == REPORT_SCHEMA and saved["baseline"] == "tfidf_lr" and saved["model_id"] is None
    assert saved["dataset"] == {"spec": "fake:dev", "sha256": dataset_sha256(GOLD["dev"]), "n_cases": 3}
    assert saved["systems"] == ["icd10cm"] and saved["config"]["n_train_cases"] == 6
    assert saved["config"]["n_train_overlap"] == 0
    assert saved["metrics"]["icd10cm"]["map"] == 1.0 == report["metrics"]["overall"]["map"]
    assert set(saved["timings"]) == {"load_s", "predict_s", "score_s", "total_s"}
    assert len(saved["cases"]) == 3 and saved["cases"][0]["ranked"]["icd10cm"][0][0] == "E11.9"
    assert (tmp_path / "out" / "tfidf.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (tmp_path / "out" / "tfidf.html").read_text()
    assert "data:image/png;base64," in html and "tfidf_lr" in html
    rows = [json.loads(line) for line in (tmp_path / "out" / "tfidf.predictions.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["d1", "d2", "d3"] and saved["predictions_file"].endswith("tfidf.predictions.jsonl")


def test_predictions_file_run_and_limit(tmp_path, fake_datasets):
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(json.dumps({"id": "d1", "codes": {"icd10cm": ["E11.9"]}}) + "\n")
    report = run_eval("fake:dev", predictions=predictions, limit=2, n_resamples=20, report_path=None)
    assert report["dataset"]["n_cases"] == 2 and report["counts"]["n_missing"] == 1
    assert report["metrics"]["icd10cm"]["micro_recall"] == 0.5 and "plots" not in report


class FakePipeline:
    model_id = "fake-model@1"


def test_model_run_goes_through_predict_file(tmp_path, fake_datasets, monkeypatch):
    calls = {}

    def predict_file(input_path, output_path, model=None, batch_size=8, progress=None, constrain="valid",
                     use_model=True, rules=True):
        inputs = [json.loads(line) for line in open(input_path)]
        calls.update(model=model, constrain=constrain, inputs=inputs, rules=rules)
        with open(output_path, "a") as out:
            for done, row in enumerate(inputs, start=1):
                code = "E11.9" if "diabetes" in row["narrative"] else "R69"
                out.write(json.dumps({"id": row["id"], "codes": {"icd10cm": [code]}, "raw": (
                    f'<think>\nguess\n</think>\n{{"icd10cm": ["{code}"], "cpt": [], "hcpcs": []}}'),
                    "reasoning": "guess", "latency_s": 0.1 * done, "error": None}) + "\n")
                if progress:
                    progress(done, len(inputs))
        return {"written": len(inputs)}

    monkeypatch.setattr(core.pipeline, "predict_file", predict_file)
    monkeypatch.setattr(core.pipeline, "get_pipeline",
                        lambda model=None, constrain="valid", use_model=True, rules=True: FakePipeline())
    report_path = tmp_path / "model.json"
    report_path.with_name("model.predictions.jsonl").write_text('{"id": "d2", "codes": {"icd10cm": ["J45.909"]}}\n')
    ticks = []
    report = run_eval("fake:dev", model="default", report_path=report_path, n_resamples=20, progress=ticks.append)
    assert calls["model"] is None and calls["constrain"] == "valid"  # "default" -> the shipped model
    assert calls["rules"] is True and report["config"]["rules"] is True  # the pipeline's coding rules, on by default
    assert calls["inputs"][0] == {"id": "d1", "narrative": GOLD["dev"][0]["narrative"]}
    assert report["model_id"] == "fake-model@1" and sum(ticks) == 3
    assert report["metrics"]["icd10cm"]["tp"] == 1  # the stale d2 row of an earlier run was not reused
    assert report["format"] == {"n_raw": 3, "n_ok": 3, "rate": 1.0}
    assert report["latency"]["p50_s"] == pytest.approx(0.2)


def test_model_run_without_rules_is_the_ablation(tmp_path, fake_datasets, monkeypatch):
    calls = {}

    def predict_file(input_path, output_path, rules=True, **kwargs):
        calls["rules"] = rules
        Path(output_path).write_text("".join(json.dumps({"id": json.loads(line)["id"], "codes": {}}) + "\n"
                                             for line in open(input_path)))

    monkeypatch.setattr(core.pipeline, "predict_file", predict_file)
    monkeypatch.setattr(core.pipeline, "get_pipeline", lambda *args, **kwargs: FakePipeline())
    report = run_eval("fake:dev", model="default", n_resamples=20, rules=False)
    assert calls["rules"] is False and report["config"]["rules"] is False and report["rules"] is None


def test_exactly_one_source_and_clear_errors(fake_datasets, tmp_path):
    with pytest.raises(ValueError, match="exactly one"):
        run_eval("fake:dev")
    with pytest.raises(ValueError, match="exactly one"):
        run_eval("fake:dev", baseline="bm25", model="m")
    with pytest.raises(ValueError, match="--train"):
        run_eval("fake:dev", baseline="tfidf_lr")  # no natural train split for this spec
    with pytest.raises(ValueError, match="--limit"):
        run_eval("fake:dev", baseline="tfidf_lr", limit=0)
    with pytest.raises(ValueError, match="unknown baseline"):
        run_eval("fake:dev", baseline="gpt", train="fake:train")
    assert fake_datasets.count("fake:train") == 0  # refused before loading the train split
    with pytest.raises(ValueError, match="unknown system"):
        run_eval("fake:dev", baseline="majority_code", train="fake:train", systems=["icd11"])


def test_default_train_spec(tmp_path):
    (tmp_path / "codiesp" / "dev").mkdir(parents=True)
    (tmp_path / "codiesp" / "train").mkdir()
    assert default_train_spec(f"codiesp:{tmp_path}/codiesp/dev") == f"codiesp:{tmp_path}/codiesp/train"
    assert default_train_spec(f"codiesp:{tmp_path}/codiesp/dev/") == f"codiesp:{tmp_path}/codiesp/train"
    assert default_train_spec(f"codiesp:{tmp_path}/codiesp/train") is None
    assert default_train_spec("synthetic:50:7") == "synthetic:200:1007"
    assert default_train_spec("synthetic:50") == "synthetic:200:1000"
    assert default_train_spec("gold.jsonl") is None


def test_read_report_rejects_other_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="not a THCE evaluation report"):
        read_report(bad)
    bad.write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_report(bad)
    with pytest.raises(ValueError, match="not found"):
        read_report(tmp_path / "none.json")


def test_real_synthetic_dataset_end_to_end(tmp_path):
    """The real core.datasets generator and code sets: a learning baseline on a held-out seed."""
    report = run_eval("synthetic:12:3", baseline="frequency_topk", report_path=tmp_path / "r.json", n_resamples=50)
    assert report["config"]["train"] == "synthetic:48:1003" and report["config"]["n_train_cases"] == 48
    assert report["dataset"]["n_cases"] == 12 and len(report["cases"]) == 12
    assert 0.0 <= report["metrics"]["overall"]["micro_f1"] <= 1.0 and report["validity"]["rate"] == 1.0


@pytest.mark.heavy
def test_model_run_with_the_real_pipeline(tmp_path, tiny_model_dir):
    """A random tiny model through core.pipeline.predict_file: plumbing, format and latency get measured."""
    report = run_eval("synthetic:2:1", model=str(tiny_model_dir), report_path=tmp_path / "m.json", n_resamples=20)
    assert report["model_id"] == str(tiny_model_dir) and report["counts"]["n_predictions"] == 2
    assert report["format"]["n_raw"] == 2 and report["latency"]["n"] == 2
    assert (tmp_path / "m.predictions.jsonl").is_file() and (tmp_path / "m.png").is_file()


def test_a_missing_dataset_file_is_named_as_missing(tmp_path):
    """Regression: `--dataset nope.jsonl` said "expected codiesp:PATH, ... or a JSONL file" for a file that is
    not there."""
    from core.datasets import load_cases

    for spec in ("nope.jsonl", str(tmp_path / "gone" / "cases")):
        with pytest.raises(ValueError, match="file not found"):
            load_cases(spec)
    with pytest.raises(ValueError, match="expected codiesp:PATH"):
        load_cases("bogus")
