// Shared helpers for every room: the API, status line, issues, and render jobs.
"use strict";

const Studio = {
  async api(method, path, body, etag) {
    const opts = { method, headers: {}, credentials: "same-origin" };
    if (etag) opts.headers["If-Match"] = etag;
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const r = await fetch("/api" + path, opts);
    const data = r.headers.get("content-type")?.includes("json") ? await r.json() : null;
    if (!r.ok) {
      const detail = data && data.detail;
      const err = new Error(Studio.describe(detail) || `${r.status} ${r.statusText}`);
      err.status = r.status;
      throw err;
    }
    return data;
  },

  describe(detail) {
    if (!detail) return "";
    if (typeof detail === "string") return detail;
    if (detail.issues) return detail.issues.map((i) => i.text || i.message).join("\n");
    if (detail.problems) return detail.problems.join("\n");
    if (Array.isArray(detail)) return detail.map((d) => `${d.loc?.join(".")}: ${d.msg}`).join("\n");
    return JSON.stringify(detail);
  },

  status(text, kind = "info") {
    const el = document.getElementById("status");
    el.textContent = text;
    el.className = kind;
  },

  fail(err) {
    const msg = err.status === 409 ? "Conflict: " + err.message : err.message;
    Studio.status(msg, "error");
  },

  showIssues(issues) {
    const box = document.getElementById("issues");
    box.replaceChildren();
    box.hidden = !issues || !issues.length;
    for (const i of issues || []) box.append(Studio.el("div", {}, i.text || i.message));
  },

  el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k in e && typeof v !== "string") e[k] = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  },

  // Start a render job and follow its events; resolves with the final state.
  async render(shots, onEvent) {
    const job = await Studio.api("POST", "/jobs", { shots });
    Studio.currentJob = job.id;
    return new Promise((resolve) => {
      const source = new EventSource(`/api/jobs/${job.id}/events`);
      let final = { state: "failed", error: "connection lost" };
      source.onmessage = (m) => {
        const e = JSON.parse(m.data);
        if (e.type === "state") final = e;
        if (onEvent) onEvent(e);
        if (e.type === "started" || e.type === "finished") {
          Studio.status(`${e.step}: ${e.status}`);
        }
      };
      source.addEventListener("end", () => {
        source.close();
        Studio.currentJob = null;
        Studio.status(final.state === "done" ? "render done" : `render ${final.state}` +
          (final.error ? `: ${final.error.split("\n")[0]}` : ""),
          final.state === "done" ? "ok" : "error");
        resolve(final);
      });
      source.onerror = () => { if (source.readyState === 2) resolve(final); };
    });
  },

  // URL of a shot's stored output, versioned by digest so the browser refetches on change.
  // The panel shows the layout's `frame` (the previz picture), never its depth map.
  async shotMedia(shotId) {
    const m = await Studio.api("GET", `/media/shots/${encodeURIComponent(shotId)}`);
    const url = (kind, name) => {
      const step = m.steps[kind];
      if (!step || !step.outputs[name]) return null;
      return `/api/media/shots/${encodeURIComponent(shotId)}/${kind}/${name}` +
        `?v=${step.outputs[name].digest.slice(0, 16)}`;
    };
    return { frame: url("layout", "frame"), video: url("render", "video"), stale: m.stale };
  },

  // Unsaved edits: the page warns before it is left with any.
  dirty: false,
  setDirty(dirty) {
    Studio.dirty = dirty;
    document.body.classList.toggle("unsaved", dirty);
  },

  // Frames as m:ss.s at the production's fps, for rulers.
  fmtTime(frames, fps) {
    const s = frames / fps;
    return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, "0")}`;
  },
};

window.addEventListener("beforeunload", (ev) => {
  if (!Studio.dirty) return;
  ev.preventDefault();
  ev.returnValue = "";
});
