// An exercise page: the picture with its "?", one input box per blank, and a Check button.
// Answers are checked here, in the page, with the tolerances the Python side uses
// (math.isclose); a wrong one shows its hint. Everything the learner types is set as text.
// Nothing is fetched.
(function () {
  "use strict";
  var RIGHT = "#b8e6b8", WRONG = "#f4b6b6"; // the fills of a right and a wrong answer

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }

  function number(text) {
    // "0.5", "-1.5e-3", "0,5" (a decimal comma), "nan", "inf"; NaN when it is not a number.
    var t = text.trim().toLowerCase().replace(/^\+/, "");
    if (/^-?inf(inity)?$/.test(t)) return t[0] === "-" ? -Infinity : Infinity;
    if (t === "nan") return "nan";
    if (/^-?[0-9]*,[0-9]+$/.test(t)) t = t.replace(",", ".");
    if (!/^-?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/.test(t)) return NaN;
    return Number(t);
  }

  function truth(x) {
    if (x === "nan") return "nan";
    if (x === "inf") return Infinity;
    if (x === "-inf") return -Infinity;
    return x;
  }

  function close(answer, t, rel, abs) { // as Python's math.isclose; nan is nan
    if (t === "nan" || answer === "nan") return t === answer;
    if (answer === t) return true;
    if (!isFinite(answer) || !isFinite(t)) return false;
    return Math.abs(answer - t) <= Math.max(rel * Math.max(Math.abs(answer), Math.abs(t)), abs);
  }

  function Exercise(box) {
    var self = this;
    this.data = JSON.parse(box.querySelector("script.ag-data").textContent);
    this.answers = JSON.parse(atob(this.data.answers)).map(truth);
    var view = box.querySelector(".ag-view");
    view.innerHTML = this.data.svg; // markup Graphviz wrote from escaped labels
    this.svg = view.querySelector("svg");
    var still = box.querySelector(".ag-still");
    if (still) still.parentNode.removeChild(still);
    var note = box.querySelector(".ag-note");
    var intro = el("p", { class: "ag-intro" }, this.data.intro);
    note.parentNode.replaceChild(intro, note);
    box.insertBefore(el("p", { class: "ag-help" }, this.data.help), intro.nextSibling);

    var form = box.querySelector(".ag-form"), table = el("table", { class: "ag-blanks" });
    this.rows = this.data.blanks.map(function (blank, n) {
      var id = self.data.prefix + "answer" + n;
      var tr = el("tr"), input = el("input", { type: "text", inputmode: "decimal", id: id,
        size: "10", autocomplete: "off", "aria-label": blank.name });
      var label = el("td"), field = el("td"), result = el("td", { class: "ag-result" });
      label.appendChild(el("label", { for: id }, blank.name));
      field.appendChild(input);
      [label, field, result].forEach(function (c) { tr.appendChild(c); });
      var hintRow = el("tr", { class: "ag-hint-row" }), hint = el("td", { colspan: "3", class: "ag-hint" });
      hintRow.appendChild(hint);
      hintRow.hidden = true;
      table.appendChild(tr);
      table.appendChild(hintRow);
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") self.check(); });
      return { blank: blank, input: input, result: result, hint: hint, hintRow: hintRow,
               cell: self.find(blank.cell), text: null };
    });
    var check = el("button", { type: "button", class: "ag-check" }, "Check");
    var clear = el("button", { type: "button", class: "ag-clear" }, "Clear");
    check.addEventListener("click", function () { self.check(); });
    clear.addEventListener("click", function () { self.clear(); });
    this.score = el("p", { class: "ag-score" });
    form.appendChild(table);
    form.appendChild(check);
    form.appendChild(document.createTextNode(" "));
    form.appendChild(clear);
    form.appendChild(this.score);
  }

  Exercise.prototype.find = function (id) {
    return this.svg.querySelector('[id="' + this.data.prefix + id + '"]');
  };

  Exercise.prototype.paint = function (row, text, colour) {
    // The blank's cell on the picture: the learner's number, green when right, red when not.
    if (!row.cell) return;
    var t = row.cell.querySelector("text");
    if (t) {
      if (row.text === null) row.text = t.textContent;
      t.textContent = text === null ? row.text : row.text.replace(/\?\u00a0*/, function (room) {
        return text + "\u00a0".repeat(Math.max(0, room.length - text.length)); // keep the width
      });
    }
    if (t) {
      if (!t.hasAttribute("data-fill")) t.setAttribute("data-fill", t.getAttribute("fill") || "");
      var ink = colour ? (colour === RIGHT ? "#1a7f37" : "#c62828") : t.getAttribute("data-fill");
      if (ink) t.setAttribute("fill", ink); else t.removeAttribute("fill");
    }
    var shapes = row.cell.querySelectorAll("polygon");
    for (var i = 0; i < shapes.length; i++) {
      var s = shapes[i];
      if (!s.hasAttribute("data-fill")) s.setAttribute("data-fill", s.getAttribute("fill") || "");
      if (s.getAttribute("data-fill") === "none") continue;
      s.setAttribute("fill", colour || s.getAttribute("data-fill"));
    }
  };

  Exercise.prototype.check = function () {
    var right = 0, tried = 0, d = this.data;
    for (var n = 0; n < this.rows.length; n++) {
      var row = this.rows[n], text = row.input.value;
      row.hintRow.hidden = true;
      row.input.className = "";
      if (!text.trim()) { row.result.textContent = ""; this.paint(row, null, null); continue; }
      tried++;
      var a = number(text);
      if (a !== "nan" && isNaN(a)) {
        row.result.textContent = "not a number";
        row.input.className = "ag-wrong";
        continue;
      }
      var ok = close(a, this.answers[n], d.relTol, d.absTol);
      right += ok ? 1 : 0;
      row.result.textContent = ok ? "✓ right" : "✗ not yet";
      row.input.className = ok ? "ag-right" : "ag-wrong";
      this.paint(row, text.trim(), ok ? RIGHT : WRONG);
      if (!ok) { row.hint.textContent = "Hint: " + row.blank.hint; row.hintRow.hidden = false; }
    }
    this.score.textContent = right + " of " + this.rows.length + " right" +
      (tried < this.rows.length ? " (" + (this.rows.length - tried) + " still blank)" : "");
  };

  Exercise.prototype.clear = function () {
    for (var n = 0; n < this.rows.length; n++) {
      var row = this.rows[n];
      row.input.value = "";
      row.input.className = "";
      row.result.textContent = "";
      row.hintRow.hidden = true;
      this.paint(row, null, null);
    }
    this.score.textContent = "";
  };

  var boxes = document.querySelectorAll(".ag-exercise:not([data-ready])");
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].setAttribute("data-ready", "");
    try {
      new Exercise(boxes[i]);
    } catch (err) {
      boxes[i].insertAdjacentText("afterbegin", "The exercise could not start: " + err);
    }
  }
})();
