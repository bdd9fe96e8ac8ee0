"""Commands for provenance: signing identities, the trust store, verifying assets,
checking the ledger, and collecting unreferenced blobs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from aktion.provenance.errors import IdentityError, ProvenanceError

from .app import app, console, err_console

if TYPE_CHECKING:
    from rich.tree import Tree

    from aktion.provenance.trail import TrailNode
    from aktion.provenance.verify import Verdict

identity_app = typer.Typer(help="Signing identities: create, import, list, use, tsa.",
                           no_args_is_help=True)
ledger_app = typer.Typer(help="The production's signed, tamper-evident ledger.",
                         no_args_is_help=True)
trust_app = typer.Typer(help="The roots you trust: the only ones a verdict of trusted rests on.",
                        no_args_is_help=True)
app.add_typer(identity_app, name="identity")
app.add_typer(ledger_app, name="ledger")
app.add_typer(trust_app, name="trust")
P12_PASSPHRASE = "AKTION_P12_PASSPHRASE"

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


TsaOpt = Annotated[str | None, typer.Option(
    "--tsa", help="RFC 3161 time-stamp authority URL: signatures stay valid after the "
                  "certificate expires")]


@identity_app.command("create")
def identity_create(
    name: NameOpt = "default", directory: DirOpt = None,
    intermediate: Annotated[bool, typer.Option(help="add an intermediate CA")] = False,
    production: ProdOpt = None, tsa: TsaOpt = None,
    trust: Annotated[bool, typer.Option(help="trust its root in your trust store")] = True,
    force: Annotated[bool, typer.Option(help="replace an existing identity")] = False,
) -> None:
    """Make a local CA and an ES256 signing certificate; the key stays outside productions."""
    from aktion.provenance.identity import create_identity

    try:
        ident = create_identity(name, directory=directory, intermediate=intermediate, force=force,
                                tsa_url=tsa, trust=trust)
        console.print(f"[green]✓[/] identity [bold]{name}[/]: key {ident.key_path} (0600), "
                      f"fingerprint {ident.fingerprint[:16]}…")
        if trust:
            console.print(f"  trusted its root in your trust store as 'identity {name}' "
                          "(undo: aktion trust remove)")
        _record(production, name, directory)
    except ProvenanceError as e:
        raise _fail(e) from None


def _passphrase() -> bytes | None:
    """The PKCS#12 passphrase: from AKTION_P12_PASSPHRASE, else asked (never echoed)."""
    env = os.environ.get(P12_PASSPHRASE)
    if env is not None:
        return env.encode() or None
    text = typer.prompt("PKCS#12 passphrase (empty for none)", default="", hide_input=True,
                        show_default=False)
    return text.encode() or None


@identity_app.command("import")
def identity_import(
    cert: Annotated[Path | None, typer.Option(
        help="PEM chain (signing certificate first) or one DER certificate")] = None,
    key: Annotated[Path | None, typer.Option(help="private key, PEM or DER, unencrypted")] = None,
    anchor: Annotated[Path | None, typer.Option(help="the root certificate(s), PEM or DER")] = None,
    p12: Annotated[Path | None, typer.Option(
        "--p12", help=f"a PKCS#12 (.p12/.pfx) file; its passphrase from ${P12_PASSPHRASE} "
                      "or a prompt")] = None,
    name: NameOpt = "default", directory: DirOpt = None, production: ProdOpt = None,
    tsa: TsaOpt = None,
    trust: Annotated[bool, typer.Option(help="also trust its root (default: do not)")] = False,
    force: Annotated[bool, typer.Option(help="replace an existing identity")] = False,
) -> None:
    """Bring your own certificate and key (checked against C2PA's rules first)."""
    from aktion.provenance.certs import certs_pem, key_pem, load_pkcs12, split_chain
    from aktion.provenance.identity import import_identity, trust_identity
    from aktion.provenance.trust import read_bundle

    try:
        if p12 is not None:
            bundle = load_pkcs12(p12.read_bytes(), _passphrase())
            chain, roots = split_chain(bundle.leaf, bundle.others)
            if anchor is not None:
                roots = read_bundle(anchor)
            if not roots:
                raise IdentityError(f"{p12} holds no root certificate: pass --anchor")
            chain_pem, key_bytes, anchor_pem = certs_pem(chain), key_pem(bundle.key), certs_pem(roots)
        else:
            if cert is None or key is None or anchor is None:
                raise IdentityError("pass --cert, --key and --anchor, or --p12")
            chain_pem = certs_pem(read_bundle(cert))
            key_bytes, anchor_pem = key.read_bytes(), certs_pem(read_bundle(anchor))
        ident = import_identity(name, chain_pem, key_bytes, anchor_pem, directory=directory,
                                force=force, tsa_url=tsa)
        console.print(f"[green]✓[/] imported [bold]{name}[/], fingerprint "
                      f"{ident.fingerprint[:16]}…")
        if trust:
            trust_identity(ident)
            console.print(f"  trusted its root as 'identity {name}'")
        else:
            console.print("  its root is not in your trust store; if it should be: "
                          f"aktion trust add --identity {name}")
        _record(production, name, directory)
    except (ProvenanceError, OSError) as e:
        raise _fail(e) from None


