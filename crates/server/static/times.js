// Shared by the console's and the status page's scripts (each is this file and its own, put
// together when the publisher is built): every <time datetime> reads in the reader's own
// zone and language; the server's UTC text stays in its title.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(document.documentElement.lang || "ru", {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d.getTime())) {
      el.title = el.textContent;
      el.textContent = format.format(d);
    }
  });
})();
