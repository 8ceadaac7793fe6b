/* The SCORM 1.2 run-time API of the preview's LMS stand-in (window.API).
 *
 * It keeps the learner's record in memory and, on LMSCommit / LMSFinish, in localStorage, so
 * "resume" works across reloads. It checks what a strict LMS checks (read-only and write-only
 * elements, vocabularies, the 4,096-character suspend_data limit, interaction order) and
 * reports every call to listeners, so the preview panel can show what an LMS would record.
 * It is a preview, not an LMS: one learner, one SCO, no server.
 */
(function () {
  "use strict";

  var ERRORS = {
    0: "No error",
    101: "General exception",
    201: "Invalid argument error",
    202: "Element cannot have children",
    203: "Element not an array - cannot have count",
    301: "Not initialized",
    401: "Not implemented error",
    402: "Invalid set value, element is a keyword",
    403: "Element is read only",
    404: "Element is write only",
    405: "Incorrect Data Type"
  };
  var SUSPEND_LIMIT = 4096;
  var STATUS = ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"];
  var SETTABLE_STATUS = ["passed", "completed", "failed", "incomplete", "browsed"];
  var EXIT = ["time-out", "suspend", "logout", ""];
  var INTERACTION_TYPES = ["true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric"];
  var RESULTS = ["correct", "wrong", "unanticipated", "neutral"];
  var TIMESPAN = /^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/;
  var TIME = /^\d{2}:\d{2}:\d{2}(\.\d{1,2})?$/;
  var DECIMAL = /^-?\d+(\.\d+)?$/;
  var IDENTIFIER = /^[\u0021-\u007E]{1,255}$/;

  function str(max) {
    return function (v) { return v.length <= max; };
  }
  function oneOf(list) {
    return function (v) { return list.indexOf(v) >= 0; };
  }
  function score(v) {
    return v === "" || (DECIMAL.test(v) && Number(v) >= 0 && Number(v) <= 100);
  }
  function decimal(v) { return DECIMAL.test(v); }

  /* Plain elements: access ("r", "w", "rw") and the check a written value must pass. */
  var ELEMENTS = {
    "cmi.core._children": ["r"],
    "cmi.core.student_id": ["r"],
    "cmi.core.student_name": ["r"],
    "cmi.core.lesson_location": ["rw", str(255)],
    "cmi.core.credit": ["r"],
    "cmi.core.lesson_status": ["rw", oneOf(SETTABLE_STATUS)],
    "cmi.core.entry": ["r"],
    "cmi.core.score._children": ["r"],
    "cmi.core.score.raw": ["rw", score],
    "cmi.core.score.min": ["rw", score],
    "cmi.core.score.max": ["rw", score],
    "cmi.core.total_time": ["r"],
    "cmi.core.lesson_mode": ["r"],
    "cmi.core.exit": ["w", oneOf(EXIT)],
    "cmi.core.session_time": ["w", function (v) { return TIMESPAN.test(v); }],
    "cmi.suspend_data": ["rw", str(SUSPEND_LIMIT)],
    "cmi.launch_data": ["r"],
    "cmi.comments": ["rw", str(4096)],
    "cmi.comments_from_lms": ["r"],
    "cmi.student_data._children": ["r"],
    "cmi.student_data.mastery_score": ["r"],
    "cmi.student_data.max_time_allowed": ["r"],
    "cmi.student_data.time_limit_action": ["r"],
    "cmi.student_preference._children": ["r"],
    "cmi.student_preference.audio": ["rw", function (v) { return /^-?\d+$/.test(v) && Number(v) >= -1 && Number(v) <= 100; }],
    "cmi.student_preference.language": ["rw", str(255)],
    "cmi.student_preference.speed": ["rw", function (v) { return /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 100; }],
    "cmi.student_preference.text": ["rw", function (v) { return v === "-1" || v === "0" || v === "1"; }],
    "cmi.objectives._children": ["r"],
    "cmi.objectives._count": ["r"],
    "cmi.interactions._children": ["r"],
    "cmi.interactions._count": ["r"]
  };
  var OBJECTIVE_FIELDS = {
    id: ["rw", function (v) { return IDENTIFIER.test(v); }],
    "score._children": ["r"],
    "score.raw": ["rw", score],
    "score.min": ["rw", score],
    "score.max": ["rw", score],
    status: ["rw", oneOf(STATUS)]
  };
  var INTERACTION_FIELDS = {
    id: ["w", function (v) { return IDENTIFIER.test(v); }],
    time: ["w", function (v) { return TIME.test(v); }],
    type: ["w", oneOf(INTERACTION_TYPES)],
    weighting: ["w", decimal],
    student_response: ["w", str(4096)],
    result: ["w", function (v) { return RESULTS.indexOf(v) >= 0 || decimal(v); }],
    latency: ["w", function (v) { return TIMESPAN.test(v); }],
    "objectives._count": ["r"],
    "correct_responses._count": ["r"]
  };
  var CHILDREN = {
    "cmi.core._children": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
    "cmi.core.score._children": "raw,min,max",
    "cmi.student_data._children": "mastery_score,max_time_allowed,time_limit_action",
    "cmi.student_preference._children": "audio,language,speed,text",
    "cmi.objectives._children": "id,score,status",
    "cmi.interactions._children": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency"
  };

  function timespanToCentis(value) {
    var parts = value.split(":");
    return Math.round((Number(parts[0]) * 3600 + Number(parts[1]) * 60 + Number(parts[2])) * 100);
  }
  function centisToTimespan(centis) {
    var h = Math.floor(centis / 360000);
    var m = Math.floor((centis % 360000) / 6000);
    var s = (centis % 6000) / 100;
    function pad(n, w) { var t = String(n); while (t.length < w) { t = "0" + t; } return t; }
    var sec = s.toFixed(2);
    if (s < 10) { sec = "0" + sec; }
    return pad(h, 4) + ":" + pad(m, 2) + ":" + sec;
  }

  function emptyRecord() {
    return {
      core: {
        lesson_location: "", lesson_status: "not attempted", score: { raw: "", min: "", max: "" },
        total_time: "0000:00:00.00", exit: "", session_time: "", entry: "ab-initio"
      },
      suspend_data: "", comments: "",
      student_preference: { audio: "0", language: "", speed: "0", text: "0" },
      objectives: [], interactions: [],
      attempt: 1, launches: 0
    };
  }

  function PreviewLMS(storageKey, settings) {
    this.storageKey = storageKey;
    this.settings = settings || {};
    this.listeners = [];
    this.log = [];
    this.lastError = 0;
    this.state = "idle"; /* idle → running → finished */
    this.record = this.load() || emptyRecord();
    this.counts = { initialize: 0, finish: 0, errors: 0 };
  }

  PreviewLMS.prototype.load = function () {
    try {
      var text = window.localStorage.getItem(this.storageKey);
      return text ? JSON.parse(text) : null;
    } catch (e) {
      return null;
    }
  };

  PreviewLMS.prototype.save = function () {
    try {
      window.localStorage.setItem(this.storageKey, JSON.stringify(this.record));
    } catch (e) {
      this.note("could not save to localStorage: " + e);
    }
  };

  PreviewLMS.prototype.subscribe = function (listener) {
    this.listeners.push(listener);
    listener(this);
  };

  PreviewLMS.prototype.changed = function () {
    for (var i = 0; i < this.listeners.length; i++) {
      this.listeners[i](this);
    }
  };

  PreviewLMS.prototype.note = function (message, isError) {
    this.log.push({ call: "note", args: [], result: message, error: isError ? 101 : 0 });
    if (this.log.length > 200) { this.log.shift(); }
  };

  /* Called by the LMS page before it loads the content: one launch of the SCO. */
  PreviewLMS.prototype.prepareLaunch = function () {
    if (this.state === "running") {
      this.note("the previous launch ended without LMSFinish; an LMS would lose what it did not commit", true);
    }
    var core = this.record.core;
    if (this.record.launches === 0) {
      core.entry = "ab-initio";
    } else {
      core.entry = core.exit === "suspend" ? "resume" : "";
    }
    core.exit = "";
    core.session_time = "";
    this.record.launches += 1;
    this.state = "idle";
    this.counts = { initialize: 0, finish: 0, errors: 0 };
    this.lastError = 0;
    this.log = [];
    this.changed();
  };

  /* "Reset attempt": forget the learner's record, as a new attempt in an LMS would. */
  PreviewLMS.prototype.reset = function () {
    var attempt = (this.record.attempt || 1) + 1;
    this.record = emptyRecord();
    this.record.attempt = attempt;
    try { window.localStorage.removeItem(this.storageKey); } catch (e) { /* preview only */ }
    this.state = "idle";
    this.changed();
  };

  PreviewLMS.prototype.call = function (name, args, body) {
    var result;
    try {
      result = body.call(this);
    } catch (e) {
      this.lastError = 101;
      result = name === "LMSGetValue" || name === "LMSGetLastError" ? "" : "false";
      this.note(name + " raised " + e, true);
    }
    if (name !== "LMSGetLastError" && name !== "LMSGetErrorString" && name !== "LMSGetDiagnostic") {
      if (this.lastError) { this.counts.errors += 1; }
      this.log.push({ call: name, args: args, result: result, error: this.lastError });
      if (this.log.length > 200) { this.log.shift(); }
      this.changed();
    }
    return result;
  };

  PreviewLMS.prototype.fail = function (code, value) {
    this.lastError = code;
    return value;
  };

  PreviewLMS.prototype.initialize = function (arg) {
    return this.call("LMSInitialize", [arg], function () {
      if (arg !== "") { return this.fail(201, "false"); }
      if (this.state === "running") { return this.fail(101, "false"); }
      if (this.state === "finished") { return this.fail(101, "false"); }
      this.state = "running";
      this.counts.initialize += 1;
      this.lastError = 0;
      return "true";
    });
  };

  PreviewLMS.prototype.finish = function (arg) {
    return this.call("LMSFinish", [arg], function () {
      if (arg !== "") { return this.fail(201, "false"); }
      if (this.state !== "running") { return this.fail(301, "false"); }
      this.endSession();
      this.state = "finished";
      this.counts.finish += 1;
      this.save();
      this.lastError = 0;
      return "true";
    });
  };

  PreviewLMS.prototype.commit = function (arg) {
    return this.call("LMSCommit", [arg], function () {
      if (arg !== "") { return this.fail(201, "false"); }
      if (this.state !== "running") { return this.fail(301, "false"); }
      this.applyMastery();
      this.save();
      this.lastError = 0;
      return "true";
    });
  };

  /* What Moodle does with a mastery score: a raw score decides passed or failed. */
  PreviewLMS.prototype.applyMastery = function () {
    var core = this.record.core;
    var mastery = this.settings.masteryScore;
    if (mastery === undefined || mastery === null || mastery === "" || core.score.raw === "") { return; }
    if (core.lesson_status === "completed") {
      var outcome = Number(core.score.raw) >= Number(mastery) ? "passed" : "failed";
      this.note("mastery score " + mastery + ": status " + core.lesson_status + " becomes " + outcome);
      core.lesson_status = outcome;
    }
  };

  PreviewLMS.prototype.endSession = function () {
    var core = this.record.core;
    if (core.session_time) {
      core.total_time = centisToTimespan(timespanToCentis(core.total_time) + timespanToCentis(core.session_time));
    }
    if (core.lesson_status === "not attempted") {
      core.lesson_status = "completed";
      this.note("LMSFinish without a lesson_status: an LMS records completed");
    }
    this.applyMastery();
  };

  PreviewLMS.prototype.getValue = function (element) {
    return this.call("LMSGetValue", [element], function () {
      if (this.state !== "running") { return this.fail(301, ""); }
      this.lastError = 0;
      return this.read(String(element));
    });
  };

  PreviewLMS.prototype.setValue = function (element, value) {
    return this.call("LMSSetValue", [element, value], function () {
      if (this.state !== "running") { return this.fail(301, "false"); }
      this.lastError = 0;
      return this.write(String(element), String(value));
    });
  };

  PreviewLMS.prototype.read = function (element) {
    var rec = this.record;
    var core = rec.core;
    if (CHILDREN[element]) { return CHILDREN[element]; }
    var spec = ELEMENTS[element];
    if (spec) {
      if (spec[0] === "w") { return this.fail(404, ""); }
      switch (element) {
        case "cmi.core.student_id": return "preview";
        case "cmi.core.student_name": return "Preview, Learner";
        case "cmi.core.lesson_location": return core.lesson_location;
        case "cmi.core.credit": return "credit";
        case "cmi.core.lesson_status": return core.lesson_status;
        case "cmi.core.entry": return core.entry;
        case "cmi.core.score.raw": return core.score.raw;
        case "cmi.core.score.min": return core.score.min;
        case "cmi.core.score.max": return core.score.max;
        case "cmi.core.total_time": return core.total_time;
        case "cmi.core.lesson_mode": return "normal";
        case "cmi.suspend_data": return rec.suspend_data;
        case "cmi.launch_data": return this.settings.launchData || "";
        case "cmi.comments": return rec.comments;
        case "cmi.comments_from_lms": return "";
        case "cmi.student_data.mastery_score":
          return this.settings.masteryScore === undefined || this.settings.masteryScore === null ? "" : String(this.settings.masteryScore);
        case "cmi.student_data.max_time_allowed": return "";
        case "cmi.student_data.time_limit_action": return "continue,no message";
        case "cmi.objectives._count": return String(rec.objectives.length);
        case "cmi.interactions._count": return String(rec.interactions.length);
        default:
          if (element.indexOf("cmi.student_preference.") === 0) {
            return rec.student_preference[element.slice("cmi.student_preference.".length)];
          }
      }
      return this.fail(401, "");
    }
    var m = /^cmi\.objectives\.(\d+)\.(.+)$/.exec(element);
    if (m) {
      var objective = rec.objectives[Number(m[1])];
      var ofield = OBJECTIVE_FIELDS[m[2]];
      if (!ofield) { return this.fail(401, ""); }
      if (m[2] === "score._children") { return "raw,min,max"; }
      if (!objective) { return this.fail(201, ""); }
      return objective[m[2]] === undefined ? "" : objective[m[2]];
    }
    m = /^cmi\.interactions\.(\d+)\.(.+)$/.exec(element);
    if (m) {
      var interaction = rec.interactions[Number(m[1])];
      var sub = /^(objectives|correct_responses)\._count$/.exec(m[2]);
      if (sub) {
        if (!interaction) { return this.fail(201, ""); }
        return String(interaction[sub[1]].length);
      }
      if (INTERACTION_FIELDS[m[2]] || /^(objectives|correct_responses)\.\d+\.(id|pattern)$/.test(m[2])) {
        return this.fail(404, "");
      }
      return this.fail(401, "");
    }
    if (/\._(children|count)$/.test(element)) {
      return this.fail(/_count$/.test(element) ? 203 : 202, "");
    }
    return this.fail(401, "");
  };

  PreviewLMS.prototype.write = function (element, value) {
    var rec = this.record;
    var core = rec.core;
    if (/\._(children|count)$/.test(element)) {
      return this.fail(ELEMENTS[element] || /^cmi\.(objectives|interactions)\./.test(element) ? 402 : 401, "false");
    }
    var spec = ELEMENTS[element];
    if (spec) {
      if (spec[0] === "r") { return this.fail(403, "false"); }
      if (spec[1] && !spec[1](value)) { return this.fail(405, "false"); }
      switch (element) {
        case "cmi.core.lesson_location": core.lesson_location = value; break;
        case "cmi.core.lesson_status": core.lesson_status = value; break;
        case "cmi.core.score.raw": core.score.raw = value; break;
        case "cmi.core.score.min": core.score.min = value; break;
        case "cmi.core.score.max": core.score.max = value; break;
        case "cmi.core.exit": core.exit = value; break;
        case "cmi.core.session_time": core.session_time = value; break;
        case "cmi.suspend_data": rec.suspend_data = value; break;
        case "cmi.comments": rec.comments = value; break;
        default:
          rec.student_preference[element.slice("cmi.student_preference.".length)] = value;
      }
      return "true";
    }
    var m = /^cmi\.objectives\.(\d+)\.(.+)$/.exec(element);
    if (m) {
      var oindex = Number(m[1]);
      var ofield = OBJECTIVE_FIELDS[m[2]];
      if (!ofield) { return this.fail(401, "false"); }
      if (ofield[0] === "r") { return this.fail(403, "false"); }
      if (oindex > rec.objectives.length) { return this.fail(201, "false"); }
      if (!ofield[1](value)) { return this.fail(405, "false"); }
      if (oindex === rec.objectives.length) {
        if (m[2] !== "id") { return this.fail(201, "false"); }
        rec.objectives.push({ id: value, "score.raw": "", "score.min": "", "score.max": "", status: "not attempted" });
      } else {
        rec.objectives[oindex][m[2]] = value;
      }
      return "true";
    }
    m = /^cmi\.interactions\.(\d+)\.(.+)$/.exec(element);
    if (m) {
      var index = Number(m[1]);
      var field = m[2];
      if (index > rec.interactions.length) { return this.fail(201, "false"); }
      var item = rec.interactions[index];
      if (!item) {
        if (field !== "id") { return this.fail(201, "false"); }
        item = { id: "", time: "", type: "", weighting: "", student_response: "", result: "", latency: "", objectives: [], correct_responses: [] };
      }
      var list = /^(objectives|correct_responses)\.(\d+)\.(id|pattern)$/.exec(field);
      if (list) {
        var target = item[list[1]];
        var li = Number(list[2]);
        var wanted = list[1] === "objectives" ? "id" : "pattern";
        if (list[3] !== wanted) { return this.fail(401, "false"); }
        if (li > target.length) { return this.fail(201, "false"); }
        if (wanted === "id" && !IDENTIFIER.test(value)) { return this.fail(405, "false"); }
        if (wanted === "pattern" && value.length > 4096) { return this.fail(405, "false"); }
        target[li] = value;
      } else {
        var ifield = INTERACTION_FIELDS[field];
        if (!ifield) { return this.fail(401, "false"); }
        if (ifield[0] === "r") { return this.fail(403, "false"); }
        if (!ifield[1](value)) { return this.fail(405, "false"); }
        item[field] = value;
      }
      if (index === rec.interactions.length) { rec.interactions.push(item); }
      return "true";
    }
    return this.fail(401, "false");
  };

  PreviewLMS.prototype.errorString = function (code) {
    var text = ERRORS[Number(code)];
    return text === undefined ? "" : text;
  };

  /* The SCORM 1.2 API object the content finds by walking up its parents. */
  PreviewLMS.prototype.api = function () {
    var lms = this;
    return {
      LMSInitialize: function (arg) { return lms.initialize(arg === undefined ? "" : String(arg)); },
      LMSFinish: function (arg) { return lms.finish(arg === undefined ? "" : String(arg)); },
      LMSGetValue: function (element) { return lms.getValue(element); },
      LMSSetValue: function (element, value) { return lms.setValue(element, value); },
      LMSCommit: function (arg) { return lms.commit(arg === undefined ? "" : String(arg)); },
      LMSGetLastError: function () { return String(lms.lastError); },
      LMSGetErrorString: function (code) { return lms.errorString(code); },
      LMSGetDiagnostic: function (code) {
        var c = code === undefined || code === "" ? lms.lastError : code;
        return lms.errorString(c);
      }
    };
  };

  PreviewLMS.SUSPEND_LIMIT = SUSPEND_LIMIT;
  PreviewLMS.ERRORS = ERRORS;
  window.PreviewLMS = PreviewLMS;
})();
