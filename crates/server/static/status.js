// The status page's one script (served from this origin, so the CSP stays 'self'). The page
// is whole without it; with it, times read in the reader's own zone (times.js, served as
// part of it), and the page reloads itself when the publisher pushes a new feed.
(function () {
  "use strict";
  if (!window.EventSource) {
    return;
  }
  // The page says which feed it was drawn from; a cache (the browser's, a CDN's) may hand out
  // an older one for its max-age. A newer feed on the stream reloads it, at most twice a
  // minute so a cache still holding the old page cannot make a loop of it.
  var drawn = String(document.body.getAttribute("data-seq"));
  var events = new EventSource("/events");
  events.addEventListener("snapshot", function (e) {
    var seq = null;
    try {
      seq = String(JSON.parse(e.data).seq);
    } catch (err) {
      return;
    }
    var last = 0;
    try {
      last = Number(sessionStorage.getItem("svetofor-reloaded") || 0);
    } catch (err) {
      last = 0;
    }
    if (seq !== drawn && Date.now() - last > 30000) {
      try {
        sessionStorage.setItem("svetofor-reloaded", String(Date.now()));
      } catch (err) {
        // Without storage the guard is this page's life.
      }
      events.close();
      location.reload();
    }
  });
})();
