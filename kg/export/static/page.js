/* Page script of kg.export.html: draws the graph held in the #kg-data JSON
 * block with vis-network and wires the legend filters, the search box, the
 * details panel, the tooltip, the names drawn at each zoom and the facts
 * table beside the graph.
 *
 * All names and sentences come from the corpus and are untrusted: they reach
 * the DOM only through textContent and value (never innerHTML), and the
 * canvas (vis-network labels).
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
  document.getElementById("kg-tab-graph").textContent = UI.tab_graph;
  document.getElementById("kg-tab-facts").textContent = UI.tab_facts;
  if (DATA.summarised) {
    // A summarised page says what it leaves out (kg.export.summary).
    var S = DATA.summarised, said = [];
    if (S.drawn < S.entities) { said.push(fmt(UI.summary_entities, S)); }
    if (S.per_fact !== null) { said.push(fmt(UI.summary_evidence, S)); }
    said.push(UI.summary_hint);
    document.getElementById("kg-summary").textContent = said.join(" ");
  }
  var details = document.getElementById("kg-details");
  var status = document.getElementById("kg-status");
  var stats = document.getElementById("kg-stats");
  function hint() { details.textContent = ""; add(details, "p", N.length ? UI.hint : UI.empty, "meta"); }
  hint();

  // -- graph records --------------------------------------------------------------
  var adjacency = N.map(function () { return []; });
  E.forEach(function (e, i) { adjacency[e.from].push(i); adjacency[e.to].push(i); });

  function articleTitle(a) {
    // Untitled articles got their first words as title (kg.corpus.articles);
    // a graph read from elsewhere may still have none: never show the IRI.
    return a.title || fmt(UI.untitled, {source: a.source, start: a.start});
  }
  function articleText(index) {
    var a = A[index];
    if (!a) { return "?"; }
    return articleTitle(a) + "（" + a.source + (a.date ? "，" + a.date : "") + "）";
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
      var text = e.evidence[0].text, total = e.total || e.evidence.length;
      lines.push("「" + (text.length > 120 ? text.slice(0, 120) + "…" : text) + "」");
      if (total > 1) { lines.push(fmt(UI.tip_evidence, {n: total})); }
    }
    return lines.join("\n");
  }

  var nodes = new vis.DataSet(N.map(function (n, i) {
    // Large graphs get their labels once laid out (see updateLabels).  No
    // vis-network "title": the page draws its own tooltip (see showTip).
    var item = {id: i, group: n.kind, size: n.size};
    if (!VIEW.lazy_labels) { item.label = n.label; }
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    return item;
  }));
  var edges = new vis.DataSet(E.map(function (e, i) {
    var r = RELS[e.rel];
    // Dashes and widths cost drawing time: large graphs draw thin solid lines.
    var item = {id: i, from: e.from, to: e.to, dashes: VIEW.detail && r.dashes,
                width: VIEW.detail ? r.width : 1,
                color: {color: r.color, highlight: r.color, hover: r.color, inherit: false}};
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
    scheduleLabels();
    facts.refresh();
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
  function marked(parent, text, names) {
    // ``text`` into ``parent`` as text nodes, every occurrence of ``names`` in a <mark>.
    var found = [];
    names.forEach(function (name) {
      if (!name) { return; }
      for (var at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
        found.push([at, at + name.length]);
      }
    });
    found.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var pos = 0;
    found.forEach(function (f) {
      if (f[0] < pos) { return; }  // overlaps a longer or earlier name
      parent.appendChild(document.createTextNode(text.slice(pos, f[0])));
      add(parent, "mark", text.slice(f[0], f[1]));
      pos = f[1];
    });
    parent.appendChild(document.createTextNode(text.slice(pos)));
  }
  function evidenceList(list, names, current) {
    list.forEach(function (ev) {
      var box = add(details, "div", null, ev === current ? "ev current" : "ev");
      var text = add(box, "div", null, "text");
      marked(text, "「" + ev.text + "」", names || []);
      var src = [UI.article + "：" + articleText(ev.article),
                 fmt(UI.offsets, {start: ev.start, end: ev.end})];
      if (ev.role) { src.push(UI.role + "：" + ev.role); }
      if (ev.value) { src.push(UI.value + "：" + ev.value); }
      if (ev.rule) { src.push(UI.rule + "：" + ev.rule); }
      add(box, "div", src.join(" · "), "src");
    });
  }
  function names(i) { return [N[i].label].concat(N[i].aliases); }
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
      if (n.investment_total) {
        add(details, "div", fmt(UI.evidence_listed, {n: n.investment_total, k: n.investment_evidence.length}),
            "meta");
      }
      evidenceList(n.investment_evidence || [], names(i));
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
      section(e.total ? fmt(UI.evidence_listed, {n: e.total, k: e.evidence.length})
                      : fmt(UI.evidence, {n: e.evidence.length}));
      evidenceList(e.evidence, names(e.from).concat(names(e.to)));
    } else if (e.rel === "partOf") {
      add(details, "p", UI.gazetteer, "meta");
    }
  }
  var moving = false;  // a focus animation is running (see kgView.busy)
  network.on("animationFinished", function () { moving = false; });
  function select(i, zoom) {
    showTab("graph");
    network.selectNodes([i]);
    if (zoom) {
      moving = true;
      network.focus(i, {scale: Math.max(network.getScale(), 1.0),
                        animation: {duration: 300, easingFunction: "easeInOutQuad"}});
    }
    showNode(i);
  }
  function selectEdge(k) {
    showTab("graph");
    network.selectEdges([k]);
    showEdge(k);
  }
  network.on("click", function (params) {
    clickedTip(params.pointer.DOM);
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
    else { hint(); }
  });

  // -- tooltip: the page's own, so that a click hides it ---------------------------------
  // vis-network's tooltip stays up after a click (over the labels and the
  // selection) and comes back while the pointer is still on the object; this
  // one hides on click, drag and zoom, and stays hidden for the clicked
  // object until the pointer leaves it.
  var tip = el("div", null, "kg-tooltip");
  tip.id = "kg-tooltip";
  tip.hidden = true;
  container.appendChild(tip);
  var tipFor = null, tipTimer = null, tipSuppressed = null;
  function objectAt(p) {
    var n = network.getNodeAt(p);
    if (n !== undefined) { return "n" + n; }
    var k = network.getEdgeAt(p);
    return k !== undefined ? "e" + k : null;
  }
  function hideTip() {
    tip.hidden = true;
    tipFor = null;
  }
  function showTip(p) {
    var id = objectAt(p);
    if (id !== tipSuppressed) { tipSuppressed = null; }  // the pointer left the clicked object
    if (id === null || id === tipSuppressed) { hideTip(); return; }
    if (id !== tipFor) {
      var i = Number(id.slice(1));
      tip.textContent = id[0] === "n" ? nodeTip(N[i]) : edgeTip(E[i]);
      tipFor = id;
    }
    tip.hidden = false;
    var box = container.getBoundingClientRect();
    tip.style.left = Math.max(0, Math.min(p.x + 12, box.width - tip.offsetWidth - 4)) + "px";
    tip.style.top = Math.max(0, Math.min(p.y + 14, box.height - tip.offsetHeight - 4)) + "px";
  }
  function clickedTip(p) {
    tipSuppressed = tipFor || objectAt(p);
    if (tipTimer !== null) { clearTimeout(tipTimer); tipTimer = null; }
    hideTip();
  }
  container.addEventListener("mousemove", function (ev) {
    var box = container.getBoundingClientRect();
    var p = {x: ev.clientX - box.left, y: ev.clientY - box.top};
    if (tipFor !== null && objectAt(p) !== tipFor) { hideTip(); }
    if (tipTimer !== null) { clearTimeout(tipTimer); }
    tipTimer = setTimeout(function () { tipTimer = null; showTip(p); }, DATA.options.interaction.tooltipDelay);
  });
  container.addEventListener("mouseleave", function () {
    if (tipTimer !== null) { clearTimeout(tipTimer); tipTimer = null; }
    tipSuppressed = null;
    hideTip();
  });
  ["dragStart", "zoom"].forEach(function (ev) { network.on(ev, hideTip); });

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
    if (tab === "facts") { facts.filter(q); return; }
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
  var typing = null;
  searchBox.addEventListener("input", function () {
    // The facts table follows the search box as one types; the graph waits for Enter.
    if (tab !== "facts") { return; }
    if (typing !== null) { clearTimeout(typing); }
    typing = setTimeout(function () { typing = null; facts.filter(searchBox.value.trim()); }, 150);
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

  // -- names: the most important readable at the full view, all of them zoomed in ------------
  // Zoomed out, a name at the normal font size is a few pixels high, and
  // hundreds of them overlap: then only the most important names are drawn
  // (most articles, then most relations), each at a size that reads on
  // screen (LABEL_PX), none over another.  Zoomed in far enough for the
  // normal size to read, every name in view is drawn at that size (a graph
  // of up to 2,000 nodes keeps them all; a larger one labels the nodes in
  // view, so that tens of thousands of labels are never measured at once).
  var FONT = DATA.options.nodes.font.size;
  var LABEL_PX = 13;  // on-screen height of a name drawn when zoomed out
  var LABEL_MAX = 60;  // names drawn at most when zoomed out
  var importance = N.map(function (n, i) { return i; }).sort(function (a, b) {
    return (N[b].mentions.length - N[a].mentions.length) || (adjacency[b].length - adjacency[a].length) || a - b;
  });
  var labelSize = N.map(function () { return VIEW.lazy_labels ? 0 : FONT; });  // drawn size, 0: none
  var labelBoxes = {};  // node id -> screen box of a name drawn when zoomed out (for tests)
  var labelTimer = null;
  function zoomedIn() { return network.getScale() * FONT >= LABEL_PX - 0.5; }
  function inView() {
    var r = container.getBoundingClientRect();
    var a = network.DOMtoCanvas({x: 0, y: 0}), b = network.DOMtoCanvas({x: r.width, y: r.height});
    return function (p) { return p.x >= a.x && p.x <= b.x && p.y >= a.y && p.y <= b.y; };
  }
  function chooseLabels() {
    // Greedy, most important first: a name whose box meets no chosen box is drawn.
    var scale = network.getScale(), pos = network.getPositions(), visible = inView(), boxes = {}, chosen = [];
    for (var k = 0; k < importance.length && chosen.length < LABEL_MAX; k++) {
      var i = importance[k];
      if (nodeHidden[i] || !visible(pos[i])) { continue; }
      // the name is drawn centred below the shape: about one font size per character
      var d = network.canvasToDOM(pos[i]), w = N[i].label.length * LABEL_PX + 8;
      var top = d.y + N[i].size * scale;
      var box = {left: d.x - w / 2, right: d.x + w / 2, top: top, bottom: top + LABEL_PX * 1.7};
      if (chosen.some(function (c) {
        return box.left < c.right && c.left < box.right && box.top < c.bottom && c.top < box.bottom;
      })) { continue; }
      chosen.push(box);
      boxes[i] = box;
    }
    return boxes;
  }
  function updateLabels() {
    labelTimer = null;
    var want = {}, changes = [];
    if (zoomedIn()) {
      labelBoxes = {};
      if (VIEW.lazy_labels) {
        var pos = network.getPositions(), visible = inView();
        N.forEach(function (n, i) { if (labelSize[i] > 0 || visible(pos[i])) { want[i] = FONT; } });
      } else {
        N.forEach(function (n, i) { want[i] = FONT; });
      }
    } else {
      labelBoxes = chooseLabels();
      var size = LABEL_PX / network.getScale();
      Object.keys(labelBoxes).forEach(function (i) { want[i] = size; });
    }
    N.forEach(function (n, i) {
      var size = want[i] || 0;
      if (size !== labelSize[i]) {
        labelSize[i] = size;
        changes.push({id: i, label: size ? n.label : "", font: {size: size || FONT}});
      }
    });
    if (changes.length) { nodes.update(changes); }
  }
  function scheduleLabels() {
    if (labelTimer === null) { labelTimer = setTimeout(updateLabels, 60); }
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
    if (!(DATA.options.physics.enabled && N.length)) { network.fit({animation: false}); }
    updateLabels();
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
    finish();
  }


  // -- tabs: the graph and the facts table ------------------------------------------------
  var tab = "graph";
  var tabs = {graph: [document.getElementById("kg-tab-graph"), container],
              facts: [document.getElementById("kg-tab-facts"), document.getElementById("kg-facts")]};
  function showTab(name) {
    if (name === tab) { return; }
    tab = name;
    hideTip();
    Object.keys(tabs).forEach(function (key) {
      tabs[key][0].setAttribute("aria-selected", String(key === name));
      tabs[key][1].classList.toggle("kg-hidden", key !== name);
    });
    searchInfo.textContent = "";
    if (name === "facts") { facts.filter(searchBox.value.trim()); }
    else { lastQuery = null; }
  }
  Object.keys(tabs).forEach(function (key) {
    tabs[key][0].addEventListener("click", function () { showTab(key); });
  });

  // -- the facts table: one row per evidence of each relation and investment -------------------
  // The rows of facts.csv, from the page's data: sortable by any column,
  // filtered by the legend's types and relations and by the search box
  // (names, aliases, evidence, article titles), each opening its evidence
  // in the details panel among the article's other evidence sentences.
  var facts = (function () {
    var ROWS_STEP = 300;  // rows added to the table at a time: a large graph has tens of thousands
    var collator = new Intl.Collator("zh-CN", {numeric: true});
    var rows = null;  // made when the table is first shown: a large page has tens of thousands
    function source(r) { return A[r.ev.article] ? A[r.ev.article].source : ""; }
    function title(r) { return A[r.ev.article] ? articleTitle(A[r.ev.article]) : ""; }
    function relText(rel) { return rel === "investment" ? UI.investment : relName(rel); }
    function valueText(r) { return r.rel === "investment" ? yuan(r.value) : r.value; }
    function less(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
    function readingOrder(x, y) {
      // facts.csv's order: source file, offsets, relation, names (code point order, as Python's)
      return less(x.source, y.source) || x.ev.start - y.ev.start || x.ev.end - y.ev.end || less(x.rel, y.rel) ||
        less(N[x.head].label, N[y.head].label) || x.head - y.head || x.tail - y.tail;
    }
    function ensureRows() {
      if (rows !== null) { return rows; }
      rows = [];
      E.forEach(function (e, k) {
        e.evidence.forEach(function (ev) {
          rows.push({head: e.from, tail: e.to, rel: e.rel, value: ev.role || "", ev: ev, edge: k});
        });
      });
      N.forEach(function (n, i) {
        (n.investment_evidence || []).forEach(function (ev) {
          rows.push({head: i, tail: -1, rel: "investment", value: ev.value || n.investment, ev: ev, edge: -1});
        });
      });
      rows.forEach(function (r) { r.source = source(r); });
      rows.sort(readingOrder);
      rows.forEach(function (r, i) { r.order = i; });
      return rows;
    }
    var COLUMNS = [
      {key: "head", width: "14%", title: UI.col_head, text: function (r) { return N[r.head].label; }},
      {key: "head_type", width: "10%", title: UI.col_head_type, cls: "type", text: function (r) { return kindName(N[r.head].kind); }},
      {key: "relation", width: "7%", title: UI.col_relation, text: function (r) { return relText(r.rel); }},
      {key: "tail", width: "13%", title: UI.col_tail, text: function (r) { return r.tail < 0 ? "" : N[r.tail].label; }},
      {key: "tail_type", width: "10%", title: UI.col_tail_type, cls: "type",
       text: function (r) { return r.tail < 0 ? "" : kindName(N[r.tail].kind); }},
      {key: "value", width: "7%", title: UI.col_value, text: valueText,
       compare: function (x, y) {
         return x.rel === "investment" && y.rel === "investment" ? Number(x.value) - Number(y.value)
           : collator.compare(valueText(x), valueText(y));
       }},
      {key: "article", width: "11%", title: UI.col_article, text: title},
      {key: "evidence", width: "28%", title: UI.col_evidence, cls: "evidence", text: function (r) { return r.ev.text; },
       compare: function (x, y) { return x.order - y.order; }}
    ];
    var sortBy = null, ascending = true, query = "", shown = [], limit = ROWS_STEP, selected = null;
    var body = document.getElementById("kg-facts-body");
    var info = document.getElementById("kg-facts-info");
    var moreButton = document.getElementById("kg-facts-more");
    var head = document.getElementById("kg-facts-head");
    var cols = document.createElement("colgroup");
    COLUMNS.forEach(function (c) { add(cols, "col").style.width = c.width; });
    head.parentNode.parentNode.insertBefore(cols, head.parentNode);
    COLUMNS.forEach(function (c) {
      var th = add(head, "th");
      th.dataset.key = c.key;
      th.setAttribute("aria-sort", "none");
      var b = add(th, "button", c.title);
      b.type = "button";
      b.addEventListener("click", function () {
        if (sortBy === c) { ascending = !ascending; } else { sortBy = c; ascending = true; }
        [].forEach.call(head.children, function (cell) {
          cell.setAttribute("aria-sort", cell.dataset.key !== c.key ? "none" : ascending ? "ascending" : "descending");
        });
        limit = ROWS_STEP;
        refresh();
      });
    });
    moreButton.addEventListener("click", function () { limit += ROWS_STEP; render(); });
    function matches(r, q) {
      if (!q) { return true; }
      function named(i) { return i >= 0 && (N[i].label.indexOf(q) >= 0 || N[i].aliases.some(function (a) {
        return a.indexOf(q) >= 0;
      })); }
      return named(r.head) || named(r.tail) || r.ev.text.indexOf(q) >= 0 || title(r).indexOf(q) >= 0;
    }
    function visible(r) {
      return !nodeHidden[r.head] && (r.tail < 0 || !nodeHidden[r.tail]) &&
        (r.rel === "investment" || hiddenRels[r.rel] !== true);
    }
    function refresh() {
      shown = ensureRows().filter(function (r) { return visible(r) && matches(r, query); });
      if (sortBy !== null) {
        var c = sortBy, sign = ascending ? 1 : -1;
        var compare = c.compare || function (x, y) { return collator.compare(c.text(x), c.text(y)); };
        shown.sort(function (x, y) { return sign * compare(x, y) || x.order - y.order; });
      }
      render();
    }
    function render() {
      body.textContent = "";
      var frag = document.createDocumentFragment();
      shown.slice(0, limit).forEach(function (r) {
        var tr = el("tr");
        tr.tabIndex = 0;
        if (r === selected) { tr.className = "selected"; }
        COLUMNS.forEach(function (c) {
          var td = add(tr, "td", c.text(r), c.cls);
          td.title = c.text(r);
        });
        tr.addEventListener("click", function () { open(r, tr); });
        tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { open(r, tr); } });
        frag.appendChild(tr);
      });
      body.appendChild(frag);
      info.textContent = fmt(UI.facts_info, {shown: shown.length, total: ensureRows().length});
      var left = shown.length - limit;
      moreButton.hidden = left <= 0;
      moreButton.textContent = fmt(UI.facts_more, {n: Math.min(left, ROWS_STEP)});
      if (tab === "facts") {
        searchInfo.textContent = query ? fmt(UI.search_results, {i: shown.length ? 1 : 0, n: shown.length}) : "";
      }
    }
    function open(r, tr) {
      selected = r;
      [].forEach.call(body.querySelectorAll("tr.selected"), function (x) { x.className = ""; });
      if (tr) { tr.className = "selected"; }
      showFact(r);
    }
    function articleEvidence(article) {
      // The article's evidence sentences, in reading order, each once.
      var seen = {}, list = [];
      ensureRows().forEach(function (r) {
        var key = r.ev.start + ":" + r.ev.end;
        if (r.ev.article === article && !seen[key]) { seen[key] = r.ev; list.push(r.ev); }
      });
      return {list: list, at: seen};
    }
    function showFact(r) {
      details.textContent = "";
      add(details, "h2", relText(r.rel) + (r.rel === "investment" ? "" : "（" + r.rel + "）"));
      var row = add(details, "div", null, "meta");
      link(row, N[r.head].label, function () { select(r.head, true); });
      if (r.tail >= 0) {
        row.appendChild(document.createTextNode(" → "));
        link(row, N[r.tail].label, function () { select(r.tail, true); });
      }
      if (r.value) {
        add(details, "div", (r.rel === "investment" ? UI.investment : UI.role) + "：" + valueText(r), "meta");
      }
      var a = A[r.ev.article];
      section(UI.article);
      add(details, "div", articleText(r.ev.article), "meta");
      if (a) { add(details, "div", fmt(UI.offsets, {start: a.start, end: a.end}), "meta"); }
      var found = articleEvidence(r.ev.article);
      section(fmt(UI.article_evidence, {n: found.list.length}));
      var names = r.tail >= 0 ? namesOf(r.head).concat(namesOf(r.tail)) : namesOf(r.head);
      evidenceList(found.list, names, found.at[r.ev.start + ":" + r.ev.end]);
      if (r.edge >= 0) {
        link(add(details, "p"), UI.show_in_graph, function () {
          select(r.head, true);
          selectEdge(r.edge);
        });
      } else {
        link(add(details, "p"), UI.show_in_graph, function () { select(r.head, true); });
      }
      var current = details.querySelector(".ev.current");
      if (current && current.scrollIntoView) { current.scrollIntoView({block: "nearest"}); }
    }
    return {
      refresh: function () { if (tab === "facts") { refresh(); } },
      filter: function (q) { query = q; limit = ROWS_STEP; refresh(); },
      count: function () { return shown.length; },
      total: function () { return ensureRows().length; },
      rows: function () {
        return shown.slice(0, limit).map(function (r) {
          return {head: N[r.head].label, rel: r.rel, tail: r.tail < 0 ? null : N[r.tail].label,
                  value: r.value, text: r.ev.text, start: r.ev.start, source: r.source, article: title(r)};
        });
      }
    };
  }());
  function namesOf(i) { return names(i); }

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
      var drawn = labelSize[i] > 0 && network.body.nodes[i].options.label === N[i].label;
      return N[i] ? {label: N[i].label, kind: N[i].kind, iri: N[i].iri, hidden: nodeHidden[i], labelDrawn: drawn,
                     labelPx: drawn ? network.body.nodes[i].options.font.size * network.getScale() : 0,
                     mentions: N[i].mentions.length, degree: adjacency[i].length} : null;
    },
    labelBoxes: function () { return JSON.parse(JSON.stringify(labelBoxes)); },
    labelsBusy: function () { return labelTimer !== null; },
    tab: function () { return tab; },
    tooltip: function () { return tip.hidden ? null : tip.textContent; },
    tooltipPending: function () { return tipTimer !== null; },
    factCount: function () { return facts.count(); },
    factTotal: function () { return facts.total(); },
    factRows: function () { return facts.rows(); },
    edge: function (k) { return E[k] ? {from: E[k].from, to: E[k].to, rel: E[k].rel} : null; },
    selectedNodes: function () { return network.getSelectedNodes(); },
    selectedEdges: function () { return network.getSelectedEdges(); },
    nodePoint: function (i) { return domPoint(network.getPosition(i)); },
    edgePoint: function (k) { return domPoint(network.body.edges[k].edgeType.getPoint(0.5)); },
    // what a click at page point p would hit: "n<index>", "e<index>" or null
    objectAt: function (p) {
      var r = container.getBoundingClientRect();
      return objectAt({x: p.x - r.left, y: p.y - r.top});
    },
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
