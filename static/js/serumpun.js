// Small improvements only: every page works without this file.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  var button = form.querySelector("button[type=submit]");
  if (button) button.hidden = true;
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", function () { form.submit(); });
  });
});
