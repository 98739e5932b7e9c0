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
