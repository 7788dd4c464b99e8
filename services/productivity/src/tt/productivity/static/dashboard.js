// The /dashboard/productivity page: draws the charts and the heatmap from the stats the
// server embedded, and refreshes them from GET /api/productivity/stats (same session).
(function () {
  "use strict";

  var STATS_URL = "/api/productivity/stats";
  var charts = {};

  function readEmbedded() {
    return JSON.parse(document.getElementById("productivity-data").textContent);
  }

  function lookup(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
  }

  function shortDate(iso) {
    var parts = iso.split("-");
    return parts[1] + "/" + parts[2];
  }

  function hasData(stats) {
    return stats.streak.longest_streak > 0;
  }

  function renderFields(stats) {
    document.querySelectorAll("[data-field]").forEach(function (el) {
      var value = lookup(stats, el.getAttribute("data-field"));
      el.textContent = value == null ? "–" : String(value);
    });
    document.getElementById("deep-work-percent").textContent =
      String(Math.round(stats.focus.deep_work_share * 100));
    document.getElementById("timer-state").textContent =
      stats.summary.active_timer ? "Timer running" : "No timer running";
    var insights = document.getElementById("insights");
    insights.replaceChildren.apply(insights, stats.insights.map(function (tip) {
      var li = document.createElement("li");
      li.textContent = tip;
      return li;
    }));
    document.getElementById("empty-state").hidden = hasData(stats);
    document.getElementById("charts").hidden = !hasData(stats);
  }

  function upsertChart(id, config) {
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update();
      return;
    }
    charts[id] = new Chart(document.getElementById(id), config);
  }

  function renderCharts(stats) {
    var daily = stats.daily_breakdown;
    upsertChart("daily-chart", {
      type: "bar",
      data: {
        labels: daily.map(function (d) { return shortDate(d.date); }),
        datasets: [
          { label: "Hours", data: daily.map(function (d) { return d.hours; }),
            backgroundColor: "#3b82f6" },
          { label: "Goal", type: "line", data: daily.map(function (d) { return d.goal_hours; }),
            borderColor: "#9ca3af", borderDash: [6, 4], pointRadius: 0, fill: false }
        ]
      },
      options: { maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: "hours" } } } }
    });
    var projects = stats.projects;
    upsertChart("projects-chart", {
      type: "doughnut",
      data: {
        labels: projects.map(function (p) { return p.name; }),
        datasets: [{ data: projects.map(function (p) { return p.hours; }),
          backgroundColor: projects.map(function (p) { return p.color; }) }]
      },
      options: { maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom" } } }
    });
    var hours = stats.focus.hour_distribution;
    upsertChart("hours-chart", {
      type: "bar",
      data: {
        labels: hours.map(function (_, h) { return String(h).padStart(2, "0"); }),
        datasets: [{ label: "Hours", data: hours, backgroundColor: "#10b981" }]
      },
      options: { maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
  }

  function renderHeatmap(stats) {
    var grid = document.getElementById("heatmap");
    var cells = [];
    if (stats.heatmap.length) {
      // Rows are weekdays (Monday first): pad the first column up to the first day.
      var first = new Date(stats.heatmap[0].date + "T00:00:00Z");
      var padding = (first.getUTCDay() + 6) % 7;
      for (var i = 0; i < padding; i++) {
        var blank = document.createElement("i");
        blank.className = "pad";
        cells.push(blank);
      }
    }
    stats.heatmap.forEach(function (day) {
      var cell = document.createElement("i");
      cell.className = "cell level-" + day.level;
      cell.setAttribute("data-date", day.date);
      cell.setAttribute("role", "gridcell");
      cell.title = day.date + ": " + day.hours + " h";
      cells.push(cell);
    });
    grid.replaceChildren.apply(grid, cells);
  }

  function render(stats) {
    renderFields(stats);
    renderHeatmap(stats);
    if (hasData(stats)) {
      renderCharts(stats);
    }
    document.body.setAttribute("data-rendered", "true");
    schedule(stats);
  }

  var timer = null;
  function schedule(stats) {
    if (timer) { clearTimeout(timer); }
    var every = stats.summary.active_timer ? 60000 : 300000;
    timer = setTimeout(function () {
      if (document.visibilityState === "visible") { refresh(); } else { schedule(stats); }
    }, every);
  }

  function refresh() {
    return fetch(STATS_URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("stats request failed: " + r.status); }
        return r.json();
      })
      .then(render)
      .catch(function (err) { console.warn(err.message); });
  }

  function start() {
    document.getElementById("refresh").addEventListener("click", refresh);
    render(readEmbedded());
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
