"""tempcheck questions …: validate, import, export, list and check coverage of question sets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from bot.app import Container
from bot.cli.common import CliState, actor, read_text, reported, run_with_container, state_of
from core.i18n import t
from core.ports import StoredQuestionSet
from core.question_sets import (
    QuestionImportResult,
    import_question_set,
    list_question_sets,
    stored_question_set,
)
from core.questions import QuestionSet, coverage, dump_yaml, load_default_bank, parse_question_set

app = typer.Typer(help="Question sets: validate, import, export, list, coverage.")

TenantOption = typer.Option(None, "--tenant", help="Tenant slug (default: TEMPCHECK_TENANT).")


def load_file(state: CliState, path: Path) -> QuestionSet:
    with reported(state):
        return parse_question_set(read_text(path), str(path))


def coverage_lines(qs: QuestionSet, locale: str) -> list[str]:
    yes, no = t("word.yes", locale), t("word.no", locale)
    lines = [t("cli.questions.coverage.header", locale, key=qs.key, version=qs.version_label)]
    for row in coverage(qs):
        lines.append(
            t(
                "cli.questions.coverage.row",
                locale,
                factor=row.name.get(locale, row.factor_id) if row.name else row.factor_id,
                kind=t("factor_kind." + row.kind.value, locale),
                items=row.items,
                anchor=row.anchor_id or "-",
                rotating=row.rotating,
                languages=",".join(row.languages) or "-",
                complete=yes if row.complete else no,
            )
        )
    return lines


@app.command("validate")
def validate(ctx: typer.Context, file: Path) -> None:
    """Check a question set file; errors name file, line and what is wrong."""
    state = state_of(ctx)
    qs = load_file(state, file)
    state.say(
        "cli.questions.valid",
        file=str(file),
        key=qs.key,
        items=len(qs.items),
        factors=len(qs.factors),
        languages=",".join(qs.languages),
    )


def _say_import(state: CliState, result: QuestionImportResult) -> None:
    key = "cli.questions.imported" if result.created else "cli.questions.unchanged"
    state.say(key, key=result.key, version=result.version, hash=result.content_hash[:12])


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="YAML file; omitted: the shipped default bank"),
    tenant: str | None = TenantOption,
) -> None:
    """Store a question set as a new version (unchanged content keeps the current version)."""
    state = state_of(ctx)
    qs = load_file(state, file) if file else load_default_bank()

    async def work(c: Container) -> QuestionImportResult:
        return await import_question_set(
            c.uows, c.clock, qs, tenant_slug=tenant or state.tenant, actor=actor()
        )

    _say_import(state, run_with_container(state, work))


@app.command("export")
def export(
    ctx: typer.Context,
    set_key: str = typer.Option("default", "--set", help="Question set key."),
    version: int | None = typer.Option(None, help="Version (default: the latest)."),
    out: Path | None = typer.Option(None, help="Write to this file instead of stdout."),
    shipped: bool = typer.Option(
        False, "--shipped", help="Export the default bank shipped with tempcheck (no database)."
    ),
    tenant: str | None = TenantOption,
) -> None:
    """Write a stored question set (or the shipped bank) as YAML, ready to edit and import."""
    state = state_of(ctx)
    if shipped:
        qs = load_default_bank()
    else:

        async def work(c: Container) -> StoredQuestionSet:
            return await stored_question_set(
                c.uows, tenant_slug=tenant or state.tenant, key=set_key, version=version
            )

        qs = run_with_container(state, work).question_set
    text = dump_yaml(qs)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        state.say("cli.questions.exported", file=str(out), key=qs.key)


def _list_lines(state: CliState, sets: Sequence[StoredQuestionSet]) -> list[str]:
    if not sets:
        return [t("cli.questions.list.empty", state.locale)]
    return [
        t(
            "cli.questions.list.row",
            state.locale,
            key=s.key,
            version=s.version,
            items=len(s.question_set.items),
            hash=s.content_hash[:12],
            created=s.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
        for s in sets
    ]


@app.command("list")
def list_(ctx: typer.Context, tenant: str | None = TenantOption) -> None:
    """List stored question sets and their versions."""
    state = state_of(ctx)

    async def work(c: Container) -> Sequence[StoredQuestionSet]:
        return await list_question_sets(c.uows, tenant_slug=tenant or state.tenant)

    for line in _list_lines(state, run_with_container(state, work)):
        typer.echo(line)


@app.command("coverage")
def coverage_(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="YAML file; omitted: see --set"),
    set_key: str | None = typer.Option(
        None, "--set", help="A stored set; with neither FILE nor --set: the shipped bank."
    ),
    tenant: str | None = TenantOption,
) -> None:
    """Show, per factor, the items, the anchor and the languages."""
    state = state_of(ctx)
    if file is not None:
        qs = load_file(state, file)
    elif set_key is not None:
        key = set_key

        async def work(c: Container) -> StoredQuestionSet:
            return await stored_question_set(c.uows, tenant_slug=tenant or state.tenant, key=key)

        qs = run_with_container(state, work).question_set
    else:
        qs = load_default_bank()
    for line in coverage_lines(qs, state.locale):
        typer.echo(line)
