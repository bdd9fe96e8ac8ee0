// Cast: each character's look, references, lock state and the shots they are in.
"use strict";
(() => {
  const root = document.getElementById("cast");
  const { el } = Studio;
  const unsaved = new Set();
  const editing = (id, dirty) => {
    if (dirty) unsaved.add(id); else unsaved.delete(id);
    Studio.setDirty(unsaved.size > 0);
  };

  function card(c) {
    const ch = c.character || {};
    const desc = el("textarea", { rows: 3, "aria-label": "description" }, ch.description || "");
    desc.addEventListener("input", () => editing(c.id, desc.value !== (ch.description || "")));
    const save = el("button", { class: "save", onclick: async () => {
      try {
        render(await Studio.api("PUT", `/cast/${c.id}`, { description: desc.value }, c.etag));
        editing(c.id, false);
        Studio.status(`${c.id} saved`, "ok");
      } catch (e) { Studio.fail(e); }
    } }, "Save");
    const lock = el("button", { class: "lock", onclick: async () => {
      try {
        render(await Studio.api("POST", `/cast/${c.id}/lock`, undefined, c.etag));
        Studio.status(`${c.id} locked`, "ok");
      } catch (e) { Studio.fail(e); }
    } }, c.state === "unlocked" ? "Lock" : "Relock");
    const file = el("input", { type: "file", accept: "image/png,image/jpeg,image/webp" });
    file.addEventListener("change", async () => {
      const form = new FormData();
      form.append("file", file.files[0]);
      try {
        render(await Studio.api("POST", `/cast/${c.id}/refs`, form, c.etag));
        Studio.status("reference added", "ok");
      } catch (e) { Studio.fail(e); }
    });
    const refs = el("div", { class: "refs" });
    for (const r of c.refs || []) {
      refs.append(r.ok
        ? el("img", { src: `/api/cast/${c.id}/refs/${r.index}`, alt: r.name, title: r.name })
        : el("span", { class: "bad" }, `${r.name}: ${r.problem}`));
    }
    const node = el("article", { class: "card", id: `cast-${c.id}` },
      el("h2", {}, ch.name || c.id, " ", el("span", { class: `badge ${c.state}` }, c.state)),
      desc, el("div", { class: "row" }, save, lock),
      el("p", { class: "hint" }, `In shots: ${(c.shots || []).join(", ") || "none"}`),
      refs, el("label", { class: "upload" }, "Add reference ", file),
      ...(c.problems || []).map((p) => el("p", { class: "bad" }, p)));
    return node;

    function render(updated) {
      node.replaceWith(card(updated));
    }
  }

  Studio.api("GET", "/cast").then((list) => {
    root.replaceChildren(...list.map(card));
    if (!list.length) root.append(el("p", {}, "No cast yet: add cast/<id>.yaml files."));
  }).catch(Studio.fail);
})();
