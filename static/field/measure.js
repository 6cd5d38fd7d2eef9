// Phương tiện đo and hàng đóng gói sẵn on the phone: the premise's instruments, readings judged at once (offline too)
// from the tables the server serves, pre-packaged lots, and the answers these suggest for the checklist items.

import * as m from "./metrology.js";
import { choices, formatDateTime, h, label, mount, today } from "./ui.js";

const DISPENSER = "fuel_dispenser";
// Công tơ điện, đồng hồ nước: recorded and referred on their own screen (meters.js), never measured here.
const INSTRUMENT_SOURCES = new Set(["instrument_verification", "instrument_range", "instrument_readings", "control_measurement"]);

// ---- the premise's instruments ------------------------------------------------------------------------------------

/** "Cân đồng hồ lò xo 15 kg, cấp IIII, e = 50 g, số NH-15" — the server's wording, for one not sent yet. */
export function instrumentLabel(i) {
  if (i.label) return i.label;
  let head = label("instrument_types", i.instrument_type, "Phương tiện đo");
  const scale = m.isScale(i);
  if (scale && i.max_capacity) head += ` ${m.quantityText(i.max_capacity, i.unit)}`;
  const parts = [head];
  if (i.accuracy_class) parts.push(`cấp ${i.accuracy_class.replace(".", ",")}`);
  if (scale && i.e) {
    parts.push(`e = ${m.quantityText(i.e, i.unit)}`);
    if (i.d && m.cmp(i.d, i.e) !== 0) parts.push(`d = ${m.quantityText(i.d, i.unit)}`);
  }
  if (i.serial) parts.push(`số ${i.serial}`);
  return parts.join(", ");
}

/** The server's list for the premise (kept on the phone) and those added on this phone, not yet on that list. */
export function instrumentsAt(app, inspection) {
  const found = new Map();
  for (const i of app.instruments[inspection.premise.id] || []) found.set(i.uuid, { ...i, sent: true });
  for (const other of app.inspections.values()) {
    if (other.premise.id !== inspection.premise.id) continue;
    for (const i of other.instruments || []) if (!found.has(i.uuid)) found.set(i.uuid, { ...i, ...(i.server || {}), sent: i.sent });
  }
  return [...found.values()];
}

// A serial or stamp number as the server compares them: letters and digits only, upper case ("qn 26-0815" is
// "QN260815"; domain.text.number_key).
const numberKey = (text) => (text || "").normalize("NFC").toUpperCase().replace(/[^\p{L}\p{N}]/gu, "");
const NUMBERS = [
  ["serial", "số sản xuất"],
  ["verification_mark", "số tem kiểm định"],
];

/** The premise's instrument of this kind with the same serial (looked at first) or stamp number, if there is one:
 * {instrument, what}. The server would answer a new one with it anyway. */
export function sameInstrument(app, inspection, values) {
  const here = instrumentsAt(app, inspection).filter((i) => i.instrument_type === values.instrument_type);
  for (const [field, what] of NUMBERS) {
    const wanted = numberKey(values[field]);
    const instrument = wanted && here.find((i) => numberKey(i[field]) === wanted);
    if (instrument) return { instrument, what };
  }
  return null;
}

/** "Cơ sở đã có …": the instrument already recorded, with the way to it instead of adding it again. */
export function twinOffer(inspection, twin) {
  if (!twin) return null;
  const { instrument, what } = twin;
  return h(
    "div",
    { class: "mtwin", id: "instrument-twin" },
    h("p", { class: "warn" }, `Cơ sở đã có phương tiện đo cùng ${what} này: `, h("strong", {}, instrumentLabel(instrument)), "."),
    h(
      "a",
      { class: "btn btn-primary btn-block", id: "use-twin", href: `#/i/${inspection.uuid}/${m.isMeter(instrument) ? "meters" : "pt"}/${instrument.uuid}` },
      "Dùng phương tiện đo này ›"
    )
  );
}

const readingsOf = (inspection, instrumentUuid) => (inspection.readings || []).filter((r) => r.instrument_uuid === instrumentUuid);
const inspectionDay = (inspection) => inspection.startedAt.slice(0, 10);

function stateLine(ok, text) {
  return h("p", { class: ok ? "mstate ok" : "mstate bad" }, ok ? "✓ " : "✗ ", text.charAt(0).toUpperCase() + text.slice(1));
}

/** The panel above the Phương tiện đo items: each instrument with its mark, range and readings. */
export function instrumentPanel(app, act, inspection) {
  const panel = h("section", { class: "mpanel", id: "instrument-panel" });
  const draw = () => {
    const instruments = instrumentsAt(app, inspection);
    const known = app.instruments[inspection.premise.id] !== undefined;
    mount(
      panel,
      h("h3", {}, "Phương tiện đo tại cơ sở"),
      instruments.length
        ? h(
            "ul",
            { class: "mlist" },
            instruments.map((i) => {
              const meter = m.isMeter(i);
              const mark = m.verificationState(i, inspectionDay(inspection), app.tables);
              const readings = readingsOf(inspection, i.uuid).map(shownReading);
              const failed = readings.filter((r) => r.outcome === "fail").length;
              const indicative = readingsOf(inspection, i.uuid).some((r) => isIndicative(inspection, r.kind, r.server));
              return h(
                "li",
                {},
                h(
                  "a",
                  { class: "mrow", href: `#/i/${inspection.uuid}/${meter ? "meters" : "pt"}/${i.uuid}`, dataset: { instrument: i.uuid } },
                  h(
                    "span",
                    { class: "prow-main" },
                    h("strong", {}, instrumentLabel(i)),
                    h("span", { class: mark.ok ? "ok small" : "bad small" }, mark.ok ? "✓ " : "✗ ", mark.text),
                    readings.length
                      ? h("span", { class: failed ? "bad small" : "muted small" }, `${readings.length} phép đo`, failed ? ` · ${failed} không đạt${indicative ? " (sơ bộ)" : ""}` : "")
                      : null,
                    i.sent ? null : h("span", { class: "badge badge-warn" }, "Chưa gửi")
                  ),
                  h("span", { class: "prow-go" }, meter ? "Ghi ›" : "Đo ›")
                )
              );
            })
          )
        : h("p", { class: "muted" }, known ? "Chưa có phương tiện đo nào được ghi cho cơ sở này." : "Chưa tải được danh sách phương tiện đo (cần mạng); vẫn có thể thêm mới."),
      h("a", { class: "btn btn-block", href: `#/i/${inspection.uuid}/pt-new`, id: "add-instrument" }, "+ Thêm phương tiện đo"),
      h(
        "a",
        { class: "btn btn-block", href: `#/i/${inspection.uuid}/meters`, id: "open-meters" },
        "Kiểm tra công tơ điện, đồng hồ nước",
        (inspection.meter_checks || []).length ? ` (${inspection.meter_checks.length} đã ghi)` : "",
        " ›"
      )
    );
  };
  draw();
  panel.redraw = draw;
  return panel;
}

