// The screens of the field app, drawn from local state: nearest premises, start, checklist, conclusion, outbox.

import { assessFix, distanceM } from "./geo.js";
import { failuresOf, suggestedHandling, suggestionBasis } from "./handling.js";
import { instrumentPanel, isInstrumentSource, lotPanel, suggestionFor } from "./measure.js";
import { choices, fieldMessages, fold, formatDateTime, formatDistance, h, label, matchesWords, mount, today } from "./ui.js";

const ORGANISATIONS = [
  "Công an phường",
  "Công an xã",
  "Quản lý thị trường",
  "Sở Khoa học và Công nghệ",
  "Phòng Kinh tế",
  "Phòng Văn hóa – Xã hội",
];

// ---- shared pieces ------------------------------------------------------------------------------------------------

/** The answer of an item that was not checked: given with its reason, on the conclusion screen. */
export const NOT_CHECKED = "skip";

function bottomBar(...buttons) {
  return h("div", { class: "fbottom" }, ...buttons);
}

function premiseLine(premise) {
  const where = [
    label("premise_types", premise.premise_type),
    premise.stall_number ? `Sạp ${premise.stall_number}` : null,
    premise.market,
  ].filter(Boolean);
  return where.join(" · ");
}

function fixText(fix) {
  if (!fix) return null;
  return `Sai số GPS ±${Math.round(fix.accuracy_m)} m`;
}

/** Items of the catalogue that apply to this premise type, by group. */
export function itemsByGroup(catalogue, premiseType) {
  return catalogue.groups.map((group) => ({
    ...group,
    items: group.items.filter((item) => item.premise_types.includes("*") || item.premise_types.includes(premiseType)),
  }));
}

export function inspectionSyncText(inspection, waiting) {
  if (waiting) return { text: `${waiting} chờ gửi`, cls: "badge badge-warn" };
  return inspection.sent ? { text: "Đã gửi", cls: "badge badge-ok" } : { text: "Chưa gửi", cls: "badge badge-warn" };
}

// ---- home: nearest premises first ----------------------------------------------------------------------------------

export function sortedPremises(app) {
  const fix = app.position;
  const rows = app.premises.map((p) => {
    let distance = p.distance_m ?? null;
    if (fix && p.latitude !== null && p.longitude !== null) distance = distanceM(fix.latitude, fix.longitude, p.latitude, p.longitude);
    return { premise: p, distance };
  });
  if (fix) rows.sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity));
  return rows;
}

/** How many premises the phone holds for offline use, and what its last refresh brought. */
function keptLine(app) {
  const feed = app.premisesFeed;
  if (!feed) return null;
  const at = formatDateTime(feed.at).slice(0, 5);
  const instruments = app.instrumentsFeed ? ` và ${app.instrumentsFeed.count} phương tiện đo` : "";
  return h(
    "p",
    { class: "muted small", id: "premises-kept" },
    `Trên máy có ${feed.count} cơ sở${instruments} để dùng khi mất mạng (cập nhật lúc ${at}: ${feed.received} thay đổi).`
  );
}

