// Console coupon form: find products by name or number and add their numbers to a field.
// Without this script the field still takes numbers typed by hand.
(function () {
  "use strict";

  function setup(box) {
    var target = document.getElementById(box.dataset.target);
    var input = box.querySelector("[data-product-search-input]");
    var button = box.querySelector("[data-product-search-button]");
    var results = box.querySelector("[data-product-search-results]");
    if (!target || !input || !button || !results) return;
    box.hidden = false;

    function currentIds() {
      return target.value.split(/[\s,]+/).filter(Boolean);
    }

    function add(id) {
      var ids = currentIds();
      if (ids.indexOf(String(id)) === -1) ids.push(String(id));
      target.value = ids.join(", ");
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(items) {
      results.textContent = "";
      if (!items.length) {
        var empty = document.createElement("li");
        empty.className = "muted";
        empty.textContent = results.dataset.emptyLabel;
        results.appendChild(empty);
        return;
      }
      items.forEach(function (item) {
        var li = document.createElement("li");
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "button button--small";
        pick.textContent = "+ #" + item.id + " " + item.name + " · " + item.seller + " · " +
          item.price.toLocaleString("ko-KR") + "원";
        pick.setAttribute("aria-label", results.dataset.addLabel + ": " + item.name);
        pick.addEventListener("click", function () { add(item.id); pick.disabled = true; });
        li.appendChild(pick);
        results.appendChild(li);
      });
    }

    function search() {
      var query = input.value.trim();
      if (!query) return;
      fetch(box.dataset.url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { show(data.results || []); })
        .catch(function () { show([]); });
    }

    button.addEventListener("click", search);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); search(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-product-search]").forEach(setup);
  });
})();