// ---- one instrument: its readings ----------------------------------------------------------------------------------

/** What a saved reading shows: the server's stored verdict once it has one, else the phone's. */
export function shownReading(reading) {
  const local = reading.local;
  const server = reading.server;
  if (server) {
    const differs =
      local &&
      (local.outcome !== server.outcome || m.cmp(local.error, server.error) !== 0 || m.cmp(local.permitted, server.permitted_error) !== 0);
    return {
      outcome: server.outcome,
      reference: server.reference,
      indication: server.indication,
      error: server.error,
      permitted: server.permitted_error,
      unit: server.unit,
      relativePercent: server.details && server.details.relative_error_percent,
      permittedPercent: server.details && server.details.permitted_percent,
      rule: server.rule,
      warnings: server.warnings || [],
      fromServer: true,
      differs,
    };
  }
  if (!local) return { outcome: null, reference: reading.reference, indication: reading.indication, unit: reading.unit, warnings: [] };
  return { ...local, fromServer: false };
}

/** Whether a result is only "sơ bộ" for this team: the server says so once it has the record; until then, the
 * kind's scope (reading_scopes) and whether the team has someone from the Sở. */
export function isIndicative(inspection, kind, server) {
  if (server && typeof server.indicative === "boolean") return server.indicative;
  return label("reading_scopes", kind) === "province" && !inspection.provinceInTeam;
}

const INDICATIVE_NOTE = "Kết quả sơ bộ: đoàn kiểm tra không có cán bộ Sở Khoa học và Công nghệ nên không tính là vi phạm.";

function indicativeBadge(indicative) {
  return indicative ? h("span", { class: "mverdict indicative", title: INDICATIVE_NOTE }, "Sơ bộ") : null;
}

function indicativeNote(indicative) {
  return indicative ? h("p", { class: "warn small indicative-note" }, INDICATIVE_NOTE) : null;
}

function outcomeBadge(outcome, big = false) {
  if (!outcome) return h("span", { class: "mverdict pending" }, "Chờ máy chủ tính");
  return h("span", { class: `mverdict verdict-${outcome}${big ? " big" : ""}` }, label("outcomes", outcome));
}

