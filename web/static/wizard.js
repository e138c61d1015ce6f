// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen readers announce it and keyboard users start there.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // Error summary links: focus the field itself, not just scroll to it.
  document.querySelectorAll(".error-summary a").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.hash.slice(1));
      if (!field) { return; }
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  });

  // Ranked goals: giving a goal a priority another goal has swaps the two (a goal that had
  // no priority is inserted, and the goals from that priority on move down one), so no goal
  // is ever dropped; the server settles a form sent without this script the same way.
  document.querySelectorAll("[data-rank-list]").forEach(function (list) {
    var selects = Array.prototype.slice.call(list.querySelectorAll("select"));
    var top = selects.length ? selects[0].options.length - 1 : 0;
    selects.forEach(function (select) {
      select.setAttribute("data-before", select.value);
      select.addEventListener("change", function () {
        var before = select.getAttribute("data-before");
        var wanted = select.value;
        var clash = wanted && selects.filter(function (other) {
          return other !== select && other.value === wanted;
        })[0];
        if (clash && before) {
          clash.value = before;
        } else if (clash) {
          selects.forEach(function (other) {
            if (other !== select && other.value && Number(other.value) >= Number(wanted)) {
              var next = Number(other.value) + 1;
              other.value = next <= top ? String(next) : "";
            }
          });
        }
        selects.forEach(function (each) { each.setAttribute("data-before", each.value); });
      });
    });
  });

  // The "KPIs to keep" list: a search box that hides the KPIs whose name and definition do
  // not hold a word starting with each word typed (accents optional, as in the catalog search).
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d");
  }
  document.querySelectorAll("[data-keep-search]").forEach(function (box) {
    var input = box.querySelector("input");
    var empty = box.querySelector("[data-search-empty]");
    var form = box.closest("form");
    var items = Array.prototype.slice.call(form.querySelectorAll(".choice-group .choice"));
    items.forEach(function (item) {
      item.setAttribute("data-text", " " + fold(item.textContent).replace(/[^a-z0-9]+/g, " "));
    });
    box.hidden = false;
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/[^a-z0-9]+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.getAttribute("data-text");
        var match = words.every(function (word) { return text.indexOf(" " + word) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      form.querySelectorAll("details.choice-group").forEach(function (group) {
        if (words.length) { group.open = true; }
      });
      empty.hidden = shown > 0;
    });
  });

  // Plan checklists: an item ticks as soon as its fields are filled in (the SMART check itself
  // runs on save); a field left empty after the user visited it shows as still to do, in red.
  function filled(ids) {
    return ids.every(function (id) {
      var field = document.getElementById(id);
      return field && field.value.trim() !== "";
    });
  }
  function refreshItem(item, touched) {
    var list = item.closest("[data-checklist]");
    var state = item.querySelector("[data-state-text]");
    var ids = item.getAttribute("data-fields").split(" ");
    var done = filled(ids);
    var states = ["check-done", "check-todo", "check-problem", "check-invalid", "check-warning"];
    if (done) {
      states.forEach(function (name) { item.classList.remove(name); });
      item.classList.add("check-filled");
      item.classList.remove("check-touched");
      if (state) { state.textContent = list.getAttribute("data-text-filled"); }
    } else {
      states.forEach(function (name) { item.classList.remove(name); });
      item.classList.remove("check-filled");
      item.classList.add("check-todo");
      if (touched) { item.classList.add("check-touched"); }
      if (state) { state.textContent = list.getAttribute("data-text-todo"); }
    }
  }
  document.querySelectorAll("[data-plan-form] [data-check]").forEach(function (field) {
    var items = document.querySelectorAll("[data-fields~='" + field.id + "']");
    field.addEventListener("input", function () {
      items.forEach(function (item) { refreshItem(item, false); });
    });
    field.addEventListener("change", function () {
      items.forEach(function (item) { refreshItem(item, false); });
    });
    field.addEventListener("blur", function () {
      var group = field.closest("[data-field-group]");
      if (group) { group.classList.add("is-touched"); }
      items.forEach(function (item) { if (!filled(item.getAttribute("data-fields").split(" "))) { refreshItem(item, true); } });
    });
  });

  // Links to a KPI or a field inside a folded KPI: unfold it, then focus the target.
  function reveal(target) {
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    var fold = target.querySelector && target.classList.contains("plan-kpi") ?
      target.querySelector(".kpi-fold") : null;
    if (fold) { fold.open = true; }
  }
  document.querySelectorAll("a[href^='#']").forEach(function (link) {
    var target = document.getElementById(link.hash.slice(1));
    if (!target || !target.closest("[data-plan-form]")) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      reveal(target);
      target.focus();
      target.scrollIntoView({ block: target.classList.contains("plan-kpi") ? "start" : "center" });
      if (history.replaceState) { history.replaceState(null, "", link.hash); }
    });
  });
  if (location.hash) {
    var landed = document.getElementById(location.hash.slice(1));
    if (landed && landed.closest("[data-plan-form]")) { reveal(landed); landed.scrollIntoView(); }
  }

  // A second click on a submit button while the page is sending would send the form twice.
  document.querySelectorAll("[data-prevent-double-click]").forEach(function (button) {
    var form = button.form;
    if (!form) { return; }
    form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  // Pages restored from the back-forward cache must not keep their buttons disabled.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-prevent-double-click]").forEach(function (button) {
      button.disabled = false;
    });
  });

  // Resume links: select the whole link on focus so it can be copied at once.
  document.querySelectorAll("[data-copy]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // The printable report: a print button where scripts run.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
