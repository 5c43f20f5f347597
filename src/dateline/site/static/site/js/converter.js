/* Dateline's header converter: the form opens the converter page; with this
 * script the result appears beside it as the reader types or picks. It asks
 * the same page for the same answer and reads its result line.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-converter]");
  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams) {
    return;
  }
  var output = form.querySelector("[data-converter-result]");
  var timer = null;
  var asked = 0;

  function update() {
    var number = ++asked;
    var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    window.fetch(url, { headers: { Accept: "text/html" }, credentials: "omit" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (number !== asked) {
          return; // a newer question is on its way
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        var found = page.querySelector("[data-conversion] strong") ||
          page.querySelector(".form-errors p");
        output.textContent = found ? found.textContent : "";
      })
      .catch(function () {
        output.textContent = "";
      });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 300);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
})();
