// Claimdesk keyboard shortcuts, one script for every page (no inline scripts: the
// Content-Security-Policy forbids them). `?` toggles the help (templates/_shortcuts.html).
// Queue: j/k move, o/Enter open, x select, a assign to me, / search.
// Any page: an element with data-shortcut="<key>" answers that key: a <details> opens and
// its first field takes the focus, a link is followed, a button with
// data-shortcut-action="click" is pressed, anything else is scrolled to and focused.
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll(".queue-row"));
  const help = document.getElementById("shortcut-help");
  const shortcuts = new Map();
  document.querySelectorAll("[data-shortcut]").forEach((el) => {
    if (!shortcuts.has(el.dataset.shortcut)) shortcuts.set(el.dataset.shortcut, el);
  });
  let current = -1;

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function select(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((row, n) => row.classList.toggle("is-current", n === current));
    const link = rows[current].querySelector(".claim-link");
    if (link) link.focus({ preventScroll: true });
    rows[current].scrollIntoView({ block: "nearest" });
  }
  function toggleHelp() {
    if (!help) return;
    help.hidden = !help.hidden;
    if (!help.hidden) help.querySelector("button").focus();
  }
  function takeCurrent() {
    const form = document.getElementById("take-form");
    if (!form || current < 0) return;
    const row = rows[current];
    form.action = form.dataset.actionTemplate.replace(/\/0\/take$/, "/" + row.dataset.claim + "/take");
    form.querySelector("input[name=version]").value = row.dataset.version;
    form.submit();
  }
  function activate(el) {
    if (el.tagName === "DETAILS") {
      el.open = true;
      const field = el.querySelector("[data-shortcut-focus], input:not([type=hidden]), select, textarea");
      el.scrollIntoView({ block: "start" });
      if (field) field.focus({ preventScroll: true });
    } else if (el.tagName === "A" || el.dataset.shortcutAction === "click") {
      el.click();
    } else {
      el.scrollIntoView({ block: "center" });
      el.focus({ preventScroll: true });
    }
  }

  document.querySelectorAll("[data-help-toggle]").forEach((b) => b.addEventListener("click", toggleHelp));
  const all = document.querySelector("[data-select-all]");
  if (all) all.addEventListener("change", () => {
    document.querySelectorAll("input[name=claim_ids]").forEach((box) => { box.checked = all.checked; });
  });
  rows.forEach((row, n) => row.addEventListener("focusin", () => {
    current = n;
    rows.forEach((r, m) => r.classList.toggle("is-current", m === n));
  }));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "?") { event.preventDefault(); toggleHelp(); return; }
    if (event.key === "Escape" && help && !help.hidden) { toggleHelp(); return; }
    if (shortcuts.has(event.key)) { event.preventDefault(); activate(shortcuts.get(event.key)); return; }
    if (!rows.length) return;
    switch (event.key) {
      case "j": event.preventDefault(); select(current + 1); break;
      case "k": event.preventDefault(); select(current - 1); break;
      case "o": if (current >= 0) { event.preventDefault(); window.location = rows[current].dataset.url; } break;
      case "x": if (current >= 0) { event.preventDefault(); const b = rows[current].querySelector("input[name=claim_ids]"); b.checked = !b.checked; } break;
      case "a": if (current >= 0) { event.preventDefault(); takeCurrent(); } break;
      case "/": { const box = document.querySelector("[data-search-box]"); if (box) { event.preventDefault(); box.focus(); } break; }
      default: break;
    }
  });

  // The article page: the focused quote in the text and in the sticky list beside it.
  const focus = document.getElementById("focus");
  if (focus && !window.location.hash) focus.scrollIntoView({ block: "center" });
  const listed = document.querySelector(".claim-list [aria-current]");
  const list = listed && listed.closest(".claim-list-scroll");
  if (listed && list) list.scrollTop = listed.offsetTop - list.offsetTop - list.clientHeight / 3;
})();
