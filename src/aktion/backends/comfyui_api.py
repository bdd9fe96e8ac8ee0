"""A client for one ComfyUI server: uploads, one prompt, its end, its files, interrupts.

The routes are ComfyUI's own (``server.py``): ``HEAD|GET /view``, ``POST /upload/image``,
``POST /prompt``, ``GET /history/{id}``, ``POST /interrupt {prompt_id}``, ``POST /queue
{delete}`` and the websocket ``/ws?clientId=``. The end of a prompt is taken from
``executing`` with ``node: null`` (sent after the history is written) or, without a
websocket or when it falls quiet, from ``/history/{id}`` holding the prompt; never
from ``execution_success``, which comes first. Without ``websocket-client`` the
client polls. A timeout, a Ctrl-C or a failure while waiting interrupts the prompt on
the server, so it does not keep the GPU busy for nobody.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from .base import BackendError, Progress
from .comfyui_events import PromptFailed, PromptWatch, history_failure, rejection_text

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_. ()-]{0,200}$")
REQUEST_TIMEOUT = 60.0  # one HTTP request; the wait for a prompt has its own limit


class ComfyClient:
    def __init__(self, url: str, timeout: float = 1800.0, poll: float = 1.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.poll = poll
        self.known: set[str] = set()  # input names this client saw on the server

    # --- HTTP ------------------------------------------------------------------
    def call(self, method: str, route: str, body: Any = None,
             query: dict[str, str] | None = None, headers: dict[str, str] | None = None,
             ok: tuple[int, ...] = (200,)) -> tuple[int, bytes]:
        full = self.url + route + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        hdrs = {"Content-Type": "application/json"} if isinstance(body, dict) else {}
        req = urllib.request.Request(full, data=data, headers={**hdrs, **(headers or {})},
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            if e.code in ok:
                return e.code, e.read()
            raise HttpError(e.code, e.read(), route) from None
        except urllib.error.URLError as e:
            reason = e.reason
            why = "connection refused: is ComfyUI running there?" if isinstance(
                reason, ConnectionRefusedError) else f"no answer in {REQUEST_TIMEOUT:.0f} s" \
                if isinstance(reason, TimeoutError) else str(reason)
            raise BackendError(f"comfyui: cannot reach {self.url} ([comfyui] url): "
                               f"{why}") from None
        except TimeoutError:
            raise BackendError(f"comfyui: {method} {route} got no answer from {self.url} in "
                               f"{REQUEST_TIMEOUT:.0f} s") from None
        except (ConnectionError, OSError) as e:
            raise BackendError(f"comfyui: {method} {route} on {self.url}: {e}") from None

    def json(self, method: str, route: str, body: Any = None) -> Any:
        _, raw = self.call(method, route, body)
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise BackendError(f"comfyui: {route} answered with something that is not JSON: "
                               f"{raw[:120]!r}") from None

    # --- inputs -------------------------------------------------------------------
    def has_input(self, name: str) -> bool:
        status, _ = self.call("HEAD", "/view", query={"filename": name, "type": "input"},
                              ok=(200, 404))
        return status == 200

    def upload(self, name: str, data: bytes) -> str:
        """Put a file in the server's input folder once: its name comes from its content,
        so a file already there (this run or an earlier one) is not sent again."""
        if name in self.known or self.has_input(name):
            self.known.add(name)
            return name
        boundary = uuid.uuid4().hex
        body = b"".join([
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n".encode(),
            data, f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n"
            f"input\r\n--{boundary}--\r\n".encode()])
        _, raw = self.call("POST", "/upload/image", body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        reply = json.loads(raw)
        got, sub = str(reply.get("name", "")), str(reply.get("subfolder", ""))
        if not SAFE_NAME.match(got) or sub:
            raise BackendError(f"comfyui upload: the server stored {name} as {sub!r}/{got!r}, "
                               "not a plain input name")
        self.known.add(got)
        return got

    # --- a prompt ----------------------------------------------------------------------
    def connect(self, client_id: str) -> Any:
        """The websocket for ``client_id``, or None (no websocket-client, or it is refused:
        the history is polled instead)."""
        try:
            import websocket
        except ImportError:
            return None
        url = self.url.replace("http", "ws", 1) + "/ws?" + urllib.parse.urlencode(
            {"clientId": client_id})
        try:
            return websocket.create_connection(url, timeout=REQUEST_TIMEOUT)
        except (OSError, websocket.WebSocketException):
            return None

    def submit(self, prompt: dict[str, Any], client_id: str, workflow: str) -> str:
        try:
            _, raw = self.call("POST", "/prompt", {"prompt": prompt, "client_id": client_id})
        except HttpError as e:
            try:
                doc = json.loads(e.body)
            except json.JSONDecodeError:
                doc = e.body.decode("utf-8", "replace")
            raise BackendError(rejection_text(doc, workflow)) from None
        reply = json.loads(raw)
        prompt_id = str(reply.get("prompt_id", ""))
        if reply.get("node_errors"):  # queued, but some outputs will not run
            self.interrupt(prompt_id)
            raise BackendError(rejection_text(reply, workflow))
        if not prompt_id:
            raise BackendError(f"comfyui: /prompt gave no prompt_id: {raw[:200]!r}")
        return prompt_id

    def history(self, prompt_id: str) -> dict[str, Any]:
        """The prompt's history entry; empty until the server has finished it."""
        doc = self.json("GET", f"/history/{urllib.parse.quote(prompt_id)}")
        return doc.get(prompt_id, {}) if isinstance(doc, dict) else {}

    def wait(self, prompt_id: str, ws: Any, nodes: list[str],
             progress: Progress) -> dict[str, Any]:
        """The finished prompt's history entry; interrupts it on timeout, Ctrl-C or error."""
        watch = PromptWatch(prompt_id, nodes, progress)
        deadline = time.monotonic() + self.timeout
        try:
            entry = self._follow(prompt_id, ws, watch, deadline)
        except PromptFailed:
            raise  # the server stopped it already
        except BaseException:
            self.interrupt(prompt_id)
            raise
        failure = history_failure(entry)
        if failure:
            raise PromptFailed(failure)
        watch.finish()
        return entry

    def _follow(self, prompt_id: str, ws: Any, watch: PromptWatch,
                deadline: float) -> dict[str, Any]:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BackendError(
                    f"comfyui: prompt {prompt_id} did not finish in {self.timeout:g} s "
                    "([comfyui] timeout); it was interrupted on the server")
            if ws is not None:
                msg = _receive(ws, min(self.poll, left))
                if msg is _SKIP:
                    continue
                if msg is _CLOSED:
                    ws = None
                elif msg is not None:
                    watch.feed(msg)
                    if not watch.done:
                        continue
            else:
                time.sleep(min(self.poll, left))
            entry = self.history(prompt_id)  # done, quiet, or no websocket: ask
            if entry:
                return entry

    def interrupt(self, prompt_id: str) -> None:
        """Stop the prompt if it runs and drop it if it waits; best effort, never raises."""
        for route, body in (("/interrupt", {"prompt_id": prompt_id}),
                            ("/queue", {"delete": [prompt_id]})):
            try:
                self.call("POST", route, body)
            except BackendError:
                pass

    def view(self, item: dict[str, Any]) -> bytes:
        _, raw = self.call("GET", "/view", query={
            "filename": str(item["filename"]), "subfolder": str(item.get("subfolder", "")),
            "type": str(item.get("type", "output"))})
        return raw


class HttpError(BackendError):
    def __init__(self, code: int, body: bytes, route: str) -> None:
        super().__init__(f"comfyui {route}: HTTP {code}: {body[:300].decode('utf-8', 'replace')}")
        self.code, self.body = code, body


_CLOSED, _SKIP = object(), object()


def _receive(ws: Any, seconds: float) -> Any:
    """One JSON message, None when quiet for ``seconds``, ``_CLOSED`` when the socket is
    gone (the history is polled from then on), ``_SKIP`` for a binary preview frame."""
    import websocket

    ws.settimeout(max(seconds, 0.001))
    try:
        raw = ws.recv()
    except websocket.WebSocketTimeoutException:
        return None
    except (websocket.WebSocketException, OSError):
        return _CLOSED
    if isinstance(raw, bytes):
        return _SKIP
    if not raw:
        return _CLOSED
    try:
        msg = json.loads(raw)
    except json.JSONDecodeError:
        return _SKIP
    return msg if isinstance(msg, dict) else _SKIP
