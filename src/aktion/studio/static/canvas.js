// Canvas: each scene's timeline of shots, the cut, and the render button.
"use strict";
(() => {
  const { el } = Studio;
  const scenes = document.getElementById("scenes");
  const progress = document.getElementById("progress");
  const renderBtn = document.getElementById("render");
  const cancelBtn = document.getElementById("cancel");
  const exportBtn = document.getElementById("export");
  exportBtn.title = "Timeline export arrives with the editorial module";

  async function load() {
    const p = await Studio.api("GET", "/production");
    Studio.showIssues(p.issues);
    const stamp = Date.now();
    scenes.replaceChildren(...await Promise.all(p.scenes.map(async (sc) => {
      const total = sc.shots.reduce((a, s) => a + s.duration, 0);
      const track = el("div", { class: "track" });
      for (const s of sc.shots) {
        const m = await Studio.shotMedia(s.id);
        const clip = el("a", { class: "clip", href: `/choreo?shot=${encodeURIComponent(s.id)}`,
          title: `shot ${s.id}: ${s.duration} frames` },
          m.frame ? el("img", { src: m.frame, alt: `shot ${s.id}` }) : null,
          el("span", {}, `${s.id}`));
        clip.style.flexGrow = String(s.duration);
        track.append(clip);
      }
      const video = el("video", { class: "cut", controls: true, muted: true, playsinline: true,
        preload: "auto", src: `/api/media/cut/${encodeURIComponent(sc.id)}?v=${stamp}` });
      const missing = el("p", { class: "hint", hidden: true }, "No cut yet: press Render scene.");
      video.addEventListener("error", () => { video.hidden = true; missing.hidden = false; });
      return el("section", { class: "scene", id: `scene-${sc.id}` },
        el("h2", {}, sc.heading || sc.id,
          el("span", { class: "hint" }, ` ${sc.shots.length} shots · ${total} frames`)),
        track, video, missing);
    })));
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
  load().catch(Studio.fail);
})();
