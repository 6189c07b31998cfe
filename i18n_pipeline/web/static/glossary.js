// The glossary desk's entry form: as the editor types, ask the server what `glossary check` would
// say (shown at each field), how the targets will appear, and which published segments change.
// No inline script; every text goes in through textContent.
"use strict";
(function () {
  const form = document.getElementById("entry-form");
  if (!form) return;
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const state = document.getElementById("check-state");
  let timer = null;
  let asked = 0;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function showProblems(problems) {
    form.querySelectorAll("ul.problems").forEach((ul) => ul.replaceChildren());
    form.querySelectorAll(".invalid").forEach((n) => n.classList.remove("invalid"));
    for (const p of problems) {
      const ul = form.querySelector(`ul.problems[data-problems-for="${p.field}"]`) ||
                 form.querySelector('ul.problems[data-problems-for="en"]');
      ul.append(el("li", p.message, p.severity));
      const input = form.elements[p.field];
      if (input && p.severity === "error") input.classList.add("invalid");
    }
  }

  function showForms(forms, error, notes) {
    const box = document.getElementById("forms");
    box.replaceChildren(el("h2", "How it will appear"));
    if (error) box.append(el("p", error, "message error"));
    const locales = Object.keys(forms);
    if (!locales.length) box.append(el("p", "Enter a target to see its forms.", "empty"));
    for (const loc of locales) {
      const table = el("table", undefined, "forms");
      table.dataset.locale = loc;
      table.append(el("caption", loc));
      const head = el("tr");
      head.append(el("th", "form"), el("th", "singular"), el("th", "plural"));
      table.append(head);
      for (const [label, ...values] of forms[loc]) {
        const tr = el("tr");
        tr.append(el("th", label));
        for (const value of values) tr.append(el("td", value));
        table.append(tr);
      }
      box.append(table);
      if (notes && notes[loc]) {
        const p = el("p", notes[loc], "meta forms-note");
        p.dataset.locale = loc;
        box.append(p);
      }
    }
  }

  function showAffected(info) {
    document.getElementById("affected-count").textContent =
      info.count === 0 ? "No published segment changes." :
      `${info.count} published segment(s) will be translated again by the next run.`;
    const ul = document.getElementById("affected");
    ul.replaceChildren();
    for (const s of info.segments) {
      const li = el("li");
      const a = el("a", `${s.article} (${s.locale})`);
      a.href = `/a/${encodeURIComponent(s.article)}/${encodeURIComponent(s.locale)}#seg-${encodeURIComponent(s.segment)}`;
      li.append(a, el("div", s.source), el("div", s.target, "meta"));
      ul.append(li);
    }
  }

  async function check() {
    const mine = ++asked;
    const data = new FormData(form);
    state.textContent = "checking…";
    let answer;
    try {
      answer = await fetch("/glossary/check", {method: "POST", body: data,
        headers: {"accept": "application/json", "x-csrf-token": csrf()}});
    } catch (e) {
      state.textContent = "cannot reach the workspace; your text is still here";
      return;
    }
    if (mine !== asked) return;  // a newer check is on its way
    const body = await answer.json().catch(() => ({error: "unreadable answer"}));
    if (!answer.ok) { state.textContent = body.error || `error ${answer.status}`; return; }
    const errors = body.problems.filter((p) => p.severity === "error").length;
    state.textContent = errors ? `${errors} problem(s) to fix before saving` : "checks pass";
    state.className = "check-state " + (errors ? "error" : "ok");
    showProblems(body.problems);
    showForms(body.forms, body.forms_error, body.forms_notes);
    showAffected(body.affected);
  }

  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 250); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(check, 50); });
  const retire = document.querySelector("form.retire");
  if (retire) retire.addEventListener("submit", (e) => {
    if (!window.confirm("Retire this entry? It leaves the glossary; the history keeps its row.")) e.preventDefault();
  });
})();