@identity_app.command("tsa")
def identity_tsa(
    url: Annotated[str | None, typer.Argument(help="the TSA's URL; leave out to stop")] = None,
    name: NameOpt = "default", directory: DirOpt = None,
) -> None:
    """Time-stamp this identity's signatures with an RFC 3161 authority (or stop)."""
    from aktion.provenance.identity import set_tsa

    try:
        set_tsa(name, url, directory=directory)
    except ProvenanceError as e:
        raise _fail(e) from None
    console.print(f"[green]✓[/] {name}: " + (f"signatures time-stamped by {url}" if url
                                              else "no time-stamps"))


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
                      f"until {ident.leaf.not_valid_after_utc:%Y-%m-%d}"
                      + (f"  tsa {ident.tsa_url}" if ident.tsa_url else ""))


# --- trust ------------------------------------------------------------------------------

@trust_app.command("add")
def trust_add(
    file: Annotated[Path | None, typer.Argument(
        help="PEM root(s) or a downloaded C2PA trust list (PEM bundle), or one DER root",
        exists=True, dir_okay=False)] = None,
    identity: Annotated[str | None, typer.Option(
        "--identity", help="the root of a local identity")] = None,
    production: Annotated[Path | None, typer.Option(
        "--production", "-p", help="the root a production suggests (check its fingerprint "
                                   "with its owner first)")] = None,
    label: Annotated[str | None, typer.Option(help="a name for it in `trust list`")] = None,
) -> None:
    """Trust a root: files it vouches for will verify as trusted."""
    from aktion.provenance.certs import load_certs
    from aktion.provenance.identity import load_identity, production_anchors
    from aktion.provenance.trust import TrustStore, read_bundle

    chosen = [x is not None for x in (file, identity, production)]
    if sum(chosen) != 1:
        raise _fail(ValueError("give exactly one of FILE, --identity or --production"), 2)
    try:
        if file is not None:
            certs, source = read_bundle(file), f"file {file.resolve()}"
        elif identity is not None:
            certs = load_certs(load_identity(identity).anchor_pem)
            label, source = label or f"identity {identity}", "local identity"
        else:
            assert production is not None
            certs = production_anchors(production)
            if not certs:
                raise IdentityError(f"{production} suggests no anchor (identity/anchor.pem)")
            source = f"suggested by production {production.resolve()}"
        added = TrustStore().add(certs, label=label or certs[0].subject.rfc4514_string(),
                                 source=source)
    except (ProvenanceError, OSError) as e:
        raise _fail(e) from None
    for a in added:
        console.print(f"[green]✓[/] trusted {escape(a.subject)}  sha256 {a.fingerprint}")
    if not added:
        console.print("already trusted: nothing added")


