"""The documentation export for internal-control audits: see ``core.documentation.export``."""

from __future__ import annotations

from core.documentation.export import (
    SECTION_NAMES,
    Documentation,
    build_documentation,
    canonical_json,
    content_hash,
)
from core.documentation.html import documentation_html

__all__ = [
    "SECTION_NAMES",
    "Documentation",
    "build_documentation",
    "canonical_json",
    "content_hash",
    "documentation_html",
]