/** "dd/mm/yyyy" of an ISO date. */
export function dayText(iso) {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

/** The phone's inspections by what they answer (``key``: "followsId" or "complaintId"), keyed as a string. */
function visitsBy(app, key) {
  return new Map([...app.inspections.values()].filter((i) => i[key]).map((i) => [String(i[key]), i]));
}

/**
 * The follow-ups to do on the phone's date: overdue and due within the server's window, soonest first; one already
 * revisited on this phone is left out (completed) or leads to its visit (draft). Also how many come later.
 */
export function followUpsToDo(app) {
  const kept = app.followUps;
  if (!kept || !kept.items) return { due: [], later: 0 };
  const day = today();
  const soon = new Date(`${day}T00:00:00Z`);
  soon.setUTCDate(soon.getUTCDate() + (kept.due_soon_days ?? 7));
  const soonIso = soon.toISOString().slice(0, 10);
  const visits = visitsBy(app, "followsId");
  const due = [];
  let later = 0;
  for (const item of kept.items) {
    const visit = visits.get(String(item.inspection_id));
    if (visit && visit.status === "completed") continue;
    const state = item.fix_deadline < day ? "overdue" : item.fix_deadline <= soonIso ? "due_soon" : "later";
    if (state === "later") later += 1;
    else due.push({ item, state, visit });
  }
  return { due, later };
}

function followUpSection(app) {
  const { due, later } = followUpsToDo(app);
  if (!due.length && !later) return null;
  return h(
    "section",
    { class: "fsection", id: "follow-ups" },
    h("h2", {}, "Việc cần làm"),
    h("p", { class: "hint" }, "Kiểm tra lại việc khắc phục theo yêu cầu đã lập."),
    due.length
      ? h(
          "ul",
          { class: "plist" },
          due.map(({ item, state, visit }) =>
            h(
              "li",
              {},
              h(
                "a",
                { class: "prow", href: visit ? `#/i/${visit.uuid}` : `#/follow/${item.inspection_id}`, dataset: { followUp: item.inspection_id } },
                h(
                  "span",
                  { class: "prow-main" },
                  h("strong", {}, item.premise.name),
                  h("span", { class: "muted" }, premiseLine(item.premise)),
                  h(
                    "span",
                    { class: state === "overdue" ? "badge badge-bad" : "badge badge-warn" },
                    `${state === "overdue" ? "Quá hạn khắc phục" : "Đến hạn khắc phục"} ${dayText(item.fix_deadline)}`
                  ),
                  visit ? h("span", { class: "badge badge-warn" }, "Đang kiểm tra lại") : null
                ),
                h("span", { class: "prow-go" }, visit ? "Tiếp tục ›" : "Kiểm tra lại ›")
              )
            )
          )
        )
      : null,
    later ? h("p", { class: "muted small", id: "follow-ups-later" }, `Còn ${later} yêu cầu khắc phục chưa đến hạn.`) : null
  );
}

/** The complaints given to this inspector that a visit on this phone has not yet answered (a completed one has). */
function complaintsToDo(app) {
  const items = app.complaints?.items || [];
  const visits = visitsBy(app, "complaintId");
  return items
    .map((item) => ({ item, visit: visits.get(String(item.id)) }))
    .filter(({ visit }) => !visit || visit.status !== "completed");
}

function complaintSection(app) {
  const rows = complaintsToDo(app);
  if (!rows.length) return null;
  const day = today();
  return h(
    "section",
    { class: "fsection", id: "complaints" },
    h("h2", {}, "Phản ánh được giao"),
    h(
      "ul",
      { class: "plist" },
      rows.map(({ item, visit }) => {
        const late = item.deadline && item.deadline < day;
        const where = item.premise_name || item.address;
        const content = item.content.length > 90 ? `${item.content.slice(0, 90)}…` : item.content;
        const body = h(
          "span",
          { class: "prow-main" },
          h("strong", {}, where),
          h("span", { class: "muted" }, `${label("complaint_subjects", item.subject)} · nhận ${dayText(item.received_on)}`),
          h("span", { class: "small" }, content),
          item.deadline ? h("span", { class: late ? "badge badge-bad" : "badge badge-warn" }, `${late ? "Quá hạn xử lý" : "Hạn xử lý"} ${dayText(item.deadline)}`) : null,
          visit ? h("span", { class: "badge badge-warn" }, "Đang kiểm tra") : null,
          item.premise_id ? null : h("span", { class: "hint" }, "Chưa gắn với cơ sở: mở cơ sở tại địa chỉ này trong danh sách để kiểm tra.")
        );
        return h(
          "li",
          {},
          item.premise_id
            ? h("a", { class: "prow", href: visit ? `#/i/${visit.uuid}` : `#/complaint/${item.id}`, dataset: { complaint: item.id } }, body, h("span", { class: "prow-go" }, visit ? "Tiếp tục ›" : "Kiểm tra ›"))
            : h("div", { class: "prow", dataset: { complaint: item.id } }, body)
        );
      })
    )
  );
}

export function renderHome(view, app, act) {
  const drafts = [...app.inspections.values()].filter((i) => i.status === "draft").sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const done = [...app.inspections.values()]
    .filter((i) => i.status === "completed")
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .slice(0, 5);
  const list = h("ul", { class: "plist", id: "premise-list" });
  const search = h("input", {
    type: "search",
    id: "premise-search",
    placeholder: "Tìm theo tên, chủ cơ sở, số sạp…",
    "aria-label": "Tìm cơ sở",
    value: app.query,
    oninput: (event) => {
      app.query = event.target.value;
      fillPremises(list, app);
    },
  });
  fillPremises(list, app);
  const where = app.position
    ? `Vị trí của bạn: sai số ±${Math.round(app.position.accuracy_m)} m`
    : app.positionError || "Đang lấy vị trí…";
  mount(
    view,
    drafts.length
      ? h(
          "section",
          { class: "fsection" },
          h("h2", {}, "Đang kiểm tra"),
          h(
            "ul",
            { class: "plist" },
            drafts.map((i) =>
              h(
                "li",
                {},
                h(
                  "a",
                  { class: "prow", href: `#/i/${i.uuid}` },
                  h("span", { class: "prow-main" }, h("strong", {}, i.premise.name), h("span", { class: "muted" }, `Bắt đầu ${formatDateTime(i.startedAt)}`)),
                  h("span", { class: "prow-go" }, "Tiếp tục ›")
                )
              )
            )
          )
        )
      : null,
    complaintSection(app),
    followUpSection(app),
    h(
      "section",
      { class: "fsection" },
      h("h2", {}, "Cơ sở gần nhất"),
      app.me.can_record ? null : h("p", { class: "warn" }, READ_ONLY_ROLE),
      h("p", { class: "muted small", id: "position-status" }, where, " ", h("button", { class: "linkish", type: "button", onclick: act.refreshPosition }, "Cập nhật")),
      keptLine(app),
      search,
      list
    ),
    done.length
      ? h(
          "section",
          { class: "fsection" },
          h("h2", {}, "Đã kiểm tra gần đây"),
          h(
            "ul",
            { class: "plist" },
            done.map((i) => {
              const sync = inspectionSyncText(i, app.sync.byInspection[i.uuid]);
              return h(
                "li",
                {},
                h(
                  "a",
                  { class: "prow", href: `#/i/${i.uuid}/done` },
                  h("span", { class: "prow-main" }, h("strong", {}, i.premise.name), h("span", { class: "muted" }, `${label("handling", i.outcome)} · ${formatDateTime(i.startedAt)}`)),
                  h("span", { class: sync.cls }, sync.text)
                )
              );
            })
          )
        )
      : null,
    h(
      "section",
      { class: "fsection account" },
      h("p", {}, "Tài khoản: ", h("strong", {}, app.me.user.full_name), ` (${app.me.user.username})`),
      h("button", { class: "btn btn-block", type: "button", id: "logout", onclick: act.logout }, "Đăng xuất")
    )
  );
}

function fillPremises(list, app) {
  const words = fold(app.query).split(/[^a-z0-9]+/).filter(Boolean);
  const draftFor = new Map([...app.inspections.values()].filter((i) => i.status === "draft").map((i) => [i.premise.id, i]));
  const doneToday = new Set(
    [...app.inspections.values()].filter((i) => i.status === "completed" && i.startedAt.slice(0, 10) === today()).map((i) => i.premise.id)
  );
  const rows = sortedPremises(app).filter(({ premise }) => {
    const text = fold([premise.name, premise.owner_name, premise.stall_number, premise.market, premise.address].join(" "));
    return matchesWords(text, words);
  });
  mount(
    list,
    rows.length
      ? rows.slice(0, 60).map(({ premise, distance }) => {
          const draft = draftFor.get(premise.id);
          return h(
            "li",
            {},
            h(
              "a",
              { class: "prow", href: draft ? `#/i/${draft.uuid}` : `#/start/${premise.id}`, dataset: { premiseId: premise.id } },
              h(
                "span",
                { class: "prow-main" },
                h("strong", {}, premise.name),
                h("span", { class: "muted" }, premiseLine(premise)),
                draft ? h("span", { class: "badge badge-warn" }, "Đang kiểm tra") : null,
                doneToday.has(premise.id) ? h("span", { class: "badge badge-ok" }, "Đã kiểm tra hôm nay") : null
              ),
              h("span", { class: "prow-dist" }, distance !== null ? formatDistance(distance) : "—")
            )
          );
        })
      : h("li", { class: "empty" }, app.premises.length ? "Không có cơ sở nào khớp." : "Chưa có danh sách cơ sở (cần mạng lần đầu).")
  );
}

// ---- start an inspection --------------------------------------------------------------------------------------------

const READ_ONLY_ROLE = "Vai trò của bạn chỉ được xem, không được ghi kết quả kiểm tra.";

export function renderStart(view, app, act, premise) {
  if (!app.me.can_record) {
    mount(view, h("section", { class: "fsection" }, h("h2", {}, premise.name), h("p", { class: "warn" }, READ_ONLY_ROLE)));
    return;
  }
  const settings = app.me.settings;
  const form = app.startForm;
  const gpsBox = h("div", { class: "gpsbox", id: "gps-box" });
  const drawGps = () => {
    const fix = form.fix;
    const { distance, warnings } = assessFix(fix, premise, settings);
    const noLocation = premise.latitude === null || premise.longitude === null;
    mount(
      gpsBox,
      h(
        "p",
        {},
        fix ? `${fixText(fix)}` : form.fixError || "Đang lấy vị trí…",
        distance !== null ? ` · cách cơ sở ${formatDistance(distance)}` : null
      ),
      warnings.map((w) => h("p", { class: "warn", role: "alert" }, "⚠ ", w)),
      noLocation
        ? h(
            "label",
            { class: "check" },
            h("input", {
              type: "checkbox",
              id: "set-location",
              checked: form.setPremiseLocation,
              disabled: !fix,
              onchange: (e) => (form.setPremiseLocation = e.target.checked),
            }),
            "Đặt vị trí cơ sở theo vị trí hiện tại"
          )
        : null,
      noLocation ? h("p", { class: "hint" }, "Cơ sở chưa có vị trí đăng ký.") : null,
      h(
        "button",
        {
          class: "btn btn-small",
          type: "button",
          onclick: async () => {
            form.fix = null;
            form.fixError = null;
            drawGps();
            await act.takeFix(form, true);
            drawGps();
          },
        },
        "Lấy lại vị trí"
      )
    );
  };
  form.redrawGps = drawGps;
  drawGps();

  const me = app.me.user;
  const colleagues = app.me.colleagues.filter((c) => c.id !== me.id);
  const external = h("ul", { class: "members" });
  const drawExternal = () =>
    mount(
      external,
      form.external.map((m, index) =>
        h(
          "li",
          {},
          h("span", {}, [m.name, m.position, m.organisation].filter(Boolean).join(" – ")),
          h("button", { class: "btn btn-small", type: "button", "aria-label": `Bỏ ${m.name}`, onclick: () => (form.external.splice(index, 1), drawExternal()) }, "Bỏ")
        )
      )
    );
  drawExternal();
  const newName = h("input", { type: "text", id: "member-name", placeholder: "Họ và tên", autocomplete: "off" });
  const newPosition = h("input", { type: "text", id: "member-position", placeholder: "Chức vụ (không bắt buộc)", autocomplete: "off" });
  const newOrganisation = h("input", { type: "text", id: "member-organisation", placeholder: "Cơ quan, ví dụ Công an phường", list: "organisations", autocomplete: "off" });
  // Kept in the form: the screen is drawn again when a GPS fix arrives, and the message must outlive that.
  const memberProblem = h("p", { class: "error", role: "alert", id: "member-error" }, form.memberError || "");

  mount(
    view,
    h(
      "section",
      { class: "fsection premise-card" },
      h("h2", {}, premise.name),
      h("p", { class: "muted" }, premiseLine(premise)),
      form.complaint
        ? h(
            "p",
            { class: "notice", id: "complaint-note" },
            `Kiểm tra theo phản ánh nhận ngày ${dayText(form.complaint.received_on)}: ${form.complaint.content}`
          )
        : null,
      form.follows
        ? h(
            "p",
            { class: "notice", id: "follows-note" },
            `Kiểm tra lại việc khắc phục theo yêu cầu của cuộc kiểm tra ngày ${dayText(form.follows.inspected_on)} (hạn khắc phục ${dayText(form.follows.fix_deadline)}). Nếu cơ sở đã khắc phục, kết luận "Đạt" hoặc "Nhắc nhở".`
          )
        : null,
      premise.owner_name ? h("p", {}, "Chủ cơ sở: ", premise.owner_name) : null,
      premise.address ? h("p", { class: "muted small" }, premise.address) : null,
      gpsBox
    ),
    form.carried ? carriedNote(app, form) : null,
    h(
      "section",
      { class: "fsection" },
      h("h2", {}, "Hình thức kiểm tra"),
      h(
        "div",
        { class: "choices", role: "radiogroup" },
        choices("kinds").map(([code, text]) =>
          h(
            "label",
            { class: "choice" },
            h("input", {
              type: "radio",
              name: "kind",
              value: code,
              checked: form.kind === code,
              // An inspection answering a complaint is "theo phản ánh", whatever was chosen last time.
              disabled: Boolean(form.complaint) && code !== "complaint",
              onchange: () => (form.kind = code),
            }),
            h("span", {}, text)
          )
        )
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "basis" }, "Căn cứ kiểm tra"),
        h("textarea", {
          id: "basis",
          rows: 2,
          maxlength: 300,
          placeholder: "Ví dụ: Kế hoạch số 50/KH-UBND ngày 29/9/2025",
          value: form.basis,
          oninput: (e) => (form.basis = e.target.value),
        })
      )
    ),
    h(
      "section",
      { class: "fsection team" },
      h("h2", {}, "Đoàn kiểm tra"),
      h("p", {}, "Trưởng đoàn: ", h("strong", {}, me.full_name), me.position ? ` – ${me.position}` : ""),
      colleagues.length ? h("p", { class: "hint" }, "Cán bộ cùng đơn vị tham gia:") : null,
      colleagues.map((c) =>
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            value: c.id,
            checked: form.colleagues.includes(c.id),
            onchange: (e) => {
              form.colleagues = form.colleagues.filter((id) => id !== c.id);
              if (e.target.checked) form.colleagues.push(c.id);
            },
          }),
          h("span", {}, c.full_name, c.position ? h("span", { class: "hint" }, c.position) : null)
        )
      ),
      h("p", { class: "hint" }, "Thành viên cơ quan khác (Công an, Quản lý thị trường…):"),
      external,
      h("datalist", { id: "organisations" }, ORGANISATIONS.map((o) => h("option", { value: o }))),
      h("div", { class: "member-form" }, newName, newPosition, newOrganisation),
      memberProblem,
      h(
        "button",
        {
          class: "btn btn-block",
          type: "button",
          id: "add-member",
          onclick: () => {
            const name = newName.value.trim();
            form.memberError = name ? "" : "Nhập họ tên thành viên trước khi thêm.";
            memberProblem.textContent = form.memberError;
            if (!name) {
              newName.focus();
              return;
            }
            form.external.push({ name, position: newPosition.value.trim(), organisation: newOrganisation.value.trim() });
            newName.value = newPosition.value = newOrganisation.value = "";
            drawExternal();
          },
        },
        "+ Thêm thành viên"
      ),
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id: "province-in-team",
          checked: Boolean(form.provinceInTeam),
          onchange: (e) => (form.provinceInTeam = e.target.checked),
        }),
        h(
          "span",
          {},
          "Đoàn có cán bộ Sở Khoa học và Công nghệ (Chi cục)",
          h("span", { class: "hint" }, "Không có: kết quả sai số phương tiện đo và lượng thực của hàng đóng gói sẵn chỉ là sơ bộ, không tính là vi phạm.")
        )
      )
    ),
    bottomBar(
      h("button", { class: "btn btn-primary btn-wide", type: "button", id: "start", onclick: oneTapAtATime(() => act.start(premise)) }, "Bắt đầu kiểm tra")
    )
  );
}

