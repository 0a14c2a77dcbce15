// The console's one script (served from /console/, so the CSP stays 'self'). Every page
// works without it; with it, times read in the browser's zone (public/times.js, served as
// part of it), typed times are taken in that zone, and the Now page refreshes itself when
// the feed changes.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    zone = "";
  }
  // Minutes east of UTC, as the server adds them to a typed "YYYY-MM-DD HH:MM".
  var offset = String(-new Date().getTimezoneOffset());
  document.querySelectorAll("input[name=tz]").forEach(function (el) {
    el.value = offset;
  });
  document.querySelectorAll("[data-zone]").forEach(function (el) {
    if (zone) {
      el.textContent = zone;
    }
  });
  // "Published." is said once: a reload (the Now page reloads itself) does not say it again.
  if (/[?&]done=/.test(location.search) && window.history && history.replaceState) {
    history.replaceState(null, "", location.pathname);
  }
  // A notice's page says who else has it open, and tells the server this person still has.
  var here = document.getElementById("others");
  if (here && window.fetch) {
    var ask = function () {
      fetch(here.getAttribute("data-here"), { credentials: "same-origin", cache: "no-store" })
        .then(function (r) {
          return r.ok ? r.text() : null;
        })
        .then(function (t) {
          if (t === null) {
            return;
          }
          here.textContent = t;
          here.hidden = t === "";
        })
        .catch(function () {});
    };
    setInterval(ask, 20000);
  }
  // Drafts and alerts from monitoring change the Now page too, without the feed changing.
  if (document.body.getAttribute("data-live") === "1" && window.fetch) {
    var pulse = null;
    var check = function () {
      fetch("/console/pulse", { credentials: "same-origin", cache: "no-store" })
        .then(function (r) {
          return r.ok ? r.text() : null;
        })
        .then(function (t) {
          if (t === null) {
            return;
          }
          if (pulse !== null && t !== pulse) {
            location.reload();
          }
          pulse = t;
        })
        .catch(function () {});
    };
    // The first answer is the page's own state; a later different one means news.
    check();
    setInterval(check, 5000);
  }
  if (document.body.getAttribute("data-live") === "1" && window.EventSource) {
    var seen = null;
    var events = new EventSource("/events");
    events.addEventListener("snapshot", function (e) {
      if (seen !== null && e.lastEventId !== seen) {
        events.close();
        location.reload();
      }
      seen = e.lastEventId;
    });
  }
})();
