// DOM and formatting helpers shared by the screens: element builder, Vietnamese labels, numbers, dates.

/** h("div", {class: "x", onclick: fn}, child, ...) — builds elements without ever parsing data as HTML. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    // A textarea has no value attribute: its text is the property (a saved note must show when redrawn).
    else if (key === "value" && tag === "textarea") el.value = value;
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the content of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Labels come from the server's vocabulary module, rendered into the shell as [code, label] pairs in display order.
const vocab = JSON.parse(document.getElementById("vocabulary").textContent);
const lookup = Object.fromEntries(Object.entries(vocab).map(([name, pairs]) => [name, new Map(pairs)]));

export function label(table, code, fallback = "") {
  return (lookup[table] && lookup[table].get(code)) || fallback || code || "";
}

const numberFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });

export function formatDistance(metres) {
  if (metres === null || metres === undefined || Number.isNaN(metres)) return "";
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${numberFormat.format(metres / 1000)} km`;
}

export const formatNumber = (n) => numberFormat.format(n);

/** An instant in Việt Nam time (UTC+7, no daylight saving), dd/mm/yyyy HH:MM: the order the desk pages use too. */
export function formatDateTime(iso) {
  if (!iso) return "";
  const d = new Date(new Date(iso).getTime() + 7 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** An ISO 8601 time with the phone's own UTC offset (the API wants a zone; Việt Nam is +07:00). */
export function localIso(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

export const today = () => localIso().slice(0, 10);

/** Lower case without Vietnamese marks, for searching "nguyen thi huong" in "Nguyễn Thị Hường". */
export function fold(text) {
  return String(text || "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase();
}

/**
 * Whether every typed word is found in `text` (both folded): at the start of one of its words, so "huong" finds
 * "Hường" but not the "phường" of every address; a word with a digit anywhere, so "11" finds stall "G11".
 */
export function matchesWords(text, words) {
  const starts = ` ${text.replace(/[^a-z0-9]+/g, " ")}`;
  return words.every((w) => (/\d/.test(w) ? text.includes(w) : starts.includes(` ${w}`)));
}

let toastTimer = null;
export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 4000);
}

// Field names of the API, as people read them in an error list.
const FIELD_LABELS = {
  _body: "Dữ liệu",
  uuid: "Mã định danh",
  premise_id: "Cơ sở",
  kind: "Hình thức kiểm tra",
  basis: "Căn cứ",
  team: "Đoàn kiểm tra",
  gps: "Vị trí GPS",
  started_at: "Thời gian bắt đầu",
  ended_at: "Thời gian kết thúc",
  outcome: "Kết quả xử lý",
  fix_deadline: "Thời hạn khắc phục",
  referral_body: "Cơ quan được chuyển",
  handling_note: "Ghi chú xử lý",
  item_code: "Nội dung kiểm tra",
  answer: "Kết quả",
  note: "Ghi chú",
  affected_count: "Số lượng",
  file: "Tệp ảnh",
  caption: "Chú thích",
  version: "Phiên bản",
  catalogue_version: "Danh mục",
  instrument_id: "Phương tiện đo",
  instrument_uuid: "Phương tiện đo",
  standard_ids: "Chuẩn đo lường",
  reference: "Tải / lượng chuẩn",
  indication: "Số chỉ",
  direction: "Chiều mua bán",
  measured_at: "Thời gian đo",
  instrument_type: "Loại phương tiện đo",
  make: "Hãng sản xuất",
  model: "Kiểu",
  serial: "Số sản xuất",
  accuracy_class: "Cấp chính xác",
  max_capacity: "Mức cân lớn nhất (Max)",
  min_capacity: "Mức cân nhỏ nhất (Min)",
  e: "Giá trị độ chia kiểm (e)",
  d: "Giá trị độ chia (d)",
  goods_mass: "Khối lượng hàng thường cân",
  verification_mark: "Số tem kiểm định",
  verified_on: "Ngày kiểm định",
  valid_until: "Hạn kiểm định",
  seal_state: "Niêm phong",
  product: "Sản phẩm",
  nominal: "Lượng danh định",
  tare: "Khối lượng bì",
  lot_size: "Cỡ lô",
  measured: "Lượng đo được",
  variant: "Kiểu công tơ / đồng hồ",
  owner_name: "Đơn vị quản lý",
  installation_address: "Địa chỉ lắp đặt",
  index_reading: "Chỉ số",
  stamp_state: "Tem kiểm định",
  tampering_signs: "Dấu hiệu can thiệp",
  tampering_note: "Mô tả dấu hiệu can thiệp",
  complainant: "Người phản ánh",
  complaint: "Nội dung phản ánh",
  referred_to_utility_on: "Ngày chuyển đơn vị cấp điện/nước",
  referred_to_department_on: "Ngày chuyển Sở",
  referral_note: "Ghi chú chuyển",
  indicative_reference: "Lượng nước trên bình chuẩn",
  indicative_indication: "Lượng nước đồng hồ chỉ",
  checked_at: "Thời gian kiểm tra",
};
// The same field names mean something else in a metrology record.
const METROLOGY_LABELS = { kind: "Loại phép đo", unit: "Đơn vị" };
const METROLOGY_KINDS = new Set(["instrument", "reading", "lot", "meter_check", "instrument_photo"]);

function flatten(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (value && typeof value === "object") return Object.values(value).flatMap(flatten);
  return [String(value)];
}

/** "Thời hạn khắc phục: Yêu cầu khắc phục cần có thời hạn khắc phục." for each field of a 422 answer. */
export function fieldMessages(fields, recordKind = null) {
  const labels = METROLOGY_KINDS.has(recordKind) ? { ...FIELD_LABELS, ...METROLOGY_LABELS } : FIELD_LABELS;
  return Object.entries(fields || {}).map(([name, messages]) => `${labels[name] || name}: ${flatten(messages).join(" ")}`);
}

/** The [code, label] pairs of one vocabulary, in display order. */
export const choices = (name) => vocab[name] || [];