/** What the start form took from the previous inspection, in words, with the box that confirms it. */
function carriedNote(app, form) {
  const names = app.me.colleagues.filter((c) => form.colleagues.includes(c.id)).map((c) => c.full_name);
  const team = [...names, ...form.external.map((m) => m.name)];
  return h(
    "section",
    { class: "fsection notice", id: "carried-note" },
    h("p", {}, h("strong", {}, "Điền sẵn theo lần kiểm tra trước — hãy xem lại:")),
    h(
      "ul",
      {},
      h("li", {}, "Hình thức: ", label("kinds", form.kind)),
      h("li", {}, "Căn cứ: ", form.basis || "(chưa ghi)"),
      h("li", {}, "Thành viên đoàn: ", team.length ? team.join(", ") : "chỉ trưởng đoàn"),
      form.provinceInTeam ? h("li", {}, "Đoàn có cán bộ Sở Khoa học và Công nghệ") : null
    ),
    h(
      "label",
      { class: "check" },
      h("input", {
        type: "checkbox",
        id: "carried-ok",
        checked: form.carriedConfirmed,
        onchange: (e) => (form.carriedConfirmed = e.target.checked),
      }),
      h("span", {}, "Tôi đã xem lại; các thông tin trên đúng cho lần kiểm tra này")
    )
  );
}