/** The numbers of a reading: reference, indication, error and permitted error, with the unit, Vietnamese style. */
function readingFacts(kind, shown, minPlaces, ruleChoice) {
  const q = (value, signed = false) => (value === null || value === undefined ? "—" : `${m.vi(value, minPlaces, { signed })} ${shown.unit}`);
  const rows = [
    [kind === "dispenser" ? "Bình chuẩn" : "Tải chuẩn", q(shown.reference)],
    ["Số chỉ", q(shown.indication)],
  ];
  if (shown.error !== undefined && shown.error !== null) {
    if (kind === "dispenser") {
      const rel = shown.relativePercent ? ` (${m.vi(m.divRound(shown.relativePercent, 1, 3), 0, { signed: true })} %)` : "";
      const permittedRel = shown.permittedPercent ? ` (±${m.vi(m.divRound(shown.permittedPercent, 1, 3))} %)` : "";
      rows.push(["Sai số", `${q(shown.error, true)}${rel}`], ["Cho phép", `±${q(shown.permitted)}${permittedRel}`]);
    } else if (kind === "control") {
      rows.push(["Chênh lệch", q(shown.error, true)], ["Thiếu cho phép", q(shown.permitted)]);
    } else {
      rows.push(["Sai số", q(shown.error, true)], ["Cho phép", h("span", {}, `±${q(shown.permitted)}`, ruleChoice ? h("small", {}, ` (${ruleChoice})`) : null)]);
    }
  }
  return h("dl", { class: "mfacts" }, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

const RULE_SHORT = { in_service: "khi sử dụng", verification: "khi kiểm định" };

function kindsFor(instrument) {
  if (instrument.instrument_type === DISPENSER) return ["dispenser"];
  if (m.isScale(instrument)) return ["weighing", "control"];
  return [];
}

function standardsFor(app, kind) {
  const wanted = kind === "dispenser" ? "volume_measure" : "weight";
  const grams = (s) => (m.isMass(s.unit) ? m.toGrams(s.nominal, s.unit) : m.shift(s.nominal, s.unit === "L" ? 3 : 0));
  return (app.standards || [])
    .filter((s) => s.kind === wanted && s.active !== false)
    .sort((a, b) => m.cmp(grams(b), grams(a)) || String(a.serial).localeCompare(String(b.serial)));
}

export function renderInstrument(view, app, act, inspection, instrument) {
  const key = `${inspection.uuid}/${instrument.uuid}`;
  const kinds = kindsFor(instrument);
  if (!app.readingForm || app.readingForm.key !== key) {
    app.readingForm = { key, kind: kinds[0] || null, direction: "sell", selected: [], indication: "", reference: "" };
  }
  const form = app.readingForm;
  const day = today();
  const mark = m.verificationState(instrument, inspectionDay(inspection), app.tables);
  const range = m.rangeState(app.tables, instrument);
  const ruleChoice = app.tables ? RULE_SHORT[app.tables.state_check_rule] : null;

  const result = h("div", { id: "reading-result", "aria-live": "polite" });
  // The verdict right beside the number being typed, so it is seen at once even with the keyboard up.
  const badge = h("span", { id: "reading-badge" });
  const errors = h("div", { id: "reading-errors", role: "alert" });
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Chuẩn đo lường đã dùng" });
  const combined = h("p", { class: "mcombined", id: "reading-load" });
  const list = h("section", { class: "fsection", id: "reading-list" });
  const indication = h("input", {
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    id: "indication",
    class: "mnumber",
    value: form.indication,
    oninput: (e) => {
      form.indication = e.target.value;
      evaluate(false);
    },
  });
  const reference = h("input", {
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    id: "reference",
    class: "mnumber",
    value: form.reference,
    oninput: (e) => {
      form.reference = e.target.value;
      evaluate(false);
    },
  });

  // In the order they were put on the scale.
  const chosen = () => form.selected.map((id) => (app.standards || []).find((s) => s.id === id)).filter(Boolean);
  const judge = () =>
    m.judgeReading(app.tables, {
      instrument,
      kind: form.kind,
      direction: form.direction,
      standards: chosen(),
      indicationText: form.indication,
      referenceText: form.reference,
      today: day,
    });

  /** Draws the verdict as soon as there is one; problems only once something was typed, or on saving. */
  function evaluate(saving) {
    const out = judge();
    const typed = form.indication.trim() !== "" || (form.kind === "dispenser" && form.reference.trim() !== "");
    if (form.kind !== "dispenser") {
      mount(
        combined,
        out.reference ? ["Tải chuẩn ", h("strong", {}, m.quantityText(out.reference.value, out.unit))] : "Chưa chọn quả cân.",
        out.combination ? [" · giới hạn sai số của bộ quả cân ", h("strong", {}, `±${m.massText(m.shift(out.combination.mpeMg, -3))}`)] : null,
        out.reference && !out.standardsValid ? h("span", { class: "bad" }, " · có chuẩn quá hạn") : null
      );
    }
    mount(errors, saving || typed ? out.problems.map((p) => h("p", { class: "error" }, p)) : null);
    const hadResult = result.firstChild !== null;
    mount(badge, out.problems.length || !out.indication ? null : outcomeBadge(out.verdict ? out.verdict.outcome : null, true));
    if (out.problems.length || !out.indication) {
      mount(result);
    } else if (!out.verdict) {
      mount(result, h("div", { class: "mresult" }, outcomeBadge(null, true), h("p", { class: "hint" }, "Chưa có bảng sai số trên máy; máy chủ sẽ tính khi đồng bộ.")));
    } else {
      const v = out.verdict;
      const shown = { ...v, reference: out.reference.value, indication: out.indication.value };
      mount(
        result,
        h(
          "div",
          { class: `mresult result-${v.outcome}`, dataset: { outcome: v.outcome } },
          outcomeBadge(v.outcome, true),
          indicativeBadge(isIndicative(inspection, form.kind)),
          readingFacts(form.kind, shown, out.minPlaces, ruleChoice),
          // A control measurement's limit is the law's (TT 09/2017 Điều 5): say which rule and band gave it.
          form.kind === "control" ? h("p", { class: "hint small rule" }, v.rule) : null,
          indicativeNote(isIndicative(inspection, form.kind)),
          v.outcome === "inconclusive" && !out.standardsValid ? h("p", { class: "warn" }, "Có chuẩn đo lường quá hạn: không đủ cơ sở kết luận.") : null,
          v.warnings.map((w) => h("p", { class: "warn" }, "⚠ ", w)),
          h(
            "p",
            { class: "hint tables-used" },
            `Tính trên điện thoại theo ${[...new Set(v.tables.map((t) => m.tableName(app.tables, t.id)))].join("; ")}; máy chủ tính lại khi nhận.`
          )
        )
      );
    }
    if (!hadResult && result.firstChild && !saving) result.scrollIntoView({ block: "nearest" });
    return out;
  }

  function drawChips() {
    const standards = standardsFor(app, form.kind);
    mount(
      chips,
      standards.length
        ? standards.map((s) => {
            const overdue = s.due_on < day;
            const on = form.selected.includes(s.id);
            return h(
              "button",
              {
                type: "button",
                class: `chip${overdue ? " chip-overdue" : ""}`,
                "aria-pressed": on ? "true" : "false",
                dataset: { standardId: s.id },
                onclick: () => {
                  form.selected = on ? form.selected.filter((id) => id !== s.id) : [...form.selected, s.id];
                  drawChips();
                  evaluate(false);
                },
              },
              h("strong", {}, m.quantityText(s.nominal, s.unit)),
              h("small", {}, [s.accuracy_class.replace(".", ","), s.serial].filter(Boolean).join(" · ")),
              overdue ? h("small", { class: "overdue" }, "quá hạn") : null
            );
          })
        : h("p", { class: "muted" }, app.standards ? "Đơn vị chưa có chuẩn đo lường loại này." : "Chưa tải được danh sách chuẩn đo lường (cần mạng lần đầu).")
    );
  }

  function drawList() {
    const readings = readingsOf(inspection, instrument.uuid);
    mount(
      list,
      h("h2", {}, `Các phép đo đã ghi (${readings.length})`),
      readings.length
        ? h(
            "ol",
            { class: "mreadings" },
            readings.map((r) => {
              const shown = shownReading(r);
              return h(
                "li",
                { class: "mreading", dataset: { uuid: r.uuid, outcome: shown.outcome || "" } },
                h(
                  "div",
                  { class: "mreading-head" },
                  outcomeBadge(shown.outcome),
                  indicativeBadge(shown.outcome && isIndicative(inspection, r.kind, r.server)),
                  h("span", { class: "small" }, label("reading_kinds", r.kind), r.direction ? ` – ${label("directions", r.direction)}` : "")
                ),
                indicativeNote(shown.outcome && isIndicative(inspection, r.kind, r.server)),
                readingFacts(r.kind, shown, r.minPlaces || 0, r.kind === "weighing" && shown.fromServer && r.server.state_check_rule ? RULE_SHORT[r.server.state_check_rule] : r.ruleChoice),
                shown.differs ? h("p", { class: "warn" }, "Máy chủ tính khác điện thoại; kết quả trên là của máy chủ", phoneText(r)) : null,
                shown.warnings.map((w) => h("p", { class: "warn small" }, "⚠ ", m.withTableNames(app.tables, w))),
                h(
                  "p",
                  { class: "hint" },
                  shown.fromServer ? "✓ Máy chủ đã nhận và tính" : r.sent ? "" : "Chờ gửi · kết quả tính trên điện thoại",
                  ` · ${formatDateTime(r.measured_at)}`
                )
              );
            })
          )
        : h("p", { class: "muted" }, "Chưa có phép đo nào cho phương tiện này.")
    );
  }

  async function save() {
    const out = evaluate(true);
    if (out.problems.length) {
      errors.scrollIntoView({ block: "center" });
      return;
    }
    // A number far from the weights is asked about before it is kept (a slip of the finger, or a scale that does not weigh).
    if (out.verdict && out.verdict.implausible) {
      const text = `Số chỉ ${m.quantityText(out.indication.value, out.unit)} khác xa tải ${m.quantityText(out.reference.value, out.unit)} — kiểm tra lại?`;
      if (!(await askAgain(text))) {
        indication.focus();
        indication.select();
        return;
      }
    }
    const saved = await act.saveReading(inspection, instrument, form, out, chosen(), ruleChoice);
    if (!saved) return;
    inspection = saved;
    form.indication = "";
    form.reference = "";
    indication.value = "";
    reference.value = "";
    evaluate(false);
    drawList();
    list.scrollIntoView({ block: "start" });
  }

  const kindChoices = kinds.length > 1
    ? h(
        "div",
        { class: "choices", role: "radiogroup", "aria-label": "Loại phép đo" },
        kinds.map((k) =>
          h(
            "label",
            { class: "choice" },
            h("input", {
              type: "radio",
              name: "reading-kind",
              value: k,
              checked: form.kind === k,
              onchange: () => {
                form.kind = k;
                // Weights chosen for the other kind of measurement are not carried over unseen: chosen again.
                form.selected = [];
                drawForm();
              },
            }),
            h("span", {}, k === "weighing" ? "Sai số cân" : "Đối chứng (TT 09/2017)")
          )
        )
      )
    : null;
  const formBox = h("div", { id: "reading-form" });
  function drawForm() {
    const dispenser = form.kind === "dispenser";
    mount(
      formBox,
      form.kind === "control"
        ? h(
            "div",
            { class: "choices", role: "radiogroup", "aria-label": "Chiều mua bán" },
            choices("directions").map(([code, text]) =>
              h(
                "label",
                { class: "choice" },
                h("input", {
                  type: "radio",
                  name: "direction",
                  value: code,
                  checked: form.direction === code,
                  onchange: () => {
                    form.direction = code;
                    evaluate(false);
                  },
                }),
                h("span", {}, text)
              )
            )
          )
        : null,
      h("h3", {}, dispenser ? "Bình chuẩn đã dùng" : "Quả cân đặt lên cân"),
      chips,
      dispenser ? null : combined,
      dispenser
        ? h("div", { class: "field" }, h("label", { for: "reference" }, "Lượng đọc trên bình chuẩn (L)"), reference)
        : null,
      h(
        "div",
        { class: "field" },
        h("label", { for: "indication" }, dispenser ? "Số chỉ của cột đo (L)" : `Số chỉ của cân (${instrument.unit})`),
        h("div", { class: "mentry" }, indication, badge),
        h("span", { class: "hint" }, "Gõ 5,15 hoặc 5.15")
      ),
      errors,
      result
    );
    drawChips();
    evaluate(false);
  }

  mount(
    view,
    h(
      "section",
      { class: "fsection" },
      h("h2", { id: "instrument-title", class: "mtitle" }, instrumentLabel(instrument)),
      stateLine(mark.ok, mark.text),
      range ? stateLine(range.ok, range.text) : null,
      instrument.seal_state && instrument.seal_state !== "none" ? h("p", { class: "muted small" }, "Niêm phong: ", label("seal_states", instrument.seal_state)) : null,
      instrument.sent ? null : h("p", { class: "hint" }, "Phương tiện đo mới thêm trên máy này; được gửi trước các phép đo của nó.")
    ),
    kinds.length
      ? h("section", { class: "fsection" }, kindChoices, formBox)
      : h("section", { class: "fsection" }, h("p", { class: "muted" }, "Điện thoại chưa hỗ trợ phép đo cho loại phương tiện này; ghi kết quả vào nội dung kiểm tra.")),
    list,
    h(
      "div",
      { class: "fbottom" },
      h("a", { class: "btn", href: `#/i/${inspection.uuid}/${act.groupFor(inspection, "instrument_readings")}` }, "‹ Xong"),
      kinds.length ? h("button", { class: "btn btn-primary btn-wide", type: "button", id: "save-reading", onclick: save }, "Lưu phép đo") : null
    )
  );
  if (kinds.length) drawForm();
  drawList();
  app.redrawRecords = () => {
    inspection = app.inspections.get(inspection.uuid) || inspection;
    drawList();
    if (kinds.length) {
      drawChips();
      evaluate(false);
    }
  };
}

/** A question over the screen with "Sửa lại" (answers false) and "Vẫn lưu" (answers true). */
function askAgain(text) {
  return new Promise((resolve) => {
    const close = (answer) => {
      box.remove();
      resolve(answer);
    };
    const box = h(
      "div",
      { class: "ask", id: "ask-again", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "ask-text" },
      h(
        "div",
        { class: "ask-box" },
        h("p", { id: "ask-text" }, text),
        h(
          "div",
          { class: "ask-buttons" },
          h("button", { type: "button", class: "btn btn-primary", id: "ask-fix", onclick: () => close(false) }, "Sửa lại"),
          h("button", { type: "button", class: "btn", id: "ask-save", onclick: () => close(true) }, "Vẫn lưu")
        )
      )
    );
    document.body.append(box);
    box.querySelector("#ask-fix").focus();
  });
}

function phoneText(reading) {
  const local = reading.local;
  if (!local) return ".";
  const p = reading.minPlaces || 0;
  return ` (điện thoại: sai số ${m.vi(local.error, p, { signed: true })} ${local.unit}, cho phép ${m.vi(local.permitted, p)} ${local.unit}, ${label("outcomes", local.outcome)}).`;
}

// ---- adding an instrument -------------------------------------------------------------------------------------------

const SCALE_CLASS_CHOICES = ["I", "II", "III", "IIII"];
const DISPENSER_CLASS_CHOICES = ["0.3", "0.5", "1.0", "1.5", "2.5"];

function numberInput(form, name, attrs = {}) {
  return h("input", {
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    id: `ins-${name}`,
    value: form[name] || "",
    oninput: (e) => (form[name] = e.target.value),
    ...attrs,
  });
}

function textInput(form, name, attrs = {}) {
  return h("input", { type: "text", autocomplete: "off", id: `ins-${name}`, value: form[name] || "", oninput: (e) => (form[name] = e.target.value), ...attrs });
}

function radios(name, options, current, onpick, columns = "") {
  return h(
    "div",
    { class: `choices ${columns}`, role: "radiogroup" },
    options.map(([code, text]) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type: "radio", name, value: code, checked: current === code, onchange: () => onpick(code) }),
        h("span", {}, text)
      )
    )
  );
}

