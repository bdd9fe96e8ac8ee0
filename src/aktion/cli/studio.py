"""``aktion studio``: the web studio over one production, on this machine only."""

from __future__ import annotations

import socket
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from .app import app, console, err_console


@app.command("studio")
def studio_cmd(
    path: Annotated[Path, typer.Argument(help="the production folder")],
    host: Annotated[str, typer.Option(help="address to listen on; loopback unless you "
                                           "mean to share the studio")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port; 0 picks a free one")] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser",
                                             help="print the URL, do not open it")] = False,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="a name or address other machines reach this one by "
                             "(repeat for several); needed with --host 0.0.0.0")] = None,
) -> None:
    """Open the web studio: Writers Room, Cast, Storyboard, Choreography, Canvas."""
    import uvicorn

    from aktion.studio.app import create_app
    from aktion.studio.security import LOOPBACK, new_token

    if not (path / "aktion.toml").is_file():
        err_console.print(f"[red]✗[/] {path} is not a production folder (no aktion.toml)")
        raise typer.Exit(2)
    allowed = {h.strip().lower().strip("[]") for h in allow_host or [] if h.strip()}
    if host not in LOOPBACK:
        err_console.print(
            f"[bold red]WARNING: the studio is listening on {host}, not loopback.[/] Anyone "
            "who can reach this address and learns the token can edit and render this "
            "production. Use only on a network you trust.")
        if host in ("0.0.0.0", "::") and not allowed:
            err_console.print(
                "[yellow]![/] only loopback names will be answered: name the addresses "
                "others use with --allow-host (e.g. --allow-host 192.168.1.20)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    token = new_token()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/?token={token}"
    web = create_app(path, token, hosts={host} | allowed)
    console.print(f"[green]✓[/] Aktion Studio for {path}: [bold]{url}[/]")
    console.print("  the token in this URL is the key to the studio; Ctrl-C stops it")
    if not no_browser:
        webbrowser.open(url)
    server = uvicorn.Server(uvicorn.Config(web, log_level="warning"))
    server.run(sockets=[sock])
