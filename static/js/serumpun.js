// Small improvements only: every page works without this file.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  var button = form.querySelector("button[type=submit]");
  if (button) button.hidden = true;
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", function () { form.submit(); });
  });
});

// The product form: what couriers would bill, updated as the merchant types the weight and box.
document.querySelectorAll("[data-shipping-preview]").forEach(function (box) {
  var form = box.closest("form");
  var names = ["packed_weight_g", "box_length_cm", "box_width_cm", "box_height_cm"];
  var timer = null;
  function refresh() {
    var query = new URLSearchParams();
    names.forEach(function (name) { query.set(name, form.elements[name].value); });
    fetch(box.dataset.shippingPreview + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) box.innerHTML = html; })
      .catch(function () {});
  }
  names.forEach(function (name) {
    form.elements[name].addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
  });
});

// Print buttons on the printable pages (the browser's own Print does the same without this file).
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});

// A buyer's address: only the fields for where they live (a Malaysian state, or a country and region).
// Without this file both groups show and the server only reads the chosen one.
document.querySelectorAll("[data-where]").forEach(function (box) {
  var radios = box.querySelectorAll("input[name=lives_in]");
  function show() {
    var chosen = box.querySelector("input[name=lives_in]:checked");
    box.querySelectorAll("[data-where-group]").forEach(function (group) {
      group.hidden = chosen !== null && group.dataset.whereGroup !== chosen.value;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
});

// The product form: "Add a tier" adds a row here instead of sending the form (without this file the server
// draws the form again with one more row, keeping what was typed and the photos chosen).
document.querySelectorAll("[data-add-tier]").forEach(function (button) {
  var box = button.closest("[data-tiers]");
  var most = parseInt(button.dataset.addTier, 10);
  button.addEventListener("click", function (event) {
    var rows = box.querySelectorAll("[data-tier]");
    if (!rows.length || rows.length >= most) return;
    event.preventDefault();
    var index = rows.length;
    var row = rows[rows.length - 1].cloneNode(true);
    row.querySelectorAll(".field__error").forEach(function (error) { error.remove(); });
    row.querySelectorAll(".field--error").forEach(function (field) { field.classList.remove("field--error"); });
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (element) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(/tiers-\d+-/g, "tiers-" + index + "-"));
      });
      if (element.matches("input")) {
        element.value = "";
        element.removeAttribute("value");
        element.removeAttribute("aria-invalid");
      }
    });
    button.before(row);
    if (index + 1 >= most) button.hidden = true;
    row.querySelector("input").focus();
  });
});

// The product form: the HS codes offered are those of the chosen category (all of them before one is chosen).
document.querySelectorAll("#hs-suggestions").forEach(function (list) {
  var form = list.closest("form");
  var category = form.elements.category;
  var options = Array.prototype.slice.call(list.querySelectorAll("option"));
  var blocks = form.querySelectorAll(".hs-suggestions [data-category]");
  function show() {
    var chosen = options.filter(function (o) { return o.dataset.category === category.value; });
    list.replaceChildren.apply(list, chosen.length ? chosen : options);
    blocks.forEach(function (block) {
      block.hidden = chosen.length > 0 && block.dataset.category !== category.value;
    });
  }
  if (category) { category.addEventListener("change", show); show(); }
});
