"""The question bank: factors, scales and items, parsed from YAML and validated."""

from __future__ import annotations

from core.questions.coverage import FactorCoverage, coverage
from core.questions.dump import content_hash, dump_yaml, to_document
from core.questions.model import (
    KNOWN_FACTORS,
    Factor,
    FactorKind,
    Item,
    Localised,
    Measure,
    MeasureLevel,
    MeasureType,
    QuestionSet,
    Scale,
)
from core.questions.parse import default_bank_text, load_default_bank, parse_question_set

__all__ = [
    "KNOWN_FACTORS",
    "Factor",
    "FactorCoverage",
    "FactorKind",
    "Item",
    "Localised",
    "Measure",
    "MeasureLevel",
    "MeasureType",
    "QuestionSet",
    "Scale",
    "content_hash",
    "coverage",
    "default_bank_text",
    "dump_yaml",
    "load_default_bank",
    "parse_question_set",
    "to_document",
]
