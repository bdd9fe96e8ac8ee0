// Choreography: a shot's beats on a frame timeline, in sync with its previz.
"use strict";
(() => {
  const { el } = Studio;
  const shotSel = document.getElementById("shot");
  const timeline = document.getElementById("timeline");
  const playhead = document.getElementById("playhead");
  const tbody = document.querySelector("#beats tbody");
  const video = document.getElementById("video");
  const layout = document.getElementById("layout");
  const novideo = document.getElementById("novideo");
  let state = null; // {shot, etag, fps, duration, people, beats}

  const pct = (t) => `${(100 * t) / Math.max(1, state.duration)}%`;
  const HITS = ["", "head", "body", "legs"];
  const CAMERA = ["", "shake", "whip_pan", "push_in", "speed_ramp", "hold"];

  function drawTimeline() {
    timeline.querySelectorAll(".beat").forEach((b) => b.remove());
    state.beats.forEach((beat, i) => {
      const mark = el("div", { class: "beat", tabindex: "0", "data-index": String(i),
        title: `${beat.move || beat.camera} @ ${beat.t}` }, beat.move || beat.camera || "?");
      mark.style.left = pct(beat.t);
      mark.addEventListener("pointerdown", (ev) => {
        mark.setPointerCapture(ev.pointerId);
        const move = (e) => {
          const box = timeline.getBoundingClientRect();
          const t = Math.round(((e.clientX - box.left) / box.width) * state.duration);
          beat.t = Math.max(0, Math.min(state.duration - 1, t));
          mark.style.left = pct(beat.t);
          seek(beat.t);
        };
        const up = () => { mark.removeEventListener("pointermove", move); drawTable(); };
        mark.addEventListener("pointermove", move);
        mark.addEventListener("pointerup", up, { once: true });
      });
      timeline.append(mark);
    });
  }

  function cell(beat, key, input) {
    input.value = beat[key] ?? "";
    input.addEventListener("change", () => {
      const v = input.value.trim();
      beat[key] = v === "" ? null : (key === "t" ? Number(v) : v);
      drawTimeline();
    });
    return el("td", {}, input);
  }

  function choice(options) {
    return el("select", {}, ...options.map((o) => el("option", { value: o }, o || "—")));
  }

  function drawTable() {
    tbody.replaceChildren(...state.beats.map((beat, i) => {
      const people = ["", ...state.people];
      return el("tr", { "data-index": String(i) },
        cell(beat, "t", el("input", { type: "number", min: 0, max: state.duration - 1, class: "t" })),
        cell(beat, "who", choice(people)),
        cell(beat, "move", el("input", { list: "moves", class: "move", size: 10 })),
        cell(beat, "target", choice(people)),
        cell(beat, "hit", choice(HITS)),
        cell(beat, "camera", choice(CAMERA)),
        el("td", {}, el("button", { type: "button", onclick: () => {
          state.beats.splice(i, 1); drawAll();
        } }, "✕")));
    }));
  }

  function drawAll() { drawTimeline(); drawTable(); }

  function seek(frame) {
    if (video.duration) video.currentTime = Math.min(video.duration, frame / state.fps);
    playhead.style.left = pct(frame);
  }

  video.addEventListener("timeupdate", () => {
    playhead.style.left = pct(video.currentTime * state.fps);
  });
  timeline.addEventListener("click", (e) => {
    if (e.target !== timeline) return;
    const box = timeline.getBoundingClientRect();
    seek(Math.round(((e.clientX - box.left) / box.width) * state.duration));
  });

  async function loadMedia() {
    const m = await Studio.shotMedia(state.shot);
    if (m.frame) { layout.src = m.frame; layout.hidden = false; } else layout.hidden = true;
    if (m.video) {
      if (!video.src.endsWith(m.video)) video.src = m.video;
      novideo.hidden = true;
    } else { video.removeAttribute("src"); novideo.hidden = false; }
  }

  async function load(shotId) {
    const d = await Studio.api("GET", `/choreo/${encodeURIComponent(shotId)}`);
    state = d;
    const list = document.getElementById("moves");
    list.replaceChildren(...(d.moves || []).map((m) => el("option", { value: m })));
    drawAll();
    await loadMedia();
  }

  async function save() {
    const beats = state.beats.map((b) => {
      const clean = {};
      for (const [k, v] of Object.entries(b)) {
        if (v !== null && v !== "" && k !== "schema") clean[k] = v;
      }
      return clean;
    });
    const r = await Studio.api("PUT", `/choreo/${encodeURIComponent(state.shot)}`, { beats }, state.etag);
    state.etag = r.etag;
    Studio.showIssues(r.issues);
    Studio.status("beats saved", "ok");
    return r;
  }

  document.getElementById("add-beat").addEventListener("click", () => {
    state.beats.push({ t: 0, who: state.people[0] || null, move: "" });
    drawAll();
  });
  document.getElementById("save-beats").addEventListener("click", () => save().catch(Studio.fail));
  document.getElementById("rerender").addEventListener("click", async () => {
    try {
      const r = await save();
      if (r.issues.length) { Studio.status("saved; fix the issues to render", "error"); return; }
      await Studio.render([state.shot]);
      await loadMedia();
    } catch (e) { Studio.fail(e); }
  });
  shotSel.addEventListener("change", () => {
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
