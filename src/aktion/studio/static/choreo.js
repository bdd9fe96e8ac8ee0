// Choreography: a shot's beats on a timeline, one lane per character and one for the
// camera, each beat as long as it plays with its contact frame marked; drag to move,
// drag the right edge to resize; every field in the inspector; undo/redo; the video
// and the playhead in sync.
"use strict";
(() => {
  const { el } = Studio;
  const $ = (id) => document.getElementById(id);
  const shotSel = $("shot"), lanesBox = $("lanes"), ruler = $("ruler"), playhead = $("playhead");
  const timeline = $("timeline"), video = $("video"), layout = $("layout"), novideo = $("novideo");
  const form = $("inspector"), fieldsBox = $("beat-fields");
  const FIELDS = ["t", "who", "move", "target", "hit", "camera", "speed", "intensity", "duration", "line"];
  let state = null; // {shot, etag, fps, duration, people, beats, timing}
  let saved = "[]";
  let selected = -1;
  let frame = 0;
  let undo = [], redo = [];

  const snapshot = () => JSON.stringify(state.beats);
  const left = (t) => `${(100 * t) / state.duration}%`;
  const lengthOf = (b) => {
    if (b.duration) return b.duration;
    const key = b.camera ? `camera:${b.camera}` : b.move;
    const t = state.timing[key];
    return t ? Math.max(1, Math.round(t.length / (b.speed || 1))) : 6;
  };
  const shown = (b) => Math.max(1, Math.min(lengthOf(b), state.duration - b.t)); // within the shot
  const contactOf = (b) => {
    const t = !b.camera && state.timing[b.move];
    return t && t.contact !== null ? Math.round(t.contact / (b.speed || 1)) : null;
  };

  function changed(before) {
    undo.push(before);
    if (undo.length > 200) undo.shift();
    redo = [];
    refresh();
  }
  function refresh() {
    const dirty = snapshot() !== saved;
    if (state && frame !== undefined) scrub();
    Studio.setDirty(dirty);
    $("save-beats").disabled = !dirty;
    $("undo").disabled = !undo.length;
    $("redo").disabled = !redo.length;
    draw();
    inspect();
  }

  function drawRuler() {
    ruler.replaceChildren();
    const step = state.duration > 96 ? 12 : state.duration > 36 ? 6 : 2;
    for (let f = 0; f <= state.duration; f += 1) {
      if (f % step && f % state.fps) continue;
      const major = f % state.fps === 0;
      const tick = el("span", { class: `tick${major ? " major" : ""}` }, major ? `${f / state.fps}s` : String(f));
      tick.style.left = left(f);
      ruler.append(tick);
    }
  }

  function draw() {
    drawRuler();
    const lanes = [...state.people, "camera"];
    lanesBox.replaceChildren(...lanes.map((who) => {
      const lane = el("div", { class: "lane", "data-lane": who }, el("span", { class: "lane-name" }, who));
      const track = el("div", { class: "track-area" });
      lane.append(track);
      // Beats that overlap in a lane stack in rows, so none hides another.
      const rows = [];
      state.beats.forEach((b, i) => {
        if ((b.camera ? "camera" : b.who) !== who) return;
        const start = b.t, end = b.t + lengthOf(b);
        let row = rows.findIndex((r) => r <= start);
        if (row < 0) { row = rows.length; rows.push(end); } else rows[row] = end;
        const block = el("div", { class: `beat${i === selected ? " selected" : ""}${b.hit ? " hits" : ""}`,
          "data-index": String(i), tabindex: "-1",
          title: `${b.move || b.camera} at frame ${b.t}, ${lengthOf(b)} frames` },
        el("span", { class: "label" }, `${b.move || b.camera}${b.target ? " → " + b.target : ""}`),
        el("span", { class: "resize", title: "drag to set the duration" }));
        block.style.left = left(b.t);
        block.style.width = `max(14px, ${(100 * shown(b)) / state.duration}%)`;
        block.style.top = `${4 + row * 22}px`;
        const contact = contactOf(b);
        if (contact !== null && contact < shown(b)) {
          const mark = el("span", { class: "contact", title: `contact at frame ${b.t + contact}` });
          mark.style.left = `${(100 * contact) / shown(b)}%`;
          block.append(mark);
        }
        block.addEventListener("pointerdown", (ev) => grab(ev, b, i, block, ev.target.classList.contains("resize")));
        track.append(block);
      });
      track.style.height = `${Math.max(1, rows.length) * 22 + 8}px`;
      return lane;
    }));
    playhead.style.left = `calc(var(--lane-name) + (100% - var(--lane-name)) * ${frame / state.duration})`;
  }

  function frameAt(ev) {
    const box = lanesBox.querySelector(".track-area").getBoundingClientRect();
    return Math.round(((ev.clientX - box.left) / box.width) * state.duration);
  }
  function grab(ev, beat, index, block, resize) {
    ev.preventDefault();
    ev.stopPropagation();
    selected = index;  // marked in place: redrawing now would drop the grabbed block
    lanesBox.querySelectorAll(".beat").forEach((b) => b.classList.toggle("selected", b === block));
    inspect();
    const before = snapshot();
    const origin = frameAt(ev), t0 = beat.t, len0 = shown(beat);
    block.setPointerCapture(ev.pointerId);
    const move = (e) => {
      const d = frameAt(e) - origin;
      if (resize) beat.duration = Math.max(1, Math.min(state.duration - beat.t, len0 + d));
      else beat.t = Math.max(0, Math.min(state.duration - 1, t0 + d));
      block.style.left = left(beat.t);
      block.style.width = `max(14px, ${(100 * shown(beat)) / state.duration}%)`;
      seek(resize ? beat.t + beat.duration : beat.t);
    };
    const up = () => {
      block.removeEventListener("pointermove", move);
      if (snapshot() !== before) changed(before); else draw();
    };
    block.addEventListener("pointermove", move);
    block.addEventListener("pointerup", up, { once: true });
  }

  function select(i) { selected = i; draw(); inspect(); }

  function inspect() {
    const b = state.beats[selected];
    fieldsBox.hidden = !b;
    $("no-beat").hidden = !!b;
    if (!b) return;
    const people = ["", ...state.people];
    for (const name of ["who", "target"]) {
      form.elements[name].replaceChildren(...people.map((p) => el("option", { value: p }, p || "—")));
    }
    for (const k of FIELDS) form.elements[k].value = b[k] ?? "";
    form.elements.to_x.value = b.to ? b.to[0] : "";
    form.elements.to_z.value = b.to ? b.to[1] : "";
  }
  form.addEventListener("change", (ev) => {
    const b = state.beats[selected];
    if (!b) return;
    const before = snapshot();
    const name = ev.target.name;
    const raw = ev.target.value.trim();
    const numeric = ["t", "speed", "intensity", "duration", "line", "to_x", "to_z"].includes(name);
    if (name === "to_x" || name === "to_z") {
      const x = form.elements.to_x.value, z = form.elements.to_z.value;
      if (x === "" && z === "") delete b.to; else b.to = [Number(x || 0), Number(z || 0)];
    } else if (raw === "") delete b[name];
    else b[name] = numeric ? Number(raw) : raw;
    if (snapshot() !== before) changed(before);
  });
  form.addEventListener("submit", (ev) => ev.preventDefault());

  // Without a render, or with unsaved beats, the picture is a live previz frame of the
  // beats as they stand, at the playhead (one frame from the server, kept by content).
  let hasVideo = false, scrubTimer = null, scrubSeq = 0;
  function scrub() {
    const live = !hasVideo || snapshot() !== saved;
    video.hidden = live;
    if (!live) { layout.hidden = true; return; }
    clearTimeout(scrubTimer);
    scrubTimer = setTimeout(async () => {
      const seq = ++scrubSeq;
      try {
        const p = await Studio.api("POST", "/preview", { shot: state.shot, frame,
          beats: snapshot() !== saved ? state.beats : null });
        if (seq !== scrubSeq) return;
        layout.src = p.frame;
        layout.hidden = false;
        layout.dataset.frame = String(frame);
      } catch (e) { if (e.status !== 422) Studio.fail(e); }
    }, 90);
  }

  function seek(f) {
    frame = Math.max(0, Math.min(state.duration - 1, f));
    scrub();
    if (video.src && video.duration) video.currentTime = Math.min(video.duration - 0.001, (frame + 0.5) / state.fps);
    $("timecode").textContent = `frame ${frame} · ${Studio.fmtTime(frame, state.fps)}`;
    playhead.style.left = `calc(var(--lane-name) + (100% - var(--lane-name)) * ${frame / state.duration})`;
  }
  video.addEventListener("timeupdate", () => {
    if (!video.paused) {
      frame = Math.min(state.duration - 1, Math.floor(video.currentTime * state.fps));
      $("timecode").textContent = `frame ${frame} · ${Studio.fmtTime(frame, state.fps)}`;
      playhead.style.left = `calc(var(--lane-name) + (100% - var(--lane-name)) * ${frame / state.duration})`;
    }
  });
  timeline.addEventListener("pointerdown", (ev) => {
    if (ev.target.closest(".beat") || !ev.target.closest(".track-area, .ruler")) return;
    seek(frameAt(ev));
    if (ev.target.closest(".track-area")) select(-1);
  });

  function act(kind) {
    const from = kind === "undo" ? undo : redo, to = kind === "undo" ? redo : undo;
    if (!from.length) return;
    to.push(snapshot());
    state.beats = JSON.parse(from.pop());
    if (selected >= state.beats.length) selected = -1;
    refresh();
  }
  $("undo").addEventListener("click", () => act("undo"));
  $("redo").addEventListener("click", () => act("redo"));
  document.addEventListener("keydown", (ev) => {
    if (!state || ev.target.closest("input, select, textarea")) return;
    const ctrl = ev.ctrlKey || ev.metaKey;
    if (ctrl && ev.key.toLowerCase() === "z") { ev.preventDefault(); act(ev.shiftKey ? "redo" : "undo"); }
    else if (ctrl && ev.key.toLowerCase() === "y") { ev.preventDefault(); act("redo"); }
    else if (ev.key === " ") {
      ev.preventDefault();
      if (video.src) { if (video.paused) video.play(); else video.pause(); }
    } else if (ev.key === "ArrowLeft" || ev.key === "ArrowRight") {
      ev.preventDefault();
      video.pause();
      seek(frame + (ev.key === "ArrowLeft" ? -1 : 1) * (ev.shiftKey ? 10 : 1));
    } else if ((ev.key === "Delete" || ev.key === "Backspace") && selected >= 0) {
      ev.preventDefault();
      const before = snapshot();
      state.beats.splice(selected, 1);
      selected = -1;
      changed(before);
    }
  });

  async function loadMedia() {
    const m = await Studio.shotMedia(state.shot);
    hasVideo = !!m.video && !m.stale;
    if (m.video) {
      if (!video.src.endsWith(m.video)) video.src = m.video;
      novideo.hidden = true;
    } else { video.removeAttribute("src"); novideo.hidden = false; }
    scrub();
  }

  async function load(shotId) {
    state = await Studio.api("GET", `/choreo/${encodeURIComponent(shotId)}`);
    saved = snapshot();
    undo = []; redo = []; selected = -1; frame = 0;
    $("moves").replaceChildren(...(state.moves || []).map((m) => el("option", { value: m })));
    refresh();
    seek(0);
    await loadMedia();
  }

  async function save() {
    const r = await Studio.api("PUT", `/choreo/${encodeURIComponent(state.shot)}`, { beats: state.beats }, state.etag);
    state.etag = r.etag;
    saved = snapshot();
    refresh();
    Studio.showIssues(r.issues);
    Studio.status("beats saved", "ok");
    return r;
  }

  $("add-beat").addEventListener("click", () => {
    const before = snapshot();
    state.beats.push({ t: frame, who: state.people[0], move: state.moves.includes("guard") ? "guard" : state.moves[0] });
    selected = state.beats.length - 1;
    changed(before);
  });
  $("save-beats").addEventListener("click", () => save().catch(Studio.fail));
  $("rerender").addEventListener("click", async () => {
    try {
      const r = await save();
      if (r.issues.length) { Studio.status("saved; fix the issues to render", "error"); return; }
      const final = await Studio.render([state.shot]);
      if (final.state === "done") await loadMedia();
    } catch (e) { Studio.fail(e); }
  });
  shotSel.addEventListener("change", () => {
    if (Studio.dirty && !window.confirm("Leave this shot's unsaved beats?")) { shotSel.value = state.shot; return; }
    history.replaceState(null, "", `?shot=${encodeURIComponent(shotSel.value)}`);
    load(shotSel.value).catch(Studio.fail);
  });

  Studio.api("GET", "/production").then((p) => {
    const shots = p.scenes.flatMap((sc) => sc.shots.map((s) => s.id));
    shotSel.replaceChildren(...shots.map((s) => el("option", { value: s }, `Shot ${s}`)));
    const wanted = new URLSearchParams(location.search).get("shot");
    if (wanted && shots.includes(wanted)) shotSel.value = wanted;
    if (shots.length) return load(shotSel.value);
  }).catch(Studio.fail);
})();
