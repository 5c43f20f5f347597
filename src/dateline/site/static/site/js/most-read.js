/* Dateline "Most read": three lists become three tabs.
 *
 * Without this script the tabs are links to the lists, and CSS shows the
 * list the address points at (the first one otherwise). With it they are
 * ARIA tabs: one list shown, the arrow keys, Home and End move between tabs.
 */
(function () {
  "use strict";

  function setUp(widget) {
    var tabList = widget.querySelector("[data-most-read-tabs]");
    var panels = widget.querySelectorAll("[data-most-read-panel]");
    var tabs = tabList ? tabList.querySelectorAll("a") : [];
    if (!tabs.length || tabs.length !== panels.length) {
      return;
    }
    widget.classList.add("most-read-tabbed");
    tabList.setAttribute("role", "tablist");
    tabList.setAttribute("aria-labelledby", "most-read-title");

    function select(index, focus) {
      for (var i = 0; i < tabs.length; i++) {
        var chosen = i === index;
        tabs[i].setAttribute("aria-selected", chosen ? "true" : "false");
        tabs[i].tabIndex = chosen ? 0 : -1;
        panels[i].hidden = !chosen;
      }
      if (focus) {
        tabs[index].focus();
      }
    }

    Array.prototype.forEach.call(tabs, function (tab, index) {
      tab.parentNode.setAttribute("role", "presentation");
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panels[index].id);
      panels[index].setAttribute("role", "tabpanel");
      panels[index].setAttribute("aria-labelledby", tab.id);
      panels[index].tabIndex = 0;
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        select(index, false);
      });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") {
          next = (index + 1) % tabs.length;
        } else if (event.key === "ArrowLeft") {
          next = (index - 1 + tabs.length) % tabs.length;
        } else if (event.key === "Home") {
          next = 0;
        } else if (event.key === "End") {
          next = tabs.length - 1;
        }
        if (next !== null) {
          event.preventDefault();
          select(next, true);
        }
      });
    });

    var wanted = 0;
    Array.prototype.forEach.call(panels, function (panel, index) {
      if (window.location.hash === "#" + panel.id) {
        wanted = index;
      }
    });
    select(wanted, false);
  }

  Array.prototype.forEach.call(
    document.querySelectorAll("[data-most-read]"),
    setUp
  );
})();
