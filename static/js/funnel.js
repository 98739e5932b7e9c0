/* First-party funnel: tell the shop that a person (a browser running scripts) saw this page, and
   which banners / exhibitions were on screen (GA4 view_promotion). No outside script, no cookie
   read here: the server knows the visit from its own first-party cookies. */
(function () {
  "use strict";
  if (navigator.doNotTrack === "1" || navigator.globalPrivacyControl) { return; }
  var seen = {};
  var queue = [];
  var sent = false;

  function send(final) {
    if (sent && !queue.length) { return; }
    var body = JSON.stringify({ path: location.pathname + location.search, promotions: queue.splice(0, 30) });
    sent = true;
    if (navigator.sendBeacon) {
      navigator.sendBeacon("/e/", new Blob([body], { type: "application/json" }));
    } else if (!final) {
      fetch("/e/", { method: "POST", body: body, credentials: "same-origin", keepalive: true,
                     headers: { "Content-Type": "application/json" } });
    }
  }

  function collect(element) {
    var id = element.getAttribute("data-promo-id");
    if (!id || seen[id]) { return; }
    seen[id] = true;
    queue.push({ id: id, name: element.getAttribute("data-promo-name") || "",
                 creative: element.getAttribute("data-promo-creative") || "",
                 slot: element.getAttribute("data-promo-slot") || "" });
  }

  function start() {
    var promotions = document.querySelectorAll("[data-promo-id]");
    if ("IntersectionObserver" in window && promotions.length) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) { collect(entry.target); observer.unobserve(entry.target); }
        });
      }, { threshold: 0.5 });
      promotions.forEach(function (element) { observer.observe(element); });
    } else {
      promotions.forEach(collect);
    }
    // The first answer goes after the first paint settles; later impressions go when the page is left.
    setTimeout(function () { send(false); }, 800);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && queue.length) { send(true); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
