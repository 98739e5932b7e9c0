// Console helpers (no inline scripts: CSP). Loaded with defer.
(function () {
  "use strict";
  // Ask before a destructive or bulk action: <form data-confirm="Are you sure?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // One click is enough: disable the button so a double click does not submit twice.
    var button = form.querySelector && form.querySelector("button[type=submit]");
    if (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });

  // List the chosen files under a multiple file input: <input type=file data-file-list="id">.
  var maxBytes = 10 * 1024 * 1024;
  document.querySelectorAll("input[type=file][data-file-list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-file-list"));
    if (!list) { return; }
    input.addEventListener("change", function () {
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        var megabytes = (file.size / 1024 / 1024).toFixed(1);
        item.textContent = file.name + " (" + megabytes + " MB)";
        if (file.size > maxBytes) { item.className = "is-too-large"; }
        list.appendChild(item);
      });
    });
  });
})();

// Order console: "select all" for the bulk checkboxes, and the waybill upload progress bar.
(function () {
  "use strict";
  // <input type=checkbox data-select-all="lines"> toggles every checkbox named "lines".
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var boxes = function () { return document.querySelectorAll("input[type=checkbox][name='" + name + "']"); };
    master.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = master.checked; });
    });
    document.addEventListener("change", function (event) {
      if (event.target.name !== name) { return; }
      var all = boxes();
      var checked = Array.prototype.filter.call(all, function (box) { return box.checked; }).length;
      master.checked = checked > 0 && checked === all.length;
      master.indeterminate = checked > 0 && checked < all.length;
    });
  });

  // <div data-progress-url=… data-done-url=…>: poll the JSON, move the bar, go on when finished.
  var card = document.querySelector("[data-progress-url]");
  if (!card || !window.fetch) { return; }
  var bar = card.querySelector("progress");
  var label = card.querySelector("[data-progress-label]");
  var poll = function () {
    fetch(card.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 3000); return; }
        if (bar) { bar.max = state.total || 1; bar.value = state.done; bar.textContent = state.percent + "%"; }
        if (label) { label.textContent = state.done.toLocaleString() + " / " + state.total.toLocaleString(); }
        if (state.finished) { window.location.assign(state.next_url || card.getAttribute("data-done-url")); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  };
  window.setTimeout(poll, 500);
})();
