// Draws each summary chart from the data table beside it (the table stays: it is the accessible
// form of the chart). Numeric cells carry data-value; a column is plotted when every row has one.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;
  var palette = ["#1d6b53", "#2b5ea7", "#b4561b", "#7a4fa0", "#8a6100", "#3b7d8c", "#a33a3a"];
  var style = getComputedStyle(document.body);
  window.Chart.defaults.font.family = style.fontFamily;
  window.Chart.defaults.font.size = 14;
  window.Chart.defaults.color = style.color;

  function cellsOf(row) { return Array.prototype.slice.call(row.children, 1); }

  document.querySelectorAll("figure.chart[data-chart]").forEach(function (figure) {
    var kind = figure.getAttribute("data-chart");
    var table = figure.querySelector("table");
    var holder = figure.querySelector(".chart__canvas");
    if (!table || !holder) return;
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th"), 1);
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    if (!rows.length) return;
    var labels = rows.map(function (row) { return row.children[0].textContent.trim(); });
    var datasets = [];
    headers.forEach(function (header, index) {
      var values = rows.map(function (row) {
        var cell = cellsOf(row)[index];
        return cell && cell.hasAttribute("data-value") ? Number(cell.getAttribute("data-value")) : null;
      });
      if (values.some(function (value) { return value === null; })) return;
      var colour = palette[datasets.length % palette.length];
      datasets.push({
        label: header.textContent.trim(),
        data: values,
        backgroundColor: kind === "doughnut" ? palette.slice(0, values.length) : colour,
        borderColor: kind === "doughnut" ? "#fff" : colour,
        tension: 0.2,
        pointRadius: 2
      });
    });
    if (!datasets.length) return;
    if (kind === "doughnut") datasets = datasets.slice(0, 1);
    holder.hidden = false;
    new window.Chart(holder.querySelector("canvas"), {
      type: kind,
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: kind === "doughnut" ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