/** Who may conclude on this item, when this team may not: "sơ bộ", or a referral to another body. */
function scopeNote(inspection, item) {
  if (item.decision_scope === "referral") {
    return h("p", { class: "warn small scope-note", dataset: { scope: "referral" } }, "Chuyển cơ quan có thẩm quyền (Quản lý thị trường): không phải kết luận vi phạm của đoàn.");
  }
  if (item.decision_scope === "province" && !inspection.provinceInTeam) {
    return h("p", { class: "warn small scope-note", dataset: { scope: "province" } }, "Sơ bộ: đoàn không có cán bộ Sở Khoa học và Công nghệ nên kết quả không tính là vi phạm.");
  }
  return null;
}

// ---- checklist --------------------------------------------------------------------------------------------------------

export function renderChecklist(view, app, act, inspection, groupCode) {
  const catalogue = app.catalogues[inspection.catalogueVersion] || app.catalogue;
  const groups = itemsByGroup(catalogue, inspection.premise.premise_type).filter((g) => g.items.length);
  const index = Math.max(0, groups.findIndex((g) => g.code === groupCode));
  const group = groups[index];
  const answered = (g) => g.items.filter((item) => inspection.findings[item.code] && inspection.findings[item.code].answer).length;
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Nhóm nội dung kiểm tra" },
    groups.map((g, i) =>
      h(
        "a",
        { href: `#/i/${inspection.uuid}/${g.code}`, class: i === index ? "tab active" : "tab", "aria-current": i === index ? "page" : null },
        h("span", {}, g.title),
        h("small", {}, `${answered(g)}/${g.items.length}`)
      )
    )
  );
  const next = groups[index + 1];
  const previous = groups[index - 1];
  // The group fed by instruments and readings gets the premise's instruments on top; the one fed by lots, the lots.
  const panels = [];
  if (group.items.some((item) => isInstrumentSource(item.auto_source))) panels.push(instrumentPanel(app, act, inspection));
  if (group.items.some((item) => item.auto_source === "prepackage_lots")) panels.push(lotPanel(app, act, inspection));
  const list = h("ol", { class: "items" }, group.items.map((item) => itemCard(app, act, inspection, item)));
  /** New suggestions (the server's, or new local data): redraw the cards that show one, unless someone is typing there. */
  const refreshSuggested = () => {
    const fresh = app.inspections.get(inspection.uuid) || inspection;
    for (const item of group.items) {
      const card = document.getElementById(`item-${item.code}`);
      if (!item.auto_source || !card || card.contains(document.activeElement)) continue;
      card.replaceWith(itemCard(app, act, fresh, item));
    }
  };
  if (group.items.some((item) => item.auto_source)) {
    app.redrawRecords = () => {
      for (const panel of panels) if (panel.redraw) panel.redraw();
      refreshSuggested();
      act.refreshSuggestions(app.inspections.get(inspection.uuid) || inspection, refreshSuggested);
    };
    act.refreshSuggestions(inspection, refreshSuggested);
  }
  mount(
    view,
    h("div", { class: "subhead" }, h("strong", {}, inspection.premise.name), tabs),
    h("h2", { class: "group-title" }, group.title),
    panels,
    list,
    bottomBar(
      previous
        ? h("a", { class: "btn", href: `#/i/${inspection.uuid}/${previous.code}` }, "‹ Trước")
        : h("a", { class: "btn", href: "#/" }, "‹ Danh sách"),
      next
        ? h("a", { class: "btn btn-primary btn-wide", href: `#/i/${inspection.uuid}/${next.code}`, id: "next-group" }, `Tiếp: ${next.title} ›`)
        : h("a", { class: "btn btn-primary btn-wide", href: `#/i/${inspection.uuid}/done`, id: "to-conclusion" }, "Kết luận ›")
    )
  );
}

