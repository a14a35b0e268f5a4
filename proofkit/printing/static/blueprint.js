/* proofkit blueprint index: search the claims (label, number, title, statement, source), highlight them in the
   dependency graph, list them with links, zoom the graph. Plain JavaScript, no library, nothing loaded remotely.
   The search can be given in the address: index.html#search=Lemma%204.3 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("claims-data").textContent);
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var count = document.getElementById("search-count");
  var frame = document.getElementById("graph");
  var svg = document.querySelector("#graph svg");
  var nodes = {};  /* the claims' nodes in the graph (not the legend's) */
  var known = {};
  data.forEach(function (c) { known[c.label] = true; });
  if (svg) {
    svg.querySelectorAll("g.node").forEach(function (g) {
      var t = g.querySelector("title");
      if (t && known[t.textContent]) { nodes[t.textContent] = g; }
    });
  }
  function norm(s) { return (s || "").toLowerCase().normalize("NFKD"); }
  data.forEach(function (c) { c.haystack = norm([c.label, c.heading, c.title, c.source, c.text].join(" \u0001 ")); });
  function matches(q) {
    var words = norm(q).split(/\s+/).filter(Boolean);
    if (!words.length) { return null; }
    return data.filter(function (c) { return words.every(function (w) { return c.haystack.indexOf(w) >= 0; }); });
  }
  function show(q) {
    var found = matches(q);
    var hit = {};
    list.innerHTML = "";
    if (found) {
      found.forEach(function (c) {
        hit[c.label] = true;
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = c.page;
        a.textContent = c.heading + (c.title ? " (" + c.title + ")" : "");
        li.appendChild(a);
        li.setAttribute("data-label", c.label);
        list.appendChild(li);
      });
      count.textContent = found.length + " of " + data.length + " claims";
    } else {
      count.textContent = "";
    }
    Object.keys(nodes).forEach(function (label) {
      var g = nodes[label];
      g.classList.toggle("match", !!(found && hit[label]));
      g.classList.toggle("dim", !!(found && !hit[label]));
    });
    if (svg) {
      svg.querySelectorAll("g.edge").forEach(function (e) { e.classList.toggle("dim", !!found); });
    }
    var first = found && found.length ? nodes[found[0].label] : null;
    if (first) {  /* bring the first match to the middle of the graph's frame (the page itself does not move) */
      var fr = frame.getBoundingClientRect(), nb = first.getBoundingClientRect();
      frame.scrollLeft += (nb.left + nb.width / 2) - (fr.left + fr.width / 2);
      frame.scrollTop += (nb.top + nb.height / 2) - (fr.top + fr.height / 2);
    }
    return found;
  }
  input.addEventListener("input", function () {
    history.replaceState(null, "", input.value ? "#search=" + encodeURIComponent(input.value) : "#");
    show(input.value);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = matches(input.value);
      if (found && found.length) { window.location.href = found[0].page; }
    }
  });
  var zoom = 1;
  var natural = svg ? [svg.width.baseVal.value, svg.height.baseVal.value] : null;
  function setZoom(z) {
    if (!svg) { return; }
    zoom = Math.max(0.1, Math.min(4, z));
    svg.style.width = (natural[0] * zoom) + "px";
    svg.style.height = (natural[1] * zoom) + "px";
    document.getElementById("zoom-level").textContent = Math.round(zoom * 100) + "%";
  }
  document.getElementById("zoom-in").addEventListener("click", function () { setZoom(zoom * 1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { setZoom(zoom / 1.25); });
  document.getElementById("zoom-fit").addEventListener("click", function () {
    setZoom(Math.min(frame.clientWidth / natural[0], frame.clientHeight / natural[1]));
  });
  document.getElementById("zoom-reset").addEventListener("click", function () { setZoom(1); });
  if (svg) { setZoom(1); }
  var m = /[#&]search=([^&]*)/.exec(window.location.hash);
  if (m) { input.value = decodeURIComponent(m[1]); show(input.value); }
  document.documentElement.setAttribute("data-blueprint", "ready");
})();
