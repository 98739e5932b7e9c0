// Product page: option picker, gallery and quantity stepper. The page works without it:
// a plain <select name="sku"> lists every SKU with its price and sold-out state.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
  }

  ready(function () {
    const dataNode = document.getElementById("product-options");
    const form = document.querySelector("[data-buy-form]");
    const data = dataNode ? JSON.parse(dataNode.textContent) : null;
    const i18n = (data && data.i18n) || {};
    // Grouped by hand: the first toLocaleString call loads ICU data, a long task on a slow phone.
    const grouped = (amount) => String(Math.round(Number(amount))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const won = (amount) => format(i18n.won || "{amount}", { amount: grouped(amount) });

    // --- Gallery ------------------------------------------------------------------
    const mainImage = document.querySelector("[data-gallery-main]");
    document.querySelectorAll("[data-gallery-thumb]").forEach((thumb) => {
      thumb.addEventListener("click", (event) => {
        if (!mainImage) return;
        event.preventDefault();
        mainImage.src = thumb.dataset.src;
        if (thumb.dataset.srcset) mainImage.srcset = thumb.dataset.srcset;
        else mainImage.removeAttribute("srcset");
        document.querySelectorAll("[data-gallery-thumb]").forEach((t) => t.classList.toggle("is-active", t === thumb));
      });
    });

    if (!form || !data) return;

    // --- Quantity and total -------------------------------------------------------------
    const quantity = form.querySelector("input[name=quantity]");
    const barPrice = form.querySelector("[data-buy-bar-price]");
    let unitPrice = null;

    function clampQuantity() {
      if (!quantity) return 1;
      const max = parseInt(quantity.max, 10) || 99;
      let value = parseInt(quantity.value, 10);
      if (Number.isNaN(value) || value < 1) value = 1;
      if (value > max) value = max;
      quantity.value = String(value);
      return value;
    }

    function updateTotal() {
      const count = clampQuantity();
      if (barPrice && unitPrice !== null) barPrice.textContent = won(unitPrice * count);
    }

    form.querySelectorAll("[data-step]").forEach((button) => {
      button.addEventListener("click", () => {
        if (!quantity) return;
        quantity.value = String((parseInt(quantity.value, 10) || 1) + parseInt(button.dataset.step, 10));
        updateTotal();
      });
    });
    if (quantity) quantity.addEventListener("change", updateTotal);

    const singleSku = form.querySelector("input[type=hidden][name=sku]");
    if (singleSku) {
      const sku = data.skus.find((s) => String(s.id) === singleSku.value);
      if (sku) unitPrice = sku.price;
      updateTotal();
      return;
    }

    // --- Option picker ------------------------------------------------------------------
    const picker = form.querySelector("[data-option-picker]");
    const skuField = form.querySelector("[data-sku-field]");
    const skuSelect = form.querySelector("select[name=sku]");
    if (!picker || !skuSelect || !data.groups.length) return;

    const groupSelects = Array.from(picker.querySelectorAll("[data-option-group]"));
    const selectedBox = form.querySelector("[data-selected-sku]");
    const selectedLabel = form.querySelector("[data-selected-label]");
    const selectedStock = form.querySelector("[data-selected-stock]");
    const selectedPrice = form.querySelector("[data-selected-price]");

    picker.hidden = false;
    if (skuField) skuField.hidden = true;
    skuSelect.required = false;

    groupSelects.forEach((select) => {
      Array.from(select.options).forEach((option) => {
        option.dataset.label = option.textContent;
      });
    });

    function selection() {
      const chosen = {};
      groupSelects.forEach((select) => {
        if (select.value) chosen[select.dataset.optionGroup] = parseInt(select.value, 10);
      });
      return chosen;
    }

    function matching(chosen, onlyAvailable) {
      const wanted = Object.values(chosen);
      return data.skus.filter((sku) => (!onlyAvailable || sku.available) && wanted.every((id) => sku.values.includes(id)));
    }

    function refresh() {
      const chosen = selection();
      // Mark each value that no available SKU offers together with the other choices.
      groupSelects.forEach((select) => {
        const groupId = select.dataset.optionGroup;
        Array.from(select.options).forEach((option) => {
          if (!option.value) return;
          const candidate = Object.assign({}, chosen, { [groupId]: parseInt(option.value, 10) });
          const available = matching(candidate, true).length > 0;
          option.disabled = !available;
          const skus = matching(candidate, false);
          let text = option.dataset.label;
          if (groupSelects.length === 1 && skus.length === 1 && skus[0].delta) {
            text += ` (${skus[0].delta > 0 ? "+" : "−"}${won(Math.abs(skus[0].delta))})`;
          }
          option.textContent = available ? text : `${text} (${i18n.soldOut})`;
          if (!available && option.selected) select.value = "";
        });
      });

      const complete = groupSelects.every((select) => select.value);
      const sku = complete ? matching(selection(), true)[0] : null;
      skuSelect.value = sku ? String(sku.id) : "";
      if (selectedBox) selectedBox.hidden = !sku;
      if (sku) {
        unitPrice = sku.price;
        if (selectedLabel) selectedLabel.textContent = sku.label;
        if (selectedPrice) selectedPrice.textContent = won(sku.price);
        if (selectedStock) {
          selectedStock.textContent = sku.stock <= (data.fewLeftFrom || 5)
            ? format(i18n.fewLeft, { count: sku.stock }) : i18n.inStock;
          selectedStock.classList.toggle("is-low", sku.stock <= (data.fewLeftFrom || 5));
        }
        if (quantity) quantity.max = String(Math.max(1, Math.min(sku.stock, 99)));
      } else {
        unitPrice = null;
      }
      updateTotal();
    }

    groupSelects.forEach((select) => select.addEventListener("change", refresh));
    form.addEventListener("submit", (event) => {
      if (skuSelect.value) return;
      event.preventDefault();
      const missing = groupSelects.find((select) => !select.value);
      if (missing) missing.focus();
      if (selectedBox && selectedLabel) {
        selectedBox.hidden = false;
        selectedLabel.textContent = i18n.chooseAll;
      }
    });
    refresh();
  });
})();
