/* Dateline's city clocks: the server writes a city's local time into each
 * <time data-city-clock="UTC offset in seconds">; this keeps it ticking.
 */
(function () {
  "use strict";

  var clocks = document.querySelectorAll("time[data-city-clock]");
  if (!clocks.length) {
    return;
  }

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function offsetText(seconds) {
    var minutes = Math.abs(seconds) / 60;
    return (seconds < 0 ? "-" : "+") + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }

  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(clocks, function (clock) {
      var offset = Number(clock.getAttribute("data-city-clock"));
      if (!isFinite(offset)) {
        return;
      }
      // The city's wall clock, read through the UTC getters.
      var local = new Date(now + offset * 1000);
      var time = pad(local.getUTCHours()) + ":" + pad(local.getUTCMinutes());
      if (clock.textContent !== time) {
        clock.textContent = time;
        clock.setAttribute(
          "datetime",
          local.getUTCFullYear() + "-" + pad(local.getUTCMonth() + 1) + "-" +
            pad(local.getUTCDate()) + "T" + time + offsetText(offset)
        );
      }
    });
  }

  tick();
  window.setInterval(tick, 10000);
})();
