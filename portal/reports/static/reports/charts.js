// Charts of the «Отчёты» admin section: each <canvas data-chart="key"> is drawn from the JSON in
// <script type="application/json" id="report-charts"> with the vendored Chart.js (no inline script: CSP).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("report-charts");
    if (!source || typeof Chart === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    var palette = ["#1f6fb2", "#e07b00", "#2f9e44", "#c92a2a", "#7048e8", "#868e96"];
    charts.forEach(function (chart) {
      var canvas = document.querySelector('canvas[data-chart="' + chart.key + '"]');
      if (!canvas) { return; }
      var datasets = chart.datasets.map(function (set, index) {
        var colour = set.color || palette[index % palette.length];
        return { label: set.label, data: set.data, backgroundColor: colour, borderColor: colour, fill: false,
                 tension: 0.2 };
      });
      var instance = new Chart(canvas, {
        type: chart.type,
        data: { labels: chart.labels, datasets: datasets },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          plugins: { title: { display: true, text: chart.title } },
          scales: { x: { stacked: chart.stacked },
                    y: { stacked: chart.stacked, beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
      canvas.setAttribute("data-drawn", String(instance.data.datasets.length));
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
