// Ticks the server-rendered countdowns once a minute; without scripts they read as rendered.
(function () {
  function words(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    var parts = [];
    if (days) { parts.push(days + " d"); }
    if (hours || days) { parts.push(hours + " h"); }
    parts.push((minutes % 60) + " min");
    return parts.slice(0, 2).join(" ");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-due")) - now;
      el.textContent = (left >= 0 ? "in " : "overdue by ") + words(left);
      el.className = "countdown " + (left >= 0 ? "due" : "overdue");
    });
  }
  setInterval(tick, 60000);
})();
