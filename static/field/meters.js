// Công tơ điện and đồng hồ nước on the phone. Meters belong to the utility: the inspector records what is seen (the
// meter's identity, index, stamp and its validity, seals, signs of tampering, photos), the complaint, and where it is
// referred (the utility first, then the Sở). An indicative water check with a volume standard is "sơ bộ" only:
// nothing here ever says Đạt / Không đạt about a meter.

import * as m from "./metrology.js";
import { instrumentLabel, instrumentsAt, sameInstrument } from "./measure.js";
import { choices, formatDateTime, h, label, mount, today } from "./ui.js";

export const { METER_TYPES, isMeter } = m;
const UNITS = { electricity_meter: "kWh", water_meter: "m3" };
const UNIT_TEXT = { kWh: "kWh", m3: "m³" };
export const INDICATIVE_TITLE = "Sơ bộ — không kết luận đạt/không đạt";
const INDICATIVE_HINT =
  "Chỉ để ghi nhận và chuyển cơ quan có thẩm quyền; không phải kết luận về sai số của đồng hồ nước.";

/** "Đồng hồ nước, cấp B, số DHN-778 — Đồng hồ nước lạnh cơ khí — Công ty Cấp nước Quảng Ngãi", like the server. */
export function meterLabel(instrument) {
  const parts = [instrumentLabel(instrument)];
  if (instrument.variant) parts.push(label("instrument_variants", instrument.variant));
  if (instrument.owner_name) parts.push(instrument.owner_name);
  return parts.join(" — ");
}

export const metersAt = (app, inspection) => instrumentsAt(app, inspection).filter(isMeter);
export const meterChecksOf = (inspection) => inspection.meter_checks || [];

function blankForm(key, meterUuid) {
  return {
    key,
    meter: meterUuid || null, // an instrument UUID, "new", or null (not chosen yet)
    instrument_type: "electricity_meter",
    variant: "",
    owner_name: "",
    serial: "",
    accuracy_class: "",
    installation_address: "",
    verification_mark: "",
    verified_on: "",
    valid_until: "",
    index_reading: "",
    stamp_state: null,
    seal_state: null,
    tampering: [],
    tampering_note: "",
    complainant: "",
    complaint: "",
    referred_to_utility_on: "",
    referred_to_department_on: "",
    referral_note: "",
    note: "",
    indicativeOn: false,
    selected: [],
    reference: "",
    indication: "",
    photos: [],
  };
}