export function itemCard(app, act, inspection, item) {
  const finding = inspection.findings[item.code] || {};
  const card = h("li", { class: "item", id: `item-${item.code}`, dataset: { code: item.code, answer: finding.answer || "" } });
  const answers = h(
    "div",
    { class: "answers", role: "group", "aria-label": "Kết quả" },
    choices("answers").filter(([code]) => code !== NOT_CHECKED).map(([code, text]) =>
      h(
        "button",
        {
          type: "button",
          class: `ans ans-${code}`,
          "aria-pressed": finding.answer === code ? "true" : "false",
          dataset: { answer: code },
          // A count says how many were found wrong: it goes with "Không đạt" only.
          onclick: () => act.answer(inspection, item, code === "fail" ? { answer: code } : { answer: code, affected_count: null }, card),
        },
        text
      )
    )
  );
  const showNote = finding.answer === "fail" || finding.note || app.noteOpen.has(`${inspection.uuid}/${item.code}`);
  const suggestion = suggestionFor(app, inspection, item);
  const photos = inspection.photos.filter((p) => p.item_code === item.code);
  mount(
    card,
    h(
      "div",
      { class: "item-head" },
      h("span", { class: "code" }, item.code),
      item.provisional ? h("span", { class: "badge badge-warn" }, "Căn cứ chưa xác nhận") : null
    ),
    h("p", { class: "question" }, item.question),
    scopeNote(inspection, item),
    h(
      "p",
      { class: "basis" },
      "Căn cứ: ",
      item.legal_basis.map((b) => [b.document, b.article].filter(Boolean).join(", ")).join("; ")
    ),
    suggestion ? suggestionBox(act, inspection, item, finding, suggestion, card) : null,
    finding.answer === NOT_CHECKED ? h("p", { class: "warn small not-checked" }, `Không kiểm tra – lý do: ${finding.note}`) : null,
    answers,
    finding.answer === "fail" && item.fail_handling_note ? h("p", { class: "suggest" }, "Gợi ý xử lý: ", item.fail_handling_note) : null,
    finding.answer === "fail" && item.answer_kind === "pass_fail_count" ? countField(act, inspection, item, finding) : null,
    showNote
      ? h(
          "div",
          { class: "field" },
          h("label", { for: `note-${item.code}` }, "Ghi chú"),
          h("textarea", {
            id: `note-${item.code}`,
            rows: 2,
            maxlength: 2000,
            value: finding.note || "",
            placeholder: finding.answer === "fail" ? "Mô tả vi phạm: hàng hóa, phương tiện đo, số tem…" : "",
            oninput: (e) => act.noteTyping(inspection, item, e.target.value),
            onchange: (e) => act.answer(inspection, item, { note: e.target.value }),
          })
        )
      : null,
    h(
      "div",
      { class: "item-tools" },
      showNote ? null : h("button", { class: "btn btn-small", type: "button", onclick: () => act.showNote(inspection, item, card) }, "+ Ghi chú"),
      photoButton(act, inspection, item.code, "Chụp ảnh"),
      photos.map((p) => h("img", { class: "thumb", src: p.thumb, alt: `Ảnh ${item.code}`, width: 56, height: 56 }))
    ),
    h(
      "details",
      { class: "more" },
      h("summary", {}, "Hướng dẫn và căn cứ"),
      h("p", {}, item.hint),
      h(
        "ul",
        {},
        item.legal_basis.map((b) => h("li", {}, h("strong", {}, b.document), b.article ? `, ${b.article}` : "", b.note ? h("span", { class: "hint" }, b.note) : null))
      )
    )
  );
  return card;
}

