/* The preview's LMS stand-in page: launches the SCO, shows what it records, follows rebuilds.
 *
 * It polls /__status for the build number; a new successful build relaunches the content
 * (which resumes where it was, as the record is kept), a failed one shows the diagnostics.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("preview-config").textContent);
  var lms = new window.PreviewLMS(config.storageKey, {});
  window.API = lms.api();

  var frame = document.getElementById("sco");
  var errors = document.getElementById("errors");
  var buildState = document.getElementById("build-state");
  var shownBuild = -1;
  var launchUrl = null;
  var launching = false;
  var pending = false;

  function $(id) { return document.getElementById(id); }

  function text(id, value) {
    $(id).textContent = value === "" || value === undefined || value === null ? "–" : String(value);
  }

  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value;
    row.appendChild(td);
  }

  function render(state) {
    var rec = state.record;
    var core = rec.core;
    text("status", core.lesson_status);
    var score = core.score;
    text("score", score.raw === "" ? "" : score.raw + (score.max !== "" ? " / " + score.max : "") +
      (score.min !== "" && score.min !== "0" ? " (min " + score.min + ")" : ""));
    text("location", core.lesson_location);
    text("entry", core.entry);
    text("exit", core.exit);
    text("session-time", core.session_time);
    text("total-time", core.total_time);
    var size = rec.suspend_data.length;
    $("suspend-size").textContent = size.toLocaleString("en");
    $("suspend-meter").value = Math.min(size, window.PreviewLMS.SUSPEND_LIMIT);
    $("suspend-size").className = size > window.PreviewLMS.SUSPEND_LIMIT ? "over" : "";
    var counts = state.counts;
    text("calls", "LMSInitialize ×" + counts.initialize + ", LMSFinish ×" + counts.finish +
      ", errors: " + counts.errors + " · " + state.state);
    $("calls").className = counts.errors ? "bad" : "";

    var body = $("interactions").tBodies[0];
    while (body.firstChild) { body.removeChild(body.firstChild); }
    rec.interactions.forEach(function (item) {
      var row = document.createElement("tr");
      row.className = item.result === "correct" ? "correct" : item.result === "wrong" ? "wrong" : "";
      cell(row, item.id);
      cell(row, item.type);
      cell(row, item.student_response);
      cell(row, item.correct_responses.join(" | "));
      cell(row, item.result);
      cell(row, item.weighting);
      body.appendChild(row);
    });
    $("interaction-count").textContent = "(" + rec.interactions.length + ")";

    var log = $("log");
    while (log.firstChild) { log.removeChild(log.firstChild); }
    state.log.slice(-60).forEach(function (entry) {
      var li = document.createElement("li");
      var args = entry.args.map(function (a) {
        var s = String(a);
        return JSON.stringify(s.length > 80 ? s.slice(0, 80) + "…" : s);
      }).join(", ");
      li.textContent = entry.call === "note" ? "note: " + entry.result :
        entry.call + "(" + args + ") → " + JSON.stringify(entry.result) +
        (entry.error ? "  error " + entry.error + ": " + window.PreviewLMS.ERRORS[entry.error] : "");
      if (entry.error) { li.className = "bad"; }
      log.appendChild(li);
    });
  }

  lms.subscribe(render);

  /* Unload the old content first (its pagehide handler finishes its session), then launch. */
  function launch(fresh) {
    if (!launchUrl) {
      if (fresh) { lms.reset(); }
      return;
    }
    if (launching) { pending = true; return; }
    launching = true;
    var onBlank = function () {
      frame.removeEventListener("load", onBlank);
      if (fresh) { lms.reset(); }
      lms.prepareLaunch();
      frame.src = launchUrl;
      launching = false;
      if (pending) { pending = false; launch(); }
    };
    frame.addEventListener("load", onBlank);
    frame.src = "about:blank";
  }

  function showErrors(diagnostics) {
    var list = $("error-list");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    diagnostics.forEach(function (d) {
      var li = document.createElement("li");
      li.className = d.severity;
      var where = document.createElement("code");
      where.textContent = d.location;
      var what = document.createElement("span");
      what.textContent = " " + d.severity + ": " + (d.field ? d.field + ": " : "") + d.message + " [" + d.code + "]";
      li.appendChild(where);
      li.appendChild(what);
      list.appendChild(li);
    });
    errors.hidden = false;
    frame.hidden = true;
  }

  function showBuilt(built) {
    var list = $("built-list");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    built.forEach(function (file, index) {
      if (index) { list.appendChild(document.createTextNode(", ")); }
      var link = document.createElement("a");
      link.href = file.url;
      link.download = file.name;
      link.textContent = file.name;
      list.appendChild(link);
    });
    $("built").hidden = built.length === 0;
  }

  function apply(status) {
    if (status.build === shownBuild) { return; }
    shownBuild = status.build;
    document.body.dataset.build = String(status.build);
    document.body.dataset.ok = String(status.ok);
    if (status.title) {
      $("course-title").textContent = status.title;
      document.title = "Preview · " + status.title;
    }
    showBuilt(status.built || []);
    buildState.className = "build " + (status.ok ? "ok" : "failed");
    buildState.textContent = "build " + status.build + ": " + status.message;
    if (!status.ok) {
      showErrors(status.diagnostics);
      return;
    }
    errors.hidden = true;
    frame.hidden = false;
    lms.settings.masteryScore = status.mastery_score;
    launchUrl = status.launch;
    launch(false);
  }

  function poll() {
    fetch("/__status", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        document.body.classList.remove("offline");
        apply(status);
      })
      .catch(function () {
        document.body.classList.add("offline");
        buildState.className = "build failed";
        buildState.textContent = "the preview server has stopped";
      })
      .then(function () { window.setTimeout(poll, config.pollMs); });
  }

  $("resume").addEventListener("click", function () { launch(false); });
  $("reset").addEventListener("click", function () { launch(true); });

  poll();
})();
