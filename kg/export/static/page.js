/* Page script of kg.export.html: draws the graph held in the #kg-data JSON
 * block with vis-network and wires the legend filters, the search box and
 * the details panel.
 *
 * All names and sentences come from the corpus and are untrusted: they reach
 * the DOM only through textContent and value (never innerHTML), the canvas
 * (vis-network labels) and vis-network's tooltips (innerText for strings).
 */
(function () {
  "use strict";
  var T0 = performance.now();
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var UI = DATA.ui;
  var N = DATA.nodes;
  var E = DATA.edges;
  var A = DATA.articles;
  var KINDS = {};
  var RELS = {};
  DATA.kinds.forEach(function (k) { KINDS[k.kind] = k; });
  DATA.relations.forEach(function (r) { RELS[r.rel] = r; });
  // Milliseconds since navigation start (performance.now()), for the benchmark.
  var timings = {start: T0, parsed: performance.now()};
  var VIEW = DATA.view;
  var ready = false;
  var LIST_MAX = 200;  // rows per list in the panel: hubs can have thousands

  function fmt(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(fields, key) ? String(fields[key]) : all;
    });
  }

  // -- DOM helpers: text only -------------------------------------------------
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function add(parent, tag, text, cls) { return parent.appendChild(el(tag, text, cls)); }
  function link(parent, text, onClick) {
    var b = add(parent, "button", text, "kg-link");
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  // -- static texts -------------------------------------------------------------
  document.getElementById("kg-search").placeholder = UI.search_placeholder;
  document.getElementById("kg-search-go").textContent = UI.search_button;
  document.getElementById("kg-kinds-title").textContent = UI.kinds;
  document.getElementById("kg-rels-title").textContent = UI.relations;
  document.getElementById("kg-legend-note").textContent = UI.legend_note;
  var details = document.getElementById("kg-details");
  var status = document.getElementById("kg-status");
  var stats = document.getElementById("kg-stats");
  function hint() { details.textContent = ""; add(details, "p", N.length ? UI.hint : UI.empty, "meta"); }
  hint();

  // -- graph records --------------------------------------------------------------
  var adjacency = N.map(function () { return []; });
  E.forEach(function (e, i) { adjacency[e.from].push(i); adjacency[e.to].push(i); });

  function articleText(index) {
    var a = A[index];
    if (!a) { return "?"; }
    return (a.title || a.iri) + "（" + a.source + (a.date ? "，" + a.date : "") + "）";
  }
  function kindName(kind) { return KINDS[kind] ? KINDS[kind].name : kind; }
  function relName(rel) { return RELS[rel] ? RELS[rel].name : rel; }
  function yuan(value) {
    var parts = String(value).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".") + " " + UI.yuan;
  }
  function nodeTip(n) {
    var lines = [n.label, kindName(n.kind)];
    if (n.aliases.length) { lines.push(UI.aliases + "：" + n.aliases.join("、")); }
    if (n.kind === "Division") {
      lines.push(UI.level + "：" + (DATA.levels[n.level] || n.level || "?") +
                 (n.adcode ? "  " + UI.adcode + "：" + n.adcode : ""));
    }
    if (n.investment) { lines.push(UI.investment + "：" + yuan(n.investment)); }
    if (n.mentions.length) { lines.push(fmt(UI.tip_mentions, {n: n.mentions.length})); }
    return lines.join("\n");
  }
  function edgeTip(e) {
    var lines = [N[e.from].label + " —" + relName(e.rel) + "→ " + N[e.to].label];
    if (e.evidence.length) {
      var text = e.evidence[0].text;
      lines.push("「" + (text.length > 120 ? text.slice(0, 120) + "…" : text) + "」");
      if (e.evidence.length > 1) { lines.push(fmt(UI.tip_evidence, {n: e.evidence.length})); }
    }
    return lines.join("\n");
  }

  var nodes = new vis.DataSet(N.map(function (n, i) {
    // Large graphs get their labels once zoomed in (see showLabels).
    var item = {id: i, group: n.kind, size: n.size, title: nodeTip(n)};
    if (!VIEW.lazy_labels) { item.label = n.label; }
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    return item;
  }));
  var edges = new vis.DataSet(E.map(function (e, i) {
    var r = RELS[e.rel];
    // Dashes and widths cost drawing time: large graphs draw thin solid lines.
    var item = {id: i, from: e.from, to: e.to, dashes: VIEW.detail && r.dashes,
                width: VIEW.detail ? r.width : 1,
                color: {color: r.color, highlight: r.color, hover: r.color, inherit: false},
                title: edgeTip(e)};
    if (VIEW.edge_labels && r.label) { item.label = r.name; }
    return item;
  }));
  timings.records = performance.now();
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, DATA.options);
  timings.network = performance.now();

  // -- legend and filters ---------------------------------------------------------
  var hiddenKinds = {};
  var hiddenRels = {};
  var nodeHidden = N.map(function () { return false; });
  var edgeHidden = E.map(function () { return false; });

  function icon(shape, color) {
    // The legend draws the same shapes as vis-network, on a small canvas.
    var c = el("canvas");
    c.width = 14; c.height = 14;
    var g = c.getContext("2d");
    var pts = {
      square: [[2, 2], [12, 2], [12, 12], [2, 12]],
      triangle: [[7, 1.5], [13, 12.5], [1, 12.5]],
      triangleDown: [[1, 1.5], [13, 1.5], [7, 12.5]],
      diamond: [[7, 1], [13, 7], [7, 13], [1, 7]],
      hexagon: [0, 1, 2, 3, 4, 5].map(function (k) {
        var a = Math.PI / 3 * k;
        return [7 + 6 * Math.cos(a), 7 + 6 * Math.sin(a)];
      }),
      star: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(function (k) {
        var a = Math.PI / 5 * k - Math.PI / 2, r = k % 2 ? 2.8 : 6.5;
        return [7 + r * Math.cos(a), 7.5 + r * Math.sin(a)];
      })
    }[shape];
    g.fillStyle = color;
    g.beginPath();
    if (pts) {
      pts.forEach(function (p, k) { if (k) { g.lineTo(p[0], p[1]); } else { g.moveTo(p[0], p[1]); } });
      g.closePath();
    } else {
      g.arc(7, 7, 6, 0, 2 * Math.PI);
    }
    g.fill();
    return c;
  }
  function line(color, dashed) {
    var c = el("canvas");
    c.width = 22; c.height = 10;
    var g = c.getContext("2d");
    g.strokeStyle = color;
    g.lineWidth = 2;
    if (dashed) { g.setLineDash([4, 3]); }
    g.beginPath(); g.moveTo(1, 5); g.lineTo(21, 5); g.stroke();
    return c;
  }
  function legendItem(list, cls, value, graphic, name, count, en) {
    var li = add(list, "li");
    var label = add(li, "label");
    var box = add(label, "input");
    box.type = "checkbox";
    box.checked = true;
    box.className = cls;
    box.value = value;
    label.appendChild(graphic);
    var text = add(label, "span", name, "name");
    if (en) { text.appendChild(document.createTextNode(" ")); add(text, "span", en, "en"); }
    add(label, "span", String(count), "count");
    return box;
  }
  DATA.kinds.forEach(function (k) {
    legendItem(document.getElementById("kg-kinds"), "kg-kind", k.kind, icon(k.shape, k.color),
               k.name, k.count).addEventListener("change", function (ev) {
      hiddenKinds[k.kind] = !ev.target.checked;
      applyFilters();
    });
  });
  DATA.relations.forEach(function (r) {
    legendItem(document.getElementById("kg-rels"), "kg-rel", r.rel, line(r.color, r.dashes),
               r.name, r.count, r.rel).addEventListener("change", function (ev) {
      hiddenRels[r.rel] = !ev.target.checked;
      applyFilters();
    });
  });

  function applyFilters() {
    // Update only what changed: a DataSet update redraws, and big graphs
    // have tens of thousands of items.
    var nodeChanges = [], edgeChanges = [];
    N.forEach(function (n, i) {
      var h = hiddenKinds[n.kind] === true;
      if (h !== nodeHidden[i]) { nodeHidden[i] = h; nodeChanges.push({id: i, hidden: h}); }
    });
    E.forEach(function (e, i) {
      var h = hiddenRels[e.rel] === true || nodeHidden[e.from] || nodeHidden[e.to];
      if (h !== edgeHidden[i]) { edgeHidden[i] = h; edgeChanges.push({id: i, hidden: h}); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
    var sel = network.getSelectedNodes().filter(function (id) { return !nodeHidden[id]; });
    network.selectNodes(sel);
    showStats();
  }
  function count(flags) { return flags.reduce(function (s, h) { return s + (h ? 0 : 1); }, 0); }
  function showStats() {
    stats.textContent = fmt(UI.stats, {nodes: count(nodeHidden), total_nodes: N.length,
                                       edges: count(edgeHidden), total_edges: E.length});
  }
  showStats();

  // -- details panel -----------------------------------------------------------------
  function section(title) { return add(details, "h3", title); }
  function more(list, total) {
    if (total > LIST_MAX) { add(list, "li", fmt(UI.more, {n: total}), "meta"); }
  }
  function evidenceList(list) {
    list.forEach(function (ev) {
      var box = add(details, "div", null, "ev");
      add(box, "div", "「" + ev.text + "」", "text");
      var src = [UI.article + "：" + articleText(ev.article),
                 fmt(UI.offsets, {start: ev.start, end: ev.end})];
      if (ev.role) { src.push(UI.role + "：" + ev.role); }
      if (ev.value) { src.push(UI.value + "：" + ev.value); }
      if (ev.rule) { src.push(UI.rule + "：" + ev.rule); }
      add(box, "div", src.join(" · "), "src");
    });
  }
  function parentChain(i) {
    var chain = [], seen = {};
    seen[i] = true;
    for (var cur = i; ;) {
      var up = adjacency[cur].filter(function (k) { return E[k].rel === "partOf" && E[k].from === cur; });
      if (!up.length || seen[E[up[0]].to]) { return chain; }
      cur = E[up[0]].to;
      seen[cur] = true;
      chain.push(cur);
    }
  }
  function showNode(i) {
    var n = N[i];
    details.textContent = "";
    add(details, "h2", n.label);
    add(details, "div", UI.type + "：" + kindName(n.kind) + "（" + n.kind + "）", "meta");
    if (n.aliases.length) { add(details, "div", UI.aliases + "：" + n.aliases.join("、"), "meta"); }
    if (n.kind === "Division") {
      add(details, "div", UI.level + "：" + (DATA.levels[n.level] || n.level || "?") +
          (n.level ? "（" + n.level + "）" : ""), "meta");
      add(details, "div", UI.adcode + "：" + (n.adcode || "—"), "meta");
      var chain = parentChain(i);
      if (chain.length) {
        var row = add(details, "div", UI.chain + "：", "meta");
        chain.forEach(function (p, k) {
          if (k) { row.appendChild(document.createTextNode(" › ")); }
          link(row, N[p].label, function () { select(p, true); });
        });
      }
    }
    if (n.kind === "Article" && A[n.article]) {
      var a = A[n.article];
      add(details, "div", a.source + " · " + fmt(UI.offsets, {start: a.start, end: a.end}) +
          (a.date ? " · " + a.date : ""), "meta");
    }
    if (n.investment) {
      add(details, "div", UI.investment + "：" + yuan(n.investment), "meta");
      evidenceList(n.investment_evidence || []);
    }
    var links = adjacency[i].slice().sort(function (x, y) {
      var ex = E[x], ey = E[y];
      return (ex.rel < ey.rel ? -1 : ex.rel > ey.rel ? 1 : x - y);
    });
    if (links.length) {
      section(fmt(UI.links, {n: links.length}));
      var ul = add(details, "ul");
      links.slice(0, LIST_MAX).forEach(function (k) {
        var e = E[k], out = e.from === i;
        var other = N[out ? e.to : e.from].label;
        link(add(ul, "li"), (out ? "→ " : "← ") + relName(e.rel) + "：" + other,
             function () { selectEdge(k); });
      });
      more(ul, links.length);
    }
    if (n.mentions.length) {
      section(fmt(UI.mentioned, {n: n.mentions.length}));
      var ml = add(details, "ul");
      n.mentions.slice(0, LIST_MAX).forEach(function (a) { add(ml, "li", articleText(a)); });
      more(ml, n.mentions.length);
    }
    add(details, "div", n.iri, "iri");
  }
  function showEdge(k) {
    var e = E[k];
    details.textContent = "";
    add(details, "h2", relName(e.rel) + "（" + e.rel + "）");
    var row = add(details, "div", null, "meta");
    link(row, N[e.from].label, function () { select(e.from, true); });
    row.appendChild(document.createTextNode(" → "));
    link(row, N[e.to].label, function () { select(e.to, true); });
    if (e.evidence.length) {
      section(fmt(UI.evidence, {n: e.evidence.length}));
      evidenceList(e.evidence);
    } else if (e.rel === "partOf") {
      add(details, "p", UI.gazetteer, "meta");
    }
  }
  var moving = false;  // a focus animation is running (see kgView.busy)
  network.on("animationFinished", function () { moving = false; });
  function select(i, zoom) {
    network.selectNodes([i]);
    if (zoom) {
      moving = true;
      network.focus(i, {scale: Math.max(network.getScale(), 1.0),
                        animation: {duration: 300, easingFunction: "easeInOutQuad"}});
    }
    showNode(i);
  }
  function selectEdge(k) {
    network.selectEdges([k]);
    showEdge(k);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
    else { hint(); }
  });

  // -- search -------------------------------------------------------------------------
  var searchBox = document.getElementById("kg-search");
  var searchInfo = document.getElementById("kg-search-info");
  var lastQuery = null, hits = [], hitAt = 0;
  function rank(n, q) {
    // Lower is better: exact name, exact alias, name prefix, name part, alias part.
    if (n.label === q) { return 0; }
    if (n.aliases.indexOf(q) >= 0) { return 1; }
    if (n.label.indexOf(q) === 0) { return 2; }
    if (n.label.indexOf(q) > 0) { return 3; }
    if (n.aliases.some(function (a) { return a.indexOf(q) >= 0; })) { return 4; }
    return -1;
  }
  function search() {
    var q = searchBox.value.trim();
    if (!q) { lastQuery = null; searchInfo.textContent = ""; network.unselectAll(); hint(); return; }
    if (q !== lastQuery) {
      var found = [], hidden = 0;
      N.forEach(function (n, i) {
        var r = rank(n, q);
        if (r < 0) { return; }
        if (nodeHidden[i]) { hidden += 1; return; }
        found.push([r, -n.mentions.length, n.label, i]);
      });
      found.sort(function (x, y) {
        for (var k = 0; k < 3; k++) { if (x[k] !== y[k]) { return x[k] < y[k] ? -1 : 1; } }
        return x[3] - y[3];
      });
      hits = found.map(function (f) { return f[3]; });
      hitAt = 0;
      lastQuery = q;
      searchInfo.dataset.hidden = String(hidden);
    } else if (hits.length) {
      hitAt = (hitAt + 1) % hits.length;  // the same query again: next result
    }
    var hiddenNote = Number(searchInfo.dataset.hidden) ?
      fmt(UI.search_hidden, {n: searchInfo.dataset.hidden}) : "";
    if (!hits.length) {
      searchInfo.textContent = UI.search_none + hiddenNote;
      network.unselectAll();
      return;
    }
    searchInfo.textContent = fmt(UI.search_results, {i: hitAt + 1, n: hits.length}) + hiddenNote;
    select(hits[hitAt], true);
  }
  document.getElementById("kg-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    search();
  });
  function fillNames() {
    // Suggestions: every name and alias once, in a stable order.
    var seen = {}, names = [];
    N.forEach(function (n) {
      [n.label].concat(n.aliases).forEach(function (s) {
        if (!Object.prototype.hasOwnProperty.call(seen, s)) { seen[s] = true; names.push(s); }
      });
    });
    names.sort();
    var list = document.getElementById("kg-names");
    var frag = document.createDocumentFragment();
    names.forEach(function (s) { var o = el("option"); o.value = s; frag.appendChild(o); });
    list.appendChild(frag);
  }

  // -- labels of large graphs: only where the user looks ---------------------------------
  // Measuring tens of thousands of labels would cost seconds on load, and at
  // the zoom that shows a whole large graph vis-network would not draw them
  // anyway (scaling.label.drawThreshold, 5 px by default).  So nodes get
  // their label when they are in view at a readable zoom.
  var labelled = N.map(function () { return !VIEW.lazy_labels; });
  var labelTimer = null;
  function showLabels() {
    labelTimer = null;
    if (!VIEW.lazy_labels || network.getScale() * DATA.options.nodes.font.size < 5) { return; }
    var r = container.getBoundingClientRect();
    var a = network.DOMtoCanvas({x: 0, y: 0}), b = network.DOMtoCanvas({x: r.width, y: r.height});
    var pos = network.getPositions(), changes = [];
    Object.keys(pos).forEach(function (id) {
      var p = pos[id];
      if (!labelled[id] && p.x >= a.x && p.x <= b.x && p.y >= a.y && p.y <= b.y) {
        labelled[id] = true;
        changes.push({id: Number(id), label: N[id].label});
      }
    });
    if (changes.length) { nodes.update(changes); }
  }
  function scheduleLabels() {
    if (VIEW.lazy_labels && labelTimer === null) { labelTimer = setTimeout(showLabels, 60); }
  }
  ["zoom", "dragEnd", "animationFinished"].forEach(function (ev) { network.on(ev, scheduleLabels); });

  // -- layout: stop physics once stable ------------------------------------------------
  var finished = false;
  function finish() {
    if (finished) { return; }
    finished = true;
    network.setOptions({physics: {enabled: false}});
    timings.stabilized = performance.now();
    status.textContent = "";
    network.once("afterDrawing", function () {
      timings.drawn = performance.now();
      ready = true;
      document.body.setAttribute("data-ready", "1");
    });
    network.redraw();
    if (DATA.focus !== null && DATA.focus !== undefined) { select(DATA.focus, false); }
    setTimeout(fillNames, 0);
  }
  network.on("stabilizationProgress", function (p) {
    status.textContent = fmt(UI.layout_progress, {p: Math.round(100 * p.iterations / p.total)});
  });
  if (DATA.options.physics.enabled && N.length) {
    network.once("stabilizationIterationsDone", finish);
  } else {
    // Positions were computed when the page was written: nothing to settle.
    network.fit({animation: false});
    finish();
  }

  // -- read-only hook for tests and benchmarks -------------------------------------------
  function drawn(index, items) {
    return index.filter(function (id) { return !items[id].options.hidden; }).length;
  }
  function domPoint(p) {
    var d = network.canvasToDOM(p), r = container.getBoundingClientRect();
    return {x: r.left + d.x, y: r.top + d.y};
  }
  window.kgView = Object.freeze({
    ready: function () { return ready; },
    busy: function () { return moving; },
    nodeCount: function () { return drawn(network.body.nodeIndices, network.body.nodes); },
    edgeCount: function () { return drawn(network.body.edgeIndices, network.body.edges); },
    nodeIds: function (label) {
      var out = [];
      N.forEach(function (n, i) { if (n.label === label) { out.push(i); } });
      return out;
    },
    node: function (i) {
      return N[i] ? {label: N[i].label, kind: N[i].kind, iri: N[i].iri,
                     hidden: nodeHidden[i], labelDrawn: network.body.nodes[i].options.label === N[i].label} : null;
    },
    edge: function (k) { return E[k] ? {from: E[k].from, to: E[k].to, rel: E[k].rel} : null; },
    selectedNodes: function () { return network.getSelectedNodes(); },
    selectedEdges: function () { return network.getSelectedEdges(); },
    nodePoint: function (i) { return domPoint(network.getPosition(i)); },
    edgePoint: function (k) { return domPoint(network.body.edges[k].edgeType.getPoint(0.5)); },
    scale: function () { return network.getScale(); },
    timings: function () { return JSON.parse(JSON.stringify(timings)); },
    frameTime: function () {
      // Milliseconds to draw one frame (a redraw changes nothing).
      return new Promise(function (resolve) {
        var t = performance.now();
        network.once("afterDrawing", function () { resolve(performance.now() - t); });
        network.redraw();
      });
    }
  });
}());