/** Checks the new instrument like the server would; answers {problems, body}. */
export function checkInstrument(tables, form) {
  const problems = [];
  const type = form.instrument_type;
  const body = {
    instrument_type: type,
    make: form.make.trim(),
    serial: form.serial.trim(),
    verification_mark: form.verification_mark.trim(),
    valid_until: form.valid_until || null,
    seal_state: form.seal_state,
  };
  const number = (name, text, options) => {
    const read = m.readNumber(form[name], text, options);
    if (read.problem) problems.push(read.problem);
    return read.text ?? null;
  };
  if (m.SCALE_TYPES.includes(type)) {
    body.unit = form.unit;
    body.accuracy_class = form.accuracy_class;
    body.max_capacity = number("max_capacity", "Mức cân lớn nhất (Max)");
    body.e = number("e", "Giá trị độ chia kiểm (e)");
    body.d = number("d", "Giá trị độ chia (d)", { required: false });
    body.goods_mass = number("goods_mass", "Khối lượng hàng thường cân", { required: false });
    if (!problems.length) {
      if (tables && tables.tables) {
        problems.push(...m.validateScale(tables, { max: m.dec(body.max_capacity), e: m.dec(body.e), accuracyClass: body.accuracy_class, unit: body.unit }).map((p) => p.text));
      }
      if (body.d && m.cmp(body.d, body.e) > 0) problems.push("Giá trị độ chia d không được lớn hơn độ chia kiểm e (OIML R 76-1).");
    }
  } else if (type === DISPENSER) {
    body.unit = "L";
    body.accuracy_class = form.dispenser_class;
  }
  if (body.serial.length > 60) problems.push("Số sản xuất dài quá 60 ký tự.");
  if (body.verification_mark.length > 60) problems.push("Số tem kiểm định dài quá 60 ký tự.");
  return { problems, body };
}

