// The page's today / this week / this month cards and the 7-day sparkline, from
// GET /api/dashboard/stats and GET /api/dashboard/sparklines (same session).
(function () {
  "use strict";

  var STATS_URL = "/api/dashboard/stats";
  var SPARKLINES_URL = "/api/dashboard/sparklines";
  var sparkline = null;
  var timer = null;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + " failed: " + r.status); }
        return r.json();
      });
  }

  function renderCards(stats) {
    document.querySelectorAll("[data-dash]").forEach(function (el) {
      var value = stats[el.getAttribute("data-dash")];
      el.textContent = value == null ? "–" : String(value);
    });
  }

  function renderSparkline(lines) {
    var config = {
      type: "line",
      data: {
        labels: lines.days.map(function (d) { return d.date; }),
        datasets: [{ data: lines.days.map(function (d) { return d.hours; }),
          borderColor: "#3b82f6", backgroundColor: "rgba(59, 130, 246, .15)",
          fill: true, cubicInterpolationMode: "monotone", pointRadius: 2 }]
      },
      options: { maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { display: false }, y: { display: false, beginAtZero: true } } }
    };
    if (sparkline) {
      sparkline.data = config.data;
      sparkline.update();
    } else {
      sparkline = new Chart(document.getElementById("sparkline-chart"), config);
    }
  }

  function load() {
    return Promise.all([getJSON(STATS_URL), getJSON(SPARKLINES_URL)])
      .then(function (answers) {
        renderCards(answers[0]);
        renderSparkline(answers[1]);
        document.body.setAttribute("data-overview", "ready");
        // A running timer counts up: refresh each minute then, else every 5 minutes.
        if (timer) { clearTimeout(timer); }
        timer = setTimeout(load, answers[0].timer_running ? 60000 : 300000);
      })
      .catch(function (err) {
        document.body.setAttribute("data-overview", "failed");
        console.warn(err.message);
      });
  }

  function start() {
    document.getElementById("refresh").addEventListener("click", load);
    load();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
