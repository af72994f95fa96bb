// Corrections by selecting text on the article page (no library, no network).
//
// The article is rendered as <p data-start="N"> paragraphs (app/articles/highlight.py): inside
// one, every character of the text is one character of the page and a line break is a <br>,
// so a selection's offsets in the article text are the paragraph's start plus the characters
// before the selection point. Offsets count code points, as Python does.
// The forms work without this script: their offset fields can be typed.
(function () {
  "use strict";

  function codePoints(s) { return Array.from(s).length; }

  // Offset in the article text of a DOM point (node, offset), or null outside the article.
  function textOffset(body, node, offset) {
    if (!body.contains(node)) return null;
    var el = node.nodeType === 1 ? node : node.parentElement;
    var para = el && el.closest("p[data-start]");
    if (!para || !body.contains(para)) {
      // Between paragraphs: the start of the next one, or the end of the text.
      var point = document.createRange();
      point.setStart(node, offset);
      var paras = body.querySelectorAll("p[data-start]");
      for (var i = 0; i < paras.length; i++) {
        if (point.comparePoint(paras[i], 0) >= 0) return Number(paras[i].dataset.start);
      }
      return Number(body.dataset.length);
    }
    var range = document.createRange();
    range.setStart(para, 0);
    range.setEnd(node, offset);
    var walker = document.createTreeWalker(range.cloneContents(), NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    var n = 0;
    while (walker.nextNode()) {
      var x = walker.currentNode;
      if (x.nodeType === 3) n += codePoints(x.data);
      else if (x.nodeName === "BR") n += 1;
    }
    return Number(para.dataset.start) + n;
  }

  // The selection inside the article as {start, end, caret, text}, or null.
  function articleSelection(body) {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return null;
    var range = sel.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== body) return null;
    var start = textOffset(body, range.startContainer, range.startOffset);
    var end = textOffset(body, range.endContainer, range.endOffset);
    if (start === null || end === null) return null;
    return {start: Math.min(start, end), end: Math.max(start, end), text: sel.toString(), range: range};
  }

  function setValue(form, name, value) {
    var field = form.querySelector('input[name$="-' + name + '"]');
    if (field) {
      field.value = value;
      field.dispatchEvent(new Event("input", {bubbles: true}));
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("article-body");
    var addForm = document.getElementById("add-claim-form");
    if (!body || !addForm) return;
    var preview = document.getElementById("selection-preview");
    var button = document.getElementById("selection-button");
    var text = null;  // the article text, read once from the page (for previews)
    var last = null;  // the last selection made inside the article

    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    // Words inside a highlight can be selected by dragging: a link's text cannot (the browser
    // drags the link), so highlights keep their claim's address aside and a plain click opens it.
    // The claims list beside the article links to every claim for the keyboard.
    body.querySelectorAll("a.quote[href]").forEach(function (a) {
      a.dataset.href = a.getAttribute("href");
      a.removeAttribute("href");
    });
    // Arriving from a claim's page (#claim-N): its correction tools open.
    var target = location.hash && document.getElementById(location.hash.slice(1));
    var tools = target && target.querySelector("details.claim-tools");
    if (tools) tools.open = true;

    function articleText() {
      if (text === null) {  // code points; the blank lines between paragraphs as spaces
        text = [];
        body.querySelectorAll("p[data-start]").forEach(function (p) {
          while (text.length < Number(p.dataset.start)) text.push(" ");
          var walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
          while (walker.nextNode()) {
            var x = walker.currentNode;
            if (x.nodeType === 3) Array.prototype.push.apply(text, Array.from(x.data));
            else if (x.nodeName === "BR") text.push("\n");
          }
        });
      }
      return text;
    }

    function onSelection() {
      var s = articleSelection(body);
      if (!s) return;
      last = s;
      if (s.start === s.end) {
        button.hidden = true;
        return;
      }
      setValue(addForm, "start", s.start);
      setValue(addForm, "end", s.end);
      var shown = s.text.replace(/\s+/g, " ").trim();
      preview.textContent = "Selected (characters " + s.start + "\u2013" + s.end + "): \u201c" +
        (shown.length > 160 ? shown.slice(0, 159) + "\u2026" : shown) + "\u201d";
      // Below the end of the selection (its last line), so the selected words stay in view.
      var rects = s.range.getClientRects();
      var rect = rects.length ? rects[rects.length - 1] : s.range.getBoundingClientRect();
      var box = button.offsetParent ? button.offsetParent.getBoundingClientRect() : {top: 0, left: 0};
      button.style.top = (rect.bottom - box.top + 4) + "px";
      button.style.left = Math.max(0, rect.right - box.left - button.offsetWidth) + "px";
      button.hidden = false;
    }

    var timer = null;
    document.addEventListener("selectionchange", function () {
      clearTimeout(timer);
      timer = setTimeout(onSelection, 120);
    });
    body.addEventListener("mouseup", onSelection);
    // A drag that selects words inside a highlight ends in a click on its link: select, don't follow.
    var down = null;
    body.addEventListener("mousedown", function (e) { down = {x: e.clientX, y: e.clientY}; });
    body.addEventListener("click", function (e) {
      var quote = e.target.closest("a.quote[data-href]");
      var sel = window.getSelection();
      var dragged = down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 4;
      if (quote && !dragged && (!sel || sel.isCollapsed)) window.location.href = quote.dataset.href;
    });
    body.addEventListener("keyup", onSelection);

    // "Add as claim" beside the selection: bring the editor to the form, offsets filled in.
    button.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the selection
    button.addEventListener("click", function () {
      onSelection();
      button.hidden = true;
      addForm.scrollIntoView({block: "center"});
      var speaker = addForm.querySelector('input[name$="-speaker"]');
      (speaker || addForm.querySelector("button[type=submit]")).focus();
    });

    // A claim's tools: fill the span from the selection, or the split point from the cursor.
    document.querySelectorAll("[data-fill]").forEach(function (el) {
      el.addEventListener("mousedown", function (e) { e.preventDefault(); });
      el.addEventListener("click", function () {
        var s = articleSelection(body) || last;
        var form = el.closest("form");
        if (!s) {
          preview.textContent = "Select text (or click a point) in the article first.";
          return;
        }
        if (el.dataset.fill === "span") {
          setValue(form, "start", s.start);
          setValue(form, "end", s.end);
        } else {
          setValue(form, "at", s.start);
        }
      });
    });

    // The split tool says where the second claim would begin.
    document.querySelectorAll('form[data-tool="split"] input[name$="-at"]').forEach(function (input) {
      var note = input.closest("form").querySelector(".split-preview");
      input.addEventListener("input", function () {
        var at = Number(input.value);
        var chars = articleText();
        if (!note || !Number.isInteger(at) || at < 0 || at >= chars.length) return;
        note.textContent = "The second claim would start at \u201c" + chars.slice(at, at + 40).join("").trim() + "\u2026\u201d";
      });
    });
  });
})();
