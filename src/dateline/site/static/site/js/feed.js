/* Dateline news feed: the next rows arrive as the reader nears the end.
 *
 * Without this script the "More news" link opens the next page. With it, the
 * same URL is fetched with partial=1 and its rows are appended; a day that
 * continues across the join keeps one date header; the address follows the
 * page the reader is looking at, and Back returns to the same row.
 */
(function () {
  "use strict";

  var feed = document.querySelector("[data-feed]");
  if (!feed || !window.fetch || !window.IntersectionObserver || !window.URL) {
    return;
  }
  var status = feed.querySelector("[data-feed-status]");
  var loading = false;
  var failed = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function moreBox() {
    return feed.querySelector("[data-feed-more-box]");
  }

  function chunks() {
    return feed.querySelectorAll("[data-feed-chunk]");
  }

  function lastDay() {
    var days = feed.querySelectorAll(".feed-day");
    return days.length ? days[days.length - 1] : null;
  }

  /* Move the rows of a day that continues the previous page into that day. */
  function joinContinuedDay(chunk) {
    var first = chunk.querySelector(".feed-day");
    var previous = lastDay();
    if (!first || !previous || !first.hasAttribute("data-continued")) {
      return null;
    }
    if (first.getAttribute("data-day") !== previous.getAttribute("data-day")) {
      return null;
    }
    var list = previous.querySelector(".feed-list");
    var rows = Array.prototype.slice.call(first.querySelectorAll(".feed-item"));
    rows.forEach(function (row) {
      list.appendChild(row);
    });
    first.parentNode.removeChild(first);
    return rows[0] || null;
  }

  function append(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var chunk = template.content.querySelector("[data-feed-chunk]");
    var nextBox = template.content.querySelector("[data-feed-more-box]");
    var box = moreBox();
    if (!chunk || !box) {
      throw new Error("unexpected response");
    }
    var joinedFirst = joinContinuedDay(chunk);
    var firstNew = joinedFirst || chunk.querySelector(".feed-item");
    var count = chunk.querySelectorAll(".feed-item").length + (joinedFirst ? 1 : 0);
    var allChunks = chunks();
    var last = allChunks[allChunks.length - 1];
    last.parentNode.insertBefore(chunk, last.nextSibling);
    if (nextBox) {
      box.parentNode.replaceChild(nextBox, box);
      watchMore();
    } else {
      box.parentNode.removeChild(box);
    }
    return { first: firstNew, count: count, end: !nextBox };
  }

  function load(link, moveFocus) {
    if (loading || failed) {
      return;
    }
    loading = true;
    var label = link.textContent;
    link.textContent = "Loading…";
    link.setAttribute("aria-busy", "true");
    say("Loading more news…");
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("partial", "1");
    fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var result = append(html);
        say(result.count + " more items loaded." + (result.end ? " That is all the news." : ""));
        if (moveFocus && result.first) {
          var target = result.first.querySelector("a");
          if (target) {
            target.focus();
          }
        }
      })
      .catch(function () {
        failed = true;  // from now on the link simply opens the next page
        link.textContent = label;
        link.removeAttribute("aria-busy");
        say("More news could not be loaded here; the link opens the next page.");
      })
      .then(function () {
        loading = false;
      });
  }

  var moreObserver = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          load(entry.target, false);
        }
      });
    },
    { rootMargin: "0px 0px 800px 0px" }
  );

  function watchMore() {
    moreObserver.disconnect();
    var link = feed.querySelector("[data-feed-more]");
    if (link) {
      moreObserver.observe(link);
    }
  }

  feed.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-feed-more]");
    if (!link || failed || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    load(link, true);
  });

  /* The address follows the page the reader is in; the state remembers the row.
   * Rows of a day that continued across a join sit in the previous page's
   * list, and that page's address shows them too. */
  function firstVisibleRow() {
    var rows = feed.querySelectorAll(".feed-item");
    for (var i = 0; i < rows.length; i += 1) {
      var box = rows[i].getBoundingClientRect();
      if (box.bottom > 0) {
        return { row: rows[i], top: box.top };
      }
    }
    return null;
  }

  var pending = false;
  function remember() {
    pending = false;
    var visible = firstVisibleRow();
    var link = visible && visible.row.querySelector(".feed-headline");
    var chunk = visible && visible.row.closest("[data-feed-chunk]");
    var url = chunk && chunk.getAttribute("data-url");
    if (!link || !url) {
      return;
    }
    var state = { feedRow: link.getAttribute("href"), feedTop: visible.top };
    window.history.replaceState(state, "", url);
  }

  window.addEventListener(
    "scroll",
    function () {
      if (!pending) {
        pending = true;
        window.setTimeout(remember, 200);
      }
    },
    { passive: true }
  );

  /* Back to this page: put the remembered row where it was. */
  function restore() {
    var state = window.history.state;
    if (!state || !state.feedRow) {
      return;
    }
    var links = feed.querySelectorAll(".feed-headline");
    for (var i = 0; i < links.length; i += 1) {
      if (links[i].getAttribute("href") === state.feedRow) {
        var row = links[i].closest(".feed-item");
        window.scrollTo(0, window.scrollY + row.getBoundingClientRect().top - state.feedTop);
        return;
      }
    }
  }

  if ("scrollRestoration" in window.history) {
    window.history.scrollRestoration = "manual";
  }
  watchMore();
  restore();
})();
