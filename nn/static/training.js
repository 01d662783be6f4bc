/* The training explorer (nn/training_page.py): steps through a recorded nn.fit.
 *
 * The data is the JSON in <script id="training-data">: one entry per recorded optimizer
 * step (parameters before, gradients, parameters after, the optimizer's arithmetic per
 * parameter, the model's predictions over the view's grid before the step and, where
 * the next recorded step does not start from them, after it), the loss per epoch, the
 * chosen sample's backward passes. Every text is put in with textContent, never as HTML.
 * The step shown is kept in the URL fragment as #step=N (counted from 1).
 */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("training-data").textContent);
  const root = document.getElementById("training");
  const SVG = "http://www.w3.org/2000/svg";
  const steps = data.steps;
  const state = { step: 0, param: data.parameter, timer: null };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // Six significant digits with a true minus sign, as the arithmetic's numbers.
  function num(x) {
    if (x === null || x === undefined) return "";
    if (x === 0) return "0";
    let text;
    const a = Math.abs(x);
    if (a >= 1e-4 && a < 1e6) text = String(Number(x.toPrecision(6)));
    else text = x.toExponential(5).replace(/\.?0+e/, "e");
    return text.replace(/^-/, "\u2212");
  }

  // The least and the largest of many numbers (a loop: spreading them into Math.min's
  // arguments would overflow the stack for long recordings).
  function least(values) {
    let found = Infinity;
    for (const v of values) if (v < found) found = v;
    return found;
  }
  function most(values) {
    let found = -Infinity;
    for (const v of values) if (v > found) found = v;
    return found;
  }

  // -- the page's skeleton -----------------------------------------------------------
  root.appendChild(el("h1", {}, data.title));
  root.appendChild(
    el("div", { class: "note", id: "recorded" },
      "Recorded: " + data.recorded + ". This page: " + data.page_size +
      ". Optimizer: " + data.optimizer + ".")
  );
  if (data.restored) root.appendChild(el("div", { class: "note", id: "restored" }, data.restored));
  const nav = el("div", { class: "nav" });
  const buttons = {};
  for (const [name, label, title] of [
    ["first", "|◀", "first step (Home)"],
    ["prev", "◀", "previous step (←)"],
    ["play", "▶ play", "play / pause (space)"],
    ["next", "▶", "next step (→)"],
    ["last", "▶|", "last step (End)"],
  ]) {
    buttons[name] = el("button", { id: "btn-" + name, title: title, type: "button" }, label);
    nav.appendChild(buttons[name]);
  }
  const speed = el("select", { id: "speed", title: "steps per second" });
  for (const s of [0.5, 1, 2, 5, 10]) {
    const option = el("option", { value: String(s) }, s + " / s");
    if (s === 2) option.selected = true;
    speed.appendChild(option);
  }
  nav.appendChild(speed);
  const slider = el("input", {
    type: "range", min: "0", max: String(steps.length - 1), value: "0", id: "slider",
  });
  nav.appendChild(slider);
  const position = el("span", { class: "position", id: "position" });
  nav.appendChild(position);
  root.appendChild(nav);

  const panels = el("div", { class: "panels" });
  root.appendChild(panels);
  function panel(title, id, wide) {
    const box = el("div", { class: "panel" + (wide ? " wide" : ""), id: id });
    box.appendChild(el("h2", {}, title));
    panels.appendChild(box);
    return box;
  }
  const lossPanel = panel("Loss", "loss-panel");
  const viewPanel = panel("The data and the model's predictions", "view-panel");
  const paramPanel = panel("Parameters: value, gradient ∂L/∂p, value after the step", "param-panel");
  const updatePanel = panel("The optimizer's update", "update-panel");
  const backwardPanel = panel("Backward pass of one sample", "backward-panel", true);

  // -- loss curve ----------------------------------------------------------------------
  const W = 460, H = 260, M = { l: 58, r: 12, t: 10, b: 30 };
  // Three significant digits, for axis ticks.
  function tick(x) {
    const a = Math.abs(x);
    const text = x === 0 ? "0" : a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(3))) : x.toExponential(1);
    return text.replace(/^-/, "\u2212");
  }
  const losses = data.history.loss;
  const positive = losses.concat(steps.map((s) => s.loss)).every((v) => v > 0);
  const ty = positive ? Math.log10 : (v) => v;
  const lossSvg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, id: "loss-svg" });
  lossPanel.appendChild(lossSvg);
  lossPanel.appendChild(
    el("div", { class: "note" },
      "Each epoch's loss" + (data.history.val_loss.length ? " (dashed: validation)" : "") +
      (positive ? ", log scale" : "") + "; dots: each step's batch loss, before its update; red: this step.")
  );
  const allLoss = losses.concat(data.history.val_loss, steps.map((s) => s.loss)).map(ty);
  const lossLo = least(allLoss), lossHi = most(allLoss);
  const epochsTotal = Math.max(losses.length, 1);
  // x is in epochs: epoch e spans [e, e + 1], its loss is drawn at its middle, and a
  // step at the middle of its batch's share of the epoch.
  const lx = (e) => M.l + ((W - M.l - M.r) * e) / epochsTotal;
  const ly = (v) => {
    const span = lossHi - lossLo || 1;
    return H - M.b - ((H - M.t - M.b) * (ty(v) - lossLo)) / span;
  };
  const stepX = (s) => lx(s.epoch + (s.batch + 0.5) / s.batches);
  function drawLossAxes() {
    lossSvg.appendChild(svgEl("line", { class: "axis", x1: M.l, y1: H - M.b, x2: W - M.r, y2: H - M.b }));
    lossSvg.appendChild(svgEl("line", { class: "axis", x1: M.l, y1: M.t, x2: M.l, y2: H - M.b }));
    for (const v of [lossLo, (lossLo + lossHi) / 2, lossHi]) {
      const y = H - M.b - ((H - M.t - M.b) * (v - lossLo)) / (lossHi - lossLo || 1);
      const label = positive ? tick(Math.pow(10, v)) : tick(v);
      lossSvg.appendChild(svgEl("text", { class: "tick", x: M.l - 4, y: y + 3, "text-anchor": "end" }, label));
    }
    for (const e of [0, Math.floor((epochsTotal - 1) / 2), epochsTotal - 1]) {
      lossSvg.appendChild(svgEl("text", { class: "tick", x: lx(e + 0.5), y: H - M.b + 14, "text-anchor": "middle" }, String(e + 1)));
    }
    lossSvg.appendChild(svgEl("text", { class: "tick", x: (W + M.l) / 2, y: H - 2, "text-anchor": "middle" }, "epoch"));
  }
  drawLossAxes();
  function polyline(values, cls) {
    const pts = values.map((v, e) => `${lx(e + 0.5).toFixed(1)},${ly(v).toFixed(1)}`).join(" ");
    lossSvg.appendChild(svgEl("polyline", { class: cls, points: pts }));
  }
  polyline(losses, "loss-line");
  if (data.history.val_loss.length) polyline(data.history.val_loss, "val-line");
  for (const s of steps) {
    lossSvg.appendChild(svgEl("circle", { class: "step-dot", cx: stepX(s).toFixed(1), cy: ly(s.loss).toFixed(1), r: 2 }));
  }
  const markerLine = svgEl("line", { class: "marker-line", y1: M.t, y2: H - M.b });
  const marker = svgEl("circle", { class: "marker", r: 5, id: "loss-marker" });
  lossSvg.appendChild(markerLine);
  lossSvg.appendChild(marker);
  const lossText = el("div", { id: "loss-text" });
  lossPanel.appendChild(lossText);

  // -- the data and the predictions ----------------------------------------------------
  const view = data.view;
  let drawView = function () {};
  if (!view) {
    viewPanel.appendChild(el("p", { class: "note" }, data.view_note));
  } else {
    const VW = 460, VH = 320;
    const viewSvg = svgEl("svg", { viewBox: `0 0 ${VW} ${VH}`, id: "view-svg" });
    viewPanel.appendChild(viewSvg);
    const note = el("div", { class: "note", id: "view-note" });
    viewPanel.appendChild(note);
    const xs = view.axes[0];
    const xLo = xs[0], xHi = xs[xs.length - 1];
    const sx = (x) => M.l + ((VW - M.l - M.r) * (x - xLo)) / (xHi - xLo || 1);
    if (view.kind === "line") {
      // the model after step k's update: the next step's starting point, unless the
      // recording skips epochs there (every k-th), when the step carries its own
      const afterOf = (k) => steps[k].outputs_after || steps[k + 1].outputs;
      const outputs = [view.final].concat(steps.map((s) => s.outputs), steps.map((s, k) => afterOf(k)));
      let yLo = least(view.y), yHi = most(view.y);
      const spread = yHi - yLo || 1;
      yLo = Math.min(yLo, Math.max(least(outputs.map(least)), yLo - spread));
      yHi = Math.max(yHi, Math.min(most(outputs.map(most)), yHi + spread));
      const sy = (y) => VH - M.b - ((VH - M.t - M.b) * (y - yLo)) / (yHi - yLo || 1);
      const clip = svgEl("clipPath", { id: "view-clip" });
      clip.appendChild(svgEl("rect", { x: M.l, y: M.t, width: VW - M.l - M.r, height: VH - M.t - M.b }));
      viewSvg.appendChild(clip);
      viewSvg.appendChild(svgEl("line", { class: "axis", x1: M.l, y1: VH - M.b, x2: VW - M.r, y2: VH - M.b }));
      viewSvg.appendChild(svgEl("line", { class: "axis", x1: M.l, y1: M.t, x2: M.l, y2: VH - M.b }));
      for (const v of [yLo, (yLo + yHi) / 2, yHi]) {
        viewSvg.appendChild(svgEl("text", { class: "tick", x: M.l - 4, y: sy(v) + 3, "text-anchor": "end" }, tick(v)));
      }
      for (const v of [xLo, (xLo + xHi) / 2, xHi]) {
        viewSvg.appendChild(svgEl("text", { class: "tick", x: sx(v), y: VH - M.b + 14, "text-anchor": "middle" }, tick(v)));
      }
      const next = svgEl("polyline", { class: "next-line", "clip-path": "url(#view-clip)", id: "next-line" });
      const line = svgEl("polyline", { class: "fit-line", "clip-path": "url(#view-clip)", id: "fit-line" });
      viewSvg.appendChild(next);
      viewSvg.appendChild(line);
      view.X.forEach((row, i) => {
        viewSvg.appendChild(svgEl("circle", { class: "point", cx: sx(row[0]), cy: sy(view.y[i]), r: 5, fill: "#1f77b4" }));
      });
      const path = (outputs) => outputs.map((y, i) => `${sx(xs[i]).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
      drawView = function (k) {
        line.setAttribute("points", path(steps[k].outputs));
        next.setAttribute("points", path(afterOf(k)));
        note.textContent =
          "Points: the training data. Solid: the model at this step's parameters; dashed: after its update.";
      };
    } else {
      const ys = view.axes[1];
      const yLo = ys[0], yHi = ys[ys.length - 1];
      const sy = (y) => VH - M.b - ((VH - M.t - M.b) * (y - yLo)) / (yHi - yLo || 1);
      const cw = (VW - M.l - M.r) / (xs.length - 1), ch = (VH - M.t - M.b) / (ys.length - 1);
      const cells = [];
      const grid = svgEl("g", { "shape-rendering": "crispEdges" });
      viewSvg.appendChild(grid);
      for (const v of [yLo, (yLo + yHi) / 2, yHi]) {
        viewSvg.appendChild(svgEl("text", { class: "tick", x: M.l - 8, y: sy(v) + 3, "text-anchor": "end" }, tick(v)));
      }
      for (const v of [xLo, (xLo + xHi) / 2, xHi]) {
        viewSvg.appendChild(svgEl("text", { class: "tick", x: sx(v), y: VH - M.b + 18, "text-anchor": "middle" }, tick(v)));
      }
      ys.forEach((y, j) => {
        xs.forEach((x, i) => {
          const cell = svgEl("rect", { x: (sx(x) - cw / 2).toFixed(1), y: (sy(y) - ch / 2).toFixed(1), width: (cw + 1).toFixed(1), height: (ch + 1).toFixed(1) });
          grid.appendChild(cell);
          cells.push(cell);
        });
      });
      const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
      const classes = Array.from(new Set(view.y.map(Number))).sort((a, b) => a - b);
      const colour = (label) => palette[Math.max(classes.indexOf(Number(label)), 0) % palette.length];
      view.X.forEach((row, i) => {
        viewSvg.appendChild(svgEl("circle", { class: "point", cx: sx(row[0]), cy: sy(row[1]), r: 3.5, fill: colour(view.y[i]) }));
      });
      const t = view.threshold;
      // A colour mixed with white (opaque, so that neighbouring cells can overlap).
      const pale = function (hex, amount) {
        const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        return "rgb(" + rgb.map((c) => Math.round(255 - (255 - c) * amount)).join(",") + ")";
      };
      const hi = classes.length ? classes[classes.length - 1] : 1, lo = classes.length ? classes[0] : 0;
      // full colour at one label's distance from the boundary: half the labels' spread
      // when the boundary is halfway between them (0.5 for 0/1), else 1 (a logit, ±1)
      const reach = classes.length === 2 && Math.abs((lo + hi) / 2 - t) < 1e-12 ? (hi - lo) / 2 : 1;
      const shade = function (v) {
        if (view.classes) return pale(palette[v % palette.length], 0.3);
        const above = v > t;
        const strength = Math.min(Math.abs(v - t) / reach, 1);
        return pale(colour(above ? hi : lo), 0.12 + 0.38 * strength);
      };
      drawView = function (k) {
        steps[k].outputs.forEach((v, i) => cells[i].setAttribute("fill", shade(v)));
        note.textContent = view.classes
          ? "The class the model predicts over the plane, at this step's parameters; points: the training data."
          : "The model's output over the plane at this step's parameters: the boundary is where it crosses " +
            num(t) + " (colour: the class it predicts, stronger further from it); points: the training data.";
      };
    }
  }

  // -- parameters and the update --------------------------------------------------------
  const paramBox = el("div", { class: "params-box" });
  paramPanel.appendChild(paramBox);
  const table = el("table", { class: "params", id: "params" });
  const head = el("tr");
  for (const h of ["parameter", "value", "gradient", "after"]) head.appendChild(el("th", {}, h));
  const thead = el("thead");
  thead.appendChild(head);
  table.appendChild(thead);
  const tbody = el("tbody");
  table.appendChild(tbody);
  paramBox.appendChild(table);
  const rows = data.names.map((name, i) => {
    const tr = el("tr", { "data-index": String(i) });
    const cells = [el("td", {}, name), el("td", { class: "value" }), el("td", { class: "grad" }), el("td", { class: "after" })];
    cells.forEach((c) => tr.appendChild(c));
    tr.addEventListener("click", () => { state.param = i; show(state.step); });
    tbody.appendChild(tr);
    return cells;
  });
  paramPanel.appendChild(el("div", { class: "note" }, "Click a row to see its update."));
  const updateTitle = el("div", { id: "update-title" });
  const arithmetic = el("div", { class: "arithmetic", id: "arithmetic" });
  updatePanel.appendChild(updateTitle);
  updatePanel.appendChild(arithmetic);

  // -- the backward pass of the chosen sample -------------------------------------------
  const backward = data.backward;
  let drawBackward = function () {};
  if (!backward) {
    backwardPanel.appendChild(el("p", { class: "note" }, data.backward_note));
  } else {
    const info = el("div", { class: "note", id: "backward-note" });
    backwardPanel.appendChild(info);
    const host = el("div", { id: "backward-host" });
    backwardPanel.appendChild(host);
    const passOf = function (epoch) {
      let index = 0;
      backward.epochs.forEach((e, i) => { if (e <= epoch) index = i; });
      return index;
    };
    const mountable = window.StepgradExplorer && backward.svg;
    let mounted = null, shown = -1;
    const nodes = backward.graph.nodes, edges = backward.graph.edges;
    drawBackward = function (k) {
      const index = passOf(steps[k].epoch);
      info.textContent =
        "The loss of sample " + backward.sample + " alone, at the parameters epoch " +
        (backward.epochs[index] + 1) + " starts from: its graph and its backward pass (" +
        backward.passes[index].steps.length + " chain-rule steps).";
      if (index === shown) return;
      shown = index;
      if (mountable) {
        if (mounted && typeof mounted.setPass === "function") { mounted.setPass(index); return; }
        host.textContent = "";
        // its own keys off (← and → step through training here) and no URL fragment
        mounted = window.StepgradExplorer.mount(
          host, { graph: backward.graph, passes: backward.passes, svg: backward.svg },
          { pass: index, keys: false, hashKey: null });
        return;
      }
      host.textContent = "";
      if (backward.not_drawn) host.appendChild(el("p", { class: "note" }, backward.not_drawn));
      const box = el("div", { class: "steps-box" });
      const t = el("table", { class: "steps", id: "backward-steps" });
      const hr = el("tr");
      for (const h of ["step", "node", "input", "upstream", "local", "contribution", "input grad before → after"]) hr.appendChild(el("th", {}, h));
      t.appendChild(hr);
      backward.passes[index].steps.forEach((s, j) => {
        const edge = edges[s.edge];
        const tr = el("tr");
        tr.appendChild(el("td", {}, String(j)));
        tr.appendChild(el("td", { class: "name" }, nodes[edge.node].name + " = " + (nodes[edge.node].symbol || nodes[edge.node].op || "")));
        tr.appendChild(el("td", { class: "name" }, "[" + edge.position + "] " + nodes[edge.input].name));
        tr.appendChild(el("td", {}, num(s.upstream)));
        tr.appendChild(el("td", {}, num(s.local)));
        tr.appendChild(el("td", {}, num(s.contribution)));
        tr.appendChild(el("td", {}, num(s.before) + " → " + num(s.after)));
        t.appendChild(tr);
      });
      box.appendChild(t);
      host.appendChild(box);
    };
  }

  // -- showing step k -------------------------------------------------------------------
  function show(k) {
    k = Math.max(0, Math.min(steps.length - 1, k));
    state.step = k;
    const s = steps[k];
    slider.value = String(k);
    position.textContent = "step " + (k + 1) + " of " + steps.length + " · " + s.label +
      (s.batches > 1 ? " (" + s.samples + " samples)" : "");
    const x = stepX(s);
    marker.setAttribute("cx", x.toFixed(1));
    marker.setAttribute("cy", ly(s.loss).toFixed(1));
    markerLine.setAttribute("x1", x.toFixed(1));
    markerLine.setAttribute("x2", x.toFixed(1));
    lossText.textContent = "loss " + num(s.loss) + " (" + s.label + ", before its update)";
    rows.forEach((cells, i) => {
      cells[1].textContent = num(s.before[i]);
      cells[2].textContent = num(s.grads[i]);
      cells[3].textContent = num(s.after[i]);
      cells[0].parentNode.classList.toggle("selected", i === state.param);
    });
    updateTitle.textContent = data.names[state.param] + " (" + data.optimizer + ", " + s.label + "):";
    arithmetic.textContent = "";
    const formula = data.formulas[state.param] || [];
    s.arithmetic[state.param].forEach((line, j) => {
      if (formula[j]) arithmetic.appendChild(el("div", { class: "formula" }, formula[j]));
      arithmetic.appendChild(el("div", { class: "line" }, line));
    });
    drawView(k);
    drawBackward(k);
    const hash = "#step=" + (k + 1);
    if (location.hash !== hash) {
      try {
        history.replaceState(null, "", hash);
      } catch (error) {
        // a sandboxed frame (a notebook's iframe) may not change its URL: keep stepping
      }
    }
  }

  function stepFromHash() {
    const match = /step=(\d+)/.exec(location.hash);
    return match ? Number(match[1]) - 1 : 0;
  }
  function stop() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    buttons.play.textContent = "▶ play";
  }
  function play() {
    if (state.timer) { stop(); return; }
    if (state.step >= steps.length - 1) show(0);
    buttons.play.textContent = "⏸ pause";
    state.timer = setInterval(() => {
      if (state.step >= steps.length - 1) { stop(); return; }
      show(state.step + 1);
    }, 1000 / Number(speed.value));
  }
  buttons.first.addEventListener("click", () => { stop(); show(0); });
  buttons.prev.addEventListener("click", () => { stop(); show(state.step - 1); });
  buttons.next.addEventListener("click", () => { stop(); show(state.step + 1); });
  buttons.last.addEventListener("click", () => { stop(); show(steps.length - 1); });
  buttons.play.addEventListener("click", play);
  speed.addEventListener("change", () => { if (state.timer) { stop(); play(); } });
  slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
  window.addEventListener("hashchange", () => show(stepFromHash()));
  document.addEventListener("keydown", (event) => {
    const inside = event.target && event.target.closest && event.target.closest("#backward-panel, select, input");
    if (inside) return;
    if (event.key === " " && event.target.tagName === "BUTTON") return; // the button's own click
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const keys = {
      ArrowRight: () => show(state.step + 1), ArrowLeft: () => show(state.step - 1),
      Home: () => show(0), End: () => show(steps.length - 1), " ": play,
    };
    if (keys[event.key]) {
      event.preventDefault();
      if (event.key !== " ") stop();
      keys[event.key]();
    }
  });
  show(stepFromHash());
})();