export function renderAddInstrument(view, app, act, inspection) {
  if (!app.instrumentForm || app.instrumentForm.key !== inspection.uuid) {
    app.instrumentForm = {
      key: inspection.uuid,
      instrument_type: "spring_scale",
      unit: "kg",
      accuracy_class: "IIII",
      dispenser_class: "0.5",
      max_capacity: "",
      e: "",
      d: "",
      goods_mass: "",
      make: "",
      serial: "",
      verification_mark: "",
      valid_until: "",
      seal_state: "none",
    };
  }
  const form = app.instrumentForm;
  const details = h("div", { id: "instrument-details" });
  const errors = h("div", { id: "instrument-errors", role: "alert" });
  // Offered as soon as a number typed is one the premise already has, and again on saving (nothing is added then).
  const twinBox = h("div", { id: "instrument-twin-box", "aria-live": "polite" });
  const offerTwin = () => {
    const twin = sameInstrument(app, inspection, form);
    mount(twinBox, twinOffer(inspection, twin));
    return twin;
  };
  const numberField = (name, text) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: `ins-${name}` }, text),
      textInput(form, name, { maxlength: 60, oninput: (e) => ((form[name] = e.target.value), offerTwin()) })
    );
  const drawDetails = () => {
    const type = form.instrument_type;
    const scale = m.SCALE_TYPES.includes(type);
    mount(
      details,
      scale
        ? [
            h("h3", {}, "Thông số của cân"),
            radios("ins-unit", [["kg", "kg"], ["g", "g"]], form.unit, (u) => ((form.unit = u), drawDetails()), "four"),
            h("div", { class: "mgrid" },
              h("div", { class: "field" }, h("label", { for: "ins-max_capacity" }, `Max (${form.unit})`), numberInput(form, "max_capacity", { placeholder: form.unit === "kg" ? "15" : "5000" })),
              h("div", { class: "field" }, h("label", { for: "ins-e" }, `e (${form.unit})`), numberInput(form, "e", { placeholder: form.unit === "kg" ? "0,05" : "50" }))
            ),
            h("p", { class: "mcaption" }, "Cấp chính xác"),
            radios("ins-class", SCALE_CLASS_CHOICES.map((c) => [c, c]), form.accuracy_class, (c) => (form.accuracy_class = c), "four"),
            h("div", { class: "mgrid" },
              h("div", { class: "field" }, h("label", { for: "ins-d" }, `d (${form.unit}, nếu khác e)`), numberInput(form, "d")),
              h("div", { class: "field" }, h("label", { for: "ins-goods_mass" }, `Hàng thường cân (${form.unit})`), numberInput(form, "goods_mass"))
            ),
          ]
        : type === DISPENSER
          ? [h("p", { class: "mcaption" }, "Cấp chính xác"), radios("ins-dclass", DISPENSER_CLASS_CHOICES.map((c) => [c, c.replace(".", ",")]), form.dispenser_class, (c) => (form.dispenser_class = c), "five")]
          : null
    );
  };
  drawDetails();
  offerTwin();
  mount(
    view,
    h("section", { class: "fsection" }, h("h2", {}, "Thêm phương tiện đo"), h("p", { class: "muted" }, inspection.premise.name)),
    h(
      "section",
      { class: "fsection" },
      h("h3", {}, "Loại phương tiện đo"),
      radios("ins-type", choices("instrument_types"), form.instrument_type, (t) => ((form.instrument_type = t), drawDetails(), offerTwin())),
      details
    ),
    h(
      "section",
      { class: "fsection" },
      h("h3", {}, "Nhãn và tem kiểm định"),
      h("div", { class: "mgrid" },
        numberField("serial", "Số sản xuất"),
        h("div", { class: "field" }, h("label", { for: "ins-make" }, "Hãng"), textInput(form, "make", { maxlength: 80 }))
      ),
      h("div", { class: "mgrid" },
        numberField("verification_mark", "Số tem kiểm định"),
        h("div", { class: "field" }, h("label", { for: "ins-valid_until" }, "Hạn kiểm định"), h("input", { type: "date", id: "ins-valid_until", value: form.valid_until, onchange: (e) => (form.valid_until = e.target.value) }))
      ),
      h("p", { class: "mcaption" }, "Niêm phong, kẹp chì"),
      radios("ins-seal", choices("seal_states"), form.seal_state, (s) => (form.seal_state = s), "one"),
      twinBox,
      errors
    ),
    h(
      "div",
      { class: "fbottom" },
      h("a", { class: "btn", href: `#/i/${inspection.uuid}/${act.groupFor(inspection, "instrument_readings")}` }, "‹ Hủy"),
      h(
        "button",
        {
          class: "btn btn-primary btn-wide",
          type: "button",
          id: "save-instrument",
          onclick: () => {
            if (offerTwin()) {
              twinBox.scrollIntoView({ block: "center" });
              return;
            }
            const { problems, body } = checkInstrument(app.tables, form);
            if (problems.length) {
              mount(errors, problems.map((p) => h("p", { class: "error" }, p)));
              errors.scrollIntoView({ block: "center" });
              return;
            }
            act.addInstrument(inspection, body);
          },
        },
        "Lưu phương tiện đo"
      )
    )
  );
}

