"""Validation of question set files: every problem is found, on its line, in both languages."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.errors import InputFileError, Problem
from core.i18n import LOCALES, catalogue, placeholders
from core.questions import FactorKind, MeasureLevel, MeasureType, parse_question_set

FILE = "team-set.yaml"

# A small but complete set: one scored factor with an anchor and two rotating items, one
# sensitive factor with its yes/no screening item. Each test breaks one thing in it.
VALID = """\
set: mini
version: "1"
title: {nb: Mini, en: Mini}
licence: CC BY 4.0
languages: [nb, en]
scales:
  agree3:
    points: 3
    labels: {nb: [Uenig, Nøytral, Enig], en: [Disagree, Neutral, Agree]}
    prefer_not: {nb: Vil ikke svare, en: Prefer not to say}
  yesno:
    points: 2
    labels: {nb: [Nei, Ja], en: ["No", "Yes"]}
    prefer_not: {nb: Vil ikke svare, en: Prefer not to say}
factors:
  - id: workload
    kind: scored
    name: {nb: Arbeidsmengde, en: Workload}
    explanation: {nb: Hvor mye det er å gjøre., en: How much there is to do.}
    low_score: {nb: For mye å gjøre., en: Too much to do.}
    discussion:
      - {nb: Hva kan vi droppe, en: What can we drop}
      - {nb: Hvem har mest, en: Who has the most}
      - {nb: Når er det verst, en: When is it worst}
    measures:
      - {level: team, type: primary, text: {nb: Ukentlig prioritering, en: Weekly priorities}}
      - {level: organisation, type: primary, text: {nb: Bemanning, en: Staffing}}
      - {level: individual, type: supporting, text: {nb: Samtale, en: One-to-one}}
  - id: bullying_harassment
    kind: sensitive
    name: {nb: Mobbing, en: Bullying}
    explanation: {nb: Gjentatte krenkelser., en: Repeated offensive acts.}
    low_score: {nb: Noen blir mobbet., en: Someone is bullied.}
    discussion:
      - {nb: Vet alle hvor de kan si fra, en: Does everyone know where to report}
      - {nb: Hvor går grensen, en: Where is the line}
      - {nb: Hva gjør vi om vi ser det, en: What do we do if we see it}
    measures:
      - {level: organisation, type: primary, text: {nb: Varslingsrutine, en: Reporting routine}}
      - {level: organisation, type: primary, text: {nb: Opplæring, en: Training}}
      - {level: team, type: supporting, text: {nb: Spilleregler, en: Ground rules}}
items:
  - id: workload.anchor
    factor: workload
    anchor: true
    scale: agree3
    source: own wording
    text: {nb: Jeg har nok tid., en: I have enough time.}
  - id: workload.pace
    factor: workload
    scale: agree3
    source: own wording
    text: {nb: Tempoet er greit., en: The pace is fine.}
  - id: workload.breaks
    factor: workload
    scale: agree3
    source: own wording
    text: {nb: Jeg får pauser., en: I get breaks.}
  - id: bullying_harassment.screen
    factor: bullying_harassment
    sensitive: true
    scale: yesno
    source: own wording
    text: {nb: Mobbet siste 6 måneder, en: Bullied in the last 6 months}
