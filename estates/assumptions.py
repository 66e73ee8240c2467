"""Every parameter of the method, each with its value, unit and source.

One frozen object is passed to every calculation; the dashboard, the CLI and the report read the
units and sources from here so that no figure appears without them. Overrides are validated and
every problem is reported at once.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from estates.assumption_values import check_assumptions, coerce_value, fix_text
from estates.errors import AssumptionError, ProblemList
from estates.model import AGE_BANDS

FS4 = (
    "DLUHC Fact Sheet 4: New homes and healthcare facilities (Nov 2023), quoting the HUDU "
    "planning standard"
)
ASSUMPTION = "assumption (no authoritative source): edit to local evidence"
ROOMS = "HBN 11-01 era planning guidance; design guidance for room utilisation"


def _fig(
    default: Any,
    unit: str,
    source: str,
    label: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    kind: str = "number",
    group: str = "",
) -> Any:
    meta = {
        "unit": unit,
        "source": source,
        "label": label,
        "minimum": minimum,
        "maximum": maximum,
        "exclusive_minimum": exclusive_minimum,
        "kind": kind,
        "group": group,
    }
    if isinstance(default, tuple):
        return field(default=default, metadata=meta)
    return field(default=default, metadata=meta)


def _profile(values: Mapping[str, float]) -> tuple[float, ...]:
    return tuple(float(values.get(b, 0.0)) for b in AGE_BANDS)


# Age profile of residents of new general-needs homes. ONS mid-2022 England shares, rounded;
# new-build households skew young, so this errs towards older (heavier) demand.
_GENERAL_PROFILE = _profile(
    {"0_4": 0.055, "5_14": 0.12, "15_44": 0.39, "45_64": 0.25, "65_74": 0.1, "75_84": 0.06,
     "85_plus": 0.025}
)


# Carr-Hill 2007 age-sex workload weights (male, female) mapped onto the 7 age bands by the
# unweighted mean of the two sexes; only their ratios matter, as demand.need_weights normalises.
_CARR_HILL_SEXES = {"0_4": (2.354, 2.241), "5_14": (1.000, 1.030), "15_44": (0.913, 1.885),
                    "45_64": (1.373, 2.115), "65_74": (2.531, 2.820), "75_84": (3.254, 3.301),
                    "85_plus": (3.193, 3.090)}
_CARR_HILL_2007 = _profile({b: (m + f) / 2 for b, (m, f) in _CARR_HILL_SEXES.items()})


@dataclass(frozen=True)
class Assumptions:
    """Parameters of the capacity, demand, travel and cost calculations.

    Access a value as an attribute (``a.people_per_gp_fte``); ``describe()`` yields each field
    with its unit and source; ``to_dict``/``from_dict`` round-trip through JSON.
    """

    # --- time frame -----------------------------------------------------------------------
    base_year: int = _fig(2026, "year (financial year starting)", "user choice",
                          "Base year", minimum=2000, maximum=2100, kind="int", group="Time")
    horizon_year: int = _fig(2036, "year (financial year starting)", "user choice",
                             "Horizon year", minimum=2000, maximum=2100, kind="int",
                             group="Time")

    # --- homes to people ------------------------------------------------------------------
    occupancy_general: float = _fig(
        2.37, "persons per dwelling", FS4 + " (9,000 people = 3,800 homes)",
        "Occupancy, general housing", minimum=0, exclusive_minimum=True, group="Homes to people")
    occupancy_retirement: float = _fig(
        1.5, "persons per unit", ASSUMPTION + "; retirement housing holds one- and two-person "
        "older households. Fact Sheet 4 says retirement villages 'may create higher-than-"
        "average demand for GPs': the older age profile and the need weights carry that "
        "(1.5 residents weigh about 2.4 patients, above a general home's 2.37 residents)", "Occupancy, retirement / age-restricted",
        minimum=0, exclusive_minimum=True, group="Homes to people")
    occupancy_extra_care: float = _fig(
        1.0, "persons per unit", ASSUMPTION, "Occupancy, extra care",
        minimum=0, exclusive_minimum=True, group="Homes to people")
    occupancy_care_home: float = _fig(
        1.0, "persons per bed", ASSUMPTION, "Occupancy, care home beds",
        minimum=0, exclusive_minimum=True, group="Homes to people")
    occupancy_student: float = _fig(
        1.0, "persons per bed space", ASSUMPTION, "Occupancy, student housing",
        minimum=0, exclusive_minimum=True, group="Homes to people")
    age_profile_general: tuple[float, ...] = _fig(
        _GENERAL_PROFILE, "share of residents by age band",
        ASSUMPTION + "; ONS mid-2022 England age shares, rounded",
        "Age profile, general housing", kind="profile", group="Homes to people")
    age_profile_retirement: tuple[float, ...] = _fig(
        _profile({"65_74": 0.5, "75_84": 0.35, "85_plus": 0.15}), "share of residents by age band",
        ASSUMPTION + "; all residents aged 65+ (METHODS.md)", "Age profile, retirement",
        kind="profile", group="Homes to people")
    age_profile_extra_care: tuple[float, ...] = _fig(
        _profile({"75_84": 0.6, "85_plus": 0.4}), "share of residents by age band",
        ASSUMPTION + "; residents aged 75+", "Age profile, extra care", kind="profile",
        group="Homes to people")
    age_profile_care_home: tuple[float, ...] = _fig(
        _profile({"75_84": 0.4, "85_plus": 0.6}), "share of residents by age band",
        ASSUMPTION + "; residents aged 75+", "Age profile, care home", kind="profile",
        group="Homes to people")
    age_profile_student: tuple[float, ...] = _fig(
        _profile({"15_44": 1.0}), "share of residents by age band", ASSUMPTION,
        "Age profile, student housing", kind="profile", group="Homes to people")
    registration_rate: float = _fig(
        1.0, "patients per resident", "METHODS.md default: every new resident registers",
        "Registration rate", minimum=0, maximum=1.5, exclusive_minimum=True,
        group="Homes to people")
    background_growth_pct: float = _fig(
        0.0, "% per year on the base list", ASSUMPTION + "; growth beyond the housing sites",
        "Background list growth", minimum=-5, maximum=10, group="Homes to people")
    need_weights: tuple[float, ...] = _fig(
        _CARR_HILL_2007, "relative workload per patient by age band (normalised so the "
        "region's weighted list at the base year equals its registered list)",
        "Carr-Hill (GMS global sum) age-sex workload weights as revised by the 2007 formula "
        "review (Review of the GMS global sum formula, Feb 2007), as used by Asaria et al. "
        "(github.com/miqdadasaria/primary_care): males / females 0-4 2.354/2.241, 5-14 "
        "1.000/1.030, 15-44 0.913/1.885, 45-64 1.373/2.115, 65-74 2.531/2.820, 75-84 "
        "3.254/3.301, 85+ 3.193/3.090, averaged over the sexes; not checked against the 2007 "
        "report itself (treat as assumption). All 1 = unweighted", "Need weights by age band",
        kind="weights", group="Homes to people")

    # --- capacity ---------------------------------------------------------------------------
    people_per_gp_fte: float = _fig(
        1800, "patients per full-time GP", FS4 + ", 'based on RCGP guidance'",
        "Patients per full-time GP", minimum=0, exclusive_minimum=True, group="Capacity")
    m2_per_patient: float = _fig(
        120 / 1750, "m2 per patient (on the basis floor_standard_basis names)", "NHS England "
        "(East) 'Premises Principles' as quoted in S106 letters: 120 m2 per 1,750 patients "
        "(net internal area; unverified, treat as assumption)",
        "Floor space per patient", minimum=0.01, maximum=1.0, group="Capacity")
    floor_standard_basis: str = _fig(
        "net", "'net' or 'gross'", "the 120 m2 per 1,750 patients standard is quoted as net "
        "internal area; practices' floor areas (gia_m2) are gross, so a net standard is "
        "multiplied by net_to_gross before it divides them", "Floor-space standard is",
        kind="choice:net,gross", group="Capacity")
    net_to_gross: float = _fig(
        1.3, "gross internal area / net (room) area", "HBN 11-01 era guidance: circulation "
        "adds 28-30 % to room areas; walls, plant and engineering space are not added, so the "
        "true factor may be higher (assumption, unverified)", "Net-to-gross factor",
        minimum=1, maximum=3, group="Capacity")
    clinical_share_of_net: float = _fig(
        0.25, "share of net area in clinical rooms", "derived, an assumption: 1,750 patients / "
        "917 patients per room x 16 m2 = 30.5 m2 of clinical rooms in the standard's 120 m2 net "
        "(25 %); the rest is reception, waiting, administration, staff and stores. Replace with "
        "the share in a practice's schedule of accommodation",
        "Clinical rooms' share of net area", minimum=0, maximum=1, exclusive_minimum=True,
        group="Capacity")
    methods_tolerance_pct: float = _fig(
        25, "% difference", "issue 11: flag a practice whose rooms-method capacity differs from "
        "its floor-space capacity by more than this share of the floor-space figure",
        "Tolerance between the two capacity methods", minimum=0, group="Capacity")
    sessions_per_week: float = _fig(
        10, "sessions per room per week", ROOMS, "Sessions per room per week",
        minimum=0, maximum=21, exclusive_minimum=True, group="Capacity")
    weeks_per_year: float = _fig(
        48, "weeks per year", ROOMS, "Working weeks per year", minimum=0, maximum=52,
        exclusive_minimum=True, group="Capacity")
    appointments_per_session: float = _fig(
        12, "appointments per session", ROOMS, "Appointments per session",
        minimum=0, exclusive_minimum=True, group="Capacity")
    room_utilisation: float = _fig(
        0.6, "share of sessions used", "design guidance; Reform measured 42.1% in one practice",
        "Room utilisation to plan for", minimum=0, maximum=1, exclusive_minimum=True,
        group="Capacity")
    appointments_per_patient: float = _fig(
        5.8, "appointments per patient per year", "Institute for Government (2024)",
        "Appointments per patient per year", minimum=0, exclusive_minimum=True,
        group="Capacity")
    face_to_face_share: float = _fig(
        0.65, "share of appointments", "RCGP (2024)", "Face-to-face share",
        minimum=0, maximum=1, exclusive_minimum=True, group="Capacity")
    m2_per_room: float = _fig(
        16, "m2 per clinical room", "HEJ Oct 2024: 16 m2 expected today (13.5-15 m2 older "
        "guidance)", "Clinical room size", minimum=0, exclusive_minimum=True, group="Capacity")
    capacity_method: str = _fig(
        "space", "'space' or 'rooms'", "user choice (METHODS.md section 1)",
        "Capacity method", kind="choice:space,rooms", group="Capacity")
    capacity_basis: str = _fig(
        "premises", "'premises', 'workforce' or 'effective'", "user choice: premises (floor "
        "space or rooms) answers the estates question; workforce (GP FTE x patients per GP) the "
        "GP-shortage question; effective is the lower of the two. Practices without GP FTE keep "
        "their premises capacity under every basis, and are counted",
        "Capacity basis for the flow, options and appraisal",
        kind="choice:premises,workforce,effective", group="Capacity")

    # --- cost ---------------------------------------------------------------------------------
    cost_per_m2_gbp: float = _fig(
        3000, "GBP per m2 (build, fit-out and fees)", ASSUMPTION + "; replace with a local BCIS-"
        "based figure", "Capital cost per m2", minimum=0, exclusive_minimum=True, group="Cost")
    fitout_cost_per_m2_gbp: float = _fig(
        1500, "GBP per m2 (fit-out and fees in an existing building)", ASSUMPTION + "; "
        "co-location in a library or council building re-fits space that already stands, so "
        "it costs less than a new build; replace with a local quantity surveyor's figure",
        "Fit-out cost per m2 (existing building)", minimum=0, exclusive_minimum=True,
        group="Cost")

    # --- travel -------------------------------------------------------------------------------
    circuity: float = _fig(
        1.3, "network distance / straight-line distance", ASSUMPTION + "; typical road circuity "
        "in England 1.2-1.4", "Circuity factor", minimum=1, maximum=3, group="Travel")
    speed_car_kmh: float = _fig(
        30, "km/h door to door", ASSUMPTION, "Car speed", minimum=0, exclusive_minimum=True,
        group="Travel")
    speed_walk_kmh: float = _fig(
        4.8, "km/h", "DfT Journey Time Statistics walking speed", "Walking speed",
        minimum=0, exclusive_minimum=True, group="Travel")
    speed_older_walk_kmh: float = _fig(
        3.6, "km/h", "NHS Wales travel-time matrices", "Older walker's speed",
        minimum=0, exclusive_minimum=True, group="Travel")
    max_older_walk_km: float = _fig(
        1.5, "km walked at most", "NHS Wales travel-time matrices", "Older walker's limit",
        minimum=0, exclusive_minimum=True, group="Travel")
    speed_public_transport_kmh: float = _fig(
        12, "km/h including waits", ASSUMPTION + "; a bus-and-walk approximation",
        "Public transport speed", minimum=0, exclusive_minimum=True, group="Travel")
    threshold_minutes: float = _fig(
        15, "minutes", "DfT Journey Time Statistics threshold (15 and 30 minutes)",
        "Travel threshold for 'within reach'", minimum=0, exclusive_minimum=True,
        maximum=240, group="Travel")
    wider_threshold_minutes: float = _fig(
        30, "minutes", "DfT Journey Time Statistics threshold (15 and 30 minutes)",
        "Wider travel threshold", minimum=0, exclusive_minimum=True, maximum=240,
        group="Travel")
    sensitivity_thresholds_minutes: tuple[float, ...] = _fig(
        (10.0, 15.0, 20.0), "minutes", "issue 11: unmet demand is reported at several "
        "thresholds so the reader sees how much the answer depends on the one chosen",
        "Thresholds for the sensitivity of unmet demand", kind="minutes", group="Travel")
    travel_method: str = _fig(
        "straight_line", "method", "user choice: 'raster' uses the region's friction raster "
        "(least-cost minutes by car) for the travel threshold", "Travel-time method",
        kind="choice:straight_line,raster", group="Travel")
    travel_mode: str = _fig(
        "car", "mode", "user choice", "Travel mode for capacity in the wrong place",
        kind="choice:car,walk,older_walk,public_transport", group="Travel")

    # --- allocation ------------------------------------------------------------------------------
    allocation_decay_km: float = _fig(
        2.0, "km (distance at which weight falls to 1/e)", ASSUMPTION + "; distance-decay "
        "sharing of new residents among practices", "Allocation distance decay",
        minimum=0, exclusive_minimum=True, group="Allocation")

    # --- accessibility ------------------------------------------------------------------------
    e2sfca_weights: tuple[float, ...] = _fig(
        (10.0, 1.0, 20.0, 0.68, 30.0, 0.22), "pairs of (upper bound in minutes, weight)",
        "Luo & Qi (2009) E2SFCA step weights", "E2SFCA step weights", kind="steps",
        group="Access")

    # --- new sites and the options appraisal -----------------------------------------------------
    new_site_well_used_pct: float = _fig(
        80, "% of a new site's capacity used at the horizon", ASSUMPTION + "; below it a new "
        "satellite or co-location is called under-used (the map's 85 % 'nearly full' class "
        "less a margin for a site that is still filling)", "A new site is well used from",
        minimum=0, maximum=200, exclusive_minimum=True, group="Options")
    appraisal_weight_deficit: float = _fig(
        0.4, "share of the score", ASSUMPTION + "; deficit resolved is the estates question",
        "Appraisal weight: deficit resolved", minimum=0, maximum=1, group="Options")
    appraisal_weight_access: float = _fig(
        0.3, "share of the score", ASSUMPTION, "Appraisal weight: older people's access",
        minimum=0, maximum=1, group="Options")
    appraisal_weight_cost: float = _fig(
        0.3, "share of the score", ASSUMPTION, "Appraisal weight: value for money",
        minimum=0, maximum=1, group="Options")
    appraisal_access_reference_pp: float = _fig(
        5.0, "percentage points of people aged 65+ within the threshold", ASSUMPTION + "; a "
        "change this large scores the full access criterion (DfT Journey Time Statistics "
        "report access in whole percentage points; 5 points is a large change for one site)",
        "Appraisal reference: access change for full marks", minimum=0,
        exclusive_minimum=True, group="Options")
    appraisal_reference_cost_per_patient_gbp: float = _fig(
        120 / 1750 * 3000, "GBP per deficit patient resolved", ASSUMPTION + "; the cost of "
        "building the floor space of one patient new at the default standard and cost "
        "(120 m2 per 1,750 patients x GBP 3,000 per m2 = GBP 205.71): an option resolving "
        "deficit at this cost or less scores full marks for value, twice it half",
        "Appraisal reference: cost per deficit patient resolved", minimum=0,
        exclusive_minimum=True, group="Options")

    # --- centralisation (estates.options.centralise) ------------------------------------------
    centralise_thresholds_minutes: tuple[float, ...] = _fig(
        (30.0, 45.0, 60.0), "minutes", ASSUMPTION + "; the thresholds a service review tests "
        "(30, 45 and 60 minutes by default), not a national standard",
        "Centralisation: travel-time thresholds", kind="minutes", group="Centralisation")
    centralise_rise_minutes: tuple[float, ...] = _fig(
        (10.0, 20.0), "minutes longer than today", ASSUMPTION + "; residents whose journey "
        "grows by more than these against today's sites are counted",
        "Centralisation: journey rises counted", kind="minutes", group="Centralisation")
    emergency_car_factor: float = _fig(
        1.0, "emergency-transport minutes per car minute", ASSUMPTION + "; 1.0 takes an "
        "ambulance journey to be as long as the modelled car journey; set it from the "
        "ambulance service's conveyance times (below 1 if blue-light journeys are faster)",
        "Centralisation: emergency transport / car time", minimum=0, exclusive_minimum=True,
        maximum=5, group="Centralisation")
    centralise_search_minutes: float = _fig(
        240, "minutes", ASSUMPTION + "; a friction raster or a matrix is searched this far; "
        "residents with no site within it are reported as out of reach",
        "Centralisation: search cut-off", minimum=0, exclusive_minimum=True, maximum=1440,
        group="Centralisation")

    # ---------------------------------------------------------------------------------------------
    def __post_init__(self) -> None:
        problems = check_assumptions(self)
        problems.raise_if_any(AssumptionError)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    def describe(self) -> Iterator[dict[str, Any]]:
        """Each assumption as a row: name, label, value, unit, source, group."""
        for f in dataclasses.fields(self):
            yield {
                "name": f.name,
                "label": f.metadata["label"],
                "value": getattr(self, f.name),
                "unit": f.metadata["unit"],
                "source": f.metadata["source"],
                "group": f.metadata["group"],
            }

    def meta(self, name: str) -> Mapping[str, Any]:
        return {f.name: f.metadata for f in dataclasses.fields(self)}[name]

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """``{name: {"value", "unit", "source"}}``; tuples become lists."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.describe():
            value = row["value"]
            out[row["name"]] = {
                "value": list(value) if isinstance(value, tuple) else value,
                "unit": row["unit"],
                "source": row["source"],
            }
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: str = "assumptions") -> Assumptions:
        """Build from ``{name: value}`` or ``{name: {"value": ...}}`` (as ``to_dict`` writes)."""
        return cls().with_overrides(data, file=file)

    @classmethod
    def from_json(cls, text: str, *, file: str = "assumptions.json") -> Assumptions:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise AssumptionError(f"{file}: not valid JSON ({why}). Save the file as JSON.") from exc
        if not isinstance(data, dict):
            raise AssumptionError(f"{file}: expected a JSON object of assumption names to values.")
        return cls.from_dict(data, file=file)

    def with_overrides(self, overrides: Mapping[str, Any], *, file: str = "overrides") -> Assumptions:
        """A copy with some values replaced; every bad override is reported at once."""
        known = {f.name: f for f in dataclasses.fields(self)}
        problems = ProblemList(file)
        changes: dict[str, Any] = {}
        for name, raw in overrides.items():
            if name not in known:
                problems.add(
                    f"unknown assumption {name!r}", column=name,
                    fix="Use one of: " + ", ".join(sorted(known)),
                )
                continue
            value = raw["value"] if isinstance(raw, Mapping) and "value" in raw else raw
            coerced, why = coerce_value(known[name], value)
            if why:
                problems.add(f"assumption {name!r}: {why}", column=name, value=value,
                             fix=fix_text(known[name]))
            else:
                changes[name] = coerced
        problems.raise_if_any(AssumptionError)
        try:
            return dataclasses.replace(self, **changes)
        except AssumptionError as exc:
            raise AssumptionError(str(exc).replace("assumptions:", f"{file}:"), exc.problems) from exc

    def occupancy(self, housing_type: str) -> float:
        return float(getattr(self, f"occupancy_{housing_type}"))

    def age_profile(self, housing_type: str) -> tuple[float, ...]:
        return tuple(getattr(self, f"age_profile_{housing_type}"))

    def speed_kmh(self, mode: str) -> float:
        return float(getattr(self, f"speed_{mode}_kmh"))

    @property
    def patients_per_room(self) -> float:
        """Patients one clinical room serves in a year (METHODS.md section 1)."""
        appointments = (self.sessions_per_week * self.weeks_per_year
                        * self.appointments_per_session * self.room_utilisation)
        return appointments / (self.appointments_per_patient * self.face_to_face_share)

    @property
    def gross_m2_per_patient(self) -> float:
        """Gross internal floor area one patient needs, by the floor-space standard."""
        net_factor = self.net_to_gross if self.floor_standard_basis == "net" else 1.0
        return self.m2_per_patient * net_factor

    @property
    def gross_m2_per_room(self) -> float:
        """Gross internal floor area that comes with one clinical room.

        The room itself, the non-clinical space that serves it (reception, waiting, offices,
        stores: ``1 / clinical_share_of_net`` of the room) and the net-to-gross factor.
        """
        return self.m2_per_room / self.clinical_share_of_net * self.net_to_gross

    @property
    def e2sfca_steps(self) -> dict[float, float]:
        w = self.e2sfca_weights
        return {float(w[i]): float(w[i + 1]) for i in range(0, len(w), 2)}