// ---- pre-packaged lots ---------------------------------------------------------------------------------------------

const LOT_UNITS = ["g", "kg", "mL", "L"];

/** What the lot size asks of the sample: "Lô 200 đơn vị cần 30 đơn vị mẫu (đã nhập 3)". */
function lotPlanText(tables, form) {
  const text = String(form.lot_size).trim();
  if (!/^\d+$/.test(text) || parseInt(text, 10) < 1) return null;
  const lotSize = parseInt(text, 10);
  let needed = null;
  try {
    needed = m.sampleSizeForLot(tables, lotSize);
  } catch (error) {
    if (!(error instanceof m.NoTables)) throw error;
  }
  if (needed === null) return null;
  const typed = String(form.measured).split(/[\s;]+/).filter(Boolean).length;
  const what = needed === lotSize ? `cân/đo cả lô (${needed} đơn vị)` : `cần ${needed} đơn vị mẫu`;
  return `Lô ${lotSize} đơn vị: ${what}; đã nhập ${typed}. (TT 21/2014/TT-BKHCN Phụ lục III, bảng tạm thời)`;
}

/** Checks a lot like the server and judges it when the tables allow; answers {problems, body, verdict}. */
export function checkLot(tables, form) {
  const problems = [];
  const product = form.product.trim();
  if (!product) problems.push("Nhập tên sản phẩm.");
  const nominal = m.readNumber(form.nominal, "Lượng danh định");
  if (nominal.problem) problems.push(nominal.problem);
  const tare = m.readNumber(form.tare, "Khối lượng bì", { required: false, positive: false });
  if (tare.problem) problems.push(tare.problem);
  let lotSize = null;
  if (String(form.lot_size).trim()) {
    lotSize = /^\d+$/.test(String(form.lot_size).trim()) ? parseInt(form.lot_size, 10) : NaN;
    if (!(lotSize >= 1)) problems.push("Cỡ lô phải là số nguyên lớn hơn 0.");
  }
  const pieces = String(form.measured).split(/[\s;]+/).filter(Boolean);
  if (!pieces.length) problems.push("Nhập lượng đo được của từng đơn vị mẫu (mỗi dòng một giá trị).");
  const measured = [];
  pieces.forEach((piece, index) => {
    const read = m.readNumber(piece, `Đơn vị mẫu thứ ${index + 1}`);
    if (read.problem) problems.push(read.problem);
    else measured.push(read);
  });
  if (problems.length) return { problems };
  const nets = measured.map((v) => (tare.value ? m.sub(v.value, tare.value) : v.value));
  nets.forEach((net, index) => {
    if (net.c <= 0n) problems.push(`Đơn vị mẫu thứ ${index + 1}: lượng thực (sau khi trừ bì) phải lớn hơn 0.`);
  });
  if (lotSize !== null && lotSize < nets.length) problems.push(`Cỡ lô (${lotSize}) nhỏ hơn số đơn vị mẫu (${nets.length}).`);
  if (product.length > 200) problems.push("Tên sản phẩm dài quá 200 ký tự.");
  if (problems.length) return { problems };
  const body = { product, nominal: nominal.text, unit: form.unit, tare: tare.text, lot_size: lotSize, measured: measured.map((v) => v.text) };
  let verdict = null;
  try {
    verdict = m.judgeLot(tables, { nominal: nominal.value, unit: form.unit, nets, lotSize });
  } catch (error) {
    if (error instanceof m.Problem) problems.push(error.message);
    else if (!(error instanceof m.NoTables)) throw error;
  }
  const minPlaces = Math.max(m.places(nominal.value), ...measured.map((v) => m.places(v.value)), tare.value ? m.places(tare.value) : 0);
  return { problems, body, verdict, minPlaces };
}

