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

// Checkout: a changed coupon recalculates at once; "use all points" fills the field first.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-recalculate]");
  if (!select) return;
  const apply = select.form.querySelector('button[name="action"][value="apply"]');
  if (apply) apply.click();
});
document.addEventListener("click", (event) => {
  const useAll = event.target.closest("[data-use-all]");
  if (!useAll) return;
  const field = useAll.form.querySelector('[name="points_amount"]');
  if (field) field.value = useAll.dataset.useAll;
});
