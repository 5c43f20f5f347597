/* Dateline gallery slideshow.
 *
 * Without this script each photo is a page of its own, and Previous, Next
 * and the thumbnails are plain links. With it they step without a page load,
 * and so do the arrow keys (while focus is on the page or in the slideshow)
 * and a sideways swipe on the photo: the photo's own page is fetched, and
 * its photo, caption and steps take the place of these. The address
 * follows, so Back and Forward step too; focus stays on the control used
 * (on the other step, or the slideshow, when that one ends); the position
 * line, the page's one live region, says where the reader is; the page and
 * the photo the reader is heading to are fetched ahead. Whatever fails
 * falls back to loading the page.
 */
(function () {
  "use strict";

  var show = document.querySelector("[data-slideshow]");
  if (
    !show || !window.fetch || !window.DOMParser || !window.URL ||
    !window.history.pushState || !show.closest || !show.replaceWith
  ) {
    return;
  }
  var strip = document.querySelector(".gallery-strip");
  var position = show.querySelector(".gallery-position");
  var pages = {}; // path -> a promise of that page, parsed
  var shownPath = location.pathname;
  var latest = 0; // the step asked for last is the one shown
  var direction = 1;
  var ahead = document.createElement("div"); // the next photo, loading
  ahead.hidden = true;
  document.body.appendChild(ahead);
  pages[shownPath] = Promise.resolve(document.cloneNode(true));

  function pathOf(href) {
    return new URL(href, location.href).pathname;
  }

  function load(path) {
    if (!pages[path]) {
      pages[path] = fetch(path, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok || response.redirected) {
            throw new Error("Not a photo's page: " + path);
          }
          return response.text();
        })
        .then(function (text) {
          return new DOMParser().parseFromString(text, "text/html");
        });
      pages[path].catch(function () {
        delete pages[path];
      });
    }
    return pages[path];
  }

  function step(which, root) {
    return (root || show).querySelector('[data-step="' + which + '"]');
  }

  function usable(link) {
    return link && link.hasAttribute("href") ? link : null;
  }

  function stripLinks(root) {
    var nav = root === document ? strip : root.querySelector(".gallery-strip");
    return nav ? Array.prototype.slice.call(nav.querySelectorAll("a")) : [];
  }

  function indexOf(path) {
    return stripLinks(document).findIndex(function (link) {
      return pathOf(link.href) === path;
    });
  }

  /* Make an element what the fetched page has in its place, keeping the
   * element itself (and so the focus on it). */
  function copyInto(element, fresh) {
    Array.prototype.slice.call(element.attributes).forEach(function (a) {
      if (!fresh.hasAttribute(a.name)) element.removeAttribute(a.name);
    });
    Array.prototype.forEach.call(fresh.attributes, function (a) {
      element.setAttribute(a.name, a.value);
    });
    if (element.innerHTML !== fresh.innerHTML) {
      while (element.firstChild) element.removeChild(element.firstChild);
      Array.prototype.forEach.call(fresh.childNodes, function (node) {
        element.appendChild(document.importNode(node, true));
      });
    }
  }

  /* The keys that take each step, said where a step can be taken. */
  function markSteps() {
    [["prev", "ArrowLeft"], ["next", "ArrowRight"]].forEach(function (pair) {
      var link = usable(step(pair[0]));
      if (link) link.setAttribute("aria-keyshortcuts", pair[1]);
    });
  }

  function markCurrent(path) {
    stripLinks(document).forEach(function (link) {
      if (pathOf(link.href) !== path) {
        link.removeAttribute("aria-current");
        return;
      }
      link.setAttribute("aria-current", "true");
      var list = link.closest("ol");
      var box = list.getBoundingClientRect();
      var own = link.getBoundingClientRect();
      if (own.left < box.left || own.right > box.right) {
        list.scrollLeft += (own.left + own.right - box.left - box.right) / 2;
      }
    });
  }

  /* Show the fetched page's slide; false when it is not this gallery as
   * shown (an editor changed it since): then the page is loaded instead. */
  function render(doc, path) {
    var fresh = doc.querySelector("[data-slideshow]");
    var freshSlide = fresh && fresh.querySelector("[data-slide]");
    if (!freshSlide || stripLinks(doc).length !== stripLinks(document).length) {
      return false;
    }
    show.querySelector("[data-slide]").replaceWith(
      document.importNode(freshSlide, true)
    );
    copyInto(step("prev"), step("prev", fresh));
    copyInto(step("next"), step("next", fresh));
    markSteps();
    position.textContent = fresh.querySelector(".gallery-position").textContent;
    markCurrent(path);
    document.title = doc.title;
    ['link[rel="canonical"]', 'meta[name="description"]'].forEach(function (s) {
      var mine = document.querySelector(s);
      var theirs = doc.querySelector(s);
      if (mine && theirs) copyInto(mine, theirs);
    });
    return true;
  }

  /* A step link the reader used that now leads nowhere (the last photo's
   * Next) hands the focus to the other step, or to the slideshow. */
  function keepFocus(focused) {
    if (!focused || !focused.hasAttribute("data-step") || usable(focused)) return;
    var other = usable(step(focused.getAttribute("data-step") === "next" ? "prev" : "next"));
    (other || show).focus();
  }

  function fetchAhead() {
    var link = usable(step(direction < 0 ? "prev" : "next")) ||
      usable(step(direction < 0 ? "next" : "prev"));
    if (!link) return;
    var path = pathOf(link.href);
    load(path).then(function (doc) {
      var picture = doc.querySelector("[data-slide] picture, [data-slide] img");
      if (!picture || path === shownPath) return;
      var copy = document.importNode(picture, true);
      var img = copy.tagName === "IMG" ? copy : copy.querySelector("img");
      img.removeAttribute("loading");
      img.setAttribute("fetchpriority", "low");
      while (ahead.firstChild) ahead.removeChild(ahead.firstChild);
      ahead.appendChild(copy);
    }).catch(function () {});
  }

  function go(path, how) {
    if (path === shownPath) return;
    var ticket = ++latest;
    var from = indexOf(shownPath);
    var to = indexOf(path);
    if (from >= 0 && to >= 0) direction = to < from ? -1 : 1;
    load(path).then(function (doc) {
      if (ticket !== latest) return;
      var focused = document.activeElement;
      if (!render(doc, path)) throw new Error("The gallery has changed.");
      shownPath = path;
      if (how.push) history.pushState({ slideshow: path }, "", path);
      keepFocus(focused);
      if (how.reveal && show.getBoundingClientRect().top < 0) {
        show.scrollIntoView();
      }
      fetchAhead();
    }).catch(function () {
      if (ticket !== latest) return;
      if (how.push) location.assign(path);
      else location.replace(path);
    });
  }

  function stepTo(which) {
    var link = usable(step(which));
    if (link) go(pathOf(link.href), { push: true });
  }

  function follow(event) {
    if (
      event.defaultPrevented || event.button !== 0 ||
      event.metaKey || event.ctrlKey || event.shiftKey || event.altKey
    ) {
      return;
    }
    var link = event.target.closest("a[href]");
    if (!link) return;
    event.preventDefault();
    go(pathOf(link.href), { push: true, reveal: !show.contains(link) });
  }

  show.addEventListener("click", follow);
  if (strip) strip.addEventListener("click", follow);

  document.addEventListener("keydown", function (event) {
    var key = event.key;
    if (
      (key !== "ArrowLeft" && key !== "ArrowRight") || event.defaultPrevented ||
      event.altKey || event.ctrlKey || event.metaKey || event.shiftKey
    ) {
      return;
    }
    var target = event.target;
    var onPage = target === document.body || target === document.documentElement ||
      target.id === "main";
    if (!onPage && !show.contains(target)) return;
    event.preventDefault();
    stepTo(key === "ArrowLeft" ? "prev" : "next");
  });

  /* A swipe: one finger (or pen) moved sideways more than it moved up or
   * down. The photo's frame leaves vertical pans to the page (site.css). */
  var touch = null;
  show.addEventListener("pointerdown", function (event) {
    if (!event.isPrimary) {
      touch = null; // a second finger: a pinch, not a swipe
      return;
    }
    if (event.pointerType === "mouse" || !event.target.closest("[data-slide-frame]")) {
      return;
    }
    touch = { id: event.pointerId, x: event.clientX, y: event.clientY };
  });
  show.addEventListener("pointerup", function (event) {
    if (!touch || event.pointerId !== touch.id) return;
    var dx = event.clientX - touch.x;
    var dy = event.clientY - touch.y;
    touch = null;
    if (Math.abs(dx) >= 40 && Math.abs(dx) > 2 * Math.abs(dy)) {
      stepTo(dx < 0 ? "next" : "prev");
    }
  });
  show.addEventListener("pointercancel", function () {
    touch = null;
  });

  window.addEventListener("popstate", function () {
    if (location.pathname !== shownPath) go(location.pathname, { push: false });
  });

  markSteps();
  markCurrent(shownPath);
  fetchAhead();
})();
