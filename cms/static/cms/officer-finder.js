/* Officer finder: street suggestions while typing (ARIA combobox). The form works without it. */
(function () {
  "use strict";
  var form = document.querySelector("[data-finder]");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[name=address]");
  var list = form.querySelector("[role=listbox]");
  var status = form.querySelector("[data-suggest-status]");
  var url = form.getAttribute("data-suggest-url");
  var items = [];
  var active = -1;
  var timer = null;
  var controller = null;
  var lang = document.documentElement.lang || "ru";
  var texts = lang.indexOf("en") === 0
    ? { found: " suggestions. Use up and down arrows.", none: "No suggestions." }
    : { found: " подсказок. Выбирайте стрелками вверх и вниз.", none: "Подсказок нет." };

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    items = [];
    active = -1;
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    var item = items[index];
    if (!item) { return; }
    input.value = item.value + ", д. ";
    close();
    input.focus();
    var end = input.value.length;
    input.setSelectionRange(end, end);
  }

  function render(results) {
    list.innerHTML = "";
    items = results;
    results.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "finder-suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = item.label + (item.district ? " — " + item.district : "");
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    status.textContent = results.length ? results.length + texts.found : texts.none;
    active = -1;
  }

  function query() {
    var text = input.value.trim();
    if (text.length < 2 || /\d/.test(text.split(",").pop())) { close(); return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(text), {
      headers: { "Accept": "application/json" }, signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : { results: [] };
    }).then(function (data) {
      if (input.value.trim() === text) { render(data.results || []); }
    }).catch(function () { /* suggestions are optional */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(query, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") {
      event.preventDefault(); highlight(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault(); highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); choose(active);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
