/* The 766 dashboard's charts, drawn with the vendored Chart.js from the figures the page embeds
   (json_script "chi-so-bieu-do"). Every chart has a table on the page: the canvas is a picture of it. */
(function () {
  "use strict";
  var BRAND = "#0b4f8a", OK = "#0a6b2d", BAD = "#a4161a", GREY = "#d0d7de";
  var charts = [];

  function data() {
    var el = document.getElementById("chi-so-bieu-do");
    return el ? JSON.parse(el.textContent) : null;
  }

  function destroyDetached() {
    charts = charts.filter(function (c) {
      if (!document.body.contains(c.canvas)) { c.destroy(); return false; }
      return true;
    });
  }

  function gauge(canvas, g) {
    var score = g.score, max = g.max;
    if (score === null || !max) {
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#555"; ctx.font = "14px sans-serif"; ctx.textAlign = "center";
      ctx.fillText(canvas.dataset.empty || "không tính được", canvas.width / 2, canvas.height / 2);
      return;
    }
    var share = score / max;
    charts.push(new Chart(canvas, {
      type: "doughnut",
      data: { datasets: [{ data: [score, Math.max(0, max - score)],
        backgroundColor: [share >= 0.8 ? OK : share >= 0.5 ? BRAND : BAD, GREY], borderWidth: 0 }] },
      options: { rotation: -90, circumference: 180, cutout: "70%", responsive: false, animation: false,
        plugins: { legend: { display: false }, tooltip: { enabled: false } } }
    }));
  }

  function line(canvas, t) {
    charts.push(new Chart(canvas, {
      type: "line",
      data: { labels: t.labels, datasets: [
        { label: canvas.dataset.shareLabel || "Tỷ lệ điểm (%)", data: t.share, borderColor: BRAND, backgroundColor: BRAND, spanGaps: true },
        { label: canvas.dataset.onTimeLabel || "Tỷ lệ đúng hạn (%)", data: t.on_time, borderColor: OK, backgroundColor: OK, borderDash: [6, 3], spanGaps: true }
      ] },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { min: 0, max: 100 } } }
    }));
  }

  function bars(canvas, labels, values, label, horizontal) {
    charts.push(new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: BRAND }] },
      options: { indexAxis: horizontal ? "y" : "x", maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } } }
    }));
  }

  function draw(root) {
    if (typeof Chart === "undefined") return;
    destroyDetached();
    var d = data();
    if (!d) return;
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("canvas[data-gauge]").forEach(function (c) {
      var g = d.gauges.filter(function (x) { return x.id === c.dataset.gauge; })[0];
      if (g && !c.dataset.drawn) { c.dataset.drawn = "1"; gauge(c, g); }
    });
    scope.querySelectorAll("canvas[data-chart]").forEach(function (c) {
      if (c.dataset.drawn) return;
      c.dataset.drawn = "1";
      if (c.dataset.chart === "trend") line(c, d.trend);
      else if (c.dataset.chart === "ranking") bars(c, d.ranking.labels, d.ranking.share, "%", true);
      else if (c.dataset.chart === "cuts") bars(c, d.cuts.labels, d.cuts.counts, "TTHC", false);
    });
  }

  function periodFields() {
    var kind = document.getElementById("id_kind");
    if (!kind) return;
    var show = function () {
      document.querySelectorAll("#chi-so-bo-loc [data-kind]").forEach(function (l) {
        l.hidden = l.dataset.kind.split(" ").indexOf(kind.value) < 0;
      });
    };
    kind.addEventListener("change", show);
    show();
  }

  function start() {
    periodFields();
    draw(document);
    document.body.addEventListener("htmx:afterSettle", function (e) { periodFields(); draw(e.target); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