/** Checks the meter check like the server would; answers {problems, body, newMeter, indicative}. */
export function checkMeterCheck(app, inspection, form) {
  const problems = [];
  const known = metersAt(app, inspection);
  let meter = null;
  let newMeter = null;
  if (form.meter === "new") {
    const type = form.instrument_type;
    if (!METER_TYPES.includes(type)) problems.push("Chọn loại: công tơ điện hoặc đồng hồ nước.");
    const variants = label("meter_variants", type, []) || [];
    if (!form.variant || !variants.includes(form.variant)) problems.push("Chọn kiểu công tơ / đồng hồ nước.");
    newMeter = {
      instrument_type: type,
      variant: form.variant || null,
      owner_name: form.owner_name.trim(),
      serial: form.serial.trim(),
      accuracy_class: form.accuracy_class.trim(),
      installation_address: form.installation_address.trim(),
      verification_mark: form.verification_mark.trim(),
      verified_on: form.verified_on || null,
      valid_until: form.valid_until || null,
      unit: UNITS[type],
      max_capacity: null,
      e: null,
      seal_state: form.seal_state || "none",
    };
    if (!newMeter.owner_name) problems.push("Nhập đơn vị quản lý (điện lực / công ty cấp nước).");
    for (const [key, text, limit] of [
      ["owner_name", "Đơn vị quản lý", 200],
      ["serial", "Số sản xuất", 60],
      ["accuracy_class", "Cấp chính xác", 10],
      ["installation_address", "Địa chỉ lắp đặt", 300],
      ["verification_mark", "Số tem kiểm định", 60],
    ]) {
      if (newMeter[key].length > limit) problems.push(`${text} dài quá ${limit} ký tự.`);
    }
    if (newMeter.verified_on && newMeter.valid_until && newMeter.valid_until < newMeter.verified_on) {
      problems.push("Hạn kiểm định không được trước ngày kiểm định.");
    }
    // The same number at the premise is the meter already listed: it is chosen there, not added again.
    const twin = sameInstrument(app, inspection, newMeter);
    if (twin) problems.push(`Cơ sở đã có ${meterLabel(twin.instrument)} cùng ${twin.what} này: chọn nó trong danh sách.`);
    meter = newMeter;
  } else {
    meter = known.find((i) => i.uuid === form.meter) || null;
    if (!meter) problems.push("Chọn công tơ / đồng hồ nước, hoặc thêm mới.");
  }
  const index = m.readNumber(form.index_reading, "Chỉ số", { required: false, positive: false });
  if (index.problem) problems.push(index.problem);
  if (!form.stamp_state) problems.push("Chọn tình trạng tem/dấu kiểm định.");
  if (!form.seal_state) problems.push("Chọn tình trạng niêm phong, kẹp chì.");
  const utility = form.referred_to_utility_on || null;
  const department = form.referred_to_department_on || null;
  if (department && !utility) {
    problems.push("Phản ánh về công tơ, đồng hồ nước chuyển đơn vị cấp điện/cấp nước trước, sau đó mới chuyển Sở.");
  } else if (department && department < utility) {
    problems.push("Ngày chuyển Sở không được trước ngày chuyển đơn vị cấp điện/nước.");
  }
  for (const [key, text, limit] of [
    ["complainant", "Người phản ánh", 200],
    ["complaint", "Nội dung phản ánh", 4000],
    ["tampering_note", "Mô tả dấu hiệu can thiệp", 2000],
    ["referral_note", "Ghi chú về việc chuyển", 2000],
    ["note", "Ghi chú", 2000],
  ]) {
    if (form[key].trim().length > limit) problems.push(`${text} dài quá ${limit} ký tự.`);
  }
  let indicative = null;
  const water = meter && meter.instrument_type === "water_meter";
  const body = {
    index_reading: index.text ?? null,
    stamp_state: form.stamp_state,
    seal_state: form.seal_state,
    tampering_signs: [...form.tampering],
    tampering_note: form.tampering_note.trim(),
    complainant: form.complainant.trim(),
    complaint: form.complaint.trim(),
    referred_to_utility_on: utility,
    referred_to_department_on: department,
    referral_note: form.referral_note.trim(),
    note: form.note.trim(),
  };
  if (water && form.indicativeOn) {
    if (!form.selected.length) problems.push("Chọn bình chuẩn dung tích đã dùng.");
    const reference = m.readNumber(form.reference, "Lượng nước trên bình chuẩn (L)");
    const indication = m.readNumber(form.indication, "Lượng nước đồng hồ chỉ (L)", { positive: false });
    if (reference.problem) problems.push(reference.problem);
    if (indication.problem) problems.push(indication.problem);
    if (!reference.problem && !indication.problem) {
      const difference = m.sub(indication.value, reference.value);
      const percent = m.divRound(m.mul(difference, 100), reference.value, 2);
      indicative = { reference: reference.value, indication: indication.value, difference, percent };
      Object.assign(body, {
        standard_ids: [...form.selected],
        indicative_reference: reference.text,
        indicative_indication: indication.text,
      });
    }
  }
  return { problems, body, newMeter, meter, indicative };
}

