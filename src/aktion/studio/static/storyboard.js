// Storyboard: the shot list as panels showing the previz frame; a floor plan per shot with
// the camera, its lens cone, the line of action and the set, all draggable, and a live
// preview frame from the server; framing saved without rendering; shots added,
// duplicated, deleted and reordered.
"use strict";
(() => {
  const { el } = Studio;
  const board = document.getElementById("board");
  const SIZES = ["EWS", "WS", "FS", "MS", "MCU", "CU", "ECU", "INSERT"];
  const ANGLES = ["eye", "high", "low", "overhead", "dutch"];
  const MOVES = ["static", "pan", "tilt", "dolly", "truck", "crane", "handheld", "orbit"];
  const FRAMING = ["size", "angle", "lens", "move", "duration", "side", "blocking"];
  let etag = null;
  let flagged = new Set();
  const unsaved = new Set();

  const select = (name, options, value) =>
    el("select", { name }, ...options.map((o) => el("option", { value: o, selected: o === value }, o)));
  const SVG = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs = {}) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  };
  const round = (v) => Math.round(v * 20) / 20;
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const rad = (deg) => (deg * Math.PI) / 180;

  function markDirty(id, dirty) {
    if (dirty) unsaved.add(id); else unsaved.delete(id);
    Studio.setDirty(unsaved.size > 0);
  }

  // Does the sight line from the lens (at height `high`) to a body (its chest, 1.2 m up)
  // pass through the box (axis-aligned, centre `at`, size w x h x d)?
  function blocks(a, high, b, box) {
    const [cx, cz] = box.at;
    const hw = box.size[0] / 2, tall = box.size[1], hd = box.size[2] / 2;
    for (let i = 1; i < 40; i += 1) {
      const t = i / 40;
      const x = a[0] + (b[0] - a[0]) * t, z = a[1] + (b[1] - a[1]) * t;
      const y = high + (1.2 - high) * t;
      if (Math.abs(x - cx) < hw && Math.abs(z - cz) < hd && y < tall) return true;
    }
    return false;
  }

  // One shot's panel. `work` is the edited copy of the shot; `saved` what the file says.
  function panel(scene, shot) {
    const saved = JSON.parse(JSON.stringify(shot));
    const work = JSON.parse(JSON.stringify(shot));
    let camera = null; // {at, yaw, hfov} from the last preview
    let rendered = false; // the store has a frame of this shot
    let previewTimer = null;
    let previewSeq = 0;

    const img = el("img", { class: "frame", alt: `shot ${shot.id} frame`, hidden: true });
    const empty = el("div", { class: "frame-empty" }, "not rendered yet");
    const staleBadge = el("span", { class: "badge stale", hidden: true, title: "sources changed since this frame was rendered" }, "stale");
    const liveBadge = el("span", { class: "badge live", hidden: true, title: "a preview of unsaved changes" }, "preview");
    const dirtyBadge = el("span", { class: "badge dirty", hidden: true }, "unsaved");
    const anchorBadge = el("span", { class: "badge changed", hidden: !flagged.has(shot.id),
      title: "the script lines this shot shows were rewritten: check it in the Writers Room" }, "script changed");
    const warn = el("p", { class: "warn", hidden: true });
    const fields = el("form", { class: "fields" },
      el("label", {}, "size ", select("size", SIZES, shot.size)),
      el("label", {}, "angle ", select("angle", ANGLES, shot.angle)),
      el("label", {}, "lens ", el("input", { name: "lens", type: "number", min: 8, max: 600, value: String(shot.lens) })),
      el("label", {}, "move ", select("move", MOVES, shot.move.type)),
      el("label", {}, "frames ", el("input", { name: "duration", type: "number", min: 1, value: String(shot.duration) })),
      el("label", {}, "side ", select("side", ["left", "right"], shot.side)));
    const saveBtn = el("button", { class: "save", type: "button", disabled: true }, "Save framing");
    const renderBtn = el("button", { class: "rerender", type: "button" }, "Render");
    const dupBtn = el("button", { class: "duplicate secondary", type: "button" }, "Duplicate");
    const delBtn = el("button", { class: "delete secondary", type: "button" }, "Delete");
    const handle = el("span", { class: "handle", title: "drag to reorder" }, "⠿");
    const node = el("article", { class: "panel", id: `panel-${shot.id}`, "data-shot": shot.id },
      el("div", { class: "frame-box" }, img, empty, el("div", { class: "badges" }, staleBadge, liveBadge)),
      el("h3", { draggable: "true", title: "drag to reorder" }, handle, ` Shot ${shot.id} `, dirtyBadge, anchorBadge,
        el("span", { class: "hint" }, ` L${shot.lines[0]}-${shot.lines[1]} · ${shot.characters.join(", ")}`)),
      fields);

    function changed() {
      const out = {};
      for (const k of FRAMING) if (!same(work[k], saved[k])) out[k] = work[k];
      return out;
    }
    function refreshDirty() {
      const dirty = Object.keys(changed()).length > 0;
      dirtyBadge.hidden = !dirty;
      saveBtn.disabled = !dirty;
      markDirty(shot.id, dirty);
    }

    // -- the floor plan -------------------------------------------------------------
    const plan = svg("svg", { class: "floor", role: "img", "aria-label": `shot ${shot.id} floor plan` });
    const layers = { grid: svg("g"), set: svg("g"), line: svg("g"), cone: svg("g"), marks: svg("g") };
    Object.values(layers).forEach((g) => plan.append(g));
    let view = { x: -5, z: -5, size: 10 };
    let dragging = null;

    function fitView() {
      const pts = work.blocking.map((m) => m.at);
      if (camera) pts.push(camera.at);
      if (!pts.length) pts.push([0, 0]);
      const xs = pts.map((p) => p[0]), zs = pts.map((p) => p[1]);
      const size = Math.max(6, Math.max(...xs) - Math.min(...xs) + 3, Math.max(...zs) - Math.min(...zs) + 3);
      view = { x: (Math.max(...xs) + Math.min(...xs)) / 2 - size / 2, z: (Math.max(...zs) + Math.min(...zs)) / 2 - size / 2, size };
      plan.setAttribute("viewBox", `${view.x} ${view.z} ${size} ${size}`);
    }
    const toPlan = (ev) => {
      const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(plan.getScreenCTM().inverse());
      return [round(p.x), round(p.y)];
    };
    function draw() {
      Object.values(layers).forEach((g) => g.replaceChildren());
      const s = view.size / 100;
      for (let x = Math.ceil(view.x); x < view.x + view.size; x += 1) {
        layers.grid.append(svg("line", { x1: x, y1: view.z, x2: x, y2: view.z + view.size, class: "gridline" }));
      }
      for (let z = Math.ceil(view.z); z < view.z + view.size; z += 1) {
        layers.grid.append(svg("line", { x1: view.x, y1: z, x2: view.x + view.size, y2: z, class: "gridline" }));
      }
      const blocked = [];
      (scene.set.boxes || []).forEach((box, i) => {
        const inView = camera && work.blocking.some((m) => blocks(camera.at, camera.height, m.at, box));
        if (inView) blocked.push(box.name || `set piece ${i + 1}`);
        const g = svg("g", { class: `box${inView ? " blocking" : ""}`, "data-index": i, transform: `translate(${box.at[0]} ${box.at[1]})` });
        g.append(svg("rect", { x: -box.size[0] / 2, y: -box.size[2] / 2, width: box.size[0], height: box.size[2], fill: box.color }));
        const label = svg("text", { y: 0, "text-anchor": "middle", "font-size": 3 * s });
        label.textContent = box.name || "";
        g.append(label);
        g.addEventListener("pointerdown", (ev) => start(ev, { kind: "box", box, i, g }));
        layers.set.append(g);
      });
      warn.hidden = !blocked.length;
      warn.textContent = blocked.length ? `${blocked.join(", ")} in front of the lens` : "";
      if (work.blocking.length >= 2) {
        const [a, b] = [work.blocking[0].at, work.blocking[1].at];
        const dx = b[0] - a[0], dz = b[1] - a[1];
        const len = Math.hypot(dx, dz) || 1;
        const k = view.size * 2 / len;
        layers.line.append(svg("line", { class: "action-line", x1: a[0] - dx * k, y1: a[1] - dz * k,
          x2: b[0] + dx * k, y2: b[1] + dz * k, "stroke-width": 0.8 * s }));
      }
      if (camera) {
        const reach = view.size * 1.5;
        const [cx, cz] = camera.at;
        const l = rad(camera.yaw - camera.hfov / 2), r = rad(camera.yaw + camera.hfov / 2);
        layers.cone.append(svg("path", { class: "cone", d: `M ${cx} ${cz} L ${cx + reach * Math.cos(l)} ${cz + reach * Math.sin(l)} ` +
          `L ${cx + reach * Math.cos(r)} ${cz + reach * Math.sin(r)} Z` }));
        const cam = svg("g", { class: "camera", transform: `translate(${cx} ${cz}) rotate(${camera.yaw})` });
        cam.append(svg("rect", { x: -3 * s, y: -2 * s, width: 4 * s, height: 4 * s }),
          svg("path", { d: `M ${1 * s} 0 L ${3.5 * s} ${-2 * s} L ${3.5 * s} ${2 * s} Z` }));
        cam.addEventListener("pointerdown", (ev) => start(ev, { kind: "camera", g: cam }));
        layers.cone.append(cam);
      }
      work.blocking.forEach((m, i) => {
        const g = svg("g", { class: "mark", "data-who": m.who, transform: `translate(${m.at[0]} ${m.at[1]})` });
        const face = rad(m.facing || 0);
        g.append(svg("circle", { r: 4 * s, fill: `hsl(${(i * 137) % 360} 70% 55%)` }),
          svg("line", { x1: 0, y1: 0, x2: 7 * s * Math.cos(face), y2: 7 * s * Math.sin(face), class: "facing", "stroke-width": 1.2 * s }));
        const label = svg("text", { y: -6 * s, "text-anchor": "middle", "font-size": 3.5 * s });
        label.textContent = m.who;
        g.append(label);
        g.addEventListener("pointerdown", (ev) => start(ev, { kind: "mark", m, g }));
        layers.marks.append(g);
      });
    }
    function start(ev, what) {
      dragging = what;
      plan.setPointerCapture(ev.pointerId);
      ev.preventDefault();
      ev.stopPropagation();
    }
    plan.addEventListener("pointermove", (ev) => {
      if (!dragging) return;
      const p = toPlan(ev);
      if (dragging.kind === "mark") dragging.m.at = p;
      else if (dragging.kind === "box") dragging.box.at = p;
      else if (dragging.kind === "camera") camera = { ...camera, at: p };
      dragging.g.setAttribute("transform", dragging.kind === "camera"
        ? `translate(${p[0]} ${p[1]}) rotate(${camera.yaw})` : `translate(${p[0]} ${p[1]})`);
      if (dragging.kind === "mark") schedulePreview();
    });
    plan.addEventListener("pointerup", async () => {
      const what = dragging;
      dragging = null;
      if (!what) return;
      if (what.kind === "camera" && work.blocking.length >= 2) {
        // The camera stands on one side of the line of action: dropping it across the
        // line flips the shot's side (the 180° rule decides, not a free position).
        const [a, b] = [work.blocking[0].at, work.blocking[1].at];
        const cross = (b[0] - a[0]) * (camera.at[1] - a[1]) - (b[1] - a[1]) * (camera.at[0] - a[0]);
        const side = cross < 0 ? "left" : "right";
        if (side !== work.side) {
          work.side = side;
          fields.elements.side.value = side;
          Studio.status(`shot ${shot.id}: camera moved to the ${side} side of the line`);
        }
      }
      if (what.kind === "box") await saveBox(what.i, what.box);
      refreshDirty();
      draw();
      preview();
    });

    // -- previews and saving --------------------------------------------------------
    function schedulePreview() {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, 120);
    }
    async function preview() {
      const seq = ++previewSeq;
      const changes = changed();
      try {
        const p = await Studio.api("POST", "/preview", { shot: shot.id, changes, boxes: scene.set.boxes });
        if (seq !== previewSeq) return; // a newer preview is on its way
        camera = p.camera;
        const live = Object.keys(changes).length > 0 || img.hidden || staleBadge.hidden === false;
        if (live) { img.src = p.frame; img.hidden = false; empty.hidden = true; }
        liveBadge.hidden = Object.keys(changes).length === 0;
        node.dataset.previewKey = p.key;
        if (!dragging) { fitView(); draw(); }
      } catch (e) { if (seq === previewSeq) Studio.fail(e); }
    }
    async function saveBox(i, box) {
      try {
        const r = await Studio.api("PUT", `/boards/scenes/${encodeURIComponent(scene.id)}/boxes/${i}`, { at: box.at }, etag);
        etag = r.etag;
        Studio.status(`${box.name || "set piece"} moved`, "ok");
      } catch (e) { Studio.fail(e); }
    }
    async function saveFraming() {
      const change = changed();
      if (!Object.keys(change).length) return true;
      try {
        const r = await Studio.api("PUT", `/boards/shots/${encodeURIComponent(shot.id)}`, change, etag);
        etag = r.etag;
        Object.assign(saved, JSON.parse(JSON.stringify(change)));
        refreshDirty();
        liveBadge.hidden = true;
        staleBadge.hidden = !rendered;
        Studio.showIssues(r.issues);
        Studio.status(`shot ${shot.id}: framing saved`, "ok");
        return !r.issues.length;
      } catch (e) { Studio.fail(e); return false; }
    }

    fields.addEventListener("change", () => {
      const f = new FormData(fields);
      work.size = f.get("size");
      work.angle = f.get("angle");
      work.lens = Number(f.get("lens"));
      work.duration = Number(f.get("duration"));
      work.side = f.get("side");
      work.move = f.get("move") === saved.move.type ? saved.move : { type: f.get("move") };
      refreshDirty();
      schedulePreview();
    });
    saveBtn.addEventListener("click", saveFraming);
    renderBtn.addEventListener("click", async () => {
      node.classList.add("busy");
      try {
        if (!(await saveFraming())) return;
        const final = await Studio.render([shot.id]);
        if (final.state === "done") await refreshFrame();
      } finally { node.classList.remove("busy"); }
    });
    dupBtn.addEventListener("click", async () => {
      try {
        const r = await Studio.api("POST", `/boards/scenes/${encodeURIComponent(scene.id)}/shots`, { copy_of: shot.id }, etag);
        etag = r.etag;
        await load();
        Studio.status(`shot ${r.id} added (a copy of ${shot.id})`, "ok");
      } catch (e) { Studio.fail(e); }
    });
    delBtn.addEventListener("click", async () => {
      if (!window.confirm(`Delete shot ${shot.id} and its beats?`)) return;
      try {
        const r = await Studio.api("DELETE", `/boards/shots/${encodeURIComponent(shot.id)}`, undefined, etag);
        etag = r.etag;
        markDirty(shot.id, false);
        await load();
        Studio.status(`shot ${shot.id} deleted`, "ok");
      } catch (e) { Studio.fail(e); }
    });

    async function refreshFrame() {
      const m = await Studio.shotMedia(shot.id);
      staleBadge.hidden = !m.stale;
      rendered = !!m.frame;
      if (m.frame) { img.src = m.frame; img.hidden = false; empty.hidden = true; }
      liveBadge.hidden = true;
    }

    node.append(el("div", { class: "plan-row" }, plan,
      el("div", { class: "plan-side" }, warn,
        el("p", { class: "hint" }, "Drag people, set pieces and the camera. The camera keeps to one side of the dashed line of action."))),
    el("div", { class: "row" }, saveBtn, renderBtn, dupBtn, delBtn));
    fitView();
    draw();
    refreshFrame().then(preview).catch(Studio.fail);
    return node;
  }

  // Drag a panel onto another to move it there (the file keeps each shot whole).
  function reorderable(section, scene) {
    let moving = null;
    section.addEventListener("dragstart", (ev) => {
      moving = ev.target.closest(".panel");
      if (moving) ev.dataTransfer.setData("text/plain", moving.dataset.shot);
    });
    section.addEventListener("dragover", (ev) => { if (moving) ev.preventDefault(); });
    section.addEventListener("drop", async (ev) => {
      ev.preventDefault();
      const target = ev.target.closest(".panel");
      if (!moving || !target || target === moving) return;
      const ids = scene.shots.map((s) => s.id).filter((id) => id !== moving.dataset.shot);
      ids.splice(ids.indexOf(target.dataset.shot) + (ev.offsetX > target.offsetWidth / 2 ? 1 : 0), 0, moving.dataset.shot);
      moving = null;
      try {
        const r = await Studio.api("PUT", `/boards/scenes/${encodeURIComponent(scene.id)}/order`, { order: ids }, etag);
        etag = r.etag;
        await load();
        Studio.status(`scene ${scene.id}: shots reordered`, "ok");
      } catch (e) { Studio.fail(e); }
    });
  }

  async function load() {
    const [b, a] = await Promise.all([Studio.api("GET", "/boards"), Studio.api("GET", "/anchors")]);
    etag = b.etag;
    flagged = new Set(a.flags.map((f) => f.shot));
    unsaved.clear();
    Studio.setDirty(false);
    Studio.showIssues(b.issues);
    board.replaceChildren(...b.scenes.map((sc) => {
      const add = el("button", { class: "add-shot", type: "button" }, "Add shot");
      add.addEventListener("click", async () => {
        const last = sc.shots[sc.shots.length - 1];
        try {
          const r = await Studio.api("POST", `/boards/scenes/${encodeURIComponent(sc.id)}/shots`, {
            after: last.id, shot: { lines: last.lines, size: "MS", duration: 48,
              blocking: last.blocking } }, etag);
          etag = r.etag;
          await load();
          Studio.status(`shot ${r.id} added`, "ok");
        } catch (e) { Studio.fail(e); }
      });
      const grid = el("div", { class: "grid" }, ...sc.shots.map((s) => panel(sc, s)));
      reorderable(grid, sc);
      return el("section", { class: "scene", id: `scene-${sc.id}` },
        el("h2", {}, sc.heading || sc.id, " ", add), grid);
    }));
  }

  document.getElementById("render-all").addEventListener("click", async () => {
    await Studio.render(null).catch(Studio.fail);
    await load().catch(Studio.fail);
  });
  load().catch(Studio.fail);
})();
