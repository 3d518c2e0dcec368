// @mentions in comment boxes: as a member types "@" and the first letters of a
// name, offer the members they may mention (a WAI-ARIA combobox with a listbox).
// Up/Down choose, Enter or Tab picks, Escape closes; the count is announced.
// Without this file nothing is lost: the server reads a typed @username itself.
(function () {
  "use strict";

  // "@" at the start or after a character that cannot be in a name (so not in
  // an email address), then the letters typed so far, right before the caret.
  var TYPED = /(^|[^\p{L}\p{N}_.+@-])@([\p{L}\p{N}_.+-]{0,30})$/u;
  var DELAY = 150; // ms after the last key before asking the server
  var counter = 0;

  function say(box, text) {
    box.live.textContent = "";
    window.setTimeout(function () { box.live.textContent = text; }, 50);
  }

  function phrase(form, name, values) {
    var text = form.getAttribute("data-mentions-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.replace("{" + key + "}", values[key]); });
    return text;
  }

  // Make `textarea` a combobox the first time it is used.
  function setUp(textarea) {
    if (textarea.mentionBox) { return textarea.mentionBox; }
    var form = textarea.form;
    var id = "mentions-" + (++counter);
    var list = document.createElement("ul");
    list.id = id + "-list";
    list.className = "mention-list list-unstyled";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", phrase(form, "label"));
    list.hidden = true;
    var live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", live);
    textarea.setAttribute("role", "combobox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-expanded", "false");
    textarea.setAttribute("aria-controls", list.id);
    // Keep the focus in the box when an option is clicked.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { pick(box, option); }
    });
    var box = { textarea: textarea, form: form, list: list, live: live, id: id, timer: null, asked: 0, start: -1 };
    textarea.mentionBox = box;
    return box;
  }

  function options(box) { return Array.prototype.slice.call(box.list.querySelectorAll("[role=option]")); }

  function activate(box, index) {
    var all = options(box);
    all.forEach(function (option, n) { option.setAttribute("aria-selected", n === index ? "true" : "false"); });
    if (all[index]) {
      box.textarea.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      box.textarea.removeAttribute("aria-activedescendant");
    }
  }

  function activeIndex(box) {
    return options(box).findIndex(function (option) { return option.getAttribute("aria-selected") === "true"; });
  }

  function close(box) {
    box.asked++; // an answer still on its way is no longer wanted
    window.clearTimeout(box.timer);
    box.list.hidden = true;
    box.list.textContent = "";
    box.textarea.setAttribute("aria-expanded", "false");
    box.textarea.removeAttribute("aria-activedescendant");
    box.start = -1;
  }

  function isOpen(box) { return !box.list.hidden; }

  function show(box, members) {
    box.list.textContent = "";
    members.forEach(function (member, n) {
      var option = document.createElement("li");
      option.id = box.id + "-option-" + n;
      option.className = "mention-option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-username", member.username);
      var name = document.createElement("span");
      name.className = "mention-name";
      name.textContent = member.name;
      var username = document.createElement("span");
      username.className = "mention-username text-muted";
      username.textContent = "@" + member.username;
      option.append(name, " ", username);
      box.list.appendChild(option);
    });
    if (!members.length) {
      close(box);
      say(box, phrase(box.form, "none"));
      return;
    }
    box.list.hidden = false;
    box.textarea.setAttribute("aria-expanded", "true");
    activate(box, 0);
    say(box, members.length === 1 ? phrase(box.form, "one") : phrase(box.form, "many", { count: members.length }));
  }

  function ask(box, typed) {
    var asked = ++box.asked;
    var url = box.form.getAttribute("data-mentions");
    url += (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(typed);
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (asked !== box.asked) { return; }
        if (answer.error) { close(box); say(box, answer.error); return; }
        show(box, answer.members || []);
      })
      .catch(function () { if (asked === box.asked) { close(box); } });
  }

  // What was typed since the "@" before the caret, if the caret follows one.
  function typedName(textarea) {
    if (textarea.selectionStart !== textarea.selectionEnd) { return null; }
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = TYPED.exec(before);
    if (!match) { return null; }
    return { start: before.length - match[2].length - 1, text: match[2] };
  }

  function pick(box, option) {
    var textarea = box.textarea;
    var typed = typedName(textarea);
    if (!typed) { close(box); return; }
    var username = option.getAttribute("data-username");
    var after = textarea.value.slice(textarea.selectionStart);
    var inserted = "@" + username + (/^\s/.test(after) ? "" : " ");
    textarea.value = textarea.value.slice(0, typed.start) + inserted + after;
    var caret = typed.start + inserted.length;
    textarea.setSelectionRange(caret, caret);
    close(box);
    say(box, phrase(box.form, "picked", { name: option.querySelector(".mention-name").textContent }));
  }

  function comboboxTextarea(target) {
    return target && target.tagName === "TEXTAREA" && target.form && target.form.hasAttribute("data-mentions")
      ? target : null;
  }

  document.addEventListener("input", function (event) {
    var textarea = comboboxTextarea(event.target);
    if (!textarea) { return; }
    var box = setUp(textarea);
    var typed = typedName(textarea);
    if (!typed) { if (isOpen(box) || box.start !== -1) { close(box); } return; }
    box.start = typed.start;
    window.clearTimeout(box.timer);
    box.timer = window.setTimeout(function () { ask(box, typed.text); }, DELAY);
  });

  document.addEventListener("keydown", function (event) {
    var textarea = comboboxTextarea(event.target);
    var box = textarea && textarea.mentionBox;
    if (!box || !isOpen(box) || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var count = options(box).length;
    var index = activeIndex(box);
    if (event.key === "ArrowDown") {
      activate(box, (index + 1) % count);
    } else if (event.key === "ArrowUp") {
      activate(box, (index - 1 + count) % count);
    } else if ((event.key === "Enter" || event.key === "Tab") && index !== -1 && !event.shiftKey) {
      pick(box, options(box)[index]);
    } else if (event.key === "Escape") {
      close(box);
    } else {
      return;
    }
    event.preventDefault();
  });

  // Leaving the box (or clicking elsewhere) closes the list.
  document.addEventListener("focusout", function (event) {
    var textarea = comboboxTextarea(event.target);
    if (textarea && textarea.mentionBox) { close(textarea.mentionBox); }
  });
})();
