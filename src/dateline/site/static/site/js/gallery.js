// The gallery viewer: without this script the page is a plain list of figures.
// With it, each photo gets a button that opens a modal viewer (a <dialog>)
// with Previous / Next buttons, the arrow keys, Escape to close, and
// "Photo N of M" announced on each change. Focus returns to the button that
// opened it.
(function () {
  "use strict";
  var gallery = document.querySelector("[data-gallery]");
  if (!gallery || typeof HTMLDialogElement !== "function") return;
  var items = Array.prototype.slice.call(
    gallery.querySelectorAll("[data-gallery-item]")
  );
  if (!items.length) return;

  var current = 0;
  var opener = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  var dialog = element("dialog", "viewer");
  dialog.setAttribute("aria-labelledby", "viewer-title");
  var title = element("h2", "visually-hidden", "Photo viewer");
  title.id = "viewer-title";
  var status = element("p", "viewer-status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("aria-atomic", "true");
  var frame = element("div", "viewer-frame");
  var controls = element("div", "viewer-controls");
  var previous = element("button", "viewer-previous", "Previous");
  var next = element("button", "viewer-next", "Next");
  var close = element("button", "viewer-close", "Close");
  [previous, next, close].forEach(function (button) {
    button.type = "button";
    controls.appendChild(button);
  });
  previous.setAttribute("aria-keyshortcuts", "ArrowLeft");
  next.setAttribute("aria-keyshortcuts", "ArrowRight");
  close.setAttribute("aria-keyshortcuts", "Escape");
  dialog.appendChild(title);
  dialog.appendChild(status);
  dialog.appendChild(frame);
  dialog.appendChild(controls);
  document.body.appendChild(dialog);

  function show(index) {
    current = (index + items.length) % items.length;
    var figure = items[current].querySelector("figure").cloneNode(true);
    var img = figure.querySelector("img");
    if (img) {
      img.removeAttribute("loading");
      var sources = figure.querySelectorAll("source, img[srcset]");
      Array.prototype.forEach.call(sources, function (source) {
        source.setAttribute("sizes", "100vw");
      });
    }
    frame.replaceChildren(figure);
    status.textContent = "Photo " + (current + 1) + " of " + items.length;
    previous.disabled = items.length < 2;
    next.disabled = items.length < 2;
  }

  function open(index, button) {
    opener = button;
    show(index);
    dialog.showModal();
    next.focus();
  }

  dialog.addEventListener("close", function () {
    frame.replaceChildren();
    if (opener) opener.focus();
  });
  previous.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  close.addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") {
      event.preventDefault();
      show(current - 1);
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      show(current + 1);
    }
  });
  // A click on the backdrop (outside the dialog's box) closes it too.
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close();
  });

  items.forEach(function (item, index) {
    var button = element("button", "gallery-open", "View larger");
    button.type = "button";
    button.setAttribute(
      "aria-label",
      "View larger: photo " + (index + 1) + " of " + items.length
    );
    button.addEventListener("click", function () { open(index, button); });
    item.appendChild(button);
  });
})();
