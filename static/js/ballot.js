// The ballot as a list to reorder: drag and drop, or the buttons (keyboard),
// each move announced to screen readers. Without this file the page is a
// rank box per factor, which the server validates the same way: this script
// only fills those boxes in.
(function () {
  "use strict";

  var form = document.getElementById("ballot-form");
  if (!form) { return; }
  var source = document.getElementById("ballot-list");
  var items = Array.prototype.slice.call(source.querySelectorAll(".ballot-item"));
  var live = document.getElementById("live-status");

  // The words come from the page (data-text-* on the form), in the reader's language; {name},
  // {place} and {total} are filled in here. English if the page gives none.
  function text(key, english, values) {
    var words = form.getAttribute("data-text-" + key) || english;
    Object.keys(values || {}).forEach(function (name) { words = words.split("{" + name + "}").join(values[name]); });
    return words;
  }

  function announce(text) {
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
  }

  function button(label, action, text) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-outline-secondary";
    b.dataset.action = action;
    b.setAttribute("aria-label", label);
    b.textContent = text;
    return b;
  }

  // Two lists: the ranking, and the factors left out of it.
  var help = document.createElement("p");
  help.className = "small text-body-secondary";
  help.textContent = text("help", "Drag factors into order, or use the buttons: Add puts a factor at the end of " +
    "your ranking, Up and Down move it, Remove takes it out.");
  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) { node.textContent = text; }
    return node;
  }

  function titledList(tag, id, title) {
    var heading = element("h2", "ballot-section-title", title);
    heading.id = id + "-title";
    var list = element(tag, "ballot-list list-unstyled");
    list.id = id + "-list";
    list.setAttribute("aria-labelledby", heading.id);
    return [heading, list];
  }

  var rankedParts = titledList("ol", "ranked", text("ranked", "Your ranking"));
  var restParts = titledList("ul", "unranked", text("unranked", "Not ranked"));
  var ranked = rankedParts[1];
  var rest = restParts[1];
  var emptyNote = element("p", "text-body-secondary small",
    text("empty", "Nothing ranked yet: add the factors that matter most to you."));
  source.replaceWith(help);
  document.querySelectorAll(".without-js").forEach(function (node) { node.hidden = true; });
  help.after(rankedParts[0], emptyNote, ranked, restParts[0], rest);

  items.forEach(function (item) {
    var input = item.querySelector(".rank-input");
    var name = item.dataset.name;
    input.closest(".ballot-rank").hidden = true;
    var badge = document.createElement("span");
    badge.className = "rank-badge";
    badge.setAttribute("aria-hidden", "true");
    item.prepend(badge);
    var controls = document.createElement("div");
    controls.className = "controls";
    controls.append(
      button(text("add-label", "Add {name} to your ranking", {name: name}), "add", text("add", "Add")),
      button(text("up-label", "Move {name} up", {name: name}), "up", "↑ " + text("up", "Up")),
      button(text("down-label", "Move {name} down", {name: name}), "down", "↓ " + text("down", "Down")),
      button(text("remove-label", "Remove {name} from your ranking", {name: name}), "remove", text("remove", "Remove"))
    );
    item.append(controls);
  });
  items.filter(function (item) { return item.querySelector(".rank-input").value; })
    .sort(function (a, b) {
      return Number(a.querySelector(".rank-input").value) - Number(b.querySelector(".rank-input").value);
    })
    .forEach(function (item) { ranked.append(item); });
  items.filter(function (item) { return !item.querySelector(".rank-input").value; })
    .forEach(function (item) { rest.append(item); });

  // Write the order into the rank boxes the server reads, and show it.
  function renumber() {
    Array.prototype.forEach.call(ranked.children, function (item, index) {
      item.querySelector(".rank-input").value = String(index + 1);
      item.querySelector(".rank-badge").textContent = String(index + 1);
      item.classList.add("is-ranked");
      item.draggable = true;
      item.querySelector("[data-action=add]").hidden = true;
      item.querySelector("[data-action=remove]").hidden = false;
      item.querySelector("[data-action=up]").disabled = index === 0;
      item.querySelector("[data-action=down]").disabled = index === ranked.children.length - 1;
      item.querySelector("[data-action=up]").hidden = false;
      item.querySelector("[data-action=down]").hidden = false;
    });
    Array.prototype.forEach.call(rest.children, function (item) {
      item.querySelector(".rank-input").value = "";
      item.querySelector(".rank-badge").textContent = "–";
      item.classList.remove("is-ranked");
      item.draggable = true;
      item.querySelector("[data-action=add]").hidden = false;
      ["remove", "up", "down"].forEach(function (action) {
        item.querySelector("[data-action=" + action + "]").hidden = true;
      });
    });
    emptyNote.hidden = ranked.children.length > 0;
  }

  function position(item) {
    return Array.prototype.indexOf.call(ranked.children, item) + 1;
  }

  form.addEventListener("click", function (event) {
    var control = event.target.closest("button[data-action]");
    if (!control) { return; }
    var item = control.closest(".ballot-item");
    var name = item.dataset.name;
    var action = control.dataset.action;
    var focusAction = action;
    if (action === "add") {
      ranked.append(item);
      focusAction = "remove";
    } else if (action === "remove") {
      rest.prepend(item);
      focusAction = "add";
    } else if (action === "up" && item.previousElementSibling) {
      ranked.insertBefore(item, item.previousElementSibling);
    } else if (action === "down" && item.nextElementSibling) {
      ranked.insertBefore(item.nextElementSibling, item);
    }
    renumber();
    var again = item.querySelector("[data-action=" + focusAction + "]");
    (again && !again.disabled && !again.hidden ? again : item.querySelector("button:not([hidden]):not(:disabled)")).focus();
    if (action === "remove") {
      announce(text("removed", "{name} removed from your ranking.", {name: name}));
    } else {
      announce(text("moved", "{name} is now number {place} of {total}.",
        {name: name, place: position(item), total: ranked.children.length}));
    }
  });

  // Drag and drop within the ranking, and from "Not ranked" into it.
  var dragged = null;
  form.addEventListener("dragstart", function (event) {
    dragged = event.target.closest(".ballot-item");
    if (dragged) { dragged.classList.add("dragging"); event.dataTransfer.effectAllowed = "move"; }
  });
  form.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    if (dragged && dragged.parentElement === ranked) {
      announce(dragged.dataset.name + " is now number " + position(dragged) + " of " + ranked.children.length + ".");
    }
    dragged = null;
    renumber();
  });
  ranked.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    var after = Array.prototype.find.call(ranked.children, function (child) {
      var box = child.getBoundingClientRect();
      return child !== dragged && event.clientY < box.top + box.height / 2;
    });
    ranked.insertBefore(dragged, after || null);
  });

  renumber();
})();