"""


def line_with(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} found {len(hits)} time(s)"
    return hits[occurrence - 1]


def changed(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def problems(text: str) -> list[Problem]:
    with pytest.raises(InputFileError) as info:
        parse_question_set(text, FILE)
    return list(info.value.problems)


def found(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.key.removeprefix("questions.")) for p in problems(text)]


def only(text: str) -> Problem:
    listed = problems(text)
    assert len(listed) == 1, [p.render("en") for p in listed]
    return listed[0]


def says(problem: Problem, *words: str) -> None:
    """The message, in every language, names the file, the line and each of ``words``."""
    rendered = {locale: problem.render(locale) for locale in LOCALES}
    for locale, message in rendered.items():
        assert message.startswith(f"{FILE}:{problem.line}: "), message
        for word in words:
            assert word in message, f"{locale}: {word!r} not in {message!r}"
    assert rendered["nb"] != rendered["en"]


def test_valid_file_parses() -> None:
    qs = parse_question_set(VALID, FILE)
    assert (qs.key, qs.version_label, qs.languages) == ("mini", "1", ("nb", "en"))
    assert [f.id for f in qs.factors] == ["workload", "bullying_harassment"]
    assert qs.factor("bullying_harassment").kind is FactorKind.SENSITIVE
    assert qs.factor("workload").measures[1].level is MeasureLevel.ORGANISATION
    assert qs.factor("workload").measures[2].type is MeasureType.SUPPORTING
    assert qs.anchor_of("workload") == qs.item("workload.anchor")
    assert qs.anchor_of("bullying_harassment") is None
    assert [i.id for i in qs.items_of("workload")] == [
        "workload.anchor",
        "workload.pace",
        "workload.breaks",
    ]
    assert qs.sensitive_items() == (qs.item("bullying_harassment.screen"),)
    assert qs.scale_of(qs.item("bullying_harassment.screen")).labels["en"] == ("No", "Yes")
    assert qs.scales["agree3"].prefer_not["nb"] == "Vil ikke svare"
    assert [f.id for f in qs.scored_factors()] == ["workload"]
    with pytest.raises(KeyError):
        qs.item("nope")
    with pytest.raises(KeyError):
        qs.factor("nope")


def test_yaml_booleans_and_numbers_are_read_as_the_text_written() -> None:
    text = changed('version: "1"', "version: 2026.10")
    text = changed('en: ["No", "Yes"]', "en: [No, Yes]", text)
    qs = parse_question_set(text, FILE)
    assert qs.version_label == "2026.10"
    assert qs.scales["yesno"].labels["en"] == ("No", "Yes")


@dataclass(frozen=True)
class Broken:
    """One mistake: the edits that make it, the message and the line it must point at."""

    edits: tuple[tuple[str, str], ...]
    key: str
    at: str
    """The reported line is the ``nth`` line containing this text (after the edits)."""
    names: tuple[str, ...]
    nth: int


def case(
    old: str,
    new: str,
    key: str,
    at: str,
    *names: str,
    nth: int = 1,
    also: tuple[str, str] | None = None,
) -> Broken:
    edits = ((old, new),) if also is None else ((old, new), also)
    return Broken(edits, key, at, names, nth)


BREAD = "    source: own wording\n    text: {nb: Jeg får"  # inside item workload.breaks
SCREEN = "    factor: bullying_harassment\n"
SCALES = VALID[VALID.index("scales:\n") : VALID.index("factors:\n")]
PACE = "  - id: workload.pace\n    factor: workload\n"
BREAKS = "  - id: workload.breaks\n    factor: workload\n"
PACE_SOURCE = "scale: agree3\n    source: own wording\n    text: {nb: Tempoet"
BLOCK_TEXT = "    text:\n      nb: Jeg får pauser."
LABELS = "    labels: {nb: [Uenig, Nøytral, Enig], en: [Disagree, Neutral, Agree]}\n"
LAST_MEASURE = (
    "      - {level: individual, type: supporting, text: {nb: Samtale, en: One-to-one}}\n"
)
FIRST_MEASURE = "{level: team, type: primary, text: {nb: Ukentlig"
THREE_QUESTIONS = (
    "      - {nb: Hva kan vi droppe, en: What can we drop}\n"
    "      - {nb: Hvem har mest, en: Who has the most}\n"
    "      - {nb: Når er det verst, en: When is it worst}\n"
)


def questions(count: int) -> str:
    return "".join(f"      - {{nb: Spørsmål {n}, en: Question {n}}}\n" for n in range(count))


# fmt: off
CASES = {
    "yaml syntax": case("factor: workload\n    anchor", "factor: workload\n  anchor",
                        "yaml_syntax", "  anchor: true", "YAML"),
    "missing key": case(PACE_SOURCE, "scale: agree3\n    text: {nb: Tempoet", "missing_key",
                        "- id: workload.pace", "source", "workload.pace"),
    "missing top key": case("licence: CC BY 4.0\n", "", "top_missing_key", "set: mini",
                            "licence"),
    "misspelt key, once": case("licence: CC", "license: CC", "top_unknown_key_suggest",
                               "license", "license", "licence"),
    "unknown key": case(BREAD, "    colour: red\n" + BREAD, "unknown_key", "colour", "colour",
                        "anchor", "reverse"),
    "duplicate key": case(BREAD, BREAD.replace("    text:", "    source: again\n    text:"),
                          "duplicate_key", "source: again", "source"),
    "not a boolean": case("    anchor: true\n", "    anchor: ja takk\n", "expected_bool",
                          "ja takk", "ja takk", "workload.anchor"),
    "quoted boolean": case("    anchor: true\n", '    anchor: "true"\n', "expected_bool",
                           "anchor:"),
    "not a whole number": case("    points: 3\n", "    points: 3.0\n", "expected_int",
                               "points: 3.0", "3.0", "scales.agree3.points"),
    "one text for all languages": case("title: {nb: Mini, en: Mini}", "title: Mini",
                                       "expected_localised", "title:", "title", "nb:"),
    "list instead of text": case(BREAD, "    source: [a, b]\n    text: {nb: Jeg får",
                                 "expected_text", "source: [a, b]", "workload.breaks"),
    "section of wrong type, once": case(SCALES, "scales: [agree3, yesno]\n",
                                        "expected_mapping", "scales:", "scales"),
    "missing language": case("{nb: Tempoet er greit., en: The pace is fine.}",
                             "{nb: Tempoet er greit.}", "missing_language", "Tempoet",
                             "workload.pace", "en"),
    "missing language, block text": case("    text: {nb: Jeg får pauser., en: I get breaks.}",
                                         BLOCK_TEXT, "missing_language", "    text:",
                                         "workload.breaks", nth=3),
    "empty text": case("en: Too much to do.}", "en: }", "empty_text", "For mye",
                       "factors[workload].low_score", "en"),
    "unlisted language": case("en: Workload}", "en: Workload, sv: Arbetsmängd}",
                              "language_not_listed", "sv:", "sv", "nb, en"),
    "unsupported language, once": case("languages: [nb, en]", "languages: [nb, de]",
                                       "unsupported_language", "languages:", "de", "nb, en"),
    "no languages": case("languages: [nb, en]", "languages: []", "no_languages",
                         "languages:"),
    "language twice": case("languages: [nb, en]", "languages: [nb, en, nb]",
                           "duplicate_language", "languages:", "nb"),
    "item factor undefined": case(BREAKS, BREAKS.replace("workload\n", "workloadd\n"),
                                  "item_unknown_factor", "workloadd", "workload.breaks",
                                  "workloadd", "workload, bullying_harassment"),
    "item factor not in file": case(BREAKS, BREAKS.replace("workload\n", "support\n"),
                                    "item_unknown_factor", "factor: support", "support"),
    "factor not in taxonomy": case("  - id: bullying_harassment\n", "  - id: gossip\n",
                                   "unknown_factor", "- id: gossip", "gossip", "workload",
                                   "strain_from_contact", also=(SCREEN, "    factor: gossip\n")),
    "factor kind mismatch": case("    kind: scored\n", "    kind: sensitive\n",
                                 "factor_kind_mismatch", "kind: sensitive", "workload",
                                 "scored"),
    "unknown factor kind": case("    kind: scored\n", "    kind: score\n", "unknown_kind",
                                "kind: score", "score", "scored, sensitive"),
    "item scale undefined": case("    scale: agree3\n" + BREAD, "    scale: agree7\n" + BREAD,
                                 "item_unknown_scale", "agree7", "workload.breaks", "agree7",
                                 "agree3, yesno"),
    "scale without labels": case(LABELS, "", "missing_key", "agree3:", "scales.agree3",
                                 "labels"),
    "label count": case("en: [Disagree, Neutral, Agree]", "en: [Disagree, Agree]",
                        "scale_label_count", "[Disagree, Agree]", "agree3", "en", "2", "3"),
    "points outside 2..7": case("    points: 3\n", "    points: 9\n", "scale_points_range",
                                "points: 9", "agree3", "9", "2", "7"),
    "duplicate item id": case("  - id: workload.breaks\n", "  - id: workload.pace\n",
                              "duplicate_item", "- id: workload.pace", "workload.pace", "49",
                              nth=2),
    "item id pattern": case("  - id: workload.breaks\n", "  - id: Workload Breaks\n",
                            "bad_id", "Workload Breaks", "Workload Breaks"),
    "second anchor": case(PACE, PACE + "    anchor: true\n", "two_anchors", "anchor: true",
                          "workload.pace", "workload.anchor", "45", nth=2),
    "anchor on sensitive": case(SCREEN, SCREEN + "    anchor: true\n", "anchor_on_sensitive",
                                "anchor: true", "bullying_harassment.screen", nth=2),
    "no anchor": case("    anchor: true\n", "", "missing_anchor", "- id: workload",
                      "workload", "3", "anchor: true"),
    "sensitive flag missing": case("    sensitive: true\n", "", "sensitive_flag_missing",
                                   "- id: bullying_harassment.screen",
                                   "bullying_harassment.screen", "sensitive: true"),
    "sensitive flag wrong": case(PACE, PACE + "    sensitive: true\n", "sensitive_flag_wrong",
                                 "sensitive: true", "workload.pace", "workload"),
    "sensitive not yes/no": case("    scale: yesno\n", "    scale: agree3\n",
                                 "sensitive_scale", "scale: agree3",
                                 "bullying_harassment.screen", "agree3", "3", nth=4),
    "sensitive reversed": case(SCREEN, SCREEN + "    reverse: true\n", "sensitive_reverse",
                               "reverse: true", "bullying_harassment.screen", "reverse"),
    "2 discussion questions": case(THREE_QUESTIONS, questions(2), "discussion_count",
                                   "discussion:", "factors[workload]", "2", "3", "5"),
    "6 discussion questions": case(THREE_QUESTIONS, questions(6), "discussion_count",
                                   "discussion:", "factors[workload]", "6"),
    "2 measures": case(LAST_MEASURE, "", "too_few_measures", "measures:",
                       "factors[workload]", "2", "3"),
    "measure level": case(FIRST_MEASURE, FIRST_MEASURE.replace("team", "department"),
                          "unknown_measure_level", "department", "department",
                          "individual, team, organisation"),
    "measure type": case(FIRST_MEASURE, FIRST_MEASURE.replace("primary", "main"),
                         "unknown_measure_type", "type: main", "main", "primary, supporting"),
    "control character": case("en: The pace is fine.}", 'en: "The pace\\x07 is fine."}',
                              "control_character", "The pace", "0007", "workload.pace"),
}
# fmt: on


@pytest.mark.parametrize("broken", CASES.values(), ids=CASES.keys())
def test_each_mistake_is_reported_once_on_its_line_in_both_languages(broken: Broken) -> None:
    text = VALID
    for old, new in broken.edits:
        text = changed(old, new, text)
    problem = only(text)
    assert problem.key == f"questions.{broken.key}"
    assert problem.line == line_with(text, broken.at, broken.nth)
    says(problem, *broken.names)


def test_yaml_syntax_error_line_is_the_line_yaml_stopped_at() -> None:
    text = changed("    factor: workload\n    anchor", "    factor: workload\n  anchor")
    assert found(text) == [(45, "yaml_syntax")]
    assert found("set: x\ntitle: {nb: a, en: b\nlicence: y\n") == [(3, "yaml_syntax")]


def test_empty_file_and_a_list_at_the_top() -> None:
    assert found("# just a comment\n") == [(1, "empty_file")]
    assert found("\n- set: mini\n- version: 1\n") == [(2, "top_not_mapping")]
    says(only("- set: mini\n"))


def test_misspelt_anchor_is_named_and_the_factor_loses_its_anchor() -> None:
    text = changed("    anchor: true\n", "    ancor: true\n")
    assert found(text) == [
        (line_with(text, "- id: workload"), "missing_anchor"),
        (line_with(text, "ancor: true"), "unknown_key_suggest"),
    ]
    says(problems(text)[1], "ancor", "anchor", "workload.anchor")


def test_duplicate_factor_names_the_first_line() -> None:
    start = VALID.index("  - id: workload\n")
    end = VALID.index("  - id: bullying_harassment\n")
    text = VALID[:end] + VALID[start:end] + VALID[end:]
    problem = only(text)
    assert problem.key == "questions.duplicate_factor"
    assert problem.line == line_with(text, "- id: workload", 2)
    says(problem, "workload", str(line_with(text, "- id: workload")))


def test_several_problems_are_all_reported_in_line_order() -> None:
    text = changed("    points: 3\n", "    points: 9\n")
    text = changed("    anchor: true\n", "    ancor: true\n", text)
    text = changed(SCREEN, "    factor: bullying\n", text)
    text = changed("    scale: yesno\n", "    scale: yes_no\n", text)
    listed = found(text)
    assert listed == [
        (line_with(text, "points: 9"), "scale_points_range"),
        (line_with(text, "- id: workload"), "missing_anchor"),
        (line_with(text, "ancor"), "unknown_key_suggest"),
        (line_with(text, "factor: bullying"), "item_unknown_factor"),
        (line_with(text, "yes_no"), "item_unknown_scale"),
    ]
    error = InputFileError(problems(text))
    for locale in LOCALES:
        assert len(error.render(locale).splitlines()) == 1 + len(listed)


# --------------------------------------------------------------------------- catalogue


def test_every_questions_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    keys = {
        locale: {k for k in catalogue(locale) if k.startswith("questions.")} for locale in LOCALES
    }
    assert keys["nb"] == keys["en"]
    assert keys["en"], "no questions.* messages found"
    for key in keys["en"]:
        assert placeholders(catalogue("nb")[key]) == placeholders(catalogue("en")[key]), key


def _message_keys_in_source() -> set[str]:
    """Message names passed to ``Reader.problem``/``choice`` in core/questions."""
    names: set[str] = set()
    folder = Path(__file__).resolve().parents[2] / "core" / "questions"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            position = {"problem": 1, "choice": 3}.get(node.func.attr)
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):  # f"{prefix}missing_key": both variants
                tail = arg.values[-1]
                assert isinstance(tail, ast.Constant)
                names.update({str(tail.value), f"top_{tail.value!s}"})
    return names


def test_every_message_the_parser_can_raise_is_in_the_catalogue() -> None:
    used = _message_keys_in_source()
    assert {"missing_key", "top_missing_key", "unknown_measure_level", "yaml_syntax"} <= used
    for locale in LOCALES:
        missing = {name for name in used if f"questions.{name}" not in catalogue(locale)}
        assert not missing, (locale, missing)
