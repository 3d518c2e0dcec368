// Small helpers around htmx: focus, announcements, errors, cancel buttons.
// Everything works without this file; it only makes in-place updates pleasant.
(function () {
  "use strict";

  function announce(text) {
    var live = document.getElementById("live-status");
    if (live && text) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
  }

  function flash(text) {
    var box = document.getElementById("flash");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
    window.setTimeout(function () { box.hidden = true; }, 6000);
  }

  // After a swap: focus what the fragment asked for (a new comment, a form's
  // first field) and read out what it announced, so keyboard and screen-reader
  // users know what happened.
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("[data-focus]");
    if (target) { target.removeAttribute("data-focus"); target.focus(); }
    document.querySelectorAll("[data-announce]").forEach(function (node) {
      announce(node.getAttribute("data-announce"));
      node.removeAttribute("data-announce");
      // A bare marker (class "announce") goes, so the slot it came in is empty again.
      if (node.classList.contains("announce")) { node.remove(); }
    });
  });

  // A form loaded into a comment's slot: focus its first field.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("comment-slot")) {
      var field = target.querySelector("textarea, input[type=radio], input:not([type=hidden]), button");
      if (field) { field.focus(); }
    }
    // A card swapped in for the one that held focus (after "Delete comment"):
    // keep the keyboard user's place instead of dropping focus to the page.
    var swapped = event.target;
    if (document.activeElement === document.body && swapped.classList && swapped.classList.contains("comment")) {
      swapped.focus();
    }
  });

  // An error answer (403, 404, 429...): say why instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var text = document.body.getAttribute("data-text-error") || "Something went wrong. Please reload the page and try again.";
    try {
      var doc = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
      var message = doc.querySelector(".error-message");
      if (message) { text = message.textContent.trim(); }
    } catch (e) { /* keep the generic text */ }
    flash(text);
    announce(text);
  });

  // A "Print" button (no inline handlers: the page's scripts live here).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  // "Cancel" in a form loaded into a slot: empty the slot and give focus back.
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-dismiss-slot]");
    var slot = cancel && cancel.closest(".comment-slot");
    if (!slot) { return; }
    event.preventDefault();
    slot.innerHTML = "";
    var card = slot.closest(".comment");
    if (card) { card.focus(); }
  });
})();
