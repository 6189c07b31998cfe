// The translator workspace: save in place, conflicts, shortcuts, presence. No build step, no inline script.
"use strict";
(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const help = document.getElementById("help");
  const helpButton = document.getElementById("help-button");
  if (helpButton && help) helpButton.addEventListener("click", () => help.showModal());

  document.addEventListener("keydown", (e) => {
    const inText = e.target.matches && e.target.matches("textarea, input, select");
    if ((e.key === "?" && !inText) || (e.key === "/" && e.ctrlKey)) {
      e.preventDefault();
      if (help && !help.open) help.showModal();
    }
  });

  const root = document.getElementById("workspace");
  if (!root) return;
  const rows = () => Array.from(root.querySelectorAll("tr.seg")).filter((r) => r.querySelector("textarea"));
  const textOf = (row, cls) => { const t = row.querySelector(cls); return t ? (t.content ? t.content.textContent : t.textContent) : ""; };
  const reviewed = (row) => row.classList.contains("state-reviewed") || row.classList.contains("state-final");

  function focusRow(row) {
    if (!row) return;
    const area = row.querySelector("textarea");
    area.focus();
    row.scrollIntoView({ block: "center" });
  }
  function step(row, delta, onlyUnreviewed) {
    const all = rows();
    let i = all.indexOf(row);
    for (i += delta; i >= 0 && i < all.length; i += delta) {
      if (!onlyUnreviewed || !reviewed(all[i])) return all[i];
    }
    return null;
  }
  function showDetails(row) {
    const box = document.getElementById("details");
    box.replaceChildren();
    const h = document.createElement("h2"); h.textContent = "Segment " + row.dataset.segment; box.append(h);
    const terms = row.querySelectorAll("mark.term");
    for (const t of terms) {
      const p = document.createElement("p");
      p.textContent = t.textContent + " → " + (t.dataset.expected || "—");
      box.append(p);
    }
    const meta = row.querySelector(".meta"); if (meta) { const p = document.createElement("p"); p.className = "meta"; p.textContent = meta.textContent; box.append(p); }
  }

  function renderFlags(row, flags) {
    const list = row.querySelector("ul.flags");
    list.replaceChildren();
    for (const f of flags) {
      const li = document.createElement("li");
      li.className = "flag " + f.severity; li.dataset.check = f.check;
      const b = document.createElement("b"); b.textContent = f.check;
      li.append(b, " " + f.message);
      list.append(li);
    }
  }
  function setState(row, state) {
    row.classList.remove("state-initial", "state-translated", "state-reviewed", "state-final");
    row.classList.add("state-" + state);
    row.querySelector(".badge.state").textContent = state;
  }
  function showConflict(row, c) {
    const out = row.querySelector(".result");
    out.replaceChildren();
    out.className = "result conflict";
    const head = document.createElement("p");
    head.textContent = c.who + " saved v" + c.version + " (" + c.state + ") at " + c.at + " after you opened this segment. Nothing was lost:";
    const theirs = document.createElement("blockquote"); theirs.className = "theirs"; theirs.textContent = c.theirs;
    const yours = document.createElement("blockquote"); yours.className = "yours"; yours.textContent = c.yours;
    const useTheirs = document.createElement("button"); useTheirs.type = "button"; useTheirs.textContent = "Take theirs";
    const keepMine = document.createElement("button"); keepMine.type = "button"; keepMine.textContent = "Keep mine (save again over theirs)";
    const form = row.querySelector("form");
    useTheirs.addEventListener("click", () => {
      form.elements.text.value = c.theirs; form.elements.version.value = c.version; row.dataset.version = c.version;
      row.querySelector("template.saved-text").content.textContent = c.theirs;
      setState(row, c.state); out.replaceChildren(); out.className = "result";
    });
    keepMine.addEventListener("click", () => {
      form.elements.version.value = c.version; row.dataset.version = c.version;
      out.replaceChildren(); out.className = "result"; save(row, "reviewed", false);
    });
    out.append(head, document.createTextNode("Theirs:"), theirs, document.createTextNode("Yours:"), yours, useTheirs, keepMine);
  }

  // Edit time, as Matecat measures time-to-edit: the milliseconds the segment's text box had the
  // focus since its last save (the server caps what one save may claim).
  const focusTimes = new WeakMap();  // row → {spent, since}
  function editMs(row) {
    const t = focusTimes.get(row);
    if (!t) return 0;
    return Math.round(t.spent + (t.since === null ? 0 : performance.now() - t.since));
  }
  root.addEventListener("focusin", (e) => {
    if (!e.target.matches("textarea")) return;
    const row = e.target.closest("tr.seg");
    const t = focusTimes.get(row) || { spent: 0, since: null };
    if (t.since === null) t.since = performance.now();
    focusTimes.set(row, t);
  });
  root.addEventListener("focusout", (e) => {
    if (!e.target.matches("textarea")) return;
    const t = focusTimes.get(e.target.closest("tr.seg"));
    if (t && t.since !== null) { t.spent += performance.now() - t.since; t.since = null; }
  });

  async function save(row, state, next) {
    const form = row.querySelector("form");
    const out = row.querySelector(".result");
    const body = new URLSearchParams();
    const spent = editMs(row);
    body.set("csrf", csrf()); body.set("segment", row.dataset.segment);
    body.set("version", form.elements.version.value); body.set("text", form.elements.text.value); body.set("state", state);
    body.set("edit_ms", String(spent));
    out.textContent = "saving…"; out.className = "result";
    let response, data;
    try {
      response = await fetch(form.action, { method: "POST", body, headers: { "Accept": "application/json", "X-CSRF-Token": csrf() }, credentials: "same-origin" });
      data = await response.json();
    } catch (err) {
      out.textContent = "not saved: the workspace did not answer (" + err + "); your text is still here"; out.className = "result error";
      return;
    }
    if (response.status === 409 && data.conflict) { showConflict(row, data.conflict); return; }
    if (!response.ok) { out.textContent = "not saved: " + data.error; out.className = "result error"; return; }
    const t = focusTimes.get(row);  // this save claimed the time so far: count afresh from here
    if (t) { t.spent = 0; if (t.since !== null) t.since = performance.now(); }
    form.elements.version.value = data.version; row.dataset.version = data.version;
    form.elements.text.value = data.text;
    row.querySelector("template.saved-text").content.textContent = data.text;
    setState(row, data.state);
    renderFlags(row, data.flags);
    row.querySelector(".meta").textContent = "v" + data.version + " · " + data.who + ", " + data.at.slice(0, 16).replace("T", " ");
    const link = document.createElement("a"); link.className = "history-link"; link.textContent = "history";
    link.href = "/a/" + encodeURIComponent(root.dataset.article) + "/" + encodeURIComponent(root.dataset.locale) + "/history/" + encodeURIComponent(row.dataset.segment);
    row.querySelector(".meta").append(" ", link);
    out.textContent = "saved v" + data.version; out.className = "result ok";
    if (next) focusRow(step(row, 1, false) || row);
  }

  root.addEventListener("submit", (e) => {
    const form = e.target.closest("form.edit");
    if (!form) return;
    e.preventDefault();
    const state = (e.submitter && e.submitter.value) || "reviewed";
    save(form.closest("tr"), state, false);
  });
  root.addEventListener("focusin", (e) => {
    const row = e.target.closest("tr.seg");
    if (!row) return;
    for (const r of root.querySelectorAll("tr.current")) r.classList.remove("current");
    row.classList.add("current");
    showDetails(row);
  });
  root.addEventListener("click", (e) => {
    if (e.target.matches("button.use-fuzzy")) {
      const item = e.target.closest("li.match");
      item.closest("tr").querySelector("textarea").value = item.querySelector(".fuzzy-target").textContent;
    }
    if (e.target.matches("button.use-tm")) {
      const row = e.target.closest("tr");
      row.querySelector("textarea").value = textOf(row, ".tm-text");
    }
  });
  root.addEventListener("keydown", (e) => {
    const row = e.target.closest && e.target.closest("tr.seg");
    if (!row || !e.target.matches("textarea")) return;
    const area = e.target;
    const act = (fn) => { e.preventDefault(); fn(); };
    if (e.key === "Enter" && e.ctrlKey && e.shiftKey) {
      if (root.dataset.canFinalize === "1") act(() => save(row, "final", true));
    } else if (e.key === "Enter" && e.ctrlKey) act(() => save(row, "reviewed", true));
    else if (e.key === "Enter" && e.altKey) act(() => save(row, "translated", true));
    else if (e.key === "ArrowDown" && e.altKey) act(() => focusRow(step(row, 1, true)));
    else if (e.key === "ArrowUp" && e.altKey) act(() => focusRow(step(row, -1, true)));
    else if (e.key === "ArrowDown" && e.ctrlKey) act(() => focusRow(step(row, 1, false)));
    else if (e.key === "ArrowUp" && e.ctrlKey) act(() => focusRow(step(row, -1, false)));
    else if (e.altKey && (e.key === "s" || e.key === "S" || e.code === "KeyS")) act(() => { area.value = textOf(row, "template.source-text"); });
    else if (e.altKey && (e.key === "m" || e.key === "M" || e.code === "KeyM")) act(() => { const mt = textOf(row, ".mt-text"); if (mt) area.value = mt; });
    else if (e.altKey && (e.key === "t" || e.key === "T" || e.code === "KeyT")) act(() => { const tm = textOf(row, ".tm-text"); if (tm) area.value = tm; });
    else if (e.ctrlKey && !e.altKey && (e.key === "i" || e.key === "I" || e.code === "KeyI")) act(() => { const m = row.querySelector("li.match .fuzzy-target"); if (m) area.value = m.textContent; });
    else if (e.key === "Escape" && !(help && help.open)) act(() => { area.value = textOf(row, "template.saved-text"); });
  });

  async function ping() {
    const body = new URLSearchParams(); body.set("csrf", csrf());
    try {
      const r = await fetch("/a/" + encodeURIComponent(root.dataset.article) + "/" + encodeURIComponent(root.dataset.locale) + "/presence",
        { method: "POST", body, headers: { "Accept": "application/json", "X-CSRF-Token": csrf() }, credentials: "same-origin" });
      if (!r.ok) return;
      const data = await r.json();
      const p = document.getElementById("presence");
      p.textContent = data.others.length ? data.others.join(", ") + " editing this article" : "";
      p.classList.toggle("hidden", !data.others.length);
    } catch (err) { /* offline for a moment: the marker is only a hint */ }
  }
  setInterval(ping, 15000);
  const first = rows().find((r) => !reviewed(r));
  if (first && !location.hash) first.querySelector("textarea").focus({ preventScroll: true });
})();
