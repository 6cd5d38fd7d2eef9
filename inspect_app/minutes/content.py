"""The biên bản's metrology sections (readings, pre-packaged lots, reference standards used), from the stored
records; ``service.build_document`` puts them into the document."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from ..documents import minutes_pdf as pdf
from ..domain.scope import INDICATIVE_LABEL, indicative_note
from ..domain.vocabulary import OUTCOMES
from ..measurements import lots_of, readings_of
from ..measurements.rules import standard_label
from ..measurements.units import tidy
from ..models import Inspection


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
                mean=tidy(lot.mean.quantize(quantum)),
                tolerance=tidy(lot.tolerable_deficiency.quantize(quantum)),
                short_over_t=lot.count_beyond_t,
                short_over_2t=lot.count_beyond_2t,
                verdict=_verdict(lot),
                rules_broken=((indicative_note("province"),) if lot.indicative else ())
                + tuple(lot.rules_broken),
                provisional=lot.provisional,
            )
        )
    return tuple(readings), tuple(lots), tuple(standards.values())
