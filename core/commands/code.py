"""`thce code`: code one narrative and show the reasoning and a table of codes (or JSON)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

CONSTRAIN_HELP = "Constrained decoding of the answer: none, valid (only real billable codes) or candidates."
RULES_HELP = "Let the coding rules (guidelines, excludes, E/M levels) edit the answer, each edit with its reason."


def _read_narrative(narrative: str | None, file: Path | None) -> str:
    if file is not None:
        if narrative is not None:
            raise ValueError("give the narrative either as text or with --file, not both")
        if not file.is_file():
            raise ValueError(f"--file {file}: no such file")
        try:
            return file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"--file {file}: not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at byte "
                             f"{exc.start + 1}); save it as UTF-8") from None
    if narrative is None or narrative == "-":
        if narrative is None and sys.stdin.isatty():
            raise ValueError('give a narrative: thce code "TEXT", thce code - (stdin) or --file FILE')
        return sys.stdin.read()
    return narrative


def _check_input(text: str, constrain: str) -> None:
    """Refuse a bad narrative or option before the model is loaded (that takes seconds)."""
    from core.constraints import CONSTRAIN_MODES
    from core.pipeline import check_narrative

    check_narrative(text)
    if constrain not in CONSTRAIN_MODES:
        raise ValueError(f"--constrain must be one of {', '.join(CONSTRAIN_MODES)}, not {constrain!r}")


def command(
    narrative: str = typer.Argument(None, help='The narrative, or "-" to read it from stdin.'),
    file: Path = typer.Option(None, "--file", "-f", help="Read the narrative from this file."),
    model: str = typer.Option(None, "--model", "-m", help="Model directory or hub id (default: the shipped model)."),
    json_out: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
    stream: bool = typer.Option(False, "--stream", help="Show the model's output as it is generated."),
    constrain: str = typer.Option("valid", "--constrain", help=CONSTRAIN_HELP),
    int8: bool = typer.Option(None, "--int8/--no-int8", help="int8 weights on CPU (faster; default: THCE_INT8)."),
    rules: bool = typer.Option(True, "--rules/--no-rules", help=RULES_HELP),
) -> None:
    """Code one clinical narrative: reasoning, then ICD-10-CM / CPT / HCPCS codes with evidence."""
    from core.inference import ModelNotAvailableError
    from core.pipeline import get_pipeline

    try:
        text = _read_narrative(narrative, file)
        _check_input(text, constrain)
        pipe = get_pipeline(model, constrain, quantize=int8, rules=rules)
        result = _run(pipe, text, stream, to_stderr=json_out)
    except (ValueError, ModelNotAvailableError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if json_out:
        import json

        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _show(result, reasoning=not stream)


def _run(pipe, text: str, stream: bool, to_stderr: bool):
    if not stream:
        return pipe.code(text)
    out = sys.stderr if to_stderr else sys.stdout
    result = None
    for chunk in pipe.stream(text):
        if isinstance(chunk, str):
            out.write(chunk)
            out.flush()
        else:
            result = chunk
    out.write("\n")
    return result


def _show(result, reasoning: bool) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    console = Console()
    if reasoning:
        console.print(Panel(result.reasoning or "(no reasoning)", title="reasoning", expand=False))
    table = Table(title=f"codes ({result.latency_s:.2f} s, {result.model_id})")
    for column in ("system", "code", "description", "valid", "evidence", "source", "in answer"):
        table.add_column(column)
    for item in sorted(result.items, key=lambda i: not (i.selected and i.valid)):
        valid = "[green]yes[/]" if item.valid else f"[red]no: {item.status}[/]"
        chosen = "[green]yes[/]" if item.selected and item.valid else "[dim]no[/]"
        source = f"{item.source} ({item.rule})" if item.rule else item.source
        table.add_row(item.system, item.code, item.description, valid, item.evidence, source, chosen)
    console.print(table)
    _show_edits(console, result)
    answer = ", ".join(code for codes in result.codes.values() for code in codes)
    console.print(f"answer: {answer or '(no codes)'}")
    if not result.items:
        console.print("[yellow]no codes[/]")
    if result.error:
        console.print(f"[red]model answer problem:[/] {result.error}")


def _show_edits(console, result) -> None:
    from rich.table import Table

    if not result.rule_edits:
        console.print("coding rules: no edit" if result.rules_applied else "coding rules: off (--no-rules)")
        return
    table = Table(title="coding rule edits", title_justify="left")
    for column in ("rule", "change", "reason", "guideline"):
        table.add_column(column)
    for edit in result.rule_edits:
        table.add_row(edit["rule"], describe_change(edit), edit["reason"], edit["guideline"])
    console.print(table)


def describe_change(edit: dict) -> str:
    """"added X" / "dropped X" / "X -> Y" for one rule edit."""
    if edit["action"] == "replace":
        return f"{edit['code']} -> {edit.get('replacement')}"
    return f"{'added' if edit['action'] == 'add' else 'dropped'} {edit['code']}"
