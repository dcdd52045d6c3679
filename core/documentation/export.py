"""The documentation export for internal-control audits (internkontrollforskriften § 5,
arbeidsmiljøloven § 4-3): one document per period with the routine, the annual wheel, the
mappings done, risk assessments, measures, the consultation log and the audit trail.

``content`` is language-neutral data (ids and catalogue keys); HTML and PDF translate it.
The SHA-256 of its canonical JSON is stated in every format, so the bokmål and English
documents and the JSON twin of one export carry the same hash, and anyone can recompute it
from the JSON. The generation time sits outside the hashed content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.documentation.followup import consultations, measures, risk_assessments
from core.documentation.loaded import Loaded, Period, load
from core.documentation.mappings import mappings
from core.documentation.routine import routine
from core.documentation.trail import audit_trail
from core.ports import UnitOfWorkFactory
from core.question_sets import require_tenant
from core.wheel import Wheel, annual_wheel
from core.wheel.service import check_range

FORMAT: Final = "tempcheck-documentation/1"


def wheel_section(data: Loaded) -> dict[str, object]:
    return {
        "entries": [e.to_dict() for e in data.wheel.entries],
        "gaps": [g.to_dict() for g in data.wheel.gaps],
    }


#: The sections in the document's order; each builder reads only ``Loaded``.
SECTIONS: Final[tuple[tuple[str, Callable[[Loaded], object]], ...]] = (
    ("routine", routine),
    ("wheel", wheel_section),
    ("mappings", mappings),
    ("risk_assessments", risk_assessments),
    ("measures", measures),
    ("consultations", consultations),
    ("audit_trail", audit_trail),
)
SECTION_NAMES: Final = tuple(name for name, _ in SECTIONS)


def canonical_json(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(content: Mapping[str, object]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(content)).hexdigest()


@dataclass(frozen=True)
class Documentation:
    generated_at: datetime
    content: Mapping[str, object]
    content_hash: str

    def to_json(self) -> str:
        document = {
            "format": FORMAT,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "content_hash": self.content_hash,
            "content": self.content,
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"  # sections in order


def _content(data: Loaded) -> dict[str, object]:
    org = data.org
    return {
        "format": FORMAT,
        "tenant": {"slug": org.tenant.slug, "name": org.tenant.name},
        "period": {"from": data.period.start.isoformat(), "to": data.period.end.isoformat()},
        "timezone": data.period.timezone,
        "sections": {name: build(data) for name, build in SECTIONS},
    }


async def build_documentation(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    start: date,
    end: date,
    timezone: str,
    actor: str,
    output: str,
) -> Documentation:
    """Collect the period's documentation; the export (and so its reading of releases) is
    audit-logged with its hash."""
    check_range(start, end)
    now = clock.now()
    wheel: Wheel = await annual_wheel(
        uows, clock, tenant_slug=tenant_slug, start=start, end=end, timezone=timezone
    )
    period = Period(start, end, timezone, now.astimezone(ZoneInfo(timezone)).date())
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        data = await load(uow, tenant.id, period, wheel)
        content = _content(data)
        digest = content_hash(content)
        await uow.audit.record(
            tenant.id,
            now,
            actor,
            "docs.export",
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "format": output,
                "rounds": sorted(data.releases),
                "hash": digest,
            },
        )
        await uow.commit()
    return Documentation(now, content, digest)