/** "Chênh lệch +0,9 L (+4,5 %)": what the indicative check shows, never a verdict. */
export function indicativeText(indicative) {
  const sign = { signed: true };
  return (
    `Bình chuẩn ${m.vi(indicative.reference)} L, đồng hồ chỉ ${m.vi(indicative.indication)} L, ` +
    `chênh lệch ${m.vi(indicative.difference, 0, sign)} L (${m.vi(m.trim(indicative.percent), 0, sign)} %)`
  );
}

function indicativeBox(content) {
  return h(
    "div",
    { class: "mresult indicative-check", id: "meter-indicative-result" },
    h("p", { class: "mverdict indicative" }, INDICATIVE_TITLE),
    content,
    h("p", { class: "hint small" }, INDICATIVE_HINT)
  );
}

function radios(name, options, current, onpick) {
  return h(
    "div",
    { class: "choices", role: "radiogroup" },
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

function textField(form, name, text, attrs = {}) {
  const tag = attrs.rows ? "textarea" : "input";
  return h(
    "div",
    { class: "field" },
    h("label", { for: `meter-${name}` }, text),
    h(tag, {
      id: `meter-${name}`,
      type: tag === "input" ? "text" : undefined,
      autocomplete: "off",
      value: form[name],
      oninput: (e) => (form[name] = e.target.value),
      ...attrs,
    })
  );
}

function dateField(form, name, text) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: `meter-${name}` }, text),
    h("input", { type: "date", id: `meter-${name}`, value: form[name], onchange: (e) => (form[name] = e.target.value) })
  );
}

/** What a saved meter check shows: its meter, stamp, seals, signs, referral; the server's validity once it has it. */
function savedCheck(check) {
  const server = check.server;
  const lines = [
    check.index_reading !== null && check.index_reading !== undefined
      ? `Chỉ số ${m.vi(check.index_reading)} ${UNIT_TEXT[check.unit] || ""}`.trim()
      : null,
    label("stamp_states", check.stamp_state),
    server ? `Hạn kiểm định: ${label("meter_validity", server.validity).toLowerCase()} (${server.validity_text})` : null,
    `Niêm phong: ${label("seal_states", check.seal_state)}`,
    ...check.tampering_signs.map((code) => `⚠ ${label("tampering_signs", code)}`),
    check.complaint ? `Phản ánh: ${check.complainant ? `${check.complainant} – ` : ""}${check.complaint}` : null,
    check.referred_to_utility_on ? `Chuyển đơn vị cấp điện/cấp nước ngày ${m.dateVi(check.referred_to_utility_on)}` : null,
    check.referred_to_department_on ? `Chuyển Sở Khoa học và Công nghệ ngày ${m.dateVi(check.referred_to_department_on)}` : null,
  ].filter(Boolean);
  return h(
    "li",
    { class: "mreading meter-check", dataset: { uuid: check.uuid } },
    h("div", { class: "mreading-head" }, h("strong", {}, check.meterLabel)),
    h("ul", { class: "small meter-lines" }, lines.map((line) => h("li", {}, line))),
    check.indicative ? indicativeBox(h("p", {}, indicativeText(check.indicative))) : null,
    check.photos ? h("p", { class: "hint" }, `${check.photos} ảnh`) : null,
    h("p", { class: "hint" }, server ? "✓ Máy chủ đã nhận" : "Chờ gửi", ` · ${formatDateTime(check.checked_at)}`)
  );
}

