"""Every submitted review as training data beside the DPO pairs (export.py): KTO and SFT records.

KTO (TRL's *unpaired preference* type, conversational format; `thce train kto` trains on it as is):

    {"id", "prompt": [messages], "completion": [{"role": "assistant", "content"}], "label": bool,
     "source": "review", "meta": {"review_id", "annotator", "decision", "kind", "model_id", "created_at",
     "case_id", "case_source"}}

    accept   -> the model's answer, label true (kind "model"): accepted without edit
    reject   -> the model's answer, label false (kind "model")
    correct  -> the model's answer, label false (kind "model"), and the corrected answer (the DPO pair's
                `chosen`), label true (kind "correction"): what TRL's `unpair_preference_dataset` makes of a pair

SFT (TRL's *conversational language modeling* type, the stage_2 record shape of DESIGN.md):

    {"id", "messages": prompt + [assistant answer], "codes", "source": "review", "meta"}

    accept -> the model's answer; correct -> the corrected answer; reject -> nothing (there is no good answer).

The model's answer is its raw output (the DPO pair's `rejected`); for an accepted case whose raw text names
other codes than the stored prediction (the decision rule or the coding rules changed them) the answer's
reasoning is rebuilt for the prediction's codes as a correction's is (core.store.chosen), so a `label: true`
row never teaches codes, or reasoning lines, the annotator did not accept. Only the latest
version of each submitted review counts: drafts, discards and skips give no training data. Where several
annotators reviewed one case (double annotation) each training example is exported once (`merge_reviews`: the
meta lists every annotator); examples they disagree on (one prompt, two SFT answers; one KTO answer both
accepted and rejected) are left out with a warning until one of them edits their review.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from sqlmodel import select

from core.codes import get_codeset
from core.prompts import SYSTEMS, format_answer, parse_output, think_format_ok
from core.store.chosen import rebuild_reasoning
from core.store.db import get_session
from core.store.models import Case, Prediction, PreferencePair, Review, latest_review_clause

logger = logging.getLogger(__name__)
_REJECTED = "rejected"  # the kind of a reject's placeholder in sft_records (never exported)


def merge_reviews(records: list[dict], example: Callable[[dict], str],
                  target: Callable[[dict], str] | None = None) -> list[dict]:
    """One record per training example where several annotators reviewed one case (double annotation): records
    of the same `example` (its input, e.g. the prompt) and the same `target` (its answer or label) are kept once,
    the first, its meta listing every annotator and review (`annotators`, `review_ids`); with `target`, an
    example whose annotators gave different targets is left out (no consistent answer to train on: the case
    needs adjudication, an edit by one of them) and counted in a warning. Without `target`, `example` is the
    whole record and only exact repeats merge."""
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(example(record), []).append(record)
    merged, disagreements = [], 0
    for group in groups.values():
        if target is not None and len({target(r) for r in group}) > 1:
            disagreements += 1
            continue
        first = group[0]
        if len(group) > 1:
            first = first | {"meta": first["meta"] | {
                "annotators": list(dict.fromkeys(r["meta"]["annotator"] for r in group)),
                "review_ids": [r["meta"]["review_id"] for r in group]}}
        merged.append(first)
    if disagreements:
        logger.warning("left out %d example(s) whose annotators disagree (same input, different answers): "
                       "adjudicate them (an edit by one annotator) to export them", disagreements)
    return merged


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _same_codes(a: dict | None, b: dict | None) -> bool:
    return all({c.upper() for c in (a or {}).get(s, [])} == {c.upper() for c in (b or {}).get(s, [])}
               for s in SYSTEMS)


def accepted_answer(pred: Prediction, case: Case) -> str:
    """The model answer an accept stands for: its raw output when that is well formed (one <think> block, then
    the JSON answer) and names the prediction's codes, else reasoning rebuilt for those codes alone (the raw lines
    argue for codes the decision rule or the coding rules took out, or the raw output was cut off or lacks its
    <think> block: a desirable example must not teach that)."""
    if think_format_ok(pred.raw_output) and _same_codes(parse_output(pred.raw_output).codes, pred.codes):
        return pred.raw_output
    return format_answer(rebuild_reasoning(case.narrative, pred.codes, pred.reasoning or "", get_codeset()),
                         pred.codes)


def _meta(review: Review, pred: Prediction, case: Case, kind: str) -> dict:
    return {"review_id": review.id, "annotator": review.annotator, "decision": review.decision, "kind": kind,
            "model_id": pred.model_id, "created_at": review.created_at.isoformat(timespec="seconds"),
            "case_id": case.external_id, "case_source": case.source}


def _submitted_rows():
    query = (
        select(Review, Prediction, Case, PreferencePair)
        .join(Prediction, Review.prediction_id == Prediction.id)
        .join(Case, Review.case_id == Case.id)
        .join(PreferencePair, PreferencePair.review_id == Review.id, isouter=True)
        .where(latest_review_clause(), Review.status == "submitted")
        .order_by(Review.id)
    )
    with get_session() as session:
        return list(session.exec(query).all())


def _kto(review, pred, case, kind: str, answer: str, label: bool) -> dict:
    return {"id": f"review-{review.id}-{kind}", "prompt": pred.prompt,
            "completion": [{"role": "assistant", "content": answer}], "label": label, "source": "review",
            "meta": _meta(review, pred, case, kind)}


def kto_records() -> list[dict]:
    """KTO rows of every submitted review, oldest review first (see the module docstring)."""
    records = []
    judged: dict[str, list[dict]] = {}  # a "model" row's id -> the model answer it judges (as an accept exports it)
    for review, pred, case, pair in _submitted_rows():
        if review.decision == "accept":
            records.append(_kto(review, pred, case, "model", accepted_answer(pred, case), True))
        elif review.decision in ("reject", "correct"):
            records.append(_kto(review, pred, case, "model", pred.raw_output, False))
            judged[records[-1]["id"]] = [{"role": "assistant", "content": accepted_answer(pred, case)}]
            if review.decision == "correct" and pair is not None:
                records.append(_kto(review, pred, case, "correction", pair.chosen, True))
    # one row per (prompt, model answer judged): two accepts of one answer are one row, an accept and a reject of it
    # none (a reject's row holds the raw output, which differs from what an accept exports when it was cut off or
    # the coding rules edited it: both judge the same answer)
    return merge_reviews(records, lambda r: _json([r["prompt"], judged.get(r["id"], r["completion"])]),
                         lambda r: str(r["label"]))


def sft_records() -> list[dict]:
    """SFT rows (stage_2 shape) of every submitted accept and correction, oldest first."""
    records = []
    for review, pred, case, pair in _submitted_rows():
        if review.decision == "accept":
            answer, codes, kind = accepted_answer(pred, case), pred.codes, "model"
        elif review.decision == "correct" and pair is not None:
            answer, codes, kind = pair.chosen, review.corrected_codes, "correction"
        elif review.decision == "reject":  # no row of its own, but it disagrees with an accept of the same prompt
            answer, codes, kind = pred.raw_output, {}, _REJECTED
        else:
            continue
        records.append({"id": f"review-{review.id}", "messages": [*pred.prompt, {"role": "assistant", "content": answer}],
                        "codes": {s: list((codes or {}).get(s, [])) for s in SYSTEMS}, "source": "review",
                        "meta": _meta(review, pred, case, kind)})
    # one conversation per prompt (the stage_2 data check refuses repeats and one input with two answers); an
    # answer one annotator accepted and another rejected is a disagreement too
    merged = merge_reviews(records, lambda r: _json(r["messages"][:-1]),
                           lambda r: _json([r["messages"][-1]["content"], r["meta"]["kind"] == _REJECTED]))
    return [r for r in merged if r["meta"]["kind"] != _REJECTED]
