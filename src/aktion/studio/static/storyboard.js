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

  const SVG = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs = {}) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  };
  const round = (v) => Math.round(v * 20) / 20;

  // Save a shot's marks over the boards' version; a stale version is a reported conflict.
  async function saveBlocking(shot) {
    try {
      const r = await Studio.api("PUT", `/boards/shots/${encodeURIComponent(shot.id)}`,
        { blocking: shot.blocking }, etag);
      etag = r.etag;
      Studio.showIssues(r.issues);
      Studio.status(`shot ${shot.id}: blocking saved`, "ok");
    } catch (e) { Studio.fail(e); }
  }

  // The floor plan seen from above (x right, z down): drag a mark, set its facing below.
  function floorPlan(shot) {
    const reach = Math.max(3, ...shot.blocking.flatMap((m) => m.at.map((v) => Math.abs(v) + 1)));
    const plan = svg("svg", { class: "floor", viewBox: `${-reach} ${-reach} ${2 * reach} ${2 * reach}`,
      role: "img", "aria-label": `shot ${shot.id} floor plan` });
    plan.append(svg("line", { x1: -reach, y1: 0, x2: reach, y2: 0, stroke: "#333b47", "stroke-width": 0.03 }),
      svg("line", { x1: 0, y1: -reach, x2: 0, y2: reach, stroke: "#333b47", "stroke-width": 0.03 }));
    const facing = el("div", { class: "fields" });
    let dragging = null;
    const toPlan = (ev) => {
      const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(plan.getScreenCTM().inverse());
      return [round(Math.max(-reach, Math.min(reach, p.x))), round(Math.max(-reach, Math.min(reach, p.y)))];
    };
    const draw = (g, m) => {
      const rad = (m.facing || 0) * Math.PI / 180;
      g.setAttribute("transform", `translate(${m.at[0]} ${m.at[1]})`);
      g.querySelector("line").setAttribute("x2", String(0.5 * Math.cos(rad)));
      g.querySelector("line").setAttribute("y2", String(0.5 * Math.sin(rad)));
    };
    shot.blocking.forEach((m, i) => {
      const g = svg("g", { class: "mark", "data-who": m.who });
      const hue = (i * 137) % 360;
      g.append(svg("circle", { r: 0.25, fill: `hsl(${hue} 70% 55%)` }),
        svg("line", { x1: 0, y1: 0, stroke: "#fff", "stroke-width": 0.06 }));
      const label = svg("text", { y: -0.35, "text-anchor": "middle" });
      label.textContent = m.who;
      g.append(label);
      draw(g, m);
      g.addEventListener("pointerdown", (ev) => {
        dragging = { g, m };
        plan.setPointerCapture(ev.pointerId);
        ev.preventDefault();
      });
      plan.append(g);
      const input = el("input", { type: "number", name: `facing-${m.who}`, step: 15,
        value: String(m.facing || 0), title: "degrees: 0 faces +x, 90 faces +z" });
      input.addEventListener("change", () => {
        m.facing = Number(input.value) % 360;
        draw(g, m);
        saveBlocking(shot);
      });
      facing.append(el("label", {}, `${m.who} faces `, input));
    });
    plan.addEventListener("pointermove", (ev) => {
      if (!dragging) return;
      dragging.m.at = toPlan(ev);
      draw(dragging.g, dragging.m);
    });
    plan.addEventListener("pointerup", () => {
      if (!dragging) return;
      dragging = null;
      saveBlocking(shot);
    });
    return el("div", { class: "blocking" }, plan, facing);
  }

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
      fields, floorPlan(shot), rerender);
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
