/* Product page: load the reviews and Q&A fragments when their section comes near the screen.
   Without JavaScript each section keeps its link to the full page. */
(function () {
  "use strict";
  /* Answer templates: picking one fills the answer box (console and seller center). */
  document.querySelectorAll("[data-fill-target]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.value) document.getElementById(select.dataset.fillTarget).value = select.value;
    });
  });
  function load(section) {
    if (section.dataset.vocLoaded) return;
    section.dataset.vocLoaded = "1";
    fetch(section.dataset.vocSrc, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fallback = section.querySelector("[data-voc-fallback]");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        if (fallback) fallback.replaceWith(holder); else section.appendChild(holder);
      })
      .catch(function () { /* the link stays */ });
  }
  var sections = document.querySelectorAll("[data-voc-src]");
  if (!("IntersectionObserver" in window)) { sections.forEach(load); return; }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) { if (entry.isIntersecting) { load(entry.target); observer.unobserve(entry.target); } });
  }, { rootMargin: "400px" });
  sections.forEach(function (section) { observer.observe(section); });
})();
