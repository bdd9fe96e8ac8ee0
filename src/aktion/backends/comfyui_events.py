"""What a ComfyUI server says about one prompt: progress, the end, and errors, in words.

ComfyUI reports work on the websocket as ``progress_state`` (every node's value and
max, sent whenever one changes), sampler-style ``progress`` (one node's steps) and
``executing`` (the node now running; ``node: null`` once the prompt is done *and*
its history is written). ``execution_success`` is not the end: the server sends it
before the history holds the outputs. Errors come as ``execution_error`` messages,
as the ``status`` of a history entry, or as ``node_errors`` when a prompt is
refused; each is turned into one readable line naming node, class and input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .base import BackendError, Progress


class PromptFailed(BackendError):
    """The server ran the prompt and it failed (the server already stopped it)."""


class PromptWatch:
    """Follows one prompt's messages; ``done`` once ``executing`` says node null for it."""

    def __init__(self, prompt_id: str, nodes: Iterable[str], progress: Progress) -> None:
        self.prompt_id = prompt_id
        self.nodes = set(nodes)
        self.cached: set[str] = set()
        self.state: dict[str, tuple[float, float]] = {}
        self.progress = progress
        self.done = False
        self.running: str | None = None
        self.reported: tuple[int, int] | None = None

    def feed(self, msg: dict[str, Any]) -> None:
        kind, data = msg.get("type"), msg.get("data") or {}
        if data.get("prompt_id") != self.prompt_id:
            return  # queue status, or another prompt's news
        if kind == "execution_cached":
            self.cached.update(str(n) for n in data.get("nodes", []))
        elif kind == "progress_state":
            for node, st in (data.get("nodes") or {}).items():
                self.state[str(node)] = (float(st.get("value", 0)), float(st.get("max", 1)))
        elif kind == "progress" and data.get("node") is not None:
            self.state[str(data["node"])] = (float(data["value"]), float(data["max"]))
        elif kind == "execution_error":
            raise PromptFailed(failure_text(data))
        elif kind == "execution_interrupted":
            raise PromptFailed(interrupted_text(data))
        elif kind == "executing" and data.get("node") is None:
            self.done = True
        elif kind == "executing":  # the node before it has finished (servers without
            self._finish_running()  # progress_state say no more than this)
            self.running = str(data["node"])
            self.state.setdefault(self.running, (0.0, 1.0))
        self._report()

    def _finish_running(self) -> None:
        if self.running is not None:
            _, top = self.state.get(self.running, (0.0, 1.0))
            self.state[self.running] = (top, top)

    def finish(self) -> None:
        _, total = self.counts()
        self._emit(total, total)

    def counts(self) -> tuple[int, int]:
        """(done, total) in node steps: each node counts its max (1 for most, the
        sampler's step count for samplers); nodes not started yet count 1."""
        waiting = self.nodes - self.cached - set(self.state)
        done = sum(v for v, _ in self.state.values())
        total = sum(m for _, m in self.state.values()) + len(waiting)
        return round(done), max(round(total), 1)

    def _report(self) -> None:
        if self.state:
            self._emit(*self.counts())

    def _emit(self, done: int, total: int) -> None:
        if (done, total) != self.reported:
            self.reported = (done, total)
            self.progress(done, total)


def history_failure(entry: dict[str, Any]) -> str | None:
    """The reason a finished history entry failed, or None if it succeeded."""
    status = entry.get("status") or {}
    if status.get("status_str") != "error":
        return None
    for kind, data in status.get("messages", []):
        if kind == "execution_error":
            return failure_text(data)
        if kind == "execution_interrupted":
            return interrupted_text(data)
    return "comfyui: the prompt failed (no message from the server)"


def failure_text(data: dict[str, Any]) -> str:
    message = str(data.get("exception_message", "")).strip().splitlines()
    kind = str(data.get("exception_type", "")).rsplit(".", 1)[-1]
    return (f"comfyui: node {data.get('node_id')} ({data.get('node_type')}) failed: "
            f"{kind + ': ' if kind else ''}{message[0] if message else 'no message'}")


def interrupted_text(data: dict[str, Any]) -> str:
    return (f"comfyui: the prompt was interrupted on the server at node {data.get('node_id')} "
            f"({data.get('node_type')})")


def rejection_text(doc: Any, workflow: str) -> str:
    """A refused prompt (HTTP 400) in one line: every node error, then the cause."""
    if not isinstance(doc, dict):
        return f"comfyui refused {workflow}: {str(doc)[:300]}"
    parts = []
    for node_id, err in (doc.get("node_errors") or {}).items():
        for reason in err.get("errors", []):
            extra = reason.get("extra_info") or {}
            name = extra.get("input_name")
            msg, details = str(reason.get("message", "")), str(reason.get("details", ""))
            text = msg + (f": {details}" if details and details != name else "")
            parts.append(f"node {node_id} ({err.get('class_type')})"
                         f"{' input ' + name if name else ''}: {text}")
    error = doc.get("error")
    if not parts and isinstance(error, dict):
        text = str(error.get("message", "")).strip()
        if error.get("details"):
            text += f" ({error['details']})"
        if "does not exist" in text:
            text += "; install the custom node that provides it on the server"
        parts.append(text)
    elif not parts:
        parts.append(str(error or doc)[:300])
    return f"comfyui refused {workflow}: " + "; ".join(parts)
