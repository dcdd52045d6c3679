"""The shipped default bank: complete, in plain words, and stable through dump and parse."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from core.i18n import LOCALES
from core.questions import (
    KNOWN_FACTORS,
    FactorKind,
    Localised,
    MeasureLevel,
    MeasureType,
    QuestionSet,
    content_hash,
    coverage,
    default_bank_text,
    dump_yaml,
    load_default_bank,
    parse_question_set,
    to_document,
)
from core.questions.model import FrozenMap

BANK = load_default_bank()

SURVEY_WORDS = (
    "survey",
    "questionnaire",
    "pulse",
    "undersøkelse",
    "kartlegg",
    "spørreskjema",
    "puls",
)
SOCIAL_EVENT_WORDS = (
    "teambuilding",
    "team building",
    "team-building",
    "dinner",
    "party",
    "lunch",
    "social",
    "after work",
    "afterwork",
    "middag",
    "fest",
    "julebord",
    "lunsj",
    "sosial",
)
# Well-known wordings of instruments we may not use; our own text must not repeat them.
FOREIGN_WORDINGS = (
    "i know what is expected of me at work",
    "i have the materials and equipment i need",
    "in the last seven days, i have received recognition or praise",
    "is your work recognised and appreciated by the management",
    "do you have enough time for your work tasks",
    "is your workload unevenly distributed",
    "do you have a large degree of influence concerning your work",
    "at work, my opinions seem to count",
)


def all_texts(qs: QuestionSet) -> Iterator[Localised]:
    yield qs.title
    for scale in qs.scales.values():
        yield scale.prefer_not
    for factor in qs.factors:
        yield from (factor.name, factor.explanation, factor.low_score, *factor.discussion)
        yield from (measure.text for measure in factor.measures)
    for item in qs.items:
        yield item.text


def words(text: str) -> int:
    return len(text.split())


def test_default_bank_parses_as_the_default_set() -> None:
    assert BANK.key == "default"
    assert BANK.licence == "CC BY 4.0"
    assert BANK.languages == ("nb", "en")
    assert load_default_bank() is BANK  # parsed once per process


def test_file_header_states_licence_and_provenance() -> None:
    header = default_bank_text().split("\nset:", 1)[0]
    assert "CC BY 4.0" in header
    assert "creativecommons.org/licenses/by/4.0" in header
    assert "Own wording, built around constructs of COPSOQ III and QPS Nordic" in header
    assert "not their wording" in header


def test_factors_are_the_product_taxonomy_in_order() -> None:
    assert [(f.id, f.kind) for f in BANK.factors] == list(KNOWN_FACTORS)


def test_coverage_is_complete_in_both_languages() -> None:
    rows = coverage(BANK)
    assert [row.factor_id for row in rows] == [factor_id for factor_id, _ in KNOWN_FACTORS]
    incomplete = [row.factor_id for row in rows if not row.complete]
    assert incomplete == []
    assert all(row.languages == LOCALES for row in rows)


def test_every_scored_factor_has_one_anchor_and_at_least_two_rotating_items() -> None:
    for factor in BANK.scored_factors():
        items = BANK.items_of(factor.id)
        anchors = [item for item in items if item.anchor]
        assert len(anchors) == 1, factor.id
        assert len(items) - 1 >= 2, factor.id
        assert not any(item.sensitive for item in items), factor.id
    for central in ("workload", "leadership", "support"):
        assert len(BANK.items_of(central)) >= 4, central


def test_every_factor_has_explanation_low_score_discussion_and_measures() -> None:
    for factor in BANK.factors:
        assert 3 <= len(factor.discussion) <= 5, factor.id
        assert len(factor.measures) >= 3, factor.id
        assert any(m.type is MeasureType.PRIMARY for m in factor.measures), factor.id
        for text in (factor.name, factor.explanation, factor.low_score):
            assert set(text) == set(LOCALES), factor.id
        for question in factor.discussion:
            assert all(question[lang].endswith("?") for lang in LOCALES), question


def test_sensitive_factors_have_organisation_level_measures() -> None:
    for factor in BANK.factors:
        if factor.kind is FactorKind.SENSITIVE:
            levels = {m.level for m in factor.measures}
            assert MeasureLevel.ORGANISATION in levels, factor.id


def test_no_measure_is_a_survey() -> None:
    for factor in BANK.factors:
        for measure in factor.measures:
            for lang in LOCALES:
                lowered = measure.text[lang].lower()
                hits = [w for w in SURVEY_WORDS if w in lowered]
                assert not hits, (factor.id, lang, hits, measure.text[lang])


def test_social_events_are_never_primary_measures() -> None:
    social = 0
    for factor in BANK.factors:
        for measure in factor.measures:
            text = " ".join(measure.text[lang].lower() for lang in LOCALES)
            if any(re.search(rf"\b{word}", text) for word in SOCIAL_EVENT_WORDS):
                social += 1
                assert measure.type is MeasureType.SUPPORTING, measure.text["en"]
    assert social >= 1, "the word list no longer finds the bank's social measure"


def test_plain_words_never_psychosocial() -> None:
    for text in all_texts(BANK):
        for lang in LOCALES:
            lowered = text[lang].lower()
            assert "psykososial" not in lowered and "psychosocial" not in lowered, text


def test_items_are_own_wording_with_a_recorded_construct() -> None:
    for item in BANK.items:
        assert item.source.startswith("own wording; construct: "), item.id
        assert item.id.startswith(f"{item.factor}."), item.id
        lowered = item.text["en"].lower()
        assert not any(foreign in lowered for foreign in FOREIGN_WORDINGS), item.id


def test_every_item_text_is_short_and_in_both_languages() -> None:
    for item in BANK.items:
        assert set(item.text) == set(LOCALES), item.id
        for lang in LOCALES:
            text = item.text[lang]
            assert text.strip() == text and text, item.id
            limit = 22 if item.sensitive else 15
            assert words(text) <= limit, (item.id, lang, words(text))


def test_scored_items_are_positive_statements() -> None:
    for factor in BANK.scored_factors():
        for item in BANK.items_of(factor.id):
            assert not item.reverse, item.id
            assert all(item.text[lang].endswith(".") for lang in LOCALES), item.id
            assert BANK.scale_of(item).points == 5, item.id


def test_sensitive_items_are_yes_no_screening_questions_about_six_months() -> None:
    sensitive_ids = {f for f, kind in KNOWN_FACTORS if kind is FactorKind.SENSITIVE}
    screened = {item.factor for item in BANK.sensitive_items()}
    assert screened == sensitive_ids
    for item in BANK.sensitive_items():
        assert len(BANK.items_of(item.factor)) == 1, item.factor
        assert not item.anchor and not item.reverse, item.id
        scale = BANK.scale_of(item)
        assert scale.points == 2
        assert scale.labels["nb"] == ("Nei", "Ja")
        assert scale.labels["en"] == ("No", "Yes")
        assert "de siste 6 månedene" in item.text["nb"], item.id
        assert item.text["en"].startswith("In the last 6 months"), item.id
        assert all(item.text[lang].endswith("?") for lang in LOCALES), item.id
    bullying = BANK.items_of("bullying_harassment")[0].text
    assert "seksuell trakassering" in bullying["nb"]
    assert "sexual harassment" in bullying["en"]


def test_leadership_items_are_about_the_nearest_leader() -> None:
    for item in BANK.items_of("leadership"):
        assert "nærmeste leder" in item.text["nb"], item.id
        assert "nearest leader" in item.text["en"], item.id


def test_wellbeing_is_read_together_with_the_other_factors() -> None:
    explanation = BANK.factor("wellbeing").explanation
    assert "sammen med" in explanation["nb"]
    assert "together with" in explanation["en"]


def test_bokmal_uses_norwegian_letters() -> None:
    corpus = " ".join(text["nb"] for text in all_texts(BANK))
    assert {"æ", "ø", "å"} <= set(corpus)


def test_every_scale_offers_prefer_not_to_say() -> None:
    for scale in BANK.scales.values():
        assert scale.prefer_not == {"nb": "Vil ikke svare", "en": "Prefer not to say"}
        assert all(len(scale.labels[lang]) == scale.points for lang in LOCALES)


# --------------------------------------------------------------------- dump and hash


def test_dump_round_trips() -> None:
    text = dump_yaml(BANK)
    again = parse_question_set(text, "dumped.yaml")
    assert again == BANK
    assert dump_yaml(again) == text


def test_document_has_the_shape_of_the_yaml_file() -> None:
    document = to_document(BANK)
    written = yaml.safe_load(default_bank_text())
    assert list(document) == list(written)
    assert yaml.safe_load(dump_yaml(BANK)) == document
    assert json.loads(json.dumps(document)) == document
    first_item = document["items"]
    assert isinstance(first_item, list)
    assert first_item[0]["reverse"] is False  # defaults are spelt out


def test_content_hash_is_sha256_of_canonical_json() -> None:
    canonical = json.dumps(
        to_document(BANK), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert content_hash(BANK) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(BANK))


def test_content_hash_is_stable_across_dump_and_parse() -> None:
    assert content_hash(parse_question_set(dump_yaml(BANK), "x")) == content_hash(BANK)


def test_content_hash_changes_when_one_text_changes() -> None:
    item = BANK.items[3]
    edited = replace(item, text=FrozenMap({**item.text, "en": item.text["en"] + " "}))
    same_words = replace(BANK, items=(*BANK.items[:3], edited, *BANK.items[4:]))
    assert content_hash(same_words) != content_hash(BANK)
    reworded = replace(item, text=FrozenMap({**item.text, "nb": "Jeg får pauser."}))
    changed = replace(BANK, items=(*BANK.items[:3], reworded, *BANK.items[4:]))
    assert changed != BANK
    assert content_hash(changed) != content_hash(BANK)


def test_question_set_is_hashable_and_equal_sets_hash_equal() -> None:
    again = parse_question_set(default_bank_text(), "again.yaml")
    assert again is not BANK
    assert hash(again) == hash(BANK)
    assert {again: 1}[BANK] == 1


_text = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)


# One factor of the bank keeps each example fast; the text is what varies.
_SMALL = replace(BANK, factors=BANK.factors[:1], items=BANK.items_of(BANK.factors[0].id))


@settings(max_examples=200, deadline=None)
@given(nb=_text, en=_text)
def test_any_printable_text_survives_dump_and_parse(nb: str, en: str) -> None:
    item = replace(_SMALL.items[0], text=FrozenMap({"nb": nb, "en": en}))
    qs = replace(_SMALL, items=(item, *_SMALL.items[1:]))
    again = parse_question_set(dump_yaml(qs), "x.yaml")
    assert again.items[0].text == {"nb": nb, "en": en}
    assert content_hash(again) == content_hash(qs)
