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
