// Progressive enhancement of the public pages. Without JavaScript every "提意见" link leads to a
// form page that posts and redirects to the receipt; with it the same form opens in place under
// the clause, posts with fetch (no page reload) and focus goes back to the clause afterwards.
(function () {
  "use strict";
  var template = document.getElementById("comment-form-template");
  var open = null;

  // Live character count: the visible counter follows every keystroke; screen readers hear
  // it only near the limit (every keystroke would drown out what is being typed).
  function counter(form) {
    var body = form.querySelector("textarea[name=body]");
    var shown = form.querySelector(".char-count");
    var spoken = form.querySelector(".char-alert");
    if (!body || !shown) return;
    var max = parseInt(body.dataset.max, 10);
    var last = "";
    var update = function () {
      var n = body.value.length;
      // No maxlength on the field: a pasted text is kept whole and the counter says what is over.
      shown.textContent = n > max ? "已写 " + n + " 字，超出 " + (n - max) + " 字，请删减" : "已写 " + n + " / " + max + " 字";
      shown.classList.toggle("near", n >= max * 0.9);
      var say = n > max ? "超出 " + (n - max) + " 字，请删减" : n === max ? "已达到 " + max + " 字上限" : n >= max * 0.9 ? "还可写 " + (max - n) + " 字" : "";
      if (spoken && say !== last && (say === "" || n >= max || n % 10 === 0 || last === "")) {
        spoken.textContent = say;
        last = say;
      }
    };
    body.addEventListener("input", update);
    update();
  }

  function close(returnFocus) {
    if (!open) return;
    var link = open.link;
    open.box.remove();
    open = null;
    link.setAttribute("aria-expanded", "false");
    if (returnFocus) link.focus();
  }

  function show(link) {
    if (open && open.link === link) { open.box.querySelector("textarea").focus(); return; }
    close(false);
    var box = template.content.firstElementChild.cloneNode(true);
    var form = box.querySelector("form");
    form.querySelector("input[name=clause]").value = link.dataset.clause || "";
    // Every form opened is a new comment: a key of its own (the template's is shared by all).
    var key = form.querySelector("input[name=idempotency_key]");
    if (key) key.value = freshKey();
    box.querySelector(".target").textContent = link.dataset.title || "";
    // Under the clause's own bar (or its table row): the form appears where the reader is.
    var row = link.closest("tr");
    if (row) {
      var cell = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = row.children.length;
      td.append(box);
      cell.append(td);
      row.insertAdjacentElement("afterend", cell);
      box = cell;
    } else {
      var bar = link.closest(".clause-bar") || link.parentElement;
      bar.insertAdjacentElement("afterend", box);
    }
    open = { box: box, link: link };
    link.setAttribute("aria-expanded", "true");
    counter(form);
    box.querySelector(".close").addEventListener("click", function () { close(true); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); close(true); }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); send(form, box, link); });
    form.querySelector("textarea").focus();
  }

  function bump(link) {
    var bar = link.closest(".clause-bar") || link.closest("td");
    var count = bar && bar.querySelector(".count");
    if (!count) return;
    var n = parseInt(count.textContent.replace(/\D/g, ""), 10) + 1;
    count.textContent = count.textContent.indexOf("意见") === 0 ? "意见 " + n : String(n);
    var label = count.getAttribute("aria-label");
    if (label) count.setAttribute("aria-label", label.replace(/\d+ 条$/, n + " 条"));
  }

  function freshKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function send(form, box, link) {
    var data = new FormData(form);
    var payload = { clause: data.get("clause") || null, body: data.get("body"),
      submitter_type: data.get("submitter_type"), name: data.get("name"),
      contact: data.get("contact"), region: data.get("region"), show_name: data.get("show_name") === "1",
      idempotency_key: data.get("idempotency_key") || null };
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = "正在提交…";
    var old = form.querySelector(".notice");
    if (old) old.remove();
    fetch(form.dataset.api, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        var note = document.createElement("p");
        note.setAttribute("role", res.ok ? "status" : "alert");
        if (res.ok) {
          var held = res.body.status === "pending";
          note.className = "notice ok sent";
          note.append(held ? "意见已提交并保存（" + res.body.held_because + "），回执编号 " : "意见已提交并保存，回执编号 ");
          var a = document.createElement("a");
          a.href = res.body.url; a.textContent = res.body.receipt; a.className = "receipt";
          note.append(a, "。请记下编号，凭它查询处理情况。");
          if (box.tagName === "TR") {
            box.querySelector("td").replaceChildren(note);
          } else {
            box.replaceWith(note);
          }
          // One confirmation per clause: the newest replaces an earlier one.
          var next = note.nextElementSibling;
          if (next && next.classList.contains("sent")) next.remove();
          open = null;
          link.setAttribute("aria-expanded", "false");
          if (!held) bump(link);  // a held comment is not counted until it is published
          link.focus();
        } else {
          note.className = "notice error";
          note.textContent = (res.body.error && res.body.error.message) || "提交失败，请稍后再试。";
          form.prepend(note);
          button.disabled = false;
          button.textContent = "提交意见";
          note.tabIndex = -1; note.focus();
        }
      })
      .catch(function () {
        // Network trouble: fall back to the ordinary form post, which shows its own result.
        HTMLFormElement.prototype.submit.call(form);
      });
  }

  if (template) {
    document.querySelectorAll("a.comment-link").forEach(function (link) {
      link.setAttribute("aria-expanded", "false");
    });
    document.addEventListener("click", function (e) {
      var link = e.target.closest && e.target.closest("a.comment-link");
      if (!link || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      show(link);
    });
  }
  document.querySelectorAll("form.comment-form").forEach(counter);
})();
