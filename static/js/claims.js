// Claim pages (no inline scripts: CSP). The pages work without it.
(function () {
  "use strict";
  // A chosen line is highlighted; choosing a quantity or an option chooses its line.
  document.addEventListener("change", function (event) {
    var line = event.target.closest && event.target.closest(".claim-line");
    if (!line) { return; }
    var box = line.querySelector(".claim-line__check input[type=checkbox]");
    if (!box) { return; }
    if (event.target !== box && event.target.tagName === "SELECT" && event.target.value) { box.checked = true; }
    line.classList.toggle("is-chosen", box.checked);
  });

  // At most five photos: say so at once instead of after the upload.
  document.querySelectorAll(".claim-form input[type=file][multiple]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = 5;
      input.setCustomValidity(input.files.length > max ? (input.getAttribute("data-too-many") || "Max 5") : "");
      if (input.files.length > max) { input.reportValidity(); }
    });
  });

  // Ask before an action that cannot be undone: <form data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