/** "Gợi ý tự động": the answer the measurements suggest; the inspector confirms it with one tap (or answers otherwise). */
function suggestionBox(act, inspection, item, finding, suggestion, card) {
  const text = label("answers", suggestion.answer);
  const taken = finding.answer === suggestion.answer;
  return h(
    "div",
    { class: `autosuggest auto-${suggestion.answer}`, id: `suggest-${item.code}`, dataset: { answer: suggestion.answer, source: suggestion.server ? "server" : "phone" } },
    h("p", {}, h("strong", {}, "Gợi ý tự động: ", text), h("span", { class: "hint" }, suggestion.server ? "theo dữ liệu trên máy chủ" : "tính trên điện thoại")),
    h("p", { class: "small" }, suggestion.reason),
    taken
      ? h("p", { class: "ok small" }, "✓ Đã chọn theo gợi ý")
      : h(
          "button",
          {
            class: "btn btn-small use-suggestion",
            type: "button",
            onclick: () => {
              const changes = { answer: suggestion.answer };
              // A failed item needs a note: the reason is a good start, and the inspector may edit it.
              if (suggestion.answer === "fail" && !finding.note) changes.note = suggestion.reason.slice(0, 2000);
              act.answer(inspection, item, changes, card);
            },
          },
          `Dùng gợi ý: ${text}`
        )
  );
}

export function photoButton(act, inspection, itemCode, text) {
  return h(
    "label",
    { class: "btn btn-small photo-btn" },
    h("span", { class: "cam", "aria-hidden": "true" }),
    text,
    h("input", {
      type: "file",
      accept: "image/*",
      capture: "environment",
      class: "visually-hidden",
      dataset: { item: itemCode || "" },
      onchange: (e) => {
        const file = e.target.files && e.target.files[0];
        e.target.value = "";
        if (file) act.addPhoto(inspection, itemCode, file);
      },
    })
  );
}

// ---- conclusion --------------------------------------------------------------------------------------------------------

export function renderDone(view, app, act, inspection) {
  const catalogue = app.catalogues[inspection.catalogueVersion] || app.catalogue;
  const items = itemsByGroup(catalogue, inspection.premise.premise_type).flatMap((g) => g.items);
  const failed = items.filter((i) => (inspection.findings[i.code] || {}).answer === "fail");
  const unanswered = items.filter((i) => !(inspection.findings[i.code] || {}).answer);
  const skipped = items.filter((i) => (inspection.findings[i.code] || {}).answer === NOT_CHECKED);
  const form = app.doneForm;
  const readOnly = inspection.status === "completed";
  const extra = h("div", { id: "outcome-extra" });
  const errors = h("div", { id: "done-errors", role: "alert" });
  const drawExtra = () =>
    mount(
      extra,
      form.outcome === "fix_request"
        ? h(
            "div",
            { class: "field" },
            h("label", { for: "fix-deadline" }, "Thời hạn khắc phục"),
            h("input", {
              type: "date",
              id: "fix-deadline",
              min: inspection.startedAt.slice(0, 10),
              max: app.me.settings.latest_day || "",
              value: form.fix_deadline || "",
              onchange: (e) => (form.fix_deadline = e.target.value),
            })
          )
        : null,
      form.outcome === "referral"
        ? h(
            "div",
            { class: "field" },
            h("label", { for: "referral-body" }, "Chuyển đến cơ quan"),
            h(
              "select",
              { id: "referral-body", onchange: (e) => (form.referral_body = e.target.value) },
              h("option", { value: "" }, "— Chọn cơ quan —"),
              choices("referral_bodies").map(([code, text]) => h("option", { value: code, selected: form.referral_body === code }, text))
            )
          )
        : null
    );
  drawExtra();
  const suggested = suggestedHandling(failuresOf(items, inspection.findings, inspection.provinceInTeam));
  const sync = inspectionSyncText(inspection, app.sync.byInspection[inspection.uuid]);
  const general = inspection.photos.filter((p) => !p.item_code);
  mount(
    view,
    h(
      "section",
      { class: "fsection" },
      h("h2", {}, inspection.premise.name),
      h("p", {}, `${label("kinds", inspection.kind)} · bắt đầu ${formatDateTime(inspection.startedAt)}`),
      h("p", {}, h("span", { class: sync.cls }, sync.text), readOnly ? h("span", { class: "badge badge-ok" }, "Đã hoàn thành") : null),
      // The server's verdict on the GPS fix once it has the record; until then the phone's own.
      (inspection.serverWarnings || inspection.localWarnings || []).map((w) => h("p", { class: "warn" }, "⚠ ", w)),
      h(
        "p",
        { class: "summary" },
        `Đã trả lời ${items.length - unanswered.length}/${items.length} nội dung · `,
        h("strong", { class: failed.length ? "bad" : "ok" }, `${failed.length} không đạt`),
        ` · ${inspection.photos.length} ảnh`
      ),
      failed.length ? h("ul", { class: "fails" }, failed.map((i) => h("li", {}, h("strong", {}, i.code), " ", (inspection.findings[i.code].note || i.question)))) : null,
      readOnly ? null : notCheckedForm(act, inspection, unanswered),
      skipped.length
        ? h(
            "div",
            { id: "not-checked" },
            h("p", {}, h("strong", {}, `Không kiểm tra (${skipped.length}):`)),
            h("ul", { class: "fails" }, skipped.map((i) => h("li", {}, h("strong", {}, i.code), ` ${i.question} – lý do: ${inspection.findings[i.code].note}`)))
          )
        : null,
      readOnly ? null : h("a", { class: "btn btn-small", href: `#/i/${inspection.uuid}` }, "‹ Quay lại danh mục")
    ),
    readOnly && !general.length
      ? null
      : h(
          "section",
          { class: "fsection" },
          h("h2", {}, "Ảnh chung"),
          h(
            "div",
            { class: "item-tools" },
            readOnly ? null : photoButton(act, inspection, null, "Chụp ảnh chung"),
            general.map((p) => h("img", { class: "thumb", src: p.thumb, alt: "Ảnh chung", width: 56, height: 56 }))
          )
        ),
    readOnly ? handlingFacts(inspection) : handlingForm(form, drawExtra, extra, errors, suggested),
    readOnly
      ? bottomBar(h("a", { class: "btn btn-wide", href: "#/" }, "‹ Danh sách cơ sở"))
      : bottomBar(
          h(
            "button",
            {
              class: "btn btn-primary btn-wide",
              type: "button",
              id: "complete",
              onclick: oneTapAtATime(() => act.complete(inspection, errors)),
            },
            "Hoàn thành"
          )
        )
  );
}

