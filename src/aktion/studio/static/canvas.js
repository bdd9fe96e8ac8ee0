// Canvas: each scene's cut on a timeline: clips as long as they play, a ruler, a playhead
// in sync with the player, transitions on the cuts, edges dragged to trim or extend,
// takes side by side, a stale-cut banner, render progress from the job's real step
// counts, export downloads, and the provenance trail in a panel.
"use strict";
(() => {
  const { el } = Studio;
  const scenes = document.getElementById("scenes");
  const progress = document.getElementById("progress");
  const progressText = document.getElementById("progress-text");
  const renderBtn = document.getElementById("render");
  const cancelBtn = document.getElementById("cancel");
  const exportBtn = document.getElementById("export");
  const TRANSITIONS = ["", "cut", "dissolve", "dip", "whip"];
  let etag = null;
  let fps = 24;
  let selected = null;

  const lengthOf = (s) => (s.trim && s.trim.out != null ? s.trim.out : s.duration)
    - (s.trim ? s.trim.in || 0 : 0) + (s.extend || 0);
  const transitionOf = (s) => s.transition || (s.transition_board.type !== "cut" ? s.transition_board : null);
  const num = (name, value, title) => el("input", { name, type: "number", min: 0, title,
    value: value === null || value === undefined ? "" : String(value) });

  async function saveShot(id, body) {
    try {
      const r = await Studio.api("PUT", `/canvas/shots/${encodeURIComponent(id)}`, body, etag);
      etag = r.etag;
      Studio.status(`shot ${id} saved: take ${r.pick}; render to see it`, "ok");
      return r;
    } catch (e) { Studio.fail(e); return null; }
  }

  // The inspector of the selected clip: its takes side by side and its edit fields.
  function inspector(s, box) {
    const takes = el("div", { class: "takes" }, ...s.takes.map((t) => {
      const video = el("video", { muted: true, playsinline: true, preload: "metadata",
        src: `/api/media/shots/${encodeURIComponent(s.id)}/takes/${t.n}` });
      const missing = el("p", { class: "hint", hidden: true }, "not rendered yet");
      video.addEventListener("error", () => { video.hidden = true; missing.hidden = false; });
      const pick = el("button", { type: "button", class: `pick${t.n === s.pick ? " picked" : ""}`,
        disabled: t.n === s.pick }, t.n === s.pick ? "picked" : "Pick");
      pick.addEventListener("click", async () => { if (await saveShot(s.id, { pick: t.n })) await load(); });
      return el("figure", { class: "take", "data-take": String(t.n) }, video, missing,
        el("figcaption", {}, `take ${t.n}` + (t.seed !== null ? ` · seed ${t.seed}` : "") + " ", pick));
    }));
    const playBoth = el("button", { type: "button", class: "secondary play-takes" }, "Play takes together");
    playBoth.addEventListener("click", () => takes.querySelectorAll("video").forEach((v) => {
      v.currentTime = 0; v.play().catch(() => {});
    }));
    const form = el("form", { class: "fields" },
      el("label", {}, "extend ", num("extend", s.extend, "frames")),
      el("label", {}, "trim in ", num("in", s.trim ? s.trim.in : "", "first frame kept")),
      el("label", {}, "out ", num("out", s.trim ? s.trim.out : "", "frame after the last kept")),
      el("label", {}, "transition in ", el("select", { name: "transition" }, ...TRANSITIONS.map((t) =>
        el("option", { value: t, selected: (s.transition?.type || "") === t }, t || "as boarded"))),
        num("tframes", s.transition ? s.transition.duration : "", "frames")),
      el("label", {}, "speed ", el("input", { name: "speed_start", type: "number", step: "0.1", min: "0.1", max: "8", value: s.speed ? s.speed.start : "" }),
        "→", el("input", { name: "speed_end", type: "number", step: "0.1", min: "0.1", max: "8", value: s.speed ? s.speed.end : "" })));
    const apply = el("button", { type: "button", class: "apply" }, "Apply");
    apply.addEventListener("click", async () => {
      const f = new FormData(form);
      const n = (k) => (f.get(k) === "" ? null : Number(f.get(k)));
      const body = { extend: n("extend") || 0,
        trim: n("in") === null && n("out") === null ? null : { in: n("in") || 0, out: n("out") },
        transition: f.get("transition") ? { type: f.get("transition"), duration: n("tframes") || 0 } : null,
        speed: n("speed_start") === null ? null : { start: n("speed_start"), end: n("speed_end") ?? n("speed_start") } };
      if (await saveShot(s.id, body)) await load();
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
    const trail = el("button", { type: "button", class: "trail-btn secondary" }, "Trail");
    trail.addEventListener("click", () => showTrail(`/provenance/shots/${encodeURIComponent(s.id)}`));
    box.replaceChildren(el("h3", {}, `Shot ${s.id} `, el("span", { class: "hint" },
      `${s.duration} frames boarded · plays ${lengthOf(s)}`)),
    form, el("div", { class: "row" }, apply, newTake, trail, playBoth), takes);
  }

  // One scene: its player, a ruler, the clip track with transitions and a playhead.
  function scene(sc, media) {
    const total = Math.max(1, sc.shots.reduce((a, s) => a + lengthOf(s), 0));
    const pct = (f) => `${(100 * f) / total}%`;
    const ruler = el("div", { class: "ruler" });
    const seconds = total / fps;
    const stepS = [1, 2, 5, 10, 30, 60].find((n) => seconds / n <= 14) || 120;
    for (let sec = 0; sec * fps <= total; sec += stepS) {
      const tick = el("span", { class: "tick major" }, `${sec}s`);
      tick.style.left = pct(sec * fps);
      ruler.append(tick);
    }
    const track = el("div", { class: "nle-track" });
    const inspectorBox = el("div", { class: "clip-inspector panel" });
    let at = 0;
    for (const s of sc.shots) {
      const len = lengthOf(s);
      const clip = el("div", { class: `clip${selected === s.id ? " selected" : ""}`, id: `clip-${s.id}`,
        "data-shot": s.id, title: `shot ${s.id}: ${len} frames` },
      media[s.id] ? el("img", { src: media[s.id], alt: `shot ${s.id}`, draggable: "false" }) : null,
      el("span", { class: "name" }, s.id + (s.takes.length > 1 ? ` · take ${s.pick}/${s.takes.length}` : "")),
      el("span", { class: "edge in", title: "drag to trim the start" }),
      el("span", { class: "edge out", title: "drag to trim or extend the end" }));
      clip.style.left = pct(at);
      clip.style.width = pct(len);
      const tr = transitionOf(s);
      if (tr && at > 0) {
        const mark = el("span", { class: `transition ${tr.type}`, title: `${tr.type} over ${tr.duration} frames` }, tr.type);
        mark.style.left = pct(at);
        mark.style.width = `max(14px, ${pct(tr.duration)})`;
        track.append(mark);
      }
      clip.addEventListener("click", (ev) => {
        if (ev.target.classList.contains("edge")) return;
        selected = s.id;
        track.querySelectorAll(".clip").forEach((c) => c.classList.toggle("selected", c === clip));
        inspector(s, inspectorBox);
      });
      for (const edge of clip.querySelectorAll(".edge")) {
        edge.addEventListener("pointerdown", (ev) => dragEdge(ev, s, clip, edge.classList.contains("in"), total, track));
      }
      track.append(clip);
      at += len;
    }
    const playhead = el("div", { class: "nle-playhead" });
    track.append(playhead);
    const video = el("video", { class: "cut", controls: true, playsinline: true, preload: "auto",
      src: `/api/media/cut/${encodeURIComponent(sc.id)}?v=${Date.now()}` });
    const missing = el("p", { class: "hint", hidden: true }, "No cut yet: press Render scene.");
    video.addEventListener("error", () => { video.hidden = true; missing.hidden = false; });
    const sync = () => { playhead.style.left = pct(Math.min(total, video.currentTime * fps)); };
    video.addEventListener("timeupdate", sync);
    video.addEventListener("seeked", sync);
    const seekTo = (ev) => {
      const box = track.getBoundingClientRect();
      const f = ((ev.clientX - box.left) / box.width) * total;
      if (video.duration) video.currentTime = Math.min(video.duration, f / fps);
      playhead.style.left = pct(f);
    };
    ruler.addEventListener("pointerdown", seekTo);
    const banner = sc.cut.stale ? el("p", { class: "banner stale-cut" },
      "The sources changed since this cut was rendered: it is stale. Render scene to update it.") : null;
    const trail = el("button", { type: "button", class: "cut-trail secondary" }, "Cut trail");
    trail.addEventListener("click", () => showTrail(`/provenance/cut/${encodeURIComponent(sc.id)}`));
    const section = el("section", { class: "scene", id: `scene-${sc.id}` },
      el("h2", {}, sc.heading || sc.id, el("span", { class: "hint" },
        ` ${sc.shots.length} shots · ${Studio.fmtTime(total, fps)} `), trail),
      banner, el("div", { class: "player" }, video, missing),
      el("div", { class: "nle" }, ruler, track), inspectorBox);
    const chosen = sc.shots.find((s) => s.id === selected);
    if (chosen) inspector(chosen, inspectorBox);
    else inspectorBox.append(el("p", { class: "hint" }, "Click a clip to edit it and compare its takes."));
    return section;
  }

  // Drag a clip's edge: the start trims `in`; the end trims `out`, or extends past the shot.
  function dragEdge(ev, s, clip, isIn, total, track) {
    ev.preventDefault();
    ev.stopPropagation();
    const px = track.getBoundingClientRect().width / total;
    const x0 = ev.clientX;
    const trim0 = s.trim ? { ...s.trim } : { in: 0, out: null };
    const end0 = (trim0.out != null ? trim0.out : s.duration) + (s.extend || 0);
    const target = ev.target;
    target.setPointerCapture(ev.pointerId);
    let change = null;
    const move = (e) => {
      const d = Math.round((e.clientX - x0) / px);
      if (isIn) {
        const first = Math.max(0, Math.min(end0 - 1, (trim0.in || 0) + d));
        change = { trim: { in: first, out: trim0.out }, extend: s.extend || 0 };
      } else {
        const end = Math.max((trim0.in || 0) + 1, end0 + d);
        change = end > s.duration
          ? { trim: trim0.in ? { in: trim0.in, out: null } : null, extend: end - s.duration }
          : { trim: { in: trim0.in || 0, out: end === s.duration ? null : end }, extend: 0 };
        if (change.trim && !change.trim.in && change.trim.out === null) change.trim = null;
      }
      const preview = { ...s, ...change };
      clip.style.width = `${lengthOf(preview) * px}px`;
      clip.title = `shot ${s.id}: ${lengthOf(preview)} frames`;
    };
    const up = async () => {
      target.removeEventListener("pointermove", move);
      if (change && (await saveShot(s.id, change))) await load();
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up, { once: true });
  }

  async function load() {
    const [p, c] = await Promise.all([Studio.api("GET", "/production"), Studio.api("GET", "/canvas")]);
    Studio.showIssues(p.issues);
    etag = c.etag;
    fps = c.fps;
    const media = {};
    await Promise.all(c.scenes.flatMap((sc) => sc.shots.map(async (s) => {
      media[s.id] = (await Studio.shotMedia(s.id)).frame;
    })));
    scenes.replaceChildren(...c.scenes.map((sc) => scene(sc, media)));
    // how many times the canvas was drawn: what is on screen is at least this fresh
    scenes.dataset.loads = String(Number(scenes.dataset.loads || 0) + 1);
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
  document.getElementById("trail-close").addEventListener("click", () => {
    document.getElementById("trail").hidden = true;
  });

  renderBtn.addEventListener("click", async () => {
    renderBtn.disabled = true;
    cancelBtn.disabled = false;
    let total = null;
    const done = new Set();
    progress.value = 0;
    progressText.textContent = "";
    try {
      const final = await Studio.render(null, (e) => {
        if (e.type === "plan") total = e.total;
        if (e.type === "finished") done.add(e.step);
        if (total) {
          progress.value = done.size / total;
          progressText.textContent = `${done.size}/${total} steps`;
        }
      });
      progress.value = final.state === "done" ? 1 : progress.value;
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
      out.replaceChildren("Exported: ", ...r.files.flatMap((f, i) => [
        i ? ", " : "", el("a", { href: r.downloads[i], download: f.split("/").pop(), class: "download" }, f)]));
      Studio.status(`${format} timeline exported`, "ok");
    } catch (e) { Studio.fail(e); } finally { exportBtn.disabled = false; }
  });
  load().catch(Studio.fail);
})();
