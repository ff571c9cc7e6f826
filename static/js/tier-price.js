// The product page: the headline unit price, its tier and the line total follow the quantity typed in
// the buy form, from the tier prices the page carries (data-price-steps), without asking the server.
// Without this file the page shows them for the quantity in its address (?qty=, the minimum order).
(function () {
  var box = document.querySelector("[data-price-steps]");
  var input = document.getElementById("buy-quantity");
  if (!box || !input) return;
  var steps = JSON.parse(box.dataset.priceSteps);
  var shownPattern = JSON.parse(box.dataset.moneyShown || "null");
  var idrPattern = JSON.parse(box.dataset.moneyIdr || "null");

  // A whole amount of minor units written as the server writes it (core.templating.money_pattern).
  function format(minor, pattern) {
    var text = minor.toString();
    var whole = text, fraction = "";
    if (pattern.digits > 0) {
      while (text.length < pattern.digits + 1) text = "0" + text;
      whole = text.slice(0, -pattern.digits);
      fraction = text.slice(-pattern.digits);
    }
    var grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, pattern.group);
    return pattern.prefix + grouped + (pattern.digits > 0 ? pattern.decimal + fraction : "") + pattern.suffix;
  }

  function show(selector, text) {
    var element = box.querySelector(selector);
    if (element) element.textContent = text;
  }

  function update() {
    var text = input.value.trim();
    // The cart refuses what is not a whole number from the minimum order: the price stays as it was.
    if (!/^[0-9]{1,7}$/.test(text)) return;
    var quantity = parseInt(text, 10);
    if (quantity < steps[0].min) return;
    var index = 0;
    steps.forEach(function (step, i) { if (quantity >= step.min) index = i; });
    var step = steps[index];
    show("[data-price-headline] .price-tag__main", step.main);
    show("[data-price-headline] .price-tag__idr", step.main_idr);
    show("[data-price-tier]", step.label);
    show("[data-price-quantity]", String(quantity));
    show("[data-price-unit]", step.main);
    // BigInt: minor units times a quantity can pass what a float holds exactly.
    if (shownPattern) show("[data-price-total]", format(BigInt(step.shown) * BigInt(quantity), shownPattern));
    if (idrPattern) show("[data-price-total-idr]", format(BigInt(step.idr) * BigInt(quantity), idrPattern));
    // The buy form may be far below the headline on a phone: say the same beside the quantity.
    var echo = document.querySelector("[data-price-echo]");
    var line = box.querySelector(".price__line");
    if (echo && line) echo.textContent = line.textContent.replace(/\s+/g, " ").trim();
    document.querySelectorAll("[data-price-step]").forEach(function (row) {
      var current = row.dataset.priceStep === String(index);
      row.classList.toggle("tiers-table__current", current);
      if (current) row.setAttribute("aria-current", "true"); else row.removeAttribute("aria-current");
    });
  }

  input.addEventListener("input", update);
})();