// The largest count the server stores (a 32-bit integer column).
const MAX_COUNT = 2147483647;

/** What is wrong with a typed count ("how many were wrong"), or null: empty (no count) or a whole number from 0. */
function countProblem(text) {
  if (text === "") return null;
  if (!/^\d+$/.test(text)) return "Số lượng không đạt phải là số nguyên, không âm (ví dụ 3).";
  if (Number(text) > MAX_COUNT) return "Số lượng không đạt quá lớn; vui lòng kiểm tra lại.";
  return null;
}

/** A failed item's count: saved when it is a count, otherwise refused under the box, the typed text kept. */
function countField(act, inspection, item, finding) {
  const problem = h("p", { class: "error", role: "alert", id: `count-error-${item.code}` });
  return h(
    "div",
    { class: "field fcount" },
    h("label", { for: `count-${item.code}` }, "Số lượng không đạt"),
    h("input", {
      type: "number",
      inputmode: "numeric",
      min: 0,
      step: 1,
      id: `count-${item.code}`,
      value: finding.affected_count ?? "",
      onchange: (e) => {
        // A number input gives "" for text it cannot read as a number: that is refused too, not taken for "no count".
        const text = e.target.validity.badInput ? "?" : e.target.value.trim();
        const wrong = countProblem(text);
        problem.textContent = wrong || "";
        if (!wrong) act.answer(inspection, item, { affected_count: text === "" ? null : Number(text) });
      },
    }),
    problem
  );
}

// Reasons typed on the conclusion screen, kept while it is drawn again (one item marked redraws the list).
const skipReasons = new Map();

/**
 * The items still without an answer: each is answered on the checklist, or marked "Không kiểm tra" here with the
 * reason it was not checked (required). Completion is refused while any is left.
 */
function notCheckedForm(act, inspection, unanswered) {
  if (!unanswered.length) return null;
  return h(
    "div",
    { id: "unanswered", class: "unanswered" },
    h("p", { class: "warn" }, `Còn ${unanswered.length} nội dung chưa có kết quả. Trả lời trên danh mục, hoặc đánh dấu “Không kiểm tra” kèm lý do:`),
    h(
      "ol",
      { class: "skip-list" },
      unanswered.map((item) => {
        const key = `${inspection.uuid}/${item.code}`;
        const problem = h("p", { class: "error", role: "alert", id: `skip-error-${item.code}` });
        const reason = h("input", {
          type: "text",
          id: `skip-reason-${item.code}`,
          maxlength: 2000,
          placeholder: "Lý do không kiểm tra",
          value: skipReasons.get(key) || "",
          oninput: (e) => skipReasons.set(key, e.target.value),
        });
        return h(
          "li",
          { class: "skip-row", id: `unanswered-${item.code}`, dataset: { code: item.code } },
          h("p", {}, h("a", { href: `#/i/${inspection.uuid}/${item.code.split("-")[0]}` }, h("strong", {}, item.code)), " ", item.question),
          h("div", { class: "field" }, h("label", { for: `skip-reason-${item.code}` }, "Lý do không kiểm tra"), reason),
          problem,
          h(
            "button",
            {
              type: "button",
              class: "btn btn-small skip-item",
              id: `skip-${item.code}`,
              onclick: async () => {
                const text = reason.value.trim();
                if (!text) {
                  problem.textContent = "Cần ghi lý do không kiểm tra.";
                  reason.focus();
                  return;
                }
                skipReasons.delete(key);
                await act.markNotChecked(inspection, item, text);
              },
            },
            "Không kiểm tra"
          )
        );
      })
    )
  );
}

function handlingForm(form, drawExtra, extra, errors, suggested) {
  return h(
    "section",
    { class: "fsection" },
    h("h2", {}, "Kết quả và hình thức xử lý"),
    h(
      "p",
      { class: "hint", id: "handling-hint" },
      "Gợi ý theo danh mục: ",
      h("strong", {}, suggested.codes.map((code) => label("handling", code)).join(", ")),
      ` (${suggestionBasis(suggested)})`
    ),
    h(
      "div",
      { class: "choices one", role: "radiogroup" },
      choices("handling").map(([code, text]) =>
        h(
          "label",
          { class: `choice outcome-${code}${suggested.codes.includes(code) ? " suggested" : ""}`, dataset: { suggested: String(suggested.codes.includes(code)) } },
          h("input", {
            type: "radio",
            name: "outcome",
            value: code,
            checked: form.outcome === code,
            onchange: () => {
              form.outcome = code;
              drawExtra();
            },
          }),
          h("span", {}, text, suggested.codes.includes(code) ? h("small", { class: "suggested-mark" }, "Gợi ý theo danh mục") : null)
        )
      )
    ),
    extra,
    h(
      "div",
      { class: "field" },
      h("label", { for: "handling-note" }, "Ghi chú xử lý"),
      h("textarea", { id: "handling-note", rows: 3, maxlength: 4000, value: form.handling_note || "", oninput: (e) => (form.handling_note = e.target.value) })
    ),
    errors
  );
}