function lotFacts(shown, unit, minPlaces) {
  const q = (v) => `${m.vi(v, minPlaces)} ${unit}`;
  return h(
    "dl",
    { class: "mfacts" },
    h("dt", {}, "Số đơn vị mẫu"),
    h("dd", {}, String(shown.sampleSize)),
    h("dt", {}, "Trung bình"),
    h("dd", {}, q(shown.mean)),
    h("dt", {}, "T"),
    h("dd", {}, q(shown.tolerance)),
    h("dt", {}, "Thiếu vượt T / 2T"),
    h("dd", {}, `${shown.countBeyondT} / ${shown.countBeyond2T}`)
  );
}

function shownLot(lot) {
  const s = lot.server;
  if (s) {
    return {
      outcome: s.outcome,
      sampleSize: s.sample_size,
      mean: m.divRound(s.mean, 1, lot.minPlaces + 1),
      tolerance: s.tolerable_deficiency,
      countBeyondT: s.count_beyond_t,
      countBeyond2T: s.count_beyond_2t,
      rulesBroken: s.rules_broken,
      warnings: s.warnings || [],
      fromServer: true,
      differs: lot.local && lot.local.outcome !== s.outcome,
    };
  }
  return lot.local ? { ...lot.local, fromServer: false } : null;
}

export function renderLots(view, app, act, inspection) {
  if (!app.lotForm || app.lotForm.key !== inspection.uuid) {
    app.lotForm = { key: inspection.uuid, product: "", nominal: "", unit: "kg", tare: "", lot_size: "", measured: "" };
  }
  const form = app.lotForm;
  const result = h("div", { id: "lot-result", "aria-live": "polite" });
  const badge = h("span", { id: "lot-badge" });
  const errors = h("div", { id: "lot-errors", role: "alert" });
  const list = h("section", { class: "fsection", id: "lot-list" });
  const plan = h("p", { class: "hint", id: "lot-plan", "aria-live": "polite" });
  const evaluate = (saving) => {
    const out = checkLot(app.tables, form);
    mount(plan, lotPlanText(app.tables, form));
    // Problems show once the values are being typed (not while the product name is), or on saving.
    const show = saving || String(form.measured).trim() !== "";
    mount(errors, show ? out.problems.map((p) => h("p", { class: "error" }, p)) : null);
    mount(badge, !out.body || out.problems.length ? null : outcomeBadge(out.verdict ? out.verdict.outcome : null));
    if (!out.body || out.problems.length) mount(result);
    else if (!out.verdict) mount(result, h("div", { class: "mresult" }, outcomeBadge(null, true), h("p", { class: "hint" }, "Chờ máy chủ tính (chưa có bảng T trên máy).")));
    else {
      const v = out.verdict;
      mount(
        result,
        h(
          "div",
          { class: `mresult result-${v.outcome}`, dataset: { outcome: v.outcome } },
          outcomeBadge(v.outcome, true),
          lotFacts(v, form.unit, out.minPlaces),
          v.rulesBroken.map((r) => h("p", { class: "error" }, r)),
          v.warnings.map((w) => h("p", { class: "warn small" }, "⚠ ", w)),
          h("p", { class: "hint" }, "Tính trên điện thoại; máy chủ tính lại khi nhận.")
        )
      );
    }
    return out;
  };
  const input = (name, attrs) =>
    h(name === "measured" ? "textarea" : "input", {
      id: `lot-${name}`,
      autocomplete: "off",
      value: form[name],
      oninput: (e) => {
        form[name] = e.target.value;
        evaluate(false);
      },
      ...attrs,
    });
  const drawList = () => {
    const lots = inspection.lots || [];
    mount(
      list,
      h("h2", {}, `Lô đã kiểm tra (${lots.length})`),
      lots.length
        ? h(
            "ol",
            { class: "mreadings" },
            lots.map((lot) => {
              const shown = shownLot(lot);
              return h(
                "li",
                { class: "mreading", dataset: { uuid: lot.uuid, outcome: shown ? shown.outcome : "" } },
                h("div", { class: "mreading-head" }, outcomeBadge(shown && shown.outcome), indicativeBadge(shown && isIndicative(inspection, "lot", lot.server)), h("strong", {}, lot.product), h("span", { class: "small" }, `Qn = ${m.vi(lot.nominal)} ${lot.unit}`)),
                shown ? lotFacts(shown, lot.unit, lot.minPlaces) : null,
                indicativeNote(shown && isIndicative(inspection, "lot", lot.server)),
                shown ? shown.rulesBroken.map((r) => h("p", { class: "error small" }, r)) : null,
                shown && shown.differs ? h("p", { class: "warn" }, "Máy chủ tính khác điện thoại; kết quả trên là của máy chủ.") : null,
                h("p", { class: "hint" }, shown && shown.fromServer ? "✓ Máy chủ đã nhận và tính" : "Chờ gửi")
              );
            })
          )
        : h("p", { class: "muted" }, "Chưa kiểm tra lô hàng nào.")
    );
  };
  mount(
    view,
    h(
      "section",
      { class: "fsection" },
      h("h2", {}, "Lô hàng đóng gói sẵn"),
      h("div", { class: "field" }, h("label", { for: "lot-product" }, "Sản phẩm"), input("product", { type: "text", maxlength: 200, placeholder: "Ví dụ: Gạo ST25 túi 5 kg" })),
      h("p", { class: "mcaption" }, "Đơn vị"),
      radios("lot-unit", LOT_UNITS.map((u) => [u, u]), form.unit, (u) => ((form.unit = u), evaluate(false)), "four"),
      h("div", { class: "mgrid" },
        h("div", { class: "field" }, h("label", { for: "lot-nominal" }, "Lượng danh định"), input("nominal", { type: "text", inputmode: "decimal" })),
        h("div", { class: "field" }, h("label", { for: "lot-tare" }, "Bì (nếu có)"), input("tare", { type: "text", inputmode: "decimal" }))
      ),
      h("div", { class: "field" }, h("label", { for: "lot-lot_size" }, "Cỡ lô (để trống nếu kiểm cả lô)"), input("lot_size", { type: "text", inputmode: "numeric", class: "mshort" }), plan),
      h(
        "div",
        { class: "field" },
        h("div", { class: "mlabel" }, h("label", { for: "lot-measured" }, "Lượng đo được (cả bì nếu có)"), badge),
        input("measured", { rows: 5, placeholder: "Mỗi dòng một giá trị, ví dụ:\n5,01\n4,99" }),
        h("span", { class: "hint" }, "Mỗi dòng một giá trị (hoặc cách nhau bằng dấu cách / chấm phẩy)")
      ),
      errors,
      result
    ),
    list,
    h(
      "div",
      { class: "fbottom" },
      h("a", { class: "btn", href: `#/i/${inspection.uuid}/${act.groupFor(inspection, "prepackage_lots")}` }, "‹ Xong"),
      h(
        "button",
        {
          class: "btn btn-primary btn-wide",
          type: "button",
          id: "save-lot",
          onclick: async () => {
            const out = evaluate(true);
            if (out.problems.length || !out.body) {
              errors.scrollIntoView({ block: "center" });
              return;
            }
            const saved = await act.saveLot(inspection, out);
            if (!saved) return;
            inspection = saved;
            Object.assign(form, { product: "", nominal: "", tare: "", lot_size: "", measured: "" });
            renderLots(view, app, act, inspection);
            document.getElementById("lot-list").scrollIntoView({ block: "start" });
          },
        },
        "Lưu lô hàng"
      )
    )
  );
  evaluate(false);
  drawList();
  app.redrawRecords = () => {
    inspection = app.inspections.get(inspection.uuid) || inspection;
    drawList();
  };
}

