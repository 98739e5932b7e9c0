// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-autosubmit]")) target.form.submit();
});

// The filter panel is a collapsible <details> on phones and an open sidebar on wide screens.
document.addEventListener("DOMContentLoaded", () => {
  const wide = window.matchMedia("(min-width: 1024px)");
  const panels = document.querySelectorAll("[data-filter-panel]");
  const sync = () => panels.forEach((panel) => { if (wide.matches) panel.open = true; });
  sync();
  wide.addEventListener("change", sync);
});
