// Cart "select all" and the checkout's saved-address chips. Pages work without it.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  const name = all.dataset.checkAll;
  document.querySelectorAll(`input[type=checkbox][name="${name}"]:not(:disabled)`).forEach((box) => { box.checked = all.checked; });
});
document.addEventListener("click", (event) => {
  const chip = event.target.closest("[data-address]");
  if (!chip) return;
  const data = JSON.parse(chip.dataset.address);
  for (const [key, value] of Object.entries(data)) {
    const field = document.querySelector(`[name="${key}"]`);
    if (field) field.value = value;
  }
  chip.parentElement.querySelectorAll(".chip").forEach((c) => c.classList.remove("is-active"));
  chip.classList.add("is-active");
});

// Checkout: a changed coupon recalculates at once through the form's own "recalculate" button
// (never "the first action=apply button": that was the "use all points" one, and changing a
// coupon spent the whole balance). "Use all points" fills the field; the server decides the amount.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-recalculate]");
  if (!select) return;
  const recalculate = select.form.querySelector("[data-recalculate-submit]");
  if (recalculate && select.form.requestSubmit) select.form.requestSubmit(recalculate);
  else if (recalculate) recalculate.click();
});
document.addEventListener("click", (event) => {
  const useAll = event.target.closest("[data-use-all]");
  if (!useAll) return;
  const field = useAll.form.querySelector('[name="points_amount"]');
  if (field) field.value = useAll.dataset.useAll;
});
// The pay button works once: a second click while the first request is on its way does nothing
// (the server also places one order per checkout form, whatever reaches it).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches || !form.matches("form[data-checkout]")) return;
  const pay = event.submitter && event.submitter.matches("[data-pay]") ? event.submitter : null;
  if (!pay) return;
  if (form.dataset.paying === "1") { event.preventDefault(); return; }
  form.dataset.paying = "1";
  window.setTimeout(() => { pay.disabled = true; pay.setAttribute("aria-busy", "true"); }, 0);
});
// Ask before an order is cancelled: <form data-ask="…">.
document.addEventListener("submit", (event) => {
  const question = event.target.getAttribute && event.target.getAttribute("data-ask");
  if (question && !window.confirm(question)) event.preventDefault();
});
// Back from the PG window (the page restored from the browser's cache): the pay button works again;
// the same checkout token then leads to the same order.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-checkout]").forEach((form) => {
    delete form.dataset.paying;
    form.querySelectorAll("[data-pay]").forEach((button) => { button.disabled = false; button.removeAttribute("aria-busy"); });
  });
});
