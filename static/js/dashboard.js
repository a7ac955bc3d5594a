/* The Posyantek dashboard's charts (templates/reports/dashboard.html), drawn with the vendored
   Chart.js from the numbers the server puts in #revenue-data. Labels come from the server in
   the page language; without JavaScript the same numbers are in the page's tables and lists.
   The chart boxes come hidden and the revenue table open: a box is shown only once its chart
   is drawn, and then the table folds away (still one tap from "Show the numbers"). */
(function () {
  "use strict";
  var source = document.getElementById("revenue-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var language = document.documentElement.lang || "id";
  var number = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 0 });
  // Axis ticks short, in the page language ("20 jt", "500 rb"); tooltips keep "Rp 20.000.000".
  var compact = new Intl.NumberFormat(language === "en" ? "en" : "id-ID", {
    notation: "compact",
    maximumFractionDigits: 1
  });
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var green = "#14532d";
  var light = "#7fbf94";
  var amber = "#b45309";

  function rupiah(value) {
    var sign = value < 0 ? "−" : "";
    return sign + data.text.currency + " " + number.format(Math.abs(value));
  }

  function short(value) {
    return (value < 0 ? "−" : "") + compact.format(Math.abs(value));
  }

  function show(canvas) {
    var box = canvas.parentElement;
    if (box) {
      box.hidden = false;
    }
  }

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = reduced ? false : { duration: 250 };
  Chart.defaults.locale = language;

  var revenue = document.getElementById("revenue-chart");
  if (revenue) {
    show(revenue);
    new Chart(revenue, {
      data: {
        labels: data.labels,
        datasets: [
          {
            type: "bar",
            label: data.text.gross,
            data: data.gross,
            backgroundColor: light,
            borderColor: green,
            borderWidth: 1,
            maxBarThickness: 48,
            order: 2
          },
          {
            type: "line",
            label: data.text.net,
            data: data.net,
            borderColor: amber,
            backgroundColor: amber,
            borderWidth: 2,
            pointRadius: data.labels.length > 40 ? 0 : 3,
            pointStyle: "rectRot",
            tension: 0,
            order: 1
          }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 0 } },
          y: {
            beginAtZero: true,
            ticks: { callback: function (value) { return short(value); }, maxTicksLimit: 6 }
          }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + rupiah(context.parsed.y);
              }
            }
          }
        }
      }
    });
    var table = document.getElementById("revenue-table");
    if (table) {
      table.open = false;
    }
  }

  var statuses = document.getElementById("status-chart");
  if (statuses && data.status.counts.length) {
    show(statuses);
    new Chart(statuses, {
      type: "bar",
      data: {
        labels: data.status.labels,
        datasets: [
          {
            label: data.text.orders,
            data: data.status.counts,
            backgroundColor: green,
            maxBarThickness: 28
          }
        ]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } }
      }
    });
  }
})();
