// Storyboard: the shot list as panels; edit framing and timing, re-render a panel in place.
"use strict";
(() => {
  const { el } = Studio;
  const board = document.getElementById("board");
  const SIZES = ["EWS", "WS", "FS", "MS", "MCU", "CU", "ECU", "INSERT"];
  const ANGLES = ["eye", "high", "low", "overhead", "dutch"];
  const MOVES = ["static", "pan", "tilt", "dolly", "truck", "crane", "handheld", "orbit"];
  let etag = null;

  const select = (name, options, value) =>
    el("select", { name }, ...options.map((o) => el("option", { value: o, selected: o === value }, o)));

  async function refreshFrame(shot, img, note) {
    const m = await Studio.shotMedia(shot.id);
    if (m.frame) { img.src = m.frame; img.hidden = false; note.hidden = true; }
    else { img.hidden = true; note.hidden = false; }
  }

  function panel(shot) {
    const img = el("img", { class: "frame", alt: `shot ${shot.id} layout`, hidden: true });
    const note = el("div", { class: "frame empty" }, "not rendered");
    const fields = el("form", { class: "fields" },
      el("label", {}, "size ", select("size", SIZES, shot.size)),
      el("label", {}, "angle ", select("angle", ANGLES, shot.angle)),
      el("label", {}, "lens ", el("input", { name: "lens", type: "number", min: 8, max: 600, value: String(shot.lens) })),
      el("label", {}, "move ", select("move", MOVES, shot.move.type)),
      el("label", {}, "frames ", el("input", { name: "duration", type: "number", min: 1, value: String(shot.duration) })));
    const rerender = el("button", { class: "rerender", type: "button" }, "Save & re-render");
    const node = el("article", { class: "panel", id: `panel-${shot.id}`, "data-shot": shot.id },
      el("div", { class: "frame-box" }, img, note),
      el("h3", {}, `Shot ${shot.id}`, el("span", { class: "hint" },
        ` L${shot.lines[0]}-${shot.lines[1]} · ${shot.characters.join(", ")}`)),
      fields, rerender);
    rerender.addEventListener("click", async () => {
      const f = new FormData(fields);
      const change = {
        size: f.get("size"), angle: f.get("angle"), lens: Number(f.get("lens")),
        duration: Number(f.get("duration")), move: { ...shot.move, type: f.get("move") },
      };
      try {
        node.classList.add("busy");
        const r = await Studio.api("PUT", `/boards/shots/${encodeURIComponent(shot.id)}`, change, etag);
        etag = r.etag;
        Studio.showIssues(r.issues);
        if (r.issues.length) { Studio.status("saved; fix the issues to render", "error"); return; }
        await Studio.render([shot.id]);
        await refreshFrame(shot, img, note);
      } catch (e) { Studio.fail(e); } finally { node.classList.remove("busy"); }
    });
    refreshFrame(shot, img, note).catch(Studio.fail);
    return node;
  }

  async function load() {
    const b = await Studio.api("GET", "/boards");
    etag = b.etag;
    Studio.showIssues(b.issues);
    board.replaceChildren(...b.scenes.map((sc) =>
      el("section", { class: "scene" }, el("h2", {}, sc.heading || sc.id),
        el("div", { class: "grid" }, ...sc.shots.map(panel)))));
  }

  document.getElementById("render-all").addEventListener("click", async () => {
    await Studio.render(null).catch(Studio.fail);
    await load().catch(Studio.fail);
  });
  load().catch(Studio.fail);
})();
