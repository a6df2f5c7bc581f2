// The step-through player. Each .ag-steps element holds its drawing (an SVG, in the JSON
// with the frames) and, in a notebook, the same drawing as a still image for places where
// scripts do not run. This script puts the SVG in the page, drops the still, and sets the
// texts and highlights of frame k on the one SVG, so no frame is stored twice.
// Keys (after a click on the player, or at once on a page with one player): left/right
// arrows, Home, End; +/- zoom, 0 fits. Drag to pan, ctrl+wheel to zoom. Nothing is fetched.
(function () {
  "use strict";
  // One registry per page: several outputs in a notebook each load this script.
  var state = window.agState || (window.agState = { players: [], current: null });

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }

  function Player(box) {
    var self = this;
    this.box = box;
    this.data = JSON.parse(box.querySelector("script.ag-data").textContent);
    this.view = box.querySelector(".ag-view");
    this.view.innerHTML = this.data.svg; // markup Graphviz wrote from escaped labels
    this.svg = this.view.querySelector("svg");
    var still = box.querySelector(".ag-still");
    if (still) still.parentNode.removeChild(still);
    this.k = 0;
    this.find = function (id) {
      return self.svg.querySelector('[id="' + self.data.prefix + id + '"]');
    };
    // Remember each restyled element's text and fill as the static picture has them.
    this.texts = {};
    this.fills = {};
    var width = Number(this.svg.getAttribute("width").replace("pt", ""));
    var height = Number(this.svg.getAttribute("height").replace("pt", ""));
    var vb = this.svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
    this.full = { x: vb[0], y: vb[1], w: vb[2], h: vb[3] };
    this.natural = { w: width, h: height };
    this.svg.removeAttribute("width");
    this.svg.removeAttribute("height");
    this.svg.setAttribute("preserveAspectRatio", "xMinYMin meet");

    var controls = el("div", { class: "ag-controls" });
    this.prev = el("button", { type: "button", title: "previous step (←)" }, "◀ previous");
    this.next = el("button", { type: "button", title: "next step (→)" }, "next ▶");
    this.slider = el("input", {
      type: "range", min: "0", max: String(this.data.frames.length - 1), value: "0",
      step: "1", "aria-label": "step",
    });
    this.counter = el("span", { class: "ag-counter" });
    var zoomOut = el("button", { type: "button", title: "zoom out (-)" }, "−");
    var zoomIn = el("button", { type: "button", title: "zoom in (+)" }, "+");
    var fit = el("button", { type: "button", title: "whole graph (0)" }, "fit");
    [this.prev, this.slider, this.next, this.counter, zoomOut, zoomIn, fit].forEach(function (c) {
      controls.appendChild(c);
      controls.appendChild(document.createTextNode(" "));
    });
    this.caption = el("p", { class: "ag-caption" });
    var note = box.querySelector(".ag-note");
    var help = el("p", { class: "ag-help" }, this.data.help);
    note.parentNode.replaceChild(help, note);
    var legend = el("p", { class: "ag-legend" });
    legend.innerHTML = this.data.legend; // our own fixed text (colour swatches), no user data
    box.insertBefore(legend, help.nextSibling);
    box.insertBefore(this.caption, legend);
    box.insertBefore(controls, this.caption);
    if (this.data.explain) this.explaining(box);
    if (this.data.curve) { // a training replay: the loss curve, next to the slider
      this.curve = el("div", { class: "ag-curve" });
      this.curve.innerHTML = this.data.curve; // our own markup: numbers and fixed words
      box.insertBefore(this.curve, this.caption.nextSibling);
    }

    this.prev.addEventListener("click", function () { self.show(self.k - 1); });
    this.next.addEventListener("click", function () { self.show(self.k + 1); });
    this.slider.addEventListener("input", function () { self.show(Number(self.slider.value)); });
    zoomIn.addEventListener("click", function () { self.zoom(1.5); });
    zoomOut.addEventListener("click", function () { self.zoom(1 / 1.5); });
    fit.addEventListener("click", function () { self.fit(); });
    box.addEventListener("pointerdown", function () { state.current = self; });
    this.panning(box);
    this.scale = null;
    this.layout();
    this.show(0);
  }

  Player.prototype.layout = function () {
    // Readable first: the whole graph if its text stays ≥ 75% of its size, else full size.
    var avail = this.view.clientWidth || 800;
    var fitScale = Math.min(avail / this.natural.w, 1);
    this.scale = fitScale >= 0.75 || this.data.wholeFirst ? fitScale : 1;
    var height = Math.min(this.natural.h * this.scale, window.innerHeight * 0.7 || 600);
    this.view.style.height = Math.max(height, 120) + "px";
    this.vb = { x: this.full.x, y: this.full.y, w: avail / this.scale, h: 0 };
    this.vb.h = this.view.clientHeight / this.scale || this.full.h;
    this.apply();
  };

  Player.prototype.apply = function () {
    var v = this.vb;
    this.svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
  };

  Player.prototype.zoom = function (factor) {
    var cx = this.vb.x + this.vb.w / 2, cy = this.vb.y + this.vb.h / 2;
    this.scale *= factor;
    this.vb.w /= factor;
    this.vb.h /= factor;
    this.vb.x = cx - this.vb.w / 2;
    this.vb.y = cy - this.vb.h / 2;
    this.apply();
  };

  Player.prototype.fit = function () {
    var avail = this.view.clientWidth || 800;
    var s = Math.min(avail / this.full.w, this.view.clientHeight / this.full.h);
    this.scale = s;
    this.vb = { x: this.full.x, y: this.full.y, w: avail / s, h: this.view.clientHeight / s };
    this.apply();
  };

  Player.prototype.panning = function (box) {
    var self = this, start = null;
    this.view.addEventListener("pointerdown", function (e) {
      start = { x: e.clientX, y: e.clientY, vx: self.vb.x, vy: self.vb.y };
      self.dragged = false;
    });
    window.addEventListener("pointermove", function (e) {
      if (!start) return;
      if (Math.abs(e.clientX - start.x) + Math.abs(e.clientY - start.y) > 3) self.dragged = true;
      self.vb.x = start.vx - (e.clientX - start.x) / self.scale;
      self.vb.y = start.vy - (e.clientY - start.y) / self.scale;
      self.apply();
    });
    window.addEventListener("pointerup", function () { start = null; });
    this.view.addEventListener("wheel", function (e) {
      if (!(e.ctrlKey || e.metaKey)) return; // a plain wheel scrolls the page
      e.preventDefault();
      self.zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2);
    }, { passive: false });
  };

  Player.prototype.explaining = function (box) {
    // Beside the picture: the derivation of the value last clicked (viz.explain's text),
    // its terms marked "to come" until the step whose op adds them.
    var self = this, body = el("div", { class: "ag-body" });
    this.view.parentNode.insertBefore(body, this.view);
    body.appendChild(this.view);
    this.panel = el("div", { class: "ag-explain" });
    this.panel.hidden = true; // until the first click: the picture keeps the whole width
    body.appendChild(this.panel);
    box.querySelector(".ag-help").textContent += " " + this.data.explainHelp;
    this.chosen = null;
    this.view.addEventListener("click", function (e) {
      if (self.dragged) return; // the end of a pan, not a click
      var node = e.target.closest && e.target.closest("g.node");
      var title = node && node.querySelector("title");
      var name = title ? title.textContent.replace(/_op$/, "") : "";
      if (!(name in self.data.explain)) return;
      self.chosen = name;
      if (self.panel.hidden) {
        self.panel.hidden = false;
        self.resized();
      }
      self.explain();
    });
  };

  Player.prototype.resized = function () {
    // The view's width changed: keep the scale and the top left corner, show what fits.
    this.vb.w = (this.view.clientWidth || 800) / this.scale;
    this.vb.h = this.view.clientHeight / this.scale || this.vb.h;
    this.apply();
  };

  Player.prototype.explain = function () {
    if (!this.panel || this.chosen === null) return;
    var lines = this.data.explain[this.chosen], k = this.k, pending = 0;
    this.panel.textContent = "";
    for (var i = 0; i < lines.length; i++) {
      var text = lines[i][0], step = lines[i][1];
      var line = el("div", { class: "ag-line" }, text);
      if (step >= 0 && text.indexOf("  use ") === 0) {
        var when = el("span", { class: "ag-when" }, step > k ? " (to come: step " + (step + 1) + ")"
          : " (added in step " + (step + 1) + ")");
        line.appendChild(when);
      }
      if (step > k) { line.className += " ag-pending"; pending++; }
      this.panel.appendChild(line);
    }
    if (pending) this.panel.appendChild(el("div", { class: "ag-line ag-note-pending" },
      "Not final yet: the terms in grey are added by later steps."));
  };

  Player.prototype.follow = function (node) {
    // Pan (never zoom) so that the visited node is in view, centred when it was outside.
    if (!node) return;
    node = node.closest(".node") || node; // the whole op table, not just its op cell
    var r = node.getBoundingClientRect(), v = this.view.getBoundingClientRect();
    var margin = 10;
    if (r.left >= v.left + margin && r.right <= v.right - margin &&
        r.top >= v.top + margin && r.bottom <= v.bottom - margin) return;
    var dx = (r.left + r.width / 2) - (v.left + v.width / 2);
    var dy = (r.top + r.height / 2) - (v.top + v.height / 2);
    this.vb.x += dx / this.scale;
    this.vb.y += dy / this.scale;
    this.apply();
  };

  Player.prototype.setText = function (id, text) {
    var g = this.find(id);
    var t = g && g.querySelector("text");
    if (!t) return;
    if (!(id in this.texts)) this.texts[id] = t.textContent;
    t.textContent = text;
  };

  Player.prototype.setFill = function (id, colour, what) {
    var g = this.find(id);
    if (!g) return;
    var shapes = g.querySelectorAll(what || "polygon, ellipse, path");
    for (var i = 0; i < shapes.length; i++) {
      var s = shapes[i], key = id + "#" + i;
      if (!(key in this.fills)) this.fills[key] = [s, s.getAttribute("fill"), s.getAttribute("stroke"), s.getAttribute("stroke-width")];
      if (what === "edge") continue;
      if (s.getAttribute("fill") !== "none") s.setAttribute("fill", colour);
    }
  };

  Player.prototype.litEdge = function (id) {
    var g = this.find(id);
    if (!g) return;
    var shapes = g.querySelectorAll("path, polygon");
    for (var i = 0; i < shapes.length; i++) {
      var s = shapes[i], key = id + "#" + i;
      if (!(key in this.fills)) this.fills[key] = [s, s.getAttribute("fill"), s.getAttribute("stroke"), s.getAttribute("stroke-width")];
      s.setAttribute("stroke", this.data.colours.edge);
      s.setAttribute("stroke-width", "2.5");
      if (s.tagName.toLowerCase() === "polygon") s.setAttribute("fill", this.data.colours.edge);
    }
  };

  Player.prototype.reset = function () {
    for (var key in this.fills) {
      var f = this.fills[key];
      ["fill", "stroke", "stroke-width"].forEach(function (a, n) {
        if (f[n + 1] === null) f[0].removeAttribute(a); else f[0].setAttribute(a, f[n + 1]);
      });
    }
    this.fills = {};
  };

  Player.prototype.show = function (k) {
    var frames = this.data.frames;
    k = Math.max(0, Math.min(frames.length - 1, k));
    this.k = k;
    this.reset();
    var texts = {}, id;
    for (id in this.data.initial) texts[id] = this.data.initial[id];
    for (var j = 0; j <= k; j++) for (id in frames[j].set) texts[id] = frames[j].set[id];
    for (id in texts) this.setText(id, texts[id]);
    var f = frames[k], c = this.data.colours;
    this.setFill(f.box, c.active);
    this.setFill(f.op, c.activeOp);
    for (var n = 0; n < f.changed.length; n++) this.setFill(f.changed[n], c.changed);
    for (var e = 0; e < f.edges.length; e++) this.litEdge(f.edges[e]);
    this.slider.value = String(k);
    this.counter.textContent = "step " + (k + 1) + " of " + frames.length;
    this.caption.textContent = f.caption;
    this.prev.disabled = k === 0;
    this.next.disabled = k === frames.length - 1;
    this.follow(this.find(f.op) || this.find(f.box));
    this.explain();
    this.mark(k);
  };

  Player.prototype.mark = function (k) {
    // The loss curve's marker and cursor at frame k's step.
    if (!this.curve || !this.data.marks) return;
    var at = this.data.marks[k], p = this.data.prefix;
    var marker = this.curve.querySelector('[id="' + p + 'marker"]');
    var cursor = this.curve.querySelector('[id="' + p + 'cursor"]');
    if (marker) { marker.setAttribute("cx", at[0]); marker.setAttribute("cy", at[1]); }
    if (cursor) { cursor.setAttribute("x1", at[0]); cursor.setAttribute("x2", at[0]); }
  };

  function onKey(e) {
    var only = state.players.length === 1 ? state.players[0] : null;
    var p = state.current || (only && only.box.hasAttribute("data-page") ? only : null);
    if (!p || e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target, tag = t && t.tagName ? t.tagName.toLowerCase() : "";
    if ((tag === "input" && t.type !== "range") || tag === "textarea" || (t && t.isContentEditable)) return;
    var moves = { ArrowRight: p.k + 1, ArrowLeft: p.k - 1, Home: 0, End: p.data.frames.length - 1 };
    if (e.key in moves) p.show(moves[e.key]);
    else if (e.key === "+" || e.key === "=") p.zoom(1.5);
    else if (e.key === "-") p.zoom(1 / 1.5);
    else if (e.key === "0") p.fit();
    else return;
    e.preventDefault();
    e.stopPropagation(); // Jupyter would otherwise move between cells
  }

  if (!state.listening) {
    state.listening = true;
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("pointerdown", function (e) {
      if (state.current && !state.current.box.contains(e.target)) state.current = null;
    }, true);
  }

  var boxes = document.querySelectorAll(".ag-steps:not([data-ready])");
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].setAttribute("data-ready", "");
    try {
      state.players.push(new Player(boxes[i]));
    } catch (err) {
      boxes[i].insertAdjacentText("afterbegin", "The player could not start: " + err);
    }
  }
})();
