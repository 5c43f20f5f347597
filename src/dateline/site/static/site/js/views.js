/* Dateline view counting: one beacon per article page seen by a reader.
 *
 * The page may come from a cache or a CDN; the beacon reaches the server all
 * the same. It is sent once the page is actually shown (not while it is
 * prerendered or opened in a background tab). Without JavaScript, the
 * page's <noscript> image does the same.
 */
(function () {
  "use strict";

  var marker = document.querySelector("[data-view-beacon]");
  if (!marker || !window.URLSearchParams) {
    return;
  }
  var url = marker.getAttribute("data-view-beacon");
  var item = marker.getAttribute("data-view-item");
  var sent = false;

  function send() {
    if (sent || document.visibilityState !== "visible" || document.prerendering) {
      return;
    }
    sent = true;
    var body = new URLSearchParams({ item: item });
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body)) && window.fetch) {
      window.fetch(url, { method: "POST", body: body, keepalive: true, credentials: "omit" });
    }
  }

  document.addEventListener("visibilitychange", send);
  document.addEventListener("prerenderingchange", send);
  send();
})();