/** The panel above the items fed by lots: how many lots and a way to add one. */
export function lotPanel(app, act, inspection) {
  const lots = inspection.lots || [];
  const failed = lots.filter((l) => (shownLot(l) || {}).outcome === "fail").length;
  const indicative = failed && lots.some((l) => isIndicative(inspection, "lot", l.server));
  return h(
    "section",
    { class: "mpanel", id: "lot-panel" },
    h("h3", {}, "Hàng đóng gói sẵn"),
    h("p", { class: failed ? "bad small" : "muted small" }, lots.length ? `${lots.length} lô đã kiểm tra${failed ? ` · ${failed} không đạt${indicative ? " (sơ bộ)" : ""}` : ""}` : "Chưa kiểm tra lô hàng nào."),
    h("a", { class: "btn btn-block", href: `#/i/${inspection.uuid}/lots`, id: "open-lots" }, "Kiểm tra lượng hàng đóng gói sẵn ›")
  );
}

// ---- suggested answers ----------------------------------------------------------------------------------------------

function judgedSuggestion(records, describe) {
  const failed = records.filter((r) => r.outcome === "fail");
  const passed = records.filter((r) => r.outcome === "pass");
  const unsure = records.filter((r) => r.outcome === "inconclusive");
  if (failed.length) return { answer: "fail", reason: `${failed.length}/${records.length} không đạt: ${failed.map(describe).join("; ")}` };
  if (passed.length) {
    let reason = `${passed.length}/${records.length} đạt`;
    if (unsure.length) reason += `; ${unsure.length} không đủ cơ sở kết luận (chuẩn quá hạn)`;
    return { answer: "pass", reason };
  }
  return null;
}

/** The answers the phone can suggest from what it holds, the same way the server does (automatic-findings). */
export function localSuggestions(app, inspection) {
  const found = {};
  const day = inspectionDay(inspection);
  // Meters belong to the utility, not the business: they answer no Phương tiện đo item (as on the server).
  const instruments = instrumentsAt(app, inspection).filter((i) => i.in_use !== false && !m.isMeter(i));
  const checks = instruments.map((i) => ({ i, ...m.verificationState(i, day, app.tables) }));
  if (checks.length) {
    const bad = checks.filter((c) => !c.ok);
    found.instrument_verification = {
      answer: bad.length ? "fail" : "pass",
      reason: (bad.length ? bad : checks).map((c) => `${instrumentLabel(c.i)}: ${c.text}`).join("; "),
    };
  }
  const ranges = instruments.map((i) => ({ i, state: m.rangeState(app.tables, i) })).filter((r) => r.state);
  if (ranges.length) {
    const bad = ranges.filter((r) => !r.state.ok);
    found.instrument_range = {
      answer: bad.length ? "fail" : "pass",
      reason: (bad.length ? bad : ranges).map((r) => `${instrumentLabel(r.i)}: ${r.state.text}`).join("; "),
    };
  }
  const labels = new Map(instruments.map((i) => [i.uuid, instrumentLabel(i)]));
  const readings = (inspection.readings || []).map((r) => ({ r, ...shownReading(r) })).filter((r) => r.outcome);
  const describe = (x) =>
    `${labels.get(x.r.instrument_uuid) || x.r.instrumentLabel}: chuẩn ${m.vi(x.reference)} ${x.unit}, số chỉ ${m.vi(x.indication)} ${x.unit}, ` +
    `sai số ${m.vi(x.error)} ${x.unit} (cho phép ${m.vi(x.permitted)} ${x.unit})`;
  found.instrument_readings = judgedSuggestion(readings.filter((x) => x.r.kind !== "control"), describe);
  found.control_measurement = judgedSuggestion(readings.filter((x) => x.r.kind === "control"), describe);
  const lots = (inspection.lots || []).map((l) => ({ l, ...(shownLot(l) || {}) })).filter((x) => x.outcome);
  found.prepackage_lots = judgedSuggestion(lots, (x) => `${x.l.product} ${m.vi(x.l.nominal)} ${x.l.unit}: ${x.rulesBroken.join("; ")}`);
  return found;
}

/** The suggestion for one checklist item: the server's when it has judged everything, else the phone's. */
export function suggestionFor(app, inspection, item) {
  if (!item.auto_source) return null;
  const server = app.autoFindings[inspection.uuid];
  if (server) {
    const hit = server.find((s) => s.item_code === item.code);
    return hit ? { answer: hit.answer, reason: hit.reason, server: true } : null;
  }
  const hit = localSuggestions(app, inspection)[item.auto_source];
  return hit ? { ...hit, server: false } : null;
}

export const isInstrumentSource = (source) => INSTRUMENT_SOURCES.has(source);
