// Canvas: each scene's timeline of shots and takes, clip edits, the cut, render,
// editorial export, and every asset's provenance trail one click away.
"use strict";
(() => {
  const { el } = Studio;
  const scenes = document.getElementById("scenes");
  const progress = document.getElementById("progress");
  const renderBtn = document.getElementById("render");
  const cancelBtn = document.getElementById("cancel");
  const exportBtn = document.getElementById("export");
  const TRANSITIONS = ["", "cut", "dissolve", "dip", "whip"];
  let etag = null;

  const num = (name, value, title) => el("input", { name, type: "number", min: 0, title,
    value: value === null || value === undefined ? "" : String(value) });

  // One shot's clip on the track: its frame, its takes, and its edit fields.
  function clip(s, edit, media) {
    const takes = el("select", { name: "pick", title: "take the cut uses" },
      ...edit.takes.map((t) => el("option", { value: String(t.n), selected: t.n === edit.pick },
        `take ${t.n}` + (t.seed !== null ? ` (seed ${t.seed})` : ""))));
    const form = el("form", { class: "fields" },
      el("label", {}, "take ", takes),
      el("label", {}, "extend ", num("extend", edit.extend, "frames")),
      el("label", {}, "trim ", num("in", edit.trim ? edit.trim.in : "", "first frame kept"),
        num("out", edit.trim ? edit.trim.out : "", "frame after the last kept")),
      el("label", {}, "in ", el("select", { name: "transition" }, ...TRANSITIONS.map((t) =>
        el("option", { value: t, selected: (edit.transition?.type || "") === t }, t || "board"))),
        num("tframes", edit.transition ? edit.transition.duration : "", "frames")));
    const save = async (body) => {
      try {
        const r = await Studio.api("PUT", `/canvas/shots/${encodeURIComponent(s.id)}`, body, etag);
        etag = r.etag;
        Studio.status(`shot ${s.id} saved: take ${r.pick}; render to see it`, "ok");
        return r;
      } catch (e) { Studio.fail(e); return null; }
    };
    takes.addEventListener("change", () => save({ pick: Number(takes.value) }));
    const apply = el("button", { type: "button", class: "apply" }, "Apply");
    apply.addEventListener("click", () => {
      const f = new FormData(form);
      const n = (k) => (f.get(k) === "" ? null : Number(f.get(k)));
      save({ extend: n("extend") || 0,
        trim: n("in") === null && n("out") === null ? null : { in: n("in") || 0, out: n("out") },
        transition: f.get("transition") ? { type: f.get("transition"), duration: n("tframes") || 0 } : null });
    });
    const newTake = el("button", { type: "button", class: "new-take" }, "New take");
    newTake.addEventListener("click", async () => {
      try {
        const r = await Studio.api("POST", `/canvas/shots/${encodeURIComponent(s.id)}/takes`, {}, etag);
        etag = r.etag;
        Studio.status(`shot ${s.id}: take ${r.pick} added; render to see it`, "ok");
        await load();
      } catch (e) { Studio.fail(e); }
    });
    const trail = el("button", { type: "button", class: "trail-btn" }, "Trail");
    trail.addEventListener("click", () => showTrail(`/provenance/shots/${encodeURIComponent(s.id)}`));
    const node = el("div", { class: "clip", id: `clip-${s.id}`, title: `shot ${s.id}: ${s.duration} frames` },
      el("a", { href: `/choreo?shot=${encodeURIComponent(s.id)}` },
        media.frame ? el("img", { src: media.frame, alt: `shot ${s.id}` }) : null,
        el("span", {}, `${s.id}`)),
      form, el("div", { class: "row" }, apply, newTake, trail));
    node.style.flexGrow = String(s.duration);
    return node;
  }

  async function load() {
    const [p, c] = await Promise.all([Studio.api("GET", "/production"), Studio.api("GET", "/canvas")]);
    Studio.showIssues(p.issues);
    etag = c.etag;
    const edits = Object.fromEntries(c.scenes.flatMap((sc) => sc.shots.map((s) => [s.id, s])));
    const stamp = Date.now();
    scenes.replaceChildren(...await Promise.all(p.scenes.map(async (sc) => {
      const total = sc.shots.reduce((a, s) => a + s.duration, 0);
      const track = el("div", { class: "track" });
      for (const s of sc.shots) track.append(clip(s, edits[s.id], await Studio.shotMedia(s.id)));
      const video = el("video", { class: "cut", controls: true, playsinline: true,
        preload: "auto", src: `/api/media/cut/${encodeURIComponent(sc.id)}?v=${stamp}` });
      const missing = el("p", { class: "hint", hidden: true }, "No cut yet: press Render scene.");
      video.addEventListener("error", () => { video.hidden = true; missing.hidden = false; });
      const trail = el("button", { type: "button", class: "cut-trail" }, "Cut trail");
      trail.addEventListener("click", () => showTrail(`/provenance/cut/${encodeURIComponent(sc.id)}`));
      return el("section", { class: "scene", id: `scene-${sc.id}` },
        el("h2", {}, sc.heading || sc.id,
          el("span", { class: "hint" }, ` ${sc.shots.length} shots · ${total} frames `), trail),
        track, video, missing);
    })));
  }

  // A trail node: its step, backend, model, script lines, then its ingredients.
  function node(n) {
    const st = n.step || {};
    const bits = [st.step_id || n.title];
    if (st.backend) bits.push(`${st.backend} ${st.backend_version || ""}`.trim());
    if (st.model_id) bits.push(st.model_id);
    if (n.signer) bits.push(`signed by ${n.signer}`);
    if (n.in_ledger === false) bits.push("not in the ledger");
    const script = st.script ? el("span", { class: "line script-lines" },
      ` script L${st.script.first_line}-${st.script.last_line}` +
      (n.script_status ? ` (${n.script_status})` : "")) : null;
    const kids = (n.children || []).map(node);
    return el("li", { class: "trail-node" }, bits.join(" · "), script,
      n.failures?.length ? el("div", { class: "bad" }, n.failures.join("; ")) : null,
      kids.length ? el("ul", {}, ...kids) : null);
  }

  async function showTrail(path) {
    const box = document.getElementById("trail");
    try {
      const v = await Studio.api("GET", path);
      box.hidden = false;
      const badge = document.getElementById("trail-status");
      badge.textContent = v.status;
      badge.className = `badge status-${v.status}`;
      document.getElementById("trail-file").textContent =
        `${v.file} · sha256 ${v.sha256.slice(0, 16)}…` + (v.ok ? " · verified" : "");
      document.getElementById("trail-problems").replaceChildren(
        ...v.problems.map((p) => el("li", {}, p)));
      document.getElementById("trail-tree").replaceChildren(
        v.trail ? el("ul", { class: "tree" }, node(v.trail))
          : el("p", { class: "hint" }, "No manifest: nothing to trace."));
    } catch (e) { Studio.fail(e); }
  }

  renderBtn.addEventListener("click", async () => {
    renderBtn.disabled = true;
    cancelBtn.disabled = false;
    let done = 0;
    progress.value = 0;
    try {
      const final = await Studio.render(null, (e) => {
        if (e.type === "finished") { done += 1; progress.value = Math.min(0.99, done / 10); }
      });
      progress.value = final.state === "done" ? 1 : 0;
      await load();
    } catch (e) { Studio.fail(e); } finally {
      renderBtn.disabled = false;
      cancelBtn.disabled = true;
    }
  });
  cancelBtn.addEventListener("click", () => {
    if (Studio.currentJob) Studio.api("POST", `/jobs/${Studio.currentJob}/cancel`).catch(Studio.fail);
  });
  exportBtn.addEventListener("click", async () => {
    const format = document.getElementById("export-format").value;
    try {
      exportBtn.disabled = true;
      const r = await Studio.api("POST", "/export", { format });
      const out = document.getElementById("exported");
      out.hidden = false;
      out.textContent = `Exported: ${r.files.join(", ")}`;
      Studio.status(`${format} timeline exported`, "ok");
    } catch (e) { Studio.fail(e); } finally { exportBtn.disabled = false; }
  });
  load().catch(Studio.fail);
})();
