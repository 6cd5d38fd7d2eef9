"""The biên bản's metrology sections (readings, pre-packaged lots, reference standards used, meters checked), from
the stored records; ``service.build_document`` puts them into the document."""

from __future__ import annotations

from collections import OrderedDict
from decimal import ROUND_HALF_EVEN, Decimal

from ..documents import minutes_pdf as pdf
from ..domain.scope import INDICATIVE_LABEL, indicative_note
from ..documents.vn_format import format_vn_decimal, rounded
from ..domain.vocabulary import METER_VALIDITY, OUTCOMES, SEAL_STATES, STAMP_STATES, TAMPERING_SIGNS
from ..measurements import lots_of, meter_checks_of, readings_of
from ..measurements.rules import standard_label
from ..measurements.units import tidy
from ..models import Inspection
from ..tolerances import provisional_table_names


def _places(*values: Decimal | None) -> int:
    return max([0] + [-v.as_tuple().exponent for v in values if v is not None and v.as_tuple().exponent < 0])


def _verdict(record) -> str:
    """The verdict as printed; a result the team may not conclude on says "sơ bộ"."""
    text = OUTCOMES[record.outcome]
    return f"{text} ({INDICATIVE_LABEL.lower()})" if record.indicative else text


def _detail(record, detail: str) -> str:
    return f"{indicative_note('province')} {detail}".strip() if record.indicative else detail


def minutes_sections(inspection: Inspection):
    """The readings, lots and reference-standard lines of the biên bản, from the stored records."""
    readings, standards = [], OrderedDict()
    for reading in readings_of(inspection):
        for snapshot in reading.standards:
            standards.setdefault(snapshot["id"], standard_label(snapshot))
        e = None
        if reading.kind == "weighing" and reading.details.get("e") is not None:
            e = Decimal(reading.details["e"])
        places = _places(reading.indication, e) if reading.kind != "dispenser" else None
        if reading.kind == "dispenser":
            places = _places(reading.indication, reading.reference)
        readings.append(
            pdf.Reading(
                instrument=reading.instrument_label,
                reference=reading.reference,
                indication=reading.indication,
                error=reading.error,
                permitted_error=reading.permitted_error,
                unit=reading.unit,
                verdict=_verdict(reading),
                rule=_detail(reading, reading.rule),
                provisional=reading.provisional,
                provisional_tables=provisional_table_names(reading.tables),
                places=places,
                permitted_sign="" if reading.kind == "control" else "±",
            )
        )
    lots = []
    for lot in lots_of(inspection):
        places = _places(lot.nominal, *(Decimal(v) for v in lot.measured))
        quantum = Decimal(1).scaleb(-(places + 1))
        lots.append(
            pdf.PrepackagedLot(
                product=lot.product,
                nominal=lot.nominal,
                unit=lot.unit,
                sample_size=lot.sample_size,
                mean=tidy(rounded(lot.mean, quantum, ROUND_HALF_EVEN)),
                tolerance=tidy(rounded(lot.tolerable_deficiency, quantum, ROUND_HALF_EVEN)),
                short_over_t=lot.count_beyond_t,
                short_over_2t=lot.count_beyond_2t,
                verdict=_verdict(lot),
                rules_broken=((indicative_note("province"),) if lot.indicative else ())
                + tuple(lot.rules_broken),
                provisional=lot.provisional,
                provisional_tables=provisional_table_names(lot.tables),
            )
        )
    return tuple(readings), tuple(lots), tuple(standards.values())


METER_UNITS = {"m3": "m³", "kWh": "kWh"}


def meter_sections(inspection: Inspection) -> tuple[pdf.MeterCheck, ...]:
    """The meters checked, as printed: identity, stamp and validity, seals, signs of tampering, complaint, referral,
    and an indicative water check marked "sơ bộ". Nothing about a meter is printed as Đạt / Không đạt."""
    checks = []
    for check in meter_checks_of(inspection):
        instrument = check.instrument
        why = check.validity_text or METER_VALIDITY[check.validity]
        stamp = f"{STAMP_STATES[check.stamp_state]}. {why[:1].upper()}{why[1:]}"
        if instrument.verification_mark and instrument.verification_mark not in why:
            stamp += f". Số tem: {instrument.verification_mark}"
        index = ""
        if check.index_reading is not None:
            unit = METER_UNITS.get(instrument.unit, "")
            index = f"{format_vn_decimal(check.index_reading)} {unit}".strip()
        complaint = check.complaint
        if check.complainant:
            complaint = f"{check.complainant}: {complaint or '(không ghi nội dung)'}"
        referral = []
        if check.referred_to_utility_on:
            referral.append(f"Chuyển đơn vị cấp điện/cấp nước ngày {check.referred_to_utility_on:%d/%m/%Y}.")
        if check.referred_to_department_on:
            referral.append(
                f"Chuyển Sở Khoa học và Công nghệ ngày {check.referred_to_department_on:%d/%m/%Y}."
            )
        if not referral:
            referral.append("Chưa chuyển đơn vị cấp điện/cấp nước.")
        if check.referral_note:
            referral.append(check.referral_note)
        indicative = ""
        if check.indicative:
            indicative = f"{check.indicative['text']}. {check.indicative['note']}"
        tampering = [TAMPERING_SIGNS[code] for code in check.tampering_signs if code in TAMPERING_SIGNS]
        if check.tampering_note:
            tampering.append(check.tampering_note)
        checks.append(
            pdf.MeterCheck(
                meter=check.meter_label,
                address=instrument.installation_address,
                index_reading=index,
                stamp=stamp,
                seals=SEAL_STATES[check.seal_state],
                tampering=tuple(tampering) or ("Không ghi nhận dấu hiệu can thiệp.",),
                complaint=complaint,
                referral=tuple(referral),
                indicative=indicative,
                note=check.note,
            )
        )
    return tuple(checks)
