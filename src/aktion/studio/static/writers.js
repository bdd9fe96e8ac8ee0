// Writers Room: the Fountain editor with its live breakdown.
"use strict";
(() => {
  const text = document.getElementById("script");
  const out = document.getElementById("breakdown");
  let etag = null;
  let timer = null;

  function show(b) {
    out.replaceChildren();
    out.append(Studio.el("p", { class: "hint" },
      `${b.lines} lines · characters: ${b.characters.join(", ") || "none"}`));
    for (const sc of b.scenes) {
      const beats = Studio.el("ol", { class: "beats-list" });
      for (const beat of sc.beats) {
        beats.append(Studio.el("li", {}, Studio.el("span", { class: "line" }, `L${beat.line}`),
          " " + beat.text));
      }
      out.append(Studio.el("article", { class: "scene" },
        Studio.el("h3", {}, Studio.el("span", { class: "line" }, `L${sc.line}`), " " + sc.heading),
        Studio.el("p", {}, `Characters: ${sc.characters.join(", ") || "none"} · ` +
          `Shots: ${sc.shots.join(", ") || "none boarded"}`),
        beats));
    }
  }

  async function load() {
    const s = await Studio.api("GET", "/script");
    text.value = s.text;
    etag = s.etag;
    show(s.breakdown);
  }

  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try { show(await Studio.api("POST", "/script/breakdown", { text: text.value })); }
      catch (e) { Studio.fail(e); }
    }, 250);
  });

  document.getElementById("save-script").addEventListener("click", async () => {
    try {
      const r = await Studio.api("PUT", "/script", { text: text.value }, etag);
      etag = r.etag;
      show(r.breakdown);
      Studio.showIssues(r.issues);
      Studio.status("script saved", "ok");
    } catch (e) { Studio.fail(e); }
  });

  // Draft from the saved script: the server merges, never overwriting the director's work.
  document.getElementById("draft").addEventListener("click", async () => {
    const box = document.getElementById("drafted");
    try {
      const r = await Studio.api("POST", "/script/draft", {});
      Studio.showIssues(r.issues);
      const items = [
        ...r.scenes.map((x) => `scene ${x}`), ...r.shots.map((x) => `shot ${x}`),
        ...(r.beats ? [`${r.beats} beat${r.beats === 1 ? "" : "s"}`] : []),
        ...r.cast.map((x) => `cast ${x}`)];
      box.hidden = false;
      box.replaceChildren(Studio.el("h3", {}, items.length ? "Drafted" : "Nothing was missing"),
        Studio.el("ul", {}, ...items.map((x) => Studio.el("li", {}, x))),
        r.written.length ? Studio.el("p", { class: "hint" }, `Written: ${r.written.join(", ")}`) : null);
      Studio.status(items.length ? `draft added ${items.length} item(s)` : "nothing to draft", "ok");
      await load();
    } catch (e) { Studio.fail(e); }
  });

  load().catch(Studio.fail);
})();