@trust_app.command("list")
def trust_list(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """The roots you trust, with where each came from."""
    from aktion.provenance.trust import TrustStore

    try:
        anchors = TrustStore().anchors()
    except ProvenanceError as e:
        raise _fail(e) from None
    if as_json:
        typer.echo(json.dumps([a.to_json() for a in anchors], indent=2))
        return
    if not anchors:
        console.print("you trust no roots yet: files verify as untrusted at best "
                      "(aktion trust add)")
    for a in anchors:
        console.print(f"[bold]{escape(a.label)}[/]  {a.fingerprint[:16]}…  {escape(a.subject)}"
                      f"  until {a.not_after[:10]}  [dim]{escape(a.source)}[/]")


@trust_app.command("remove")
def trust_remove(
    which: Annotated[str, typer.Argument(help="a label, or a fingerprint (8+ hex digits)")],
) -> None:
    """Stop trusting a root."""
    from aktion.provenance.trust import TrustStore

    try:
        gone = TrustStore().remove(which)
    except ProvenanceError as e:
        raise _fail(e) from None
    if not gone:
        raise _fail(ValueError(f"no trusted root is labelled or starts with {which!r}"))
    for a in gone:
        console.print(f"[yellow]removed[/] {escape(a.label)} ({a.fingerprint[:16]}…)")


# --- verify -----------------------------------------------------------------------------

STATUS_STYLE = {"trusted": "green", "untrusted": "yellow", "invalid": "red", "unsigned": "red",
                "unreadable": "red"}


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


BINDING = {"match": "[green]binding: match[/]", "mismatch": "[red]binding: MISMATCH[/]",
           "unknown": "[yellow]binding: not checked[/]"}


def show_verdict(v: Verdict) -> None:
    style = STATUS_STYLE[v.status]
    mark = "✓" if v.ok else "✗"
    head = f"[{style}]{mark} {escape(str(v.file))}: {v.status}[/]"
    if v.validation_state:
        head += f" (C2PA: {v.validation_state}; {BINDING[v.hard_binding]})"
    console.print(head + f" [dim]{v.seconds * 1000:.0f} ms[/]")
    if v.signer:
        console.print(f"  signed by {escape(str(v.signer.get('common_name')))} "
                      f"({escape(str(v.signer.get('issuer')))}), {v.signer.get('alg')}"
                      + (f", time-stamped {v.timestamp}" if v.timestamp else ""))
    if v.anchor:
        console.print(f"  trusted through your anchor [bold]{escape(v.anchor['label'])}[/] "
                      f"({v.anchor['fingerprint'][:16]}…)")
    if v.ledger is not None:
        where = f"entry {v.ledger_entry}" if v.ledger_entry is not None else "no entry"
        state = "intact and signed" if v.ledger.ok else "BROKEN"
        console.print(f"  ledger: {state}, {v.ledger.entries} entries; this file: {where}")
    r = v.recovered
    if r and r.get("found"):
        console.print(f"  [cyan]watermark[/]: mark {r['mark']} ({r['read_as']}, "
                      f"{r['bits_off']} bits off) is manifest {r['manifest']}, output "
                      f"{escape(str(r['output']))} of ledger entry {r['ledger_entry']} "
                      f"({r['step_kind']}); original: {escape(str(r.get('original')))} "
                      f"{r.get('original_status', 'not on this machine')}")
        for use in r.get("used_in", []):
            console.print(f"    used in entry {use['ledger_entry']} ({use['step_kind']})")
    elif r:
        console.print(f"  [dim]watermark: {escape(str(r.get('why')))}[/]")
    if v.trail is not None:
        from rich.tree import Tree

        tree = Tree("[bold]trail[/]")
        _add(tree, v.trail)
        console.print(tree)
    for p in v.problems:
        err_console.print(f"[red]✗[/] {escape(p)}")


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="any file the C2PA SDK reads", exists=True,
                                         dir_okay=False)],
    production: ProdOpt = None,
    anchor: Annotated[Path | None, typer.Option(
        help="trust only these PEM roots, instead of your trust store")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Check an asset's signature, binding, trust and ledger entry; show its trail, or
    where its watermark leads when its manifest is gone."""
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
    """Check that every entry is intact, chained, signed by a root you trust and not cut
    short of its signed checkpoint; say where it is not."""
    from aktion.provenance.audit import audit_ledger

    report = audit_ledger(_production(production))
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    elif report.ok:
        head = report.head
        console.print(f"[green]✓[/] ledger intact and signed: {report.entries} entries"
                      + (f", head {head.hash[:16]}…" if head else "")
                      + (", matches its signed checkpoint" if report.checkpoint else ""))
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


# --- gc ---------------------------------------------------------------------------------

@app.command()
def gc(
    production: ProdOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n",
                                          help="list what would go, remove nothing")] = False,
) -> None:
    """Remove blobs that no cache entry and no ledger entry reference."""
    from aktion.engine.gc import collect

    root = _production(production)
    try:
        found = collect(root, dry_run=dry_run)
    except (ProvenanceError, OSError, ValueError) as e:
        raise _fail(e) from None
    verb = "would remove" if dry_run else "removed"
    for name in found.unreferenced:
        console.print(f"  {verb} {name}")
    console.print(f"{verb} {len(found.unreferenced)} of {found.blobs} blobs "
                  f"({found.bytes / 1e6:.1f} MB); kept {found.kept} referenced by the cache "
                  "or the ledger")
