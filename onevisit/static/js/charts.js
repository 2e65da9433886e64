/* OneVisit charts: every element with data-echarts="<id>" is drawn by Apache ECharts (vendored under
   /static/vendor/echarts/) from the option in <script type="application/json" id="<id>"> (Django's
   json_script). No inline script, so pages keep their Content-Security-Policy. Each chart must sit next to
   a table or text with the same figures: the chart is the picture, the table is the record. */
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-echarts"));
    if (!source || !window.echarts) { return; }
    var option;
    try { option = JSON.parse(source.textContent); } catch (e) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.setAttribute("role", "img");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawAll(root) {
    var nodes = (root || document).querySelectorAll("[data-echarts]");
    for (var i = 0; i < nodes.length; i++) { draw(nodes[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else { drawAll(document); }
  // Pages that swap parts with htmx get their new charts drawn too.
  document.addEventListener("htmx:afterSwap", function (ev) { drawAll(ev.target); });
  window.OneVisitCharts = { drawAll: drawAll };
})();
