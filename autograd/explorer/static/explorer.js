/* stepgrad's backprop explorer: step through a backward pass on a graph laid out once.

   window.StepgradExplorer.mount(container, payload, options) builds the explorer inside
   `container` and returns {setPass(i), go(k), frame(), pass()}.
     payload = {graph, passes, svg}: the data of autograd/explorer (graph and one pass_ per
       backward pass; see notes in autograd/explorer/data.py) and the picture of
       autograd/explorer/layout.py; svg may be omitted when `container` already holds
       that <svg> (the static picture of a saved page).
     options = {pass: 0, hashKey: "step", keys: true, step: null}: the pass shown first;
       the key of the URL fragment that keeps the step (#step=12; null: none); whether
       the arrow keys, Home and End step through it; the step to open at (default: the
       fragment's, else -1, the moment the root is seeded).

   Frame k is the moment after chain-rule step k (k = -1: only the root seeded). Its
   gradients follow the rule of frame_gradients in autograd/explorer/data.py: every node
   starts not reached (null) except the root, which holds the seed; step j <= k sets the
   gradient of its input to that step's `after`; after the last step every leaf gets what
   it held before the pass added.

   Plain JavaScript, no libraries, nothing loaded from anywhere; every string from the
   data is put in the page as text (textContent), never as markup. */