export function renderMeters(view, app, act, inspection, preselect) {
  const key = inspection.uuid;
  if (!app.meterForm || app.meterForm.key !== key || (preselect && app.meterForm.meter !== preselect && !app.meterForm.dirty)) {
    app.meterForm = blankForm(key, preselect);
  }
  const form = app.meterForm;
  const day = today();
  const errors = h("div", { id: "meter-errors", role: "alert" });
  const meterBox = h("div", { id: "meter-choice" });
  const newBox = h("div", { id: "meter-new" });
  const indicativeSection = h("section", { class: "fsection", id: "meter-indicative" });
  const photoBox = h("div", { id: "meter-photos" });
  const list = h("section", { class: "fsection", id: "meter-list" });
  const chosenMeter = () => (form.meter === "new" ? { instrument_type: form.instrument_type } : metersAt(app, inspection).find((i) => i.uuid === form.meter));

  function drawChoice() {
    const meters = metersAt(app, inspection);
    mount(
      meterBox,
      meters.length ? null : h("p", { class: "muted" }, "Cơ sở chưa có công tơ / đồng hồ nước nào được ghi; thêm mới bên dưới."),
      radios(
        "meter",
        [
          ...meters.map((i) => {
            const mark = m.verificationState(i, inspection.startedAt.slice(0, 10), app.tables);
            return [i.uuid, h("span", {}, meterLabel(i), i.installation_address ? h("small", { class: "hint" }, i.installation_address) : null, h("small", { class: mark.ok ? "ok" : "bad" }, mark.text))];
          }),
          ["new", "+ Thêm công tơ / đồng hồ nước mới"],
        ],
        form.meter,
        (code) => {
          form.meter = code;
          form.dirty = true;
          drawNew();
          drawIndicative();
        }
      )
    );
  }

  function drawNew() {
    if (form.meter !== "new") {
      mount(newBox);
      return;
    }
    const variants = label("meter_variants", form.instrument_type, []) || [];
    mount(
      newBox,
      h("h3", {}, "Công tơ / đồng hồ nước mới"),
      radios("meter-type", METER_TYPES.map((t) => [t, label("instrument_types", t)]), form.instrument_type, (t) => {
        form.instrument_type = t;
        form.variant = "";
        drawNew();
        drawIndicative();
      }),
      h("p", { class: "mcaption" }, "Kiểu"),
      radios("meter-variant", variants.map((v) => [v, label("instrument_variants", v)]), form.variant, (v) => (form.variant = v)),
      textField(form, "owner_name", "Đơn vị quản lý (điện lực / công ty cấp nước)", { maxlength: 200, placeholder: "Ví dụ: Điện lực Đức Phổ" }),
      h("div", { class: "mgrid" }, textField(form, "serial", "Số sản xuất", { maxlength: 60 }), textField(form, "accuracy_class", "Cấp chính xác", { maxlength: 10 })),
      textField(form, "installation_address", "Địa chỉ lắp đặt", { maxlength: 300 }),
      textField(form, "verification_mark", "Số tem / dấu kiểm định", { maxlength: 60 }),
      h("div", { class: "mgrid" }, dateField(form, "verified_on", "Ngày kiểm định"), dateField(form, "valid_until", "Hạn kiểm định (nếu có)")),
      h("p", { class: "hint" }, "Tem chỉ ghi ngày kiểm định: máy chủ tính hạn theo chu kỳ kiểm định.")
    );
  }

  function drawIndicative() {
    const meter = chosenMeter();
    if (!meter || meter.instrument_type !== "water_meter") {
      form.indicativeOn = false;
      mount(indicativeSection);
      return;
    }
    const standards = (app.standards || []).filter((s) => s.kind === "volume_measure" && s.active !== false);
    const result = h("div", { id: "meter-indicative-preview", "aria-live": "polite" });
    const preview = () => {
      const out = checkMeterCheck(app, inspection, form);
      mount(result, out.indicative ? indicativeBox(h("p", {}, indicativeText(out.indicative))) : null);
    };
    const numberBox = (name, text) =>
      h(
        "div",
        { class: "field" },
        h("label", { for: `meter-${name}` }, text),
        h("input", {
          type: "text",
          inputmode: "decimal",
          autocomplete: "off",
          id: `meter-${name}`,
          class: "mnumber",
          value: form[name],
          oninput: (e) => {
            form[name] = e.target.value;
            preview();
          },
        })
      );
    mount(
      indicativeSection,
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id: "meter-indicative-on",
          checked: form.indicativeOn,
          onchange: (e) => {
            form.indicativeOn = e.target.checked;
            drawIndicative();
          },
        }),
        h("span", {}, "Kiểm tra sơ bộ bằng bình chuẩn dung tích", h("span", { class: "hint" }, INDICATIVE_TITLE))
      ),
      form.indicativeOn
        ? [
            h("p", { class: "warn small" }, INDICATIVE_TITLE, ". ", INDICATIVE_HINT),
            h("h3", {}, "Bình chuẩn đã dùng"),
            h(
              "div",
              { class: "chips", role: "group", "aria-label": "Bình chuẩn đã dùng" },
              standards.length
                ? standards.map((s) => {
                    const on = form.selected.includes(s.id);
                    return h(
                      "button",
                      {
                        type: "button",
                        class: `chip${s.due_on < day ? " chip-overdue" : ""}`,
                        "aria-pressed": on ? "true" : "false",
                        dataset: { standardId: s.id },
                        onclick: () => {
                          form.selected = on ? form.selected.filter((id) => id !== s.id) : [...form.selected, s.id];
                          drawIndicative();
                        },
                      },
                      h("strong", {}, m.quantityText(s.nominal, s.unit)),
                      h("small", {}, [s.accuracy_class, s.serial].filter(Boolean).join(" · ")),
                      s.due_on < day ? h("small", { class: "overdue" }, "quá hạn") : null
                    );
                  })
                : h("p", { class: "muted" }, app.standards ? "Đơn vị chưa có bình chuẩn dung tích." : "Chưa tải được danh sách chuẩn đo lường (cần mạng lần đầu).")
            ),
            h("div", { class: "mgrid" }, numberBox("reference", "Bình chuẩn (L)"), numberBox("indication", "Đồng hồ chỉ (L)")),
            result,
          ]
        : null
    );
    if (form.indicativeOn) preview();
  }

  function drawPhotos() {
    mount(
      photoBox,
      form.photos.length ? h("div", { class: "thumbs" }, form.photos.map((p) => h("img", { src: p.thumb, alt: "Ảnh công tơ / đồng hồ", class: "thumb" }))) : null,
      h(
        "label",
        { class: "btn btn-block", for: "meter-photo" },
        form.photos.length ? `+ Chụp thêm ảnh (${form.photos.length} ảnh)` : "+ Chụp ảnh (mặt số, tem, niêm phong)"
      ),
      h("input", {
        type: "file",
        accept: "image/*",
        capture: "environment",
        id: "meter-photo",
        hidden: true,
        onchange: async (e) => {
          const file = e.target.files && e.target.files[0];
          e.target.value = "";
          if (!file) return;
          const prepared = await act.prepareMeterPhoto(file);
          if (prepared) {
            form.photos.push(prepared);
            drawPhotos();
          }
        },
      })
    );
  }

  function drawList() {
    const checks = meterChecksOf(inspection);
    mount(
      list,
      h("h2", {}, `Đã ghi (${checks.length})`),
      checks.length ? h("ol", { class: "mreadings" }, checks.map(savedCheck)) : h("p", { class: "muted" }, "Chưa ghi kiểm tra công tơ, đồng hồ nước nào.")
    );
  }

  mount(
    view,
    h(
      "section",
      { class: "fsection" },
      h("h2", {}, "Công tơ điện, đồng hồ nước"),
      h("p", { class: "hint" }, "Thuộc đơn vị cấp điện/cấp nước: ghi nhận hiện trạng, tiếp nhận phản ánh và chuyển đơn vị cấp điện/cấp nước trước, sau đó Sở Khoa học và Công nghệ. Không kết luận về sai số."),
      meterBox,
      newBox
    ),
    h(
      "section",
      { class: "fsection" },
      h("h3", {}, "Hiện trạng"),
      h(
        "div",
        { class: "field" },
        h("label", { for: "meter-index_reading" }, "Chỉ số đọc được"),
        h("input", {
          type: "text",
          inputmode: "decimal",
          autocomplete: "off",
          id: "meter-index_reading",
          class: "mnumber",
          value: form.index_reading,
          oninput: (e) => (form.index_reading = e.target.value),
        })
      ),
      h("p", { class: "mcaption" }, "Tem, dấu kiểm định"),
      radios("meter-stamp", choices("stamp_states"), form.stamp_state, (s) => (form.stamp_state = s)),
      h("p", { class: "mcaption" }, "Niêm phong, kẹp chì"),
      radios("meter-seal", choices("seal_states"), form.seal_state, (s) => (form.seal_state = s)),
      h("p", { class: "mcaption" }, "Dấu hiệu can thiệp (chỉ ghi điều quan sát được)"),
      h(
        "div",
        { class: "choices", role: "group", "aria-label": "Dấu hiệu can thiệp" },
        choices("tampering_signs").map(([code, text]) =>
          h(
            "label",
            { class: "check" },
            h("input", {
              type: "checkbox",
              name: "meter-tampering",
              value: code,
              checked: form.tampering.includes(code),
              onchange: (e) => {
                form.tampering = form.tampering.filter((c) => c !== code);
                if (e.target.checked) form.tampering.push(code);
              },
            }),
            h("span", {}, text)
          )
        )
      ),
      textField(form, "tampering_note", "Mô tả thêm", { rows: 2, maxlength: 2000 }),
      photoBox
    ),
    h(
      "section",
      { class: "fsection" },
      h("h3", {}, "Phản ánh và chuyển xử lý"),
      textField(form, "complainant", "Người phản ánh", { maxlength: 200, placeholder: "Ví dụ: Bà Nguyễn Thị Lan" }),
      textField(form, "complaint", "Nội dung phản ánh", { rows: 3, maxlength: 4000 }),
      h("div", { class: "mgrid" }, dateField(form, "referred_to_utility_on", "Chuyển đơn vị cấp điện/nước"), dateField(form, "referred_to_department_on", "Chuyển Sở KH&CN")),
      h("p", { class: "hint" }, "Chuyển đơn vị cấp điện/cấp nước trước, sau đó mới chuyển Sở."),
      textField(form, "referral_note", "Ghi chú về việc chuyển", { rows: 2, maxlength: 2000 })
    ),
    indicativeSection,
    h("section", { class: "fsection" }, textField(form, "note", "Ghi chú", { rows: 2, maxlength: 2000 }), errors),
    list,
    h(
      "div",
      { class: "fbottom" },
      h("a", { class: "btn", href: `#/i/${inspection.uuid}/${act.groupFor(inspection, "instrument_readings")}` }, "‹ Xong"),
      h(
        "button",
        {
          class: "btn btn-primary btn-wide",
          type: "button",
          id: "save-meter-check",
          onclick: async () => {
            const out = checkMeterCheck(app, inspection, form);
            if (out.problems.length) {
              mount(errors, out.problems.map((p) => h("p", { class: "error" }, p)));
              errors.scrollIntoView({ block: "center" });
              return;
            }
            mount(errors);
            const saved = await act.saveMeterCheck(inspection, form, out);
            if (!saved) return;
            inspection = saved;
            app.meterForm = null;
            renderMeters(view, app, act, inspection, null);
            document.getElementById("meter-list").scrollIntoView({ block: "start" });
          },
        },
        "Lưu kiểm tra công tơ"
      )
    )
  );
  drawChoice();
  drawNew();
  drawIndicative();
  drawPhotos();
  drawList();
  app.redrawRecords = () => {
    inspection = app.inspections.get(inspection.uuid) || inspection;
    drawList();
    // A list of meters that arrived from the server: offered, unless the person already chose.
    if (!form.meter) drawChoice();
  };
}

export { UNITS as METER_UNITS };
