"""Commands for provenance: signing identities, verifying assets, checking the ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from aktion.provenance.errors import ProvenanceError

from .app import app, console, err_console

if TYPE_CHECKING:
    from rich.tree import Tree

    from aktion.provenance.trail import TrailNode
    from aktion.provenance.verify import Verdict

identity_app = typer.Typer(help="Signing identities: create, import, list, use.",
                           no_args_is_help=True)
ledger_app = typer.Typer(help="The production's tamper-evident ledger.", no_args_is_help=True)
app.add_typer(identity_app, name="identity")
app.add_typer(ledger_app, name="ledger")

NameOpt = Annotated[str, typer.Option("--name", "-n", help="identity name")]
DirOpt = Annotated[Path | None, typer.Option(
    "--dir", help="where to keep the key (default $AKTION_HOME or ~/.config/aktion)")]
ProdOpt = Annotated[Path | None, typer.Option(
    "--production", "-p", help="production folder (default: found from the file or cwd)")]


def _fail(e: Exception, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]✗[/] {escape(str(e))}")
    return typer.Exit(code)


def _record(production: Path | None, identity_name: str, directory: Path | None) -> None:
    if production is None:
        return
    from aktion.provenance.identity import install_identity, load_identity

    folder = install_identity(production, load_identity(identity_name, directory=directory))
    console.print(f"  recorded the public chain and anchor in {folder}/")


@identity_app.command("create")
def identity_create(
    name: NameOpt = "default", directory: DirOpt = None,
    intermediate: Annotated[bool, typer.Option(help="add an intermediate CA")] = False,
    production: ProdOpt = None,
    force: Annotated[bool, typer.Option(help="replace an existing identity")] = False,
) -> None:
    """Make a local CA and an ES256 signing certificate; the key stays outside productions."""
    from aktion.provenance.identity import create_identity

    try:
        ident = create_identity(name, directory=directory, intermediate=intermediate, force=force)
        console.print(f"[green]✓[/] identity [bold]{name}[/]: key {ident.key_path} (0600), "
                      f"fingerprint {ident.fingerprint[:16]}…")
        _record(production, name, directory)
    except ProvenanceError as e:
        raise _fail(e) from None


@identity_app.command("import")
def identity_import(
    cert: Annotated[Path, typer.Option(help="PEM chain, signing certificate first")],
    key: Annotated[Path, typer.Option(help="PEM private key (unencrypted)")],
    anchor: Annotated[Path, typer.Option(help="PEM root certificate(s) to trust")],
    name: NameOpt = "default", directory: DirOpt = None, production: ProdOpt = None,
    force: Annotated[bool, typer.Option(help="replace an existing identity")] = False,
) -> None:
    """Bring your own certificate and key (checked against C2PA's rules first)."""
    from aktion.provenance.identity import import_identity

    try:
        ident = import_identity(name, cert.read_text(), key.read_bytes(), anchor.read_text(),
                                directory=directory, force=force)
        console.print(f"[green]✓[/] imported [bold]{name}[/], fingerprint "
                      f"{ident.fingerprint[:16]}…")
        _record(production, name, directory)
    except (ProvenanceError, OSError) as e:
        raise _fail(e) from None


@identity_app.command("use")
def identity_use(production: Annotated[Path, typer.Argument(help="production folder")],
                 name: NameOpt = "default", directory: DirOpt = None) -> None:
    """Sign this production's assets with an identity (records only public certificates)."""
    try:
        _record(production, name, directory)
    except ProvenanceError as e:
        raise _fail(e) from None


@identity_app.command("list")
def identity_list() -> None:
    """Identities on this machine."""
    from aktion.provenance.identity import list_identities

    found = list_identities()
    if not found:
        console.print("no identities yet: [bold]aktion identity create[/]")
    for ident in found:
        console.print(f"{ident.name}  {ident.alg}  {ident.fingerprint[:16]}…  "
                      f"until {ident.leaf.not_valid_after_utc:%Y-%m-%d}")


# --- verify -----------------------------------------------------------------------------

STATUS_STYLE = {"trusted": "green", "untrusted": "yellow", "invalid": "red", "unsigned": "red"}


def _node_label(node: TrailNode) -> str:
    step = node.step
    head = f"[bold]{escape(node.title)}[/]"
    if node.relationship != "self":
        head += f" [dim]({node.relationship})[/]"
    bits = []
    if step:
        bits.append(f"{step.get('step_kind', '?')} {str(step.get('step_key', ''))[:12]}")
        backend = step.get("backend")
        if backend:
            bits.append(f"{backend}{' ' + step['model_id'] if step.get('model_id') else ''}")
        if step.get("seed") is not None:
            bits.append(f"seed {step['seed']}")
    if node.source_type:
        bits.append(node.source_type)
    if node.label is None:
        bits.append("no manifest")
    label = head + ("  " + escape(" · ".join(bits)) if bits else "")
    if node.in_ledger is not None:
        label += "  [dim]in ledger[/]" if node.in_ledger else "  [yellow]not in this ledger[/]"
    return label


def _add(tree: Tree, node: TrailNode) -> None:
    branch = tree.add(_node_label(node))
    _details(branch, node)
    for child in node.children:
        _add(branch, child)


def _details(branch: Tree, node: TrailNode) -> None:
    step = node.step
    script = step.get("script")
    if isinstance(script, dict):
        a, b = script.get("first_line", "?"), script.get("last_line", "?")
        state = {"unchanged": "[green]unchanged since[/]", "changed": "[yellow]changed since[/]",
                 "missing": "[yellow]script not found[/]"}.get(node.script_status or "", "")
        branch.add(f"[cyan]script[/] {escape(str(script.get('file')))} lines {a}-{b} "
                   f"[dim]sha256 {str(script.get('text_sha256', ''))[:12]}[/] {state}")
    locks = step.get("cast_locks") or {}
    if locks:
        branch.add("[cyan]cast[/] " + escape(", ".join(f"{k} {v[:10]}" for k, v in locks.items())))
    for note in node.notes:
        branch.add(f"[dim]{escape(note)}[/]")
    for failure in node.failures:
        branch.add(f"[red]✗ {escape(failure)}[/]")


def show_verdict(v: Verdict) -> None:
    style = STATUS_STYLE[v.status]
    mark = "✓" if v.ok else "✗"
    console.print(f"[{style}]{mark} {escape(str(v.file))}: {v.status}[/] "
                  f"(signature and binding: {v.hard_binding}; {v.seconds * 1000:.0f} ms)")
    if v.signer:
        console.print(f"  signed by {escape(str(v.signer.get('common_name')))} "
                      f"({escape(str(v.signer.get('issuer')))}), {v.signer.get('alg')}")
    if v.ledger is not None:
        where = f"entry {v.ledger_entry}" if v.ledger_entry is not None else "no entry"
        state = "intact" if v.ledger.ok else "BROKEN"
        console.print(f"  ledger: {state}, {v.ledger.entries} entries; this file: {where}")
    if v.trail is not None:
        from rich.tree import Tree

        tree = Tree("[bold]trail[/]")
        _add(tree, v.trail)
        console.print(tree)
    for p in v.problems:
        err_console.print(f"[red]✗[/] {escape(p)}")


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="a signed PNG or MP4", exists=True,
                                         dir_okay=False)],
    production: ProdOpt = None,
    anchor: Annotated[Path | None, typer.Option(help="trust these PEM roots instead")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Check an asset's signature, binding, trust and ledger entry; show its trail."""
    from aktion.provenance.verify import find_production, verify_asset

    production = production or find_production(file)
    verdict = verify_asset(file, production=production,
                           anchors_pem=anchor.read_text() if anchor else None)
    if as_json:
        typer.echo(json.dumps(verdict.to_json(), indent=2))
    else:
        show_verdict(verdict)
    raise typer.Exit(0 if verdict.ok else 1)


# --- ledger -----------------------------------------------------------------------------

def _production(path: Path | None) -> Path:
    from aktion.provenance.identity import inside_production

    found = path or inside_production(Path.cwd())
    if found is None:
        raise _fail(ValueError("no production here: pass --production"), 2)
    return found


@ledger_app.command("verify")
def ledger_verify(
    production: ProdOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Check that every entry is intact and chained; say where it is not."""
    from aktion.provenance.ledger import Ledger

    report = Ledger.for_production(_production(production)).verify()
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    elif report.ok:
        head = report.head
        console.print(f"[green]✓[/] ledger intact: {report.entries} entries"
                      + (f", head {head.hash[:16]}…" if head else ""))
    else:
        for p in report.problems:
            err_console.print(f"[red]✗[/] {escape(p)}")
    raise typer.Exit(0 if report.ok else 1)


@ledger_app.command("repair")
def ledger_repair(production: ProdOpt = None) -> None:
    """Drop a torn last line left by an interrupted append (and nothing else)."""
    from aktion.provenance.ledger import Ledger

    ledger = Ledger.for_production(_production(production))
    dropped = ledger.repair()
    if dropped is None:
        console.print("nothing to repair: the last line is complete")
    else:
        console.print(f"[yellow]dropped a torn last line ({len(dropped)} bytes)[/]")
    report = ledger.verify()
    if not report.ok:
        for p in report.problems:
            err_console.print(f"[red]✗[/] {escape(p)}")
        raise typer.Exit(1)
