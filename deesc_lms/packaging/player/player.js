/* deesc SCORM player: one SCO that runs a module's drills, grades each answer on the deesc server,
   and reports one score (mean of each drill's best score) to the LMS through the SCORM API. */
(function () {
  "use strict";
  var moduleData = window.DEESC_MODULE;
  var best = {};
  var scorm = null;

  function findApi(win, name) {
    var tries = 0;
    while (win && tries < 10) {
      if (win[name]) return win[name];
      if (win.parent && win.parent !== win) { win = win.parent; } else { break; }
      tries += 1;
    }
    return null;
  }

  function connect() {
    var start = window;
    var api2004 = findApi(start, "API_1484_11") || (window.opener && findApi(window.opener, "API_1484_11"));
    if (moduleData.standard === "scorm2004" && api2004) {
      return {
        version: "2004", api: api2004,
        init: function () { return api2004.Initialize(""); },
        set: function (k, v) { return api2004.SetValue(k, String(v)); },
        get: function (k) { return api2004.GetValue(k); },
        commit: function () { return api2004.Commit(""); },
        finish: function () { return api2004.Terminate(""); },
        learnerId: function () { return api2004.GetValue("cmi.learner_id"); },
        learnerName: function () { return api2004.GetValue("cmi.learner_name"); },
        report: function (score, passed, done) {
          api2004.SetValue("cmi.score.raw", String(score));
          api2004.SetValue("cmi.score.min", "0");
          api2004.SetValue("cmi.score.max", "100");
          api2004.SetValue("cmi.score.scaled", String(Math.round(score) / 100));
          api2004.SetValue("cmi.success_status", passed ? "passed" : "failed");
          api2004.SetValue("cmi.completion_status", done ? "completed" : "incomplete");
        }
      };
    }
    var api12 = findApi(start, "API") || (window.opener && findApi(window.opener, "API"));
    if (api12) {
      return {
        version: "1.2", api: api12,
        init: function () { return api12.LMSInitialize(""); },
        set: function (k, v) { return api12.LMSSetValue(k, String(v)); },
        get: function (k) { return api12.LMSGetValue(k); },
        commit: function () { return api12.LMSCommit(""); },
        finish: function () { return api12.LMSFinish(""); },
        learnerId: function () { return api12.LMSGetValue("cmi.core.student_id"); },
        learnerName: function () { return api12.LMSGetValue("cmi.core.student_name"); },
        report: function (score, passed, done) {
          api12.LMSSetValue("cmi.core.score.raw", String(Math.round(score)));
          api12.LMSSetValue("cmi.core.score.min", "0");
          api12.LMSSetValue("cmi.core.score.max", "100");
          api12.LMSSetValue("cmi.core.lesson_status", done ? (passed ? "passed" : "failed") : "incomplete");
        }
      };
    }
    return null;
  }

  function text(el, value) { el.textContent = value; return el; }
  function make(tag, cls) { var el = document.createElement(tag); if (cls) el.className = cls; return el; }
  function status(msg) { text(document.getElementById("status"), msg); }

  function overall() {
    var drills = moduleData.drills.filter(function (d) { return d.graded; });
    var total = 0;
    drills.forEach(function (d) { total += best[d.order] || 0; });
    var score = drills.length ? total / drills.length : 0;
    var done = drills.every(function (d) { return best[d.order] !== undefined; });
    return { score: score, passed: score >= moduleData.pass_threshold, done: done };
  }

  function save() {
    if (!scorm) return;
    var o = overall();
    scorm.report(o.score, o.passed, o.done);
    scorm.set(scorm.version === "2004" ? "cmi.suspend_data" : "cmi.suspend_data", JSON.stringify(best));
    scorm.commit();
  }

  function showResult(box, grade) {
    box.innerHTML = "";
    var head = make("strong", grade.passed ? "passed" : "failed");
    text(head, Math.round(grade.score) + "/100 — " + (grade.passed ? "passed" : "not yet: try again"));
    box.appendChild(head);
    box.appendChild(text(make("p"), grade.feedback || ""));
    if (grade.better_line) { box.appendChild(text(make("p", "muted"), "A stronger line: " + grade.better_line)); }
  }

  function submit(drill, textarea, button, box) {
    var answer = textarea.value.trim();
    if (!answer) { status("Type your answer first."); return; }
    button.disabled = true;
    status("Grading…");
    var body = {
      drill: drill.order, answer: answer,
      learner_id: scorm ? scorm.learnerId() : "", learner_name: scorm ? scorm.learnerName() : ""
    };
    fetch(moduleData.grade_url, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; });
    }).then(function (res) {
      button.disabled = false;
      if (!res.ok) { status((res.body.error && res.body.error.message) || "The answer could not be graded."); return; }
      var grade = res.body;
      best[drill.order] = Math.max(best[drill.order] || 0, grade.score);
      showResult(box, grade);
      save();
      status("Saved.");
    }).catch(function () {
      button.disabled = false;
      status("The grading server could not be reached; your answer is kept here, try again.");
    });
  }

  function render() {
    text(document.getElementById("module-title"), moduleData.title);
    text(document.getElementById("module-summary"), moduleData.summary);
    if (moduleData.clip) {
      document.getElementById("clip").hidden = false;
      text(document.getElementById("clip-transcript"), moduleData.clip.transcript);
      if (moduleData.clip.audio) { document.getElementById("clip-audio").src = moduleData.clip.audio; }
      else { document.getElementById("clip-audio").hidden = true; }
    }
    var list = document.getElementById("drills");
    moduleData.drills.forEach(function (drill) {
      var li = make("li", "drill");
      li.appendChild(text(make("h2"), drill.title));
      li.appendChild(text(make("p"), drill.instructions));
      li.appendChild(text(make("blockquote"), "Customer: " + drill.customer_line));
      var area = make("textarea");
      area.setAttribute("aria-label", "Your answer to: " + drill.title);
      li.appendChild(area);
      var button = text(make("button"), "Submit answer");
      var box = make("div", "result");
      button.addEventListener("click", function () { submit(drill, area, button, box); });
      li.appendChild(button);
      li.appendChild(box);
      list.appendChild(li);
    });
  }

  scorm = connect();
  if (scorm) {
    scorm.init();
    try { best = JSON.parse(scorm.get("cmi.suspend_data") || "{}") || {}; } catch (e) { best = {}; }
    window.addEventListener("beforeunload", function () { save(); scorm.finish(); });
  } else {
    status("No LMS found: practice works, but the score is not recorded.");
  }
  render();
  window.deescPlayer = { overall: overall, save: save, scorm: function () { return scorm; } };
})();