/** A completed inspection: what was decided, read only. */
function handlingFacts(inspection) {
  const [year, month, day] = (inspection.fix_deadline || "").split("-");
  const facts = [
    ["Kết quả, hình thức xử lý", label("handling", inspection.outcome)],
    inspection.fix_deadline ? ["Thời hạn khắc phục", `${day}/${month}/${year}`] : null,
    inspection.referral_body ? ["Chuyển đến", label("referral_bodies", inspection.referral_body)] : null,
    inspection.handling_note ? ["Ghi chú xử lý", inspection.handling_note] : null,
    inspection.endedAt ? ["Kết thúc", formatDateTime(inspection.endedAt)] : null,
  ].filter(Boolean);
  return h(
    "section",
    { class: "fsection" },
    h("h2", {}, "Kết quả và hình thức xử lý"),
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    // The biên bản is issued, shown for signing and printed from the inspection's page (needs the network).
    inspection.serverId
      ? h(
          "p",
          {},
          h("a", { class: "btn btn-primary btn-wide", id: "open-minutes", href: `/inspections/${inspection.serverId}` }, "Lập / xem biên bản kiểm tra"),
          h("small", { class: "hint" }, " Cần có mạng.")
        )
      : h("p", { class: "hint" }, "Biên bản được lập sau khi cuộc kiểm tra đã gửi lên máy chủ.")
  );
}

// ---- outbox ------------------------------------------------------------------------------------------------------------

const KIND_TEXT = {
  inspection: "Tạo cuộc kiểm tra",
  finding: "Kết quả kiểm tra",
  finding_patch: "Sửa kết quả",
  photo: "Ảnh",
  inspection_patch: "Kết luận cuộc kiểm tra",
  instrument: "Thêm phương tiện đo",
  reading: "Kết quả đo",
  lot: "Lô hàng đóng gói sẵn",
  meter_check: "Kiểm tra công tơ, đồng hồ nước",
  instrument_photo: "Ảnh phương tiện đo",
};

// A 409 on these means their UUID is taken on the server: they can only be sent again as new records.
const NEW_RECORD_TEXT = {
  photo: "Gửi thành ảnh mới",
  reading: "Gửi thành kết quả đo mới",
  lot: "Gửi thành lô mới",
  meter_check: "Gửi thành bản ghi mới",
  instrument_photo: "Gửi thành ảnh mới",
};

export function renderOutbox(view, app, act, items) {
  const status = app.sync;
  // Later records of an inspection wait for a refused one before them (a finding needs its inspection first).
  const refused = new Set(items.filter((i) => i.state === "failed").map((i) => i.inspection));
  const firstRefused = new Map();
  for (const item of items) if (item.state === "failed" && !firstRefused.has(item.inspection)) firstRefused.set(item.inspection, item.seq);
  mount(
    view,
    h(
      "section",
      { class: "fsection" },
      h("h2", {}, "Chờ đồng bộ"),
      status.authLost ? h("p", { class: "warn" }, "Cần đăng nhập lại để gửi. ", h("a", { href: "/login?next=/app" }, "Đăng nhập")) : null,
      status.trouble ? h("p", { class: "warn" }, status.trouble) : null,
      items.length
        ? h("p", {}, `${status.pending} chờ gửi, ${status.failed} bị từ chối. Bản ghi chỉ rời khỏi máy khi máy chủ đã nhận.`)
        : h("p", { class: "ok" }, "✓ Mọi bản ghi đã được gửi lên máy chủ."),
      status.others ? h("p", { class: "hint" }, `${status.others} bản ghi của tài khoản khác đang chờ trên máy này; chúng chỉ được gửi khi tài khoản đó đăng nhập.`) : null,
      h("button", { class: "btn btn-block", type: "button", id: "send-now", onclick: act.sendNow }, "Gửi ngay"),
      h(
        "ol",
        { class: "outbox" },
        items.map((item) => {
          const error = item.error;
          return h(
            "li",
            { class: `obx obx-${item.state}`, dataset: { seq: item.seq, kind: item.kind } },
            h("strong", {}, KIND_TEXT[item.kind] || item.kind),
            item.label ? h("span", {}, " – ", item.label) : null,
            h(
              "div",
              { class: "hint" },
              item.state === "failed"
                ? "Bị từ chối"
                : refused.has(item.inspection) && item.seq > firstRefused.get(item.inspection)
                  ? "Chờ bản ghi bị từ chối ở trên được gửi"
                  : item.attempts
                    ? `Chờ gửi (đã thử ${item.attempts} lần)`
                    : "Chờ gửi"
            ),
            error && error.message ? h("p", { class: item.state === "failed" ? "error" : "warn" }, error.message) : null,
            error && error.fields ? h("ul", { class: "error" }, fieldMessages(error.fields, item.kind).map((m) => h("li", {}, m))) : null,
            item.state === "failed"
              ? h(
                  "div",
                  { class: "actions" },
                  error && error.status === 409 && !error.locked && NEW_RECORD_TEXT[item.kind]
                    ? h("button", { class: "btn btn-small btn-primary", type: "button", onclick: () => act.retryOnCurrent(item.seq) }, NEW_RECORD_TEXT[item.kind])
                    : error && error.status === 409 && error.current && item.kind !== "instrument"
                      ? h("button", { class: "btn btn-small btn-primary", type: "button", onclick: () => act.retryOnCurrent(item.seq) }, "Gửi lại trên bản mới nhất")
                      : null,
                  h("button", { class: "btn btn-small", type: "button", onclick: () => act.retry(item.seq) }, "Thử lại")
                )
              : null
          );
        })
      )
    )
  );
}

export function renderNoAccount(view) {
  mount(
    view,
    h(
      "section",
      { class: "fsection" },
      h("h2", {}, "Cần đăng nhập"),
      h("p", {}, "Máy này chưa có dữ liệu của tài khoản nào. Hãy kết nối mạng và đăng nhập một lần để tải danh sách cơ sở và danh mục kiểm tra."),
      h("a", { class: "btn btn-primary btn-block", href: "/login?next=/app" }, "Đăng nhập")
    )
  );
}

/** A button's click handler that runs `action` once at a time: the button is disabled from the first tap until the
 * action has finished, so a double tap (or a double click on a desk's mouse) starts or saves nothing twice. */
function oneTapAtATime(action) {
  return async (event) => {
    const button = event.currentTarget;
    if (button.disabled) return;
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  };
}