(function () {
  "use strict";

  var READABLE = 0.6; /* the smallest scale the graph opens at: 14 pt text shown at 8.4 px */

  /* x to `digits` significant digits exactly as Python's "%.{digits}g" writes it (as
     the static picture and autograd.draw do): rounded half to even from the float's
     exact decimal value, trailing zeros dropped, an exponent of at least two digits
     below 1e-4 and from 10^digits up, and never "-0". */
  function formatNumber(x, digits) {
    digits = digits || 4;
    if (x === null || x === undefined) return "—";
    if (!isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
    if (x === 0) return "0"; /* -0 too */
    var exact = exactDecimal(Math.abs(x));
    var text = exact.digits;
    var exponent = text.length - 1 - exact.shift; /* of the first digit */
    var kept = text.slice(0, digits);
    if (text.length > digits && roundsUp(text, digits)) {
      kept = (BigInt(kept) + BigInt(1)).toString();
      if (kept.length > digits) {
        kept = kept.slice(0, digits);
        exponent += 1;
      }
    }
    while (kept.length < digits) kept += "0";
    var sign = x < 0 ? "-" : "";
    if (exponent < -4 || exponent >= digits) {
      var mantissa = stripZeros(kept[0] + "." + kept.slice(1));
      var magnitude = String(Math.abs(exponent));
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude.length < 2 ? "0" : "") + magnitude;
    }
    if (exponent < 0) return sign + stripZeros("0." + "0".repeat(-exponent - 1) + kept);
    return sign + stripZeros(kept.slice(0, exponent + 1) + "." + kept.slice(exponent + 1));
  }

  /* Whether the digits of `text` past the first `digits` round the kept ones up: more
     than half a unit, or exactly half and the last kept digit odd (half to even). */
  function roundsUp(text, digits) {
    var first = text.charAt(digits);
    if (first !== "5") return first > "5";
    if (/[1-9]/.test(text.slice(digits + 1))) return true;
    return Number(text.charAt(digits - 1)) % 2 === 1;
  }

  /* The exact decimal value of a positive finite float: its digits (no leading zeros)
     and how many of them follow the decimal point. A float is m·2^e, which is
     m·5^(-e) / 10^(-e) for e < 0. */
  function exactDecimal(value) {
    var view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value);
    var high = view.getUint32(0);
    var low = view.getUint32(4);
    var biased = (high >>> 20) & 0x7ff;
    var mantissa = (BigInt(high & 0xfffff) << BigInt(32)) | BigInt(low);
    var exponent = -1074; /* a subnormal */
    if (biased !== 0) {
      mantissa = mantissa | (BigInt(1) << BigInt(52));
      exponent = biased - 1075;
    }
    if (exponent >= 0) return { digits: (mantissa << BigInt(exponent)).toString(), shift: 0 };
    return { digits: (mantissa * BigInt(5) ** BigInt(-exponent)).toString(), shift: -exponent };
  }

  function stripZeros(text) {
    if (text.indexOf(".") < 0) return text;
    return text.replace(/0+$/, "").replace(/\.$/, "");
  }

  /* Every node's gradient in frame k of `pass` (null: not reached yet). */
  function frameGradients(graph, pass, k) {
    var grads = [];
    var nodes = graph.nodes;
    for (var i = 0; i < nodes.length; i++) grads.push(null);
    grads[0] = pass.seed;
    var last = Math.min(k, pass.steps.length - 1);
    for (var j = 0; j <= last; j++) {
      var step = pass.steps[j];
      grads[graph.edges[step.edge].input] = step.after;
    }
    if (k >= pass.steps.length - 1) {
      for (var n = 0; n < nodes.length; n++) {
        if (nodes[n].leaf && pass.held[n]) grads[n] = (grads[n] === null ? 0 : grads[n]) + pass.held[n];
      }
    }
    return grads;
  }

  /* A small helper to build elements: el("div", {class: "x"}, [children or text]). */
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    var name;
    for (name in attributes || {}) {
      if (Object.prototype.hasOwnProperty.call(attributes, name)) {
        var value = attributes[name];
        if (value === null || value === undefined || value === false) continue;
        if (name === "text") node.textContent = value;
        else node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function readFragment(key) {
    var hash = (window.location.hash || "").replace(/^#/, "");
    var found = null;
    hash.split("&").forEach(function (part) {
      var pieces = part.split("=");
      if (pieces.length === 2 && decodeURIComponent(pieces[0]) === key) found = pieces[1];
    });
    if (found === null || !/^-?\d+$/.test(found)) return null;
    return parseInt(found, 10);
  }

  function writeFragment(key, value) {
    var hash = (window.location.hash || "").replace(/^#/, "");
    var kept = hash.split("&").filter(function (part) {
      return part && decodeURIComponent(part.split("=")[0]) !== key;
    });
    kept.push(encodeURIComponent(key) + "=" + value);
    try {
      window.history.replaceState(null, "", "#" + kept.join("&"));
    } catch (error) {
      /* (a sandboxed frame, e.g. a notebook's: the step is then not kept in the URL) */
    }
  }

  function mount(container, payload, options) {
    options = options || {};
    var graph = payload.graph;
    var passes = payload.passes;
    var hashKey = options.hashKey === undefined ? "step" : options.hashKey;
    var nodes = graph.nodes;
    var edges = graph.edges;
    var state = { pass: 0, frame: -1, playing: null, selected: null };

    /* ---- the picture ---- */
    var svg = container.querySelector("svg.stepgrad-graph");
    if (payload.svg) {
      var holder = document.createElement("div");
      holder.innerHTML = payload.svg; /* the layout's own SVG: its texts are escaped */
      svg = holder.querySelector("svg");
    }
    if (!svg) throw new Error("StepgradExplorer.mount: no <svg class=\"stepgrad-graph\"> to show");
    svg.parentNode && svg.parentNode.removeChild(svg);
    container.textContent = "";
    svg.removeAttribute("width");
    svg.removeAttribute("height");

    var valueGroups = {}; /* node number -> its <g> */
    var opGroups = {};
    var edgeGroups = {};
    Array.prototype.forEach.call(svg.querySelectorAll("g.node.value"), function (g) {
      valueGroups[g.getAttribute("data-node")] = g;
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.node.op"), function (g) {
      opGroups[g.getAttribute("data-node")] = g;
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.edge[data-edge]"), function (g) {
      edgeGroups[g.getAttribute("data-edge")] = g;
    });
    var drawnValues = Object.keys(valueGroups).map(Number);
    var written = {}; /* node number -> the gradient and status its <g> shows */
    function textOf(group, role) {
      return group ? group.querySelector("text." + role) : null;
    }

    /* ---- the page around it ---- */
    var button = function (action, label, title) {
      return el("button", { type: "button", class: "sg-button", "data-action": action, title: title, text: label });
    };
    var slider = el("input", { type: "range", class: "sg-slider", min: -1, step: 1, "aria-label": "step" });
    var counter = el("span", { class: "sg-counter", "aria-live": "polite" });
    var speed = el("select", { class: "sg-speed", "aria-label": "steps per second" });
    [0.5, 1, 2, 4, 8, 16].forEach(function (rate) {
      speed.appendChild(el("option", { value: rate, selected: rate === 2, text: rate + " steps/s" }));
    });
    var playButton = button("play", "▶ play", "play / pause (space)");
    var controls = el("div", { class: "sg-controls" }, [
      button("home", "⇤", "the start: only the root seeded (Home)"),
      button("prev", "◀", "previous step (←)"),
      playButton,
      button("next", "▶", "next step (→)"),
      button("end", "⇥", "the last step (End)"),
      slider,
      counter,
      speed,
    ]);
    var title = el("h1", { class: "sg-title", text: graph.title });
    var view = el("div", { class: "sg-view", tabindex: 0, "aria-label": "the graph: drag to pan, wheel to zoom" });
    var zoom = el("div", { class: "sg-zoom" }, [
      button("zoom-in", "+", "zoom in (wheel up)"),
      button("zoom-out", "−", "zoom out (wheel down)"),
      button("fit", "fit", "the whole graph"),
    ]);
    var legend = el("div", { class: "sg-legend" }, [
      el("span", { class: "sg-key sg-key-unreached", text: "not reached yet (grad —)" }),
      el("span", { class: "sg-key sg-key-partial", text: "receiving" }),
      el("span", { class: "sg-key sg-key-complete", text: "complete" }),
      el("span", { class: "sg-key sg-key-current", text: "this step" }),
    ]);
    var canvas = el("div", { class: "sg-canvas" });
    canvas.appendChild(svg);
    view.appendChild(el("div", { class: "sg-view-bar" }, [legend, zoom]));
    view.appendChild(canvas);
    var stepPanel = el("section", { class: "sg-panel sg-step-panel" });
    var whyPanel = el("section", { class: "sg-panel sg-why-panel", hidden: true });
    var side = el("aside", { class: "sg-side" }, [stepPanel, whyPanel]);
    var table = el("table", { class: "sg-table" });
    var tableWrap = el("div", { class: "sg-table-wrap" }, [table]);
    var passPicker = null;
    if (passes.length > 1) {
      passPicker = el("select", { class: "sg-pass", "aria-label": "pass" });
      passes.forEach(function (pass, i) {
        passPicker.appendChild(el("option", { value: i, text: pass.name || "pass " + i }));
      });
      controls.insertBefore(passPicker, controls.firstChild);
    }
    var root = el("div", { class: "sg-explorer" }, [
      el("header", { class: "sg-head" }, [title, controls]),
      el("div", { class: "sg-main" }, [view, side]),
      tableWrap,
    ]);
    container.appendChild(root);

    function name(i) {
      return nodes[i].name;
    }
    function described(i) {
      var node = nodes[i];
      return node.leaf ? node.name : node.name + " = " + (node.symbol || node.op);
    }
    function pass() {
      return passes[state.pass];
    }
    function lastFrame() {
      return pass().steps.length - 1;
    }
    function stepInput(step) {
      return edges[step.edge].input;
    }
    function host(i) {
      var into = nodes[i].folded_into;
      return into === null || into === undefined ? i : into;
    }

    /* ---- the step table ---- */
    function buildTable() {
      table.textContent = "";
      var head = el("tr", {}, ["step", "node", "input", "upstream", "× local", "= contribution", "input grad before → after"].map(function (h) {
        return el("th", { text: h });
      }));
      table.appendChild(el("thead", {}, [head]));
      var body = el("tbody");
      pass().steps.forEach(function (step, k) {
        var edge = edges[step.edge];
        body.appendChild(el("tr", { "data-step": k, title: "go to step " + k }, [
          el("td", { class: "sg-num", text: String(k) }),
          el("td", { text: described(edge.node) }),
          el("td", { text: "[" + edge.position + "] " + name(edge.input) }),
          el("td", { class: "sg-num", text: formatNumber(step.upstream, 6) }),
          el("td", { class: "sg-num", text: formatNumber(step.local, 6) }),
          el("td", { class: "sg-num", text: formatNumber(step.contribution, 6) }),
          el("td", { class: "sg-num", text: (pass().reached_at[edge.input] === k ? "—" : formatNumber(step.before, 6)) + " → " + formatNumber(step.after, 6) }),
        ]));
      });
      table.appendChild(body);
    }
    table.addEventListener("click", function (event) {
      var row = event.target.closest ? event.target.closest("tr[data-step]") : null;
      if (row) go(parseInt(row.getAttribute("data-step"), 10));
    });

    /* ---- one frame ---- */
    function showData() {
      var data = pass().data;
      Object.keys(valueGroups).forEach(function (i) {
        var text = textOf(valueGroups[i], "data");
        if (text) text.textContent = "data " + formatNumber(data[i]);
      });
    }

    function clearMarks(className) {
      Array.prototype.forEach.call(svg.querySelectorAll("." + className), function (g) {
        g.classList.remove(className);
      });
    }

    function render() {
      var p = pass();
      var k = state.frame;
      var grads = frameGradients(graph, p, k);
      drawnValues.forEach(function (i) {
        var grad = grads[i];
        var complete = p.complete_at[i] !== null && p.complete_at[i] <= k;
        var status = grad === null ? "unreached" : complete ? "complete" : "partial";
        var was = written[i];
        if (was && was.grad === grad && was.status === status) return; /* (as shown) */
        written[i] = { grad: grad, status: status };
        var group = valueGroups[i];
        var text = textOf(group, "grad");
        if (text) text.textContent = "grad " + formatNumber(grad);
        group.setAttribute("data-grad", grad === null ? "" : String(grad));
        if (was) group.classList.remove(was.status);
        else group.classList.remove("unreached", "complete", "partial");
        group.classList.add(status);
      });
      ["current", "current-input", "current-op", "current-node", "current-host"].forEach(clearMarks);
      if (k >= 0) {
        var step = p.steps[k];
        var edge = edges[step.edge];
        if (edgeGroups[step.edge]) edgeGroups[step.edge].classList.add("current");
        var input = host(edge.input);
        if (valueGroups[input]) valueGroups[input].classList.add(input === edge.input ? "current-input" : "current-host");
        if (opGroups[edge.node]) opGroups[edge.node].classList.add("current-op");
        if (valueGroups[edge.node]) valueGroups[edge.node].classList.add("current-node");
      } else if (valueGroups[0]) {
        valueGroups[0].classList.add("current-node");
      }
      slider.max = lastFrame();
      slider.value = k;
      counter.textContent =
        k < 0
          ? "start: the root seeded · 0 of " + p.steps.length + " steps"
          : "step " + k + " · " + (k + 1) + " of " + p.steps.length + " steps";
      counter.setAttribute("data-frame", k);
      Array.prototype.forEach.call(table.querySelectorAll("tr.sg-current"), function (row) {
        row.classList.remove("sg-current");
      });
      var row = table.querySelector('tr[data-step="' + k + '"]');
      if (row) row.classList.add("sg-current");
      showStep(grads);
      if (state.selected !== null) showWhy(state.selected, grads);
      /* every change is written: now read the layout, once */
      if (row) scrollWithin(tableWrap, row);
      follow();
    }

    function scrollWithin(box, row) {
      var top = row.offsetTop - box.clientHeight / 2 + row.offsetHeight / 2;
      if (row.offsetTop < box.scrollTop || row.offsetTop + row.offsetHeight > box.scrollTop + box.clientHeight) {
        box.scrollTop = Math.max(0, top);
      }
    }

    /* ---- the chain-rule panel ---- */
    function line(label, value, className) {
      return el("div", { class: "sg-line " + (className || "") }, [
        el("span", { class: "sg-label", text: label }),
        el("span", { class: "sg-value", text: value }),
      ]);
    }

    function nodeLink(i) {
      var link = el("button", { type: "button", class: "sg-link", "data-node": i, text: name(i) });
      link.addEventListener("click", function () {
        select(i);
      });
      return link;
    }

    function showStep(grads) {
      var p = pass();
      var k = state.frame;
      stepPanel.textContent = "";
      var rootName = name(0);
      if (k < 0) {
        stepPanel.appendChild(el("h2", { text: "Start: the root is seeded" }));
        stepPanel.appendChild(el("p", { class: "sg-formula", text: "∂" + rootName + "/∂" + rootName + " = " + formatNumber(p.seed, 6) }));
        stepPanel.appendChild(
          el("p", {
            class: "sg-note",
            text: p.steps.length
              ? "Every other node has not been reached yet (grad —). Press → to take the first chain-rule step."
              : "The root is a leaf: there is no chain-rule step to take.",
          })
        );
        return;
      }
      var step = p.steps[k];
      var edge = edges[step.edge];
      var node = nodes[edge.node];
      var input = nodes[edge.input];
      stepPanel.appendChild(el("h2", { text: "Step " + k + ": " + described(edge.node) + " → [" + edge.position + "] " + input.name }));
      if (input.folded_into !== null && input.folded_into !== undefined) {
        stepPanel.appendChild(
          el("p", { class: "sg-note sg-folded", text: "into the parameter " + input.name + ", drawn inside " + name(input.folded_into) })
        );
      }
      stepPanel.appendChild(line("forward", node.forward || node.name + " = " + (node.symbol || node.op) + "(…)", "sg-forward"));
      if (step.derivative) {
        stepPanel.appendChild(line("local derivative", step.derivative, "sg-derivative"));
        if (step.numbers) stepPanel.appendChild(line("with the numbers", step.numbers, "sg-numbers"));
      } else {
        stepPanel.appendChild(
          line("local derivative", "∂" + node.name + "/∂" + input.name + " = " + formatNumber(step.local, 6) + " (the op states no formula; its number)", "sg-derivative")
        );
      }
      var chain = "∂" + rootName + "/∂" + node.name + " × ∂" + node.name + "/∂" + input.name;
      stepPanel.appendChild(line("chain rule", chain, "sg-chain"));
      stepPanel.appendChild(
        line(
          "upstream × local",
          formatNumber(step.upstream, 6) + " × " + formatNumber(step.local, 6) + " = " + formatNumber(step.contribution, 6),
          "sg-upstream-local"
        )
      );
      var before = p.reached_at[edge.input] === k ? "—" : formatNumber(step.before, 6);
      stepPanel.appendChild(line(input.name + ".grad", before + " → " + formatNumber(step.after, 6), "sg-before-after"));
      var done = p.why[edge.input].steps;
      var count = done.indexOf(k) + 1;
      var status =
        p.complete_at[edge.input] === k
          ? "complete: every node that uses " + input.name + " has passed its contribution back (" + count + " of " + done.length + ")"
          : (count === 1 ? "its first contribution" : "contribution " + count) + " of " + done.length + "; more to come";
      if (input.leaf && p.held[edge.input] && p.complete_at[edge.input] === k) {
        status += "; the " + formatNumber(p.held[edge.input], 6) + " it held before the pass is added at the end";
      }
      stepPanel.appendChild(el("p", { class: "sg-note", text: status }));
      var why = el("button", { type: "button", class: "sg-link", text: "why is " + input.name + ".grad what it is?" });
      why.addEventListener("click", function () {
        select(edge.input);
      });
      stepPanel.appendChild(why);
    }

    /* ---- the "why" panel ---- */
    function select(i) {
      if (state.selected !== null && valueGroups[host(state.selected)]) valueGroups[host(state.selected)].classList.remove("selected");
      state.selected = i;
      if (valueGroups[host(i)]) valueGroups[host(i)].classList.add("selected");
      showWhy(i, frameGradients(graph, pass(), state.frame));
    }

    function showWhy(i, grads) {
      var p = pass();
      var why = p.why[i];
      var node = nodes[i];
      whyPanel.hidden = false;
      whyPanel.textContent = "";
      whyPanel.setAttribute("data-node", i);
      var close = el("button", { type: "button", class: "sg-close", title: "close", text: "×" });
      close.addEventListener("click", function () {
        if (valueGroups[host(i)]) valueGroups[host(i)].classList.remove("selected");
        state.selected = null;
        whyPanel.hidden = true;
      });
      whyPanel.appendChild(close);
      var rootName = name(0);
      whyPanel.appendChild(el("h2", { text: "Why is ∂" + rootName + "/∂" + node.name + " = " + formatNumber(why.total, 6) + "?" }));
      var kind = node.leaf ? node.kind + " leaf" : node.kind + " node made by " + (node.symbol || node.op);
      whyPanel.appendChild(el("p", { class: "sg-note", text: described(i) + ": " + kind + ", data " + formatNumber(p.data[i], 6) }));
      if (i === 0) {
        whyPanel.appendChild(el("p", { class: "sg-formula", text: "It is the root: its gradient is the seed, " + formatNumber(p.seed, 6) + "." }));
        if (node.leaf && why.held) {
          /* a leaf root adds what it held before the pass, as every leaf does */
          whyPanel.appendChild(line("+ held before the pass", formatNumber(why.held, 6), "sg-held"));
          whyPanel.appendChild(line("= total", formatNumber(why.total, 6), "sg-why-total"));
        }
      } else {
        whyPanel.appendChild(el("p", { text: "the sum of what every node that uses it passed back:" }));
        var list = el("ol", { class: "sg-contributions" });
        var sum = 0;
        why.steps.forEach(function (j) {
          var step = p.steps[j];
          var edge = edges[step.edge];
          sum += step.contribution;
          var item = el("li", { class: "sg-contribution", "data-step": j, "data-value": String(step.contribution) });
          var link = el("button", { type: "button", class: "sg-link", text: "step " + j });
          link.addEventListener("click", function () {
            go(j);
          });
          item.appendChild(link);
          item.appendChild(
            document.createTextNode(
              " from " + described(edge.node) + " [" + edge.position + "]: " + formatNumber(step.upstream, 6) + " × " + formatNumber(step.local, 6) + " = " + formatNumber(step.contribution, 6) + (j > state.frame ? " (not yet)" : "")
            )
          );
          list.appendChild(item);
        });
        whyPanel.appendChild(list);
        if (node.leaf) {
          sum += why.held;
          whyPanel.appendChild(line("+ held before the pass", formatNumber(why.held, 6), "sg-held"));
        }
        var total = line("= total", formatNumber(why.total, 6), "sg-why-total");
        total.setAttribute("data-value", String(why.total));
        total.setAttribute("data-sum", String(sum));
        whyPanel.appendChild(total);
      }
      var now = grads[i];
      whyPanel.appendChild(line("at this step", now === null ? "— (not reached yet)" : formatNumber(now, 6), "sg-now"));
      if (why.path && why.path.length) {
        var path = el("p", { class: "sg-path" }, [el("span", { class: "sg-label", text: "path (largest contributions) " })]);
        why.path.forEach(function (n, index) {
          if (index) path.appendChild(document.createTextNode(" → "));
          path.appendChild(nodeLink(n));
        });
        whyPanel.appendChild(path);
      }
      var numeric = why.numeric === null || why.numeric === undefined ? "not computed" : formatNumber(why.numeric, 6);
      if (why.numeric_note) numeric += " (" + why.numeric_note + ")";
      whyPanel.appendChild(line("finite difference", numeric, "sg-numeric"));
      if (node.site) whyPanel.appendChild(line("created at", node.site, "sg-site"));
      var jumps = el("p", { class: "sg-jumps" });
      [["first contribution", p.reached_at[i]], ["complete", p.complete_at[i]]].forEach(function (pair) {
        if (pair[1] === null || pair[1] === undefined || pair[1] < 0) return;
        var jump = el("button", { type: "button", class: "sg-link", text: pair[0] + ": step " + pair[1] });
        jump.addEventListener("click", function () {
          go(pair[1]);
        });
        jumps.appendChild(jump);
      });
      whyPanel.appendChild(jumps);
    }

    /* ---- pan and zoom: the SVG's viewBox ---- */
    var box = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
    var whole = { x: box[0], y: box[1], w: box[2], h: box[3] };
    var shown = { x: whole.x, y: whole.y, w: whole.w, h: whole.h };
    function applyView() {
      svg.setAttribute("viewBox", [shown.x, shown.y, shown.w, shown.h].join(" "));
    }
    function toGraph(clientX, clientY) {
      var matrix = svg.getScreenCTM();
      if (!matrix) return { x: shown.x + shown.w / 2, y: shown.y + shown.h / 2 };
      var point = svg.createSVGPoint();
      point.x = clientX;
      point.y = clientY;
      return point.matrixTransform(matrix.inverse());
    }
    function zoomBy(factor, centre) {
      moved = true; /* (only the reader zooms) */
      var w = Math.min(Math.max(shown.w / factor, whole.w / 50), whole.w * 4);
      var scale = w / shown.w;
      shown.x = centre.x - (centre.x - shown.x) * scale;
      shown.y = centre.y - (centre.y - shown.y) * scale;
      shown.w = w;
      shown.h = shown.h * scale;
      applyView();
    }
    function centreOfView() {
      return { x: shown.x + shown.w / 2, y: shown.y + shown.h / 2 };
    }
    /* show `region` (in the graph's units), widened to the view's proportions, so
       that what is shown is exactly the viewBox */
    function showRegion(region) {
      var width = canvas.clientWidth || 800;
      var height = canvas.clientHeight || 500;
      var w = region.w;
      var h = region.h;
      if (w / h < width / height) w = (h * width) / height;
      else h = (w * height) / width;
      shown = { x: region.x + region.w / 2 - w / 2, y: region.y + region.h / 2 - h / 2, w: w, h: h };
      applyView();
    }
    /* when the view changes size, keep the graph's scale and what is at its centre; the
       first time it has a size at all (a notebook's frame may have none while its page
       starts), make the start-up view again, unless the reader has moved it already */
    var seen = { width: 0, height: 0 };
    var moved = false;
    function keepScale() {
      var width = canvas.clientWidth;
      var height = canvas.clientHeight;
      if (!width || !height) return;
      if (!seen.width && !moved) {
        seen = { width: width, height: height };
        initialView();
        follow();
        return;
      }
      if (seen.width && seen.height) {
        var scale = seen.width / shown.w;
        var centre = centreOfView();
        shown.w = width / scale;
        shown.h = height / scale;
        shown.x = centre.x - shown.w / 2;
        shown.y = centre.y - shown.h / 2;
        applyView();
      }
      seen = { width: width, height: height };
    }
    function fit() {
      showRegion(whole);
    }
    /* the whole graph when it is readable so (its text at least READABLE of its size),
       else a readable part of it around the root, where the pass begins */
    function initialView() {
      var width = canvas.clientWidth || 800;
      var height = canvas.clientHeight || 500;
      var scale = Math.min(width / whole.w, height / whole.h);
      if (scale >= READABLE) {
        fit();
        return;
      }
      var w = width / READABLE;
      var h = height / READABLE;
      var centre = centreOf(valueGroups[0]) || { x: whole.x + whole.w - w / 2, y: whole.y + whole.h / 2 };
      shown = { x: within(centre.x, w, whole.x, whole.w), y: within(centre.y, h, whole.y, whole.h), w: w, h: h };
      applyView();
    }
    /* where a window of `size` around `centre` starts, kept inside [start, start + length]
       (centred on it when the window is larger) */
    function within(centre, size, start, length) {
      if (size >= length) return start + length / 2 - size / 2;
      return Math.min(Math.max(centre - size / 2, start), start + length - size);
    }
    /* the box of `target` in the graph's units (the viewBox's), or null */
    function boxOf(target) {
      if (!target || !target.getBBox || !svg.getScreenCTM() || !target.getScreenCTM()) return null;
      var b = target.getBBox();
      var toSvg = svg.getScreenCTM().inverse().multiply(target.getScreenCTM());
      var corners = [
        [b.x, b.y],
        [b.x + b.width, b.y + b.height],
      ].map(function (xy) {
        var point = svg.createSVGPoint();
        point.x = xy[0];
        point.y = xy[1];
        return point.matrixTransform(toSvg);
      });
      return {
        x: Math.min(corners[0].x, corners[1].x),
        y: Math.min(corners[0].y, corners[1].y),
        w: Math.abs(corners[1].x - corners[0].x),
        h: Math.abs(corners[1].y - corners[0].y),
      };
    }
    function centreOf(target) {
      var box = boxOf(target);
      return box && { x: box.x + box.w / 2, y: box.y + box.h / 2 };
    }

    view.addEventListener(
      "wheel",
      function (event) {
        event.preventDefault();
        zoomBy(event.deltaY < 0 ? 1.2 : 1 / 1.2, toGraph(event.clientX, event.clientY));
      },
      { passive: false }
    );
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      var matrix = svg.getScreenCTM();
      drag = { x: event.clientX, y: event.clientY, from: { x: shown.x, y: shown.y }, scale: matrix ? matrix.a : 1, moved: false };
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var dx = event.clientX - drag.x;
      var dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      drag.moved = moved = true;
      svg.classList.add("sg-dragging");
      shown.x = drag.from.x - dx / drag.scale;
      shown.y = drag.from.y - dy / drag.scale;
      applyView();
    });
    window.addEventListener("pointerup", function () {
      svg.classList.remove("sg-dragging");
      if (drag && drag.moved) {
        drag.justDragged = true;
        var ended = drag;
        window.setTimeout(function () {
          if (drag === ended) drag = null;
        }, 0);
        return;
      }
      drag = null;
    });
    svg.addEventListener("click", function (event) {
      if (drag && drag.justDragged) return; /* the end of a pan, not a click */
      var group = event.target.closest ? event.target.closest("g.node[data-node]") : null;
      if (group) select(parseInt(group.getAttribute("data-node"), 10));
    });

    /* keep the current step in sight when zoomed in: the edge of the step and the values
       at its two ends, or as much of them as the view holds, centred */
    function follow() {
      if (state.frame < 0 || (shown.w >= whole.w && shown.h >= whole.h)) return;
      var edge = edges[pass().steps[state.frame].edge];
      var parts = [edgeGroups[pass().steps[state.frame].edge], valueGroups[host(edge.input)], opGroups[edge.node]]
        .map(boxOf)
        .filter(function (box) {
          return box !== null;
        });
      if (!parts.length) return;
      var left = Math.min.apply(null, parts.map(function (b) { return b.x; }));
      var top = Math.min.apply(null, parts.map(function (b) { return b.y; }));
      var right = Math.max.apply(null, parts.map(function (b) { return b.x + b.w; }));
      var bottom = Math.max.apply(null, parts.map(function (b) { return b.y + b.h; }));
      var margin = 0.05;
      var inside =
        left >= shown.x + margin * shown.w &&
        right <= shown.x + (1 - margin) * shown.w &&
        top >= shown.y + margin * shown.h &&
        bottom <= shown.y + (1 - margin) * shown.h;
      if (inside) return;
      shown.x = within((left + right) / 2, shown.w, whole.x, whole.w);
      shown.y = within((top + bottom) / 2, shown.h, whole.y, whole.h);
      applyView();
    }

    /* ---- navigation ---- */
    function go(k) {
      var target = Math.max(-1, Math.min(lastFrame(), Math.round(Number(k))));
      if (isNaN(target)) return;
      state.frame = target;
      render();
      if (hashKey) writeFragment(hashKey, state.frame);
    }
    function setPass(i) {
      state.pass = Math.max(0, Math.min(passes.length - 1, i));
      if (passPicker) passPicker.value = String(state.pass);
      showData();
      buildTable();
      written = {};
      state.frame = Math.min(state.frame, lastFrame());
      render();
    }
    function play() {
      if (state.playing !== null) {
        window.clearInterval(state.playing);
        state.playing = null;
        playButton.textContent = "▶ play";
        root.classList.remove("sg-playing");
        return;
      }
      if (state.frame >= lastFrame()) go(-1);
      playButton.textContent = "❚❚ pause";
      root.classList.add("sg-playing");
      state.playing = window.setInterval(function () {
        if (state.frame >= lastFrame()) {
          play();
          return;
        }
        go(state.frame + 1);
      }, 1000 / Number(speed.value));
    }
    speed.addEventListener("change", function () {
      if (state.playing !== null) {
        play();
        play();
      }
    });
    slider.addEventListener("input", function () {
      go(parseInt(slider.value, 10));
    });
    if (passPicker) {
      passPicker.addEventListener("change", function () {
        setPass(parseInt(passPicker.value, 10));
      });
    }
    root.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("button[data-action]") : null;
      if (!target) return;
      var action = target.getAttribute("data-action");
      if (action === "home") go(-1);
      else if (action === "prev") go(state.frame - 1);
      else if (action === "next") go(state.frame + 1);
      else if (action === "end") go(lastFrame());
      else if (action === "play") play();
      else if (action === "zoom-in") zoomBy(1.25, centreOfView());
      else if (action === "zoom-out") zoomBy(0.8, centreOfView());
      else if (action === "fit") {
        moved = true;
        fit();
      }
    });
    if (options.keys !== false) {
      document.addEventListener("keydown", function (event) {
        var tag = event.target && event.target.tagName;
        if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || event.altKey || event.ctrlKey || event.metaKey) return;
        var handled = true;
        if (event.key === "ArrowRight") go(state.frame + 1);
        else if (event.key === "ArrowLeft") go(state.frame - 1);
        else if (event.key === "Home") go(-1);
        else if (event.key === "End") go(lastFrame());
        else if (event.key === " " && tag !== "BUTTON") play();
        else handled = false;
        if (handled) event.preventDefault();
      });
    }
    if (hashKey) {
      window.addEventListener("hashchange", function () {
        var wanted = readFragment(hashKey);
        if (wanted !== null && wanted !== state.frame) go(wanted);
      });
    }

    state.pass = Math.max(0, Math.min(passes.length - 1, options.pass || 0));
    if (passPicker) passPicker.value = String(state.pass);
    showData();
    buildTable();
    var start = options.step;
    if (start === undefined || start === null) start = hashKey ? readFragment(hashKey) : null;
    state.frame = Math.max(-1, Math.min(lastFrame(), start === null ? -1 : start));
    render(); /* (first: the panels it fills take their room beside the graph) */
    initialView();
    follow();
    if (window.ResizeObserver) new window.ResizeObserver(keepScale).observe(canvas);
    root.setAttribute("data-ready", "true");

    return {
      setPass: setPass,
      go: go,
      frame: function () {
        return state.frame;
      },
      pass: function () {
        return state.pass;
      },
      select: select,
    };
  }

  window.StepgradExplorer = { mount: mount, formatNumber: formatNumber, frameGradients: frameGradients };
})();
