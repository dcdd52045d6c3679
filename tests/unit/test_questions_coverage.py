"""Coverage: which product factors a question set covers, and how completely."""

from __future__ import annotations

from dataclasses import replace

import yaml

from core.questions import (
    KNOWN_FACTORS,
    FactorKind,
    QuestionSet,
    coverage,
    load_default_bank,
    parse_question_set,
)
from core.questions.coverage import FactorCoverage
from core.questions.dump import dump_yaml, to_document
from core.questions.model import FrozenMap

BANK = load_default_bank()


def row(qs: QuestionSet, factor_id: str) -> FactorCoverage:
    rows = {r.factor_id: r for r in coverage(qs)}
    return rows[factor_id]


def without_items(qs: QuestionSet, *item_ids: str) -> QuestionSet:
    return replace(qs, items=tuple(i for i in qs.items if i.id not in item_ids))


def only_factors(qs: QuestionSet, *factor_ids: str) -> QuestionSet:
    return replace(
        qs,
        factors=tuple(f for f in qs.factors if f.id in factor_ids),
        items=tuple(i for i in qs.items if i.factor in factor_ids),
    )


def test_default_bank_rows_in_product_order() -> None:
    rows = coverage(BANK)
    assert [(r.factor_id, r.kind) for r in rows] == list(KNOWN_FACTORS)
    workload = rows[0]
    assert workload == FactorCoverage(
        factor_id="workload",
        kind=FactorKind.SCORED,
        name=BANK.factor("workload").name,
        items=4,
        anchor_id="workload.anchor",
        rotating=3,
        languages=("nb", "en"),
        complete=True,
    )
    screening = row(BANK, "violence_threats")
    assert (screening.items, screening.anchor_id, screening.complete) == (1, None, True)


def test_subset_lists_absent_product_factors_as_incomplete() -> None:
    subset = only_factors(BANK, "workload", "discrimination")
    parsed = parse_question_set(dump_yaml(subset), "subset.yaml")  # a subset is a valid file
    rows = coverage(parsed)
    assert len(rows) == len(KNOWN_FACTORS)
    complete = [r.factor_id for r in rows if r.complete]
    assert complete == ["workload", "discrimination"]
    absent = row(parsed, "support")
    assert absent == FactorCoverage(
        "support", FactorKind.SCORED, FrozenMap(), 0, None, 0, (), False
    )
    assert row(parsed, "strain_from_contact").kind is FactorKind.SENSITIVE


def test_scored_factor_needs_two_rotating_items() -> None:
    one_rotating = without_items(BANK, "change.reasons")
    change = row(one_rotating, "change")
    assert (change.items, change.anchor_id, change.rotating) == (2, "change.anchor", 1)
    assert not change.complete
    assert row(one_rotating, "workload").complete


def test_scored_factor_without_anchor_is_incomplete() -> None:
    no_anchor = without_items(BANK, "recognition.anchor")
    recognition = row(no_anchor, "recognition")
    assert (recognition.anchor_id, recognition.rotating, recognition.complete) == (None, 2, False)


def test_two_anchors_are_incomplete_even_when_built_by_hand() -> None:
    extra = replace(BANK.item("wellbeing.look_forward"), anchor=True)
    items = tuple(extra if i.id == extra.id else i for i in BANK.items)
    wellbeing = row(replace(BANK, items=items), "wellbeing")
    assert wellbeing.anchor_id is None
    assert not wellbeing.complete


def test_sensitive_factor_defined_without_its_item_is_incomplete() -> None:
    bare = without_items(BANK, "discrimination.screen")
    discrimination = row(bare, "discrimination")
    assert discrimination.name == BANK.factor("discrimination").name
    assert (discrimination.items, discrimination.languages) == (0, ())
    assert not discrimination.complete


def _nb_only(value: object) -> object:
    """A document with every English text dropped."""
    if isinstance(value, dict):
        if set(value) == {"nb", "en"}:
            return {"nb": value["nb"]}
        return {key: _nb_only(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_nb_only(inner) for inner in value]
    return value


def test_one_language_set_is_incomplete_for_the_product() -> None:
    document = _nb_only(to_document(only_factors(BANK, "support")))
    assert isinstance(document, dict)
    document["languages"] = ["nb"]
    nb_set = parse_question_set(yaml.safe_dump(document, allow_unicode=True), "nb-only.yaml")
    assert nb_set.languages == ("nb",)
    support = row(nb_set, "support")
    assert (support.items, support.anchor_id, support.rotating) == (4, "support.anchor", 3)
    assert support.languages == ("nb",)
    assert not support.complete
