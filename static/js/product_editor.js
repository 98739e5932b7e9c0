/* Product editor (seller portal and console): options → SKU matrix, notice fields by category,
   bulk row edits. Without this script the form still works: "Apply to the option list" posts
   and the server rebuilds the matrix. */
(function () {
  "use strict";
  var form = document.getElementById("product-editor");
  if (!form) return;
  var body = form.querySelector("[data-matrix-body]");
  var countInput = form.querySelector("[data-row-count]");
  var summary = form.querySelector("[data-matrix-summary]");
  var noOptionsLabel = body && body.querySelector("tr[data-row-label=''] .pe-matrix__label");
  var noOptionsText = noOptionsLabel ? noOptionsLabel.firstChild.textContent : "—";

  function kind() {
    var checked = form.querySelector("input[name=option_kind]:checked");
    return checked ? checked.value : "none";
  }

  function groups() {
    var result = [];
    var limit = kind() === "single" ? 1 : (kind() === "combination" ? 3 : 0);
    form.querySelectorAll("[data-option-group]").forEach(function (row, index) {
      if (index >= limit) return;
      var name = row.querySelector(".pe-option-name").value.trim();
      var values = row.querySelector(".pe-option-values").value.split(",")
        .map(function (v) { return v.trim(); }).filter(function (v) { return v; });
      values = values.filter(function (v, i) { return values.indexOf(v) === i; });
      if (name && values.length) result.push(values);
    });
    return result;
  }

  function combinations(lists) {
    return lists.reduce(function (acc, values) {
      var next = [];
      acc.forEach(function (prefix) { values.forEach(function (v) { next.push(prefix.concat([v])); }); });
      return next;
    }, [[]]);
  }

  function currentRows() {
    var rows = {};
    body.querySelectorAll("tr").forEach(function (tr) {
      var get = function (field) { return tr.querySelector("[data-field=" + field + "]"); };
      rows[tr.getAttribute("data-row-label")] = {
        delta: get("delta").value, stock: get("stock").value, code: get("code").value, active: get("active").checked
      };
    });
    return rows;
  }

  function cell(content, label) {
    var td = document.createElement("td");
    if (content) td.appendChild(content);
    if (label) td.setAttribute("data-label", label);
    return td;
  }
  function input(name, value, type, field, label) {
    var el = document.createElement("input");
    el.className = "input"; el.name = name; el.value = value; el.type = type || "text";
    el.setAttribute("data-field", field); el.setAttribute("aria-label", label);
    return el;
  }

  function rebuild() {
    var old = currentRows();
    var combos = kind() === "none" ? [[]] : combinations(groups());
    var head = form.querySelectorAll(".pe-matrix thead th");
    body.innerHTML = "";
    combos.forEach(function (combo, index) {
      var label = combo.join(" / ");
      var was = old[label] || { delta: "0", stock: "0", code: "", active: true };
      var tr = document.createElement("tr");
      tr.setAttribute("data-row-label", label);
      var first = cell(document.createTextNode(label || noOptionsText));
      first.className = "pe-matrix__label";
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "row-" + index + "-label"; hidden.value = label;
      first.appendChild(hidden);
      tr.appendChild(first);
      tr.appendChild(cell(input("row-" + index + "-delta", was.delta, "number", "delta", head[1].textContent + " " + label),
                          head[1].textContent));
      var stock = input("row-" + index + "-stock", was.stock, "number", "stock", head[2].textContent + " " + label);
      stock.min = "0";
      tr.appendChild(cell(stock, head[2].textContent));
      var code = input("row-" + index + "-code", was.code, "text", "code", head[3].textContent + " " + label);
      code.maxLength = 40;
      tr.appendChild(cell(code, head[3].textContent));
      var active = document.createElement("input");
      active.type = "checkbox"; active.name = "row-" + index + "-active"; active.value = "1"; active.checked = was.active;
      active.setAttribute("data-field", "active"); active.setAttribute("aria-label", head[4].textContent + " " + label);
      var last = cell(active, head[4].textContent); last.className = "pe-matrix__active";
      tr.appendChild(last);
      body.appendChild(tr);
    });
    countInput.value = combos.length;
    if (summary) summary.textContent = summary.textContent.replace(/\d[\d,]*/, combos.length.toLocaleString());
  }

  function showOptionGroups() {
    var k = kind();
    var box = form.querySelector("[data-option-groups]");
    box.hidden = k === "none";
    form.querySelector("[data-matrix-tools]").hidden = k === "none";
    form.querySelectorAll("[data-option-group]").forEach(function (row, index) {
      row.hidden = k === "single" ? index > 0 : false;
    });
  }

  form.querySelectorAll("input[name=option_kind]").forEach(function (radio) {
    radio.addEventListener("change", function () { showOptionGroups(); rebuild(); });
  });
  var apply = form.querySelector("[data-apply-options]");
  if (apply) apply.addEventListener("click", function (event) { event.preventDefault(); rebuild(); });
  form.querySelectorAll(".pe-option-values, .pe-option-name").forEach(function (el) {
    el.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); rebuild(); }
    });
  });
  var bulk = form.querySelector("[data-bulk-apply]");
  if (bulk) bulk.addEventListener("click", function () {
    ["delta", "stock"].forEach(function (field) {
      var value = form.querySelector("[data-bulk=" + field + "]").value;
      if (value === "") return;
      body.querySelectorAll("[data-field=" + field + "]").forEach(function (el) { el.value = value; });
    });
  });

  // Notice fields: only those of the chosen category's group.
  var groupsData = document.getElementById("notice-groups");
  var groupOf = groupsData ? JSON.parse(groupsData.textContent) : {};
  var category = form.querySelector("select[name=category]");
  function showNotice() {
    var group = groupOf[category.value] || "other";
    form.querySelectorAll("[data-notice-fields] [data-groups]").forEach(function (row) {
      row.hidden = row.getAttribute("data-groups").split(" ").indexOf(group) < 0;
    });
  }
  if (category) { category.addEventListener("change", showNotice); showNotice(); }
  var fill = form.querySelector("[data-notice-fill]");
  if (fill) fill.addEventListener("click", function () {
    form.querySelectorAll("[data-notice-fields] [data-groups]:not([hidden]) input").forEach(function (el) {
      if (!el.value.trim()) el.value = "상품상세 참조";
    });
  });

  // Name length and the discount the prices make.
  form.querySelectorAll("[data-count-for]").forEach(function (counter) {
    var target = document.getElementById(counter.getAttribute("data-count-for"));
    var update = function () { counter.textContent = target.value.length; };
    target.addEventListener("input", update); update();
  });
  var listPrice = form.querySelector("[name=list_price_amount]");
  var salePrice = form.querySelector("[name=sale_price_amount]");
  var discount = form.querySelector("[data-discount]");
  var helpText = discount ? discount.textContent : "";
  function showDiscount() {
    var l = parseInt(listPrice.value, 10), s = parseInt(salePrice.value, 10);
    if (l > 0 && s > 0 && s < l) {
      discount.textContent = helpText + " (" + Math.floor((l - s) * 100 / l) + "% ↓)";
    } else { discount.textContent = helpText; }
  }
  if (listPrice && salePrice && discount) {
    listPrice.addEventListener("input", showDiscount); salePrice.addEventListener("input", showDiscount); showDiscount();
  }
  showOptionGroups();

  // Images: drag and drop (with a mouse) reorders them and posts the whole order; the buttons
  // stay for phones, where HTML drag and drop does not work with a finger, and without script.
  var imageList = document.querySelector("[data-image-order]");
  var orderForm = imageList && document.getElementById(imageList.getAttribute("data-image-order"));
  var finePointer = window.matchMedia && window.matchMedia("(pointer: fine)").matches;
  if (imageList && orderForm && finePointer && "draggable" in imageList && imageList.children.length > 1) {
    var dragged = null;
    var hint = document.querySelector("[data-drag-hint]");
    if (hint) hint.hidden = false;
    Array.prototype.forEach.call(imageList.children, function (item) {
      item.draggable = true;
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.getAttribute("data-image-id"));
      });
      item.addEventListener("dragend", function () { item.classList.remove("is-dragging"); dragged = null; });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged === item) return;
        event.preventDefault();
        var box = item.getBoundingClientRect();
        var after = (event.clientX - box.left) > box.width / 2;
        imageList.insertBefore(dragged, after ? item.nextSibling : item);
      });
      item.addEventListener("drop", function (event) { event.preventDefault(); });
    });
    imageList.addEventListener("drop", function (event) {
      event.preventDefault();
      var ids = Array.prototype.map.call(imageList.children, function (item) {
        return item.getAttribute("data-image-id");
      });
      var input = orderForm.querySelector("input[name=order]");
      if (input.value === ids.join(",")) return;
      input.value = ids.join(",");
      orderForm.submit();
    });
  }
})();
