/* Dateline's phone header: the "Menu" link opens the header's tools (the
 * site's links, the city, the converter and search) by its #header-tools
 * address without JavaScript; with this script it is a button that shows
 * and hides them in place, says whether they are open, and closes on Escape.
 */
(function () {
  "use strict";

  var toggle = document.querySelector("[data-menu-toggle]");
  var tools = document.getElementById("header-tools");
  if (!toggle || !tools) {
    return;
  }
  toggle.setAttribute("role", "button");
  toggle.setAttribute("aria-expanded", "false");

  function show(open) {
    tools.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    var open = !tools.classList.contains("is-open");
    show(open);
    if (open) {
      var first = tools.querySelector("a, input, select, button");
      if (first) {
        first.focus();
      }
    }
  });
  toggle.addEventListener("keydown", function (event) {
    if (event.key === " ") { // a button answers the space bar too
      event.preventDefault();
      toggle.click();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && tools.classList.contains("is-open")) {
      show(false);
      toggle.focus();
    }
  });
})();
