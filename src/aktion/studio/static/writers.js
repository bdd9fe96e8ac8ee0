// Writers Room: the Fountain script edited as a screenplay (each line formatted as the
// element it is, with its line number), its live breakdown (click an item to go to its
// line), flagged anchors, drafting, and a guard against leaving unsaved edits.
"use strict";
(() => {
  const { el } = Studio;
  const editor = document.getElementById("script");
  const out = document.getElementById("breakdown");
  const saveBtn = document.getElementById("save-script");
  let etag = null;
  let saved = "";
  let timer = null;

  const HEADING = /^(\.(?!\.)|(INT|EXT|EST|INT\.?\/EXT|I\/E)[. ])/i;
  const TRANSITION = /^(>(?!.*<\s*$)|[A-Z0-9 .']+TO:\s*$)/;
  const CHARACTER = /^(@.+|[^a-z]*[A-Z][^a-z]*?)(\s*\(.*\))?\s*\^?\s*$/;

  // What each line is, by Fountain 1.1's rules (enough to lay the page out).
  function classify(lines) {
    const kinds = [];
    let inTitle = lines.length > 0 && /^[A-Za-z ]+:/.test(lines[0]);
    let dialogue = false;
    let boneyard = false;
    lines.forEach((line, i) => {
      const t = line.trim();
      const prevBlank = i === 0 || !lines[i - 1].trim();
      const nextFilled = i + 1 < lines.length && lines[i + 1].trim();
      let kind = "action";
      if (boneyard || t.startsWith("/*")) { kind = "boneyard"; boneyard = !t.includes("*/") || (t.startsWith("/*") && !t.endsWith("*/")); }
      else if (inTitle) { if (!t) { inTitle = false; kind = "blank"; } else kind = "title"; }
      else if (!t) { kind = "blank"; dialogue = false; }
      else if (dialogue) kind = /^\(.*\)$/.test(t) ? "parenthetical" : "dialogue";
      else if (t.startsWith("#")) kind = "section";
      else if (t.startsWith("=") && !t.startsWith("===")) kind = "synopsis";
      else if (t.startsWith("[[")) kind = "note";
      else if (/^>.*<$/.test(t)) kind = "centered";
      else if (prevBlank && HEADING.test(t)) kind = "heading";
      else if (prevBlank && TRANSITION.test(t)) kind = "transition";
      else if (t.startsWith("!")) kind = "action";
      else if (prevBlank && nextFilled && CHARACTER.test(t) && /[A-Z]/.test(t)) { kind = "character"; dialogue = true; }
      kinds.push(kind);
    });
    return kinds;
  }

  const lineDivs = () => [...editor.children];
  const text = () => lineDivs().map((d) => d.textContent.replace(/\n/g, "")).join("\n");

  function setText(value) {
    editor.replaceChildren(...value.split("\n").map((line) => {
      const d = el("div", { class: "ln" });
      if (line) d.textContent = line; else d.append(el("br"));
      return d;
    }));
    format();
  }

  // Keep one <div> per line (a browser may put text straight into the editor) and give
  // each its element class; the DOM is changed in place, so the caret stays put.
  function format() {
    for (const n of [...editor.childNodes]) {
      if (n.nodeType === Node.TEXT_NODE || (n.nodeType === Node.ELEMENT_NODE && n.tagName !== "DIV")) {
        const d = el("div", { class: "ln" });
        n.replaceWith(d);
        d.append(n);
      }
    }
    const divs = lineDivs();
    const kinds = classify(divs.map((d) => d.textContent));
    divs.forEach((d, i) => { d.className = `ln ${kinds[i]}`; d.dataset.line = String(i + 1); });
  }

  function goTo(line) {
    const d = lineDivs()[line - 1];
    if (!d) return;
    d.scrollIntoView({ block: "center" });
    const range = document.createRange();
    range.setStart(d, 0);
    range.collapse(true);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    editor.focus({ preventScroll: true });
    d.classList.add("flash");
    setTimeout(() => d.classList.remove("flash"), 900);
  }

  function item(line, label, textValue, cls = "") {
    return el("li", { class: `jump ${cls}`, tabindex: "0", "data-line": String(line),
      onclick: () => goTo(line), onkeydown: (e) => { if (e.key === "Enter") goTo(line); } },
    el("span", { class: "line" }, `L${line}`), " " + textValue);
  }

  function show(b) {
    out.replaceChildren(el("p", { class: "hint" },
      `${b.lines} lines · characters: ${b.characters.join(", ") || "none"}`));
    for (const sc of b.scenes) {
      out.append(el("article", { class: "scene" },
        el("h3", { class: "jump", tabindex: "0", onclick: () => goTo(sc.line) },
          el("span", { class: "line" }, `L${sc.line}`), " " + sc.heading),
        el("p", {}, `Characters: ${sc.characters.join(", ") || "none"} · ` +
          `Shots: ${sc.shots.join(", ") || "none boarded"}`),
        el("ol", { class: "beats-list" }, ...sc.beats.map((beat) => item(beat.line, "", beat.text)))));
    }
  }

  function showAnchors(a) {
    const box = document.getElementById("anchors");
    box.hidden = !a || (!a.flags.length && !a.pending);
    if (box.hidden) return;
    box.replaceChildren(el("h2", {}, "Anchors to check"));
    for (const f of a.flags) {
      const accept = el("button", { type: "button", class: "secondary accept" }, "Still fits");
      accept.addEventListener("click", async () => {
        try {
          showAnchors(await Studio.api("POST", "/anchors/accept", { shot: f.shot, beat: f.beat }));
          Studio.status(`shot ${f.shot}: anchor accepted`, "ok");
        } catch (e) { Studio.fail(e); }
      });
      box.append(el("div", { class: "flag", "data-shot": f.shot },
        item(f.lines[0], "", f.text, "flagged"), accept));
    }
    if (a.pending) {
      const rebase = el("button", { type: "button" }, "Rebase anchors");
      rebase.addEventListener("click", async () => {
        try { showAnchors(await Studio.api("POST", "/anchors/rebase")); Studio.status("anchors rebased", "ok"); }
        catch (e) { Studio.fail(e); }
      });
      box.append(el("p", {}, `The script was edited outside the studio: ${a.pending.moved.length} anchor(s) would move. `, rebase));
    }
  }

  function dirty() {
    const d = text() !== saved;
    saveBtn.disabled = !d;
    Studio.setDirty(d);
  }

  async function load() {
    const s = await Studio.api("GET", "/script");
    setText(s.text.replace(/\n$/, ""));
    saved = text();
    etag = s.etag;
    dirty();
    show(s.breakdown);
    showAnchors(s.anchors);
  }

  editor.addEventListener("input", () => {
    format();
    dirty();
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try { show(await Studio.api("POST", "/script/breakdown", { text: text() })); }
      catch (e) { Studio.fail(e); }
    }, 250);
  });
  editor.addEventListener("paste", (ev) => {
    ev.preventDefault();
    document.execCommand("insertText", false, ev.clipboardData.getData("text/plain"));
  });

  async function save() {
    try {
      const body = text() + "\n";
      const r = await Studio.api("PUT", "/script", { text: body }, etag);
      etag = r.etag;
      saved = body.replace(/\n$/, "");
      dirty();
      show(r.breakdown);
      showAnchors(r.anchors);
      Studio.showIssues(r.issues);
      const moved = r.anchors.moved.length;
      if (r.anchors.error) Studio.status(`script saved; anchors wait for a rebase: ${r.anchors.error}`, "error");
      else Studio.status("script saved" + (moved ? `; ${moved} anchor(s) moved with their lines` : ""), "ok");
    } catch (e) { Studio.fail(e); }
  }
  saveBtn.addEventListener("click", save);
  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "s") { ev.preventDefault(); save(); }
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
      box.replaceChildren(el("h3", {}, items.length ? "Drafted" : "Nothing was missing"),
        el("ul", {}, ...items.map((x) => el("li", {}, x))),
        r.written.length ? el("p", { class: "hint" }, `Written: ${r.written.join(", ")}`) : null);
      Studio.status(items.length ? `draft added ${items.length} item(s)` : "nothing to draft", "ok");
      await load();
    } catch (e) { Studio.fail(e); }
  });

  load().catch(Studio.fail);
})();
