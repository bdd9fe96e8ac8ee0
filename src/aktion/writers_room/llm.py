"""A minimal client for an OpenAI-compatible chat endpoint, configured from the environment.

The Writers Room works without it; it is only reached by ``aktion assist``. Any server
that speaks the chat-completions API will do: a local Ollama, llama.cpp or vLLM, or a
hosted one. The API key comes from the environment only and is never echoed: every
message this module builds is scrubbed of it, since a server may quote the request back.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

ENV_BASE_URL = "AKTION_LLM_BASE_URL"
ENV_MODEL = "AKTION_LLM_MODEL"
ENV_API_KEY = "AKTION_LLM_API_KEY"
ENV_TIMEOUT = "AKTION_LLM_TIMEOUT"


class AssistError(Exception):
    """Something the director can act on: no server configured, unreachable, bad answer."""


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 120.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> LLMConfig:
        """Read the endpoint from ``AKTION_LLM_*``; a missing one is a clear error."""
        env = dict(os.environ if env is None else env)
        base = env.get(ENV_BASE_URL, "").strip()
        model = env.get(ENV_MODEL, "").strip()
        missing = [n for n, v in ((ENV_BASE_URL, base), (ENV_MODEL, model)) if not v]
        if missing:
            raise AssistError(
                f"no model server configured: set {' and '.join(missing)} "
                f"(e.g. {ENV_BASE_URL}=http://127.0.0.1:11434/v1 {ENV_MODEL}=llama3.1)")
        if not re.match(r"^https?://", base):
            raise AssistError(f"{ENV_BASE_URL} must be an http(s) URL, got {base!r}")
        try:
            timeout = float(env.get(ENV_TIMEOUT) or 120.0)
        except ValueError:
            raise AssistError(f"{ENV_TIMEOUT} must be a number of seconds") from None
        return cls(base.rstrip("/"), model, env.get(ENV_API_KEY) or None, timeout)

    def scrub(self, text: str) -> str:
        """``text`` with the API key masked, for anything shown or raised."""
        return text.replace(self.api_key, "***") if self.api_key else text


_FENCE = re.compile(r"^\s*```[A-Za-z]*\s*\n(.*?)\n\s*```\s*$", re.DOTALL)


def parse_json(content: str) -> Any:
    """The JSON in a model's answer; tolerates a Markdown code fence around it."""
    m = _FENCE.match(content)
    body = m.group(1) if m else content
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        pass
    start, end = body.find("{"), body.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(body[start:end + 1])
        except json.JSONDecodeError:
            pass
    raise AssistError("the model did not answer JSON: " + _snippet(content))


def _snippet(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= n else text[:n] + "...")


class ChatClient:
    """POST ``{base}/chat/completions``; the answer is ``choices[0].message.content``."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config

    def complete(self, messages: list[dict[str, str]], *, temperature: float = 0.4,
                 json_mode: bool = False) -> str:
        try:
            import httpx
        except ImportError:
            raise AssistError("the AI assist needs httpx: pip install 'aktion[assist]'") from None
        cfg = self.config
        body: dict[str, Any] = {"model": cfg.model, "messages": messages,
                                "temperature": temperature}
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        headers = {"Content-Type": "application/json"}
        if cfg.api_key:
            headers["Authorization"] = f"Bearer {cfg.api_key}"
        url = f"{cfg.base_url}/chat/completions"
        try:
            resp = httpx.post(url, json=body, headers=headers, timeout=cfg.timeout)
        except httpx.TimeoutException:
            raise AssistError(cfg.scrub(
                f"the model server at {cfg.base_url} did not answer within "
                f"{cfg.timeout:g} s (set {ENV_TIMEOUT} to wait longer)")) from None
        except httpx.HTTPError as e:
            raise AssistError(cfg.scrub(
                f"cannot reach the model server at {cfg.base_url}: "
                f"{type(e).__name__}: {e}. Is it running? ({ENV_BASE_URL})")) from None
        if resp.status_code >= 400:
            raise AssistError(cfg.scrub(
                f"the model server answered HTTP {resp.status_code} for {url}: "
                + _snippet(resp.text)))
        try:
            data = resp.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise AssistError(cfg.scrub(
                "the model server's answer is not a chat completion "
                "(no choices[0].message.content): " + _snippet(resp.text))) from None
        if not isinstance(content, str) or not content.strip():
            raise AssistError("the model answered nothing")
        return content

    def complete_json(self, messages: list[dict[str, str]], *,
                      temperature: float = 0.4) -> Any:
        content = self.complete(messages, temperature=temperature, json_mode=True)
        try:
            return parse_json(content)
        except AssistError as e:
            raise AssistError(self.config.scrub(str(e))) from None
