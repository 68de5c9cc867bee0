"""Reading a project's participant records (one row per participant) and checking them.

The records are personal data: this module reads them into memory for the fit and nothing here
ever writes a row anywhere. Every problem in the file is collected (file, line, column, value,
what is allowed) and raised at once as an `InputError`, so a coordinator fixes the file in one go.
A column that looks like a personnummer is refused without echoing the value.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from model.errors import InputError, Problem

DAYS_PER_MONTH = 365.25 / 12  # the scenario's month: a twelfth of an average year

REQUIRED = ("person_id", "entry_date", "exit_date", "exit_reason")
OPTIONAL = ("intervention", "sex", "born_abroad", "age_band", "referral")
MAX_BYTES = 50_000_000  # a register of a few hundred thousand people; refuse anything larger

_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
# YYMMDD-XXXX (or + for people over 100) and YYYYMMDDXXXX (with or without the dash); the day may
# be a samordningsnummer's (day + 60)
_PNR = re.compile(r"^(?:\d{2})?(\d{2})(\d{2})(\d{2})[-+]?\d{4}$")
_PNR_NAME = re.compile(r"person ?nr|personnummer|pnr|samordningsnummer|ssn", re.I)
_NAME = re.compile(r"^[\w\-]+$")

# words that name an exit's category (the scenario's ExitState.category); other names: "other"
CATEGORY_WORDS = {
    "work": ("arbete", "work", "jobb", "job", "anställning", "employment", "arbete_med_stod"),
    "studies": ("studier", "studies", "utbildning", "education", "studie"),
    "care": ("vård", "vard", "care", "sjuk", "sick", "rehab", "rehabilitering"),
    "benefit": ("ersättning", "ersattning", "benefit", "sjukersättning", "pension"),
}
_SEX = {"kvinna": ("k", "kvinna", "kvinnor", "f", "female", "woman", "women", "kv"),
        "man": ("m", "man", "män", "male", "men")}
_BORN = {"utrikes född": ("ja", "j", "yes", "y", "1", "true", "utrikes", "utrikes född", "utrikes fodd"),
         "inrikes född": ("nej", "n", "no", "0", "false", "inrikes", "inrikes född", "inrikes fodd")}
UNKNOWN_LEVEL = "ej angivet"


@dataclass
class Stay:
    """One participant's stay: months from month 0 to entry and to exit (None: still enrolled at
    the data date), the exit state, the calendar entry date and the attributes."""

    person: str
    entry: float
    exit: float | None
    reason: str | None
    entry_date: date
    attrs: dict[str, str] = field(default_factory=dict)

    stay: float = 0.0   # months in the programme (days / DAYS_PER_MONTH), to the exit or the data date
    intervention: str = ""  # multi-step records: the intervention of this stay

    @property
    def months(self) -> float:
        """Time in the programme, to the exit or to the data date (censored)."""
        return self.stay


@dataclass
class Records:
    """The checked records of one file, in months from `month_zero`; aggregates only leave here."""

    file: str
    data_date: date
    month_zero: date
    stays: list[Stay]
    intervention: str
    reasons: list[str]                    # exit states, in first-seen order
    attributes: list[str]                 # optional columns present
    ignored_columns: list[str]
    interventions: list[str] = field(default_factory=list)  # multi-step: in first-seen order

    @property
    def multi(self) -> bool:
        """Multi-step records: several interventions, one row per stay."""
        return len(self.interventions) > 1

    def people(self) -> dict[str, list[Stay]]:
        """Each person's stays in the order they came (one for single-step records)."""
        out: dict[str, list[Stay]] = {}
        for s in self.stays:
            out.setdefault(s.person, []).append(s)
        return {p: sorted(v, key=lambda s: s.entry) for p, v in out.items()}

    def first_stays(self) -> list[Stay]:
        """Each person's first stay (their arrival and attributes); all stays if single-step."""
        return self.stays if not self.multi else [v[0] for v in self.people().values()]

    @property
    def n(self) -> int:
        """Participants (people, not stays)."""
        return len({s.person for s in self.stays})

    @property
    def enrolled(self) -> int:
        """Participants still enrolled at the data date (their last stay open)."""
        return sum(v[-1].exit is None for v in self.people().values())

    @property
    def end(self) -> float:
        """The data date in months from month 0."""
        return months_between(self.month_zero, self.data_date)

    def basis(self, method: str) -> str:
        """The source line of every fitted value."""
        return (f"fitted from {Path(self.file).name}: {self.n} people, {self.enrolled} still "
                f"enrolled at {self.data_date.isoformat()}, {method}")


def months_between(a: date, b: date) -> float:
    """Months from `a` to `b` on the calendar (whole months, then the day's share of its month),
    so that month k of a scenario is the k-th calendar month after month 0 (intake, pauses)."""
    import calendar

    def pos(d: date) -> float:
        return d.year * 12 + d.month - 1 + (d.day - 1) / calendar.monthrange(d.year, d.month)[1]

    return pos(b) - pos(a)


def parse_date(text: str) -> date | None:
    """2019-01-31, 2019/01/31 or 2019.01.31; None if it is not such a date."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_reasons(text: str | None) -> dict[str, str]:
    """`--reasons work=arbete,studies=studier`: record value -> exit state (ValueError if unreadable)."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(","):
        if not part.strip():
            continue
        if part.count("=") != 1:
            raise ValueError(f"'{part}' is not VALUE=EXIT_STATE")
        value, state = (x.strip() for x in part.split("="))
        if not value or not _NAME.match(state):
            raise ValueError(f"'{part}': write VALUE=EXIT_STATE, the state in letters, digits, _ or -")
        out[value.casefold()] = state
    return out


def category_of(state: str) -> str:
    """The exit category a state's name suggests (work, studies, care, benefit), else other."""
    low = state.casefold()
    for cat, words in CATEGORY_WORDS.items():
        if low in words:
            return cat
    return "other"


def _looks_like_pnr(value: str) -> bool:
    m = _PNR.match(value.strip())
    if not m:
        return False
    month, day = int(m[2]), int(m[3])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot be read: {exc.strerror or exc}; give "
                                  "the records file (CSV)")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(str(path), "", f"is larger than {MAX_BYTES // 1_000_000} MB; "
                                  "a participant register is far smaller")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), "", f"is not UTF-8 text (byte {exc.start}); save the "
                                  "file as CSV UTF-8")]) from None


def _level(column: str, value: str) -> str:
    """A participant attribute as the scenario writes it (kvinna/man, utrikes/inrikes född)."""
    v = value.strip()
    if not v:
        return UNKNOWN_LEVEL
    table = {"sex": _SEX, "born_abroad": _BORN}.get(column)
    if table:
        for level, words in table.items():
            if v.casefold() in words:
                return level
    return v


def read_records(path: str | Path, data_date: date, reasons: dict[str, str] | None = None,
                 known_states: list[str] | None = None, month_zero: date | None = None) -> Records:
    """Read and check a records CSV; every problem at once (InputError).

    `reasons` maps record values to exit states (then any other value is unknown); without it the
    values are the exit states' names, which must be among `known_states` when those are given
    (a base scenario's). Month 0 is `month_zero`, by default the first day of the month of the
    first entry.
    """
    p = Path(path)
    name = str(path)
    text = _decode(p)
    lines = text.splitlines(keepends=True)
    skip = 0  # leading comment lines (# ...), e.g. a synthetic register's label
    while skip < len(lines) and lines[skip].lstrip().startswith("#"):
        skip += 1
    lines = lines[skip:]
    text = "".join(lines)
    if not lines or not lines[0].strip():
        raise InputError([Problem(name, "", "is empty; it needs a header line (person_id, "
                                  "entry_date, exit_date, exit_reason) and one row per participant",
                                  line=skip + 1)])
    head = lines[0]
    delim = ";" if head.count(";") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    header = [h.strip().casefold() for h in next(reader)]
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(Problem(name, "", f"misses the column(s) {', '.join(missing)}; the header "
                                f"must name {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})",
                                value=", ".join(header), line=skip + 1))
    dup = sorted({h for h in header if header.count(h) > 1 and h})
    if dup:
        problems.append(Problem(name, "", "names a column twice; each column once", value=dup[0],
                                line=skip + 1))
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        if any(c.strip() for c in row):
            rows.append((reader.line_num + skip, row))
    # personnummer: a column named so, or any value that looks like one, is refused
    pnr_cols: dict[str, int] = {}
    for i, h in enumerate(header):
        if _PNR_NAME.search(h):
            pnr_cols.setdefault(h, skip + 1)
        for line, row in rows:
            if i < len(row) and _looks_like_pnr(row[i]):
                pnr_cols.setdefault(h or f"column {i + 1}", line)
                break
    for col, line in pnr_cols.items():
        problems.append(Problem(
            name, col, "looks like a personnummer (YYMMDD-XXXX or YYYYMMDDXXXX); insats does not "
            "need identities and will not read them: replace it by a running number or a "
            "pseudonym key kept by the project (the value is not shown here, for the same reason)",
            line=line))
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError([Problem(name, "", "has a header but no participants; one row per "
                                  "participant is needed", line=skip + 1)])

    col = {h: i for i, h in enumerate(header)}
    attributes = [c for c in OPTIONAL if c in col and c != "intervention"]
    ignored = [h for h in header if h not in REQUIRED and h not in OPTIONAL]
    parsed: list[tuple[int, str, date, date | None, str | None, dict[str, str]]] = []
    states: list[str] = []
    interventions: set[str] = set()
    ids: dict[str, int] = {}
    pending: dict[int, str] = {}  # multi-step rows whose exit reason waits for the next stay

    def cell(row: list[str], c: str) -> str:
        i = col.get(c)
        return row[i].strip() if i is not None and i < len(row) else ""

    # multi-step records: an exit reason may name another intervention of the file
    step_names = {cell(r, "intervention").casefold(): cell(r, "intervention") for _, r in rows
                  if "intervention" in col and len(r) == len(header) and cell(r, "intervention")}
    if len(step_names) < 2:  # one intervention: single-step records, its name is no destination
        step_names = {}
    for line, row in rows:
        if len(row) != len(header):
            problems.append(Problem(name, "", f"has {len(row)} fields for {len(header)} columns "
                                    f"(separator '{delim}'); every row needs one field a column",
                                    line=line))
            continue
        pid = cell(row, "person_id")
        if not pid:
            problems.append(Problem(name, "person_id", "is empty; every row needs an id", line=line))
        elif pid in ids and "intervention" not in col:
            problems.append(Problem(name, "person_id", f"repeats the id of line {ids[pid]}; "
                                    "single-step records have one row per participant", line=line))
        else:
            ids[pid] = line
        entry = parse_date(cell(row, "entry_date"))
        if entry is None:
            problems.append(Problem(name, "entry_date", "is not a date; allowed: 2019-01-31 or "
                                    "2019/01/31", value=cell(row, "entry_date"), line=line))
        elif entry > data_date:
            problems.append(Problem(name, "entry_date", f"is after the data date "
                                    f"{data_date.isoformat()}; allowed: up to the data date",
                                    value=cell(row, "entry_date"), line=line))
        raw_exit = cell(row, "exit_date")
        exit_: date | None = None
        if raw_exit:
            exit_ = parse_date(raw_exit)
            if exit_ is None:
                problems.append(Problem(name, "exit_date", "is not a date; allowed: 2019-01-31, "
                                        "2019/01/31, or empty while still enrolled",
                                        value=raw_exit, line=line))
            elif exit_ > data_date:
                problems.append(Problem(name, "exit_date", f"is after the data date "
                                        f"{data_date.isoformat()}; allowed: up to the data date, or "
                                        "empty while still enrolled", value=raw_exit, line=line))
            elif entry is not None and exit_ < entry:
                problems.append(Problem(name, "exit_date", f"is before the entry date "
                                        f"{entry.isoformat()}; allowed: on or after the entry",
                                        value=raw_exit, line=line))
        raw_reason = cell(row, "exit_reason")
        reason: str | None = None
        if raw_reason and not raw_exit:
            problems.append(Problem(name, "exit_reason", "is given but exit_date is empty; give "
                                    "both (left) or neither (still enrolled)", value=raw_reason,
                                    line=line))
        elif raw_exit and not raw_reason:
            if "intervention" in col:
                pending[line] = "empty"  # filled from the person's next stay, or a problem
            else:
                problems.append(Problem(name, "exit_reason", "is empty but exit_date is given; "
                                        "name where the participant went", line=line))
        elif raw_reason and raw_reason.casefold() in step_names:
            reason = step_names[raw_reason.casefold()]
        elif raw_reason:
            reason = _reason(raw_reason, reasons, known_states)
            if reason is None:
                allowed = (", ".join(sorted(reasons)) if reasons else
                           ", ".join(known_states) if known_states else
                           "a name of letters, digits, _ or -")
                how = " (map others with --reasons VALUE=EXIT_STATE,...)"
                problems.append(Problem(name, "exit_reason", f"is not a known exit reason; allowed: "
                                        f"{allowed}{how}", value=raw_reason, line=line))
            elif reason not in states:
                states.append(reason)
        attrs = {c: _level(c, cell(row, c)) for c in attributes}
        if "intervention" in col:
            interventions.add(cell(row, "intervention") or "")
        step = cell(row, "intervention") if "intervention" in col else ""
        if "intervention" in col:
            if not step and len(step_names) > 1:
                problems.append(Problem(name, "intervention", "is empty; in multi-step records "
                                        "every row names its intervention", line=line))
            elif step and not _NAME.match(step):
                problems.append(Problem(name, "intervention", "must be a name of letters, "
                                        "digits, _ or -", value=step, line=line))
            interventions.add(step)
        if entry is not None:
            parsed.append((line, pid, entry, exit_, reason, attrs, step))
    ivs = sorted(interventions)
    if len(ivs) > 1:
        problems += _link_steps(name, parsed, pending)
    else:
        problems += [Problem(name, "exit_reason", "is empty but exit_date is given; name where "
                             "the participant went", line=ln) for ln in pending]
        problems += _repeats(name, parsed) if "intervention" in col else []
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    mz = month_zero or min(p[2] for p in parsed).replace(day=1)
    first = min(p[2] for p in parsed)
    if first < mz:
        raise InputError([Problem(name, "entry_date", f"is before month 0 ({mz.isoformat()}); "
                                  "give --month-zero on or before the first entry",
                                  value=first.isoformat())])
    stays = [Stay(pid, months_between(mz, e), None if x is None else months_between(mz, x), r, e,
                  attrs, stay=((x or data_date) - e).days / DAYS_PER_MONTH, intervention=step)
             for _, pid, e, x, r, attrs, step in parsed]
    order = list(dict.fromkeys(s.intervention for s in sorted(stays, key=lambda s: s.entry)))
    return Records(file=name, data_date=data_date, month_zero=mz, stays=stays,
                   intervention=ivs[0] if len(ivs) == 1 and ivs[0] else "",
                   reasons=[r for r in states if r not in step_names.values()],
                   attributes=attributes, ignored_columns=ignored,
                   interventions=order if len(ivs) > 1 else [])


Parsed = tuple[int, str, date, "date | None", "str | None", dict[str, str], str]


def _repeats(name: str, parsed: list[Parsed]) -> list[Problem]:
    """One intervention named in an `intervention` column: ids must still be unique."""
    seen: dict[str, int] = {}
    out = []
    for line, pid, *_ in parsed:
        if pid in seen:
            out.append(Problem(name, "person_id", f"repeats the id of line {seen[pid]}; records "
                               "of one intervention have one row per participant", line=line))
        seen.setdefault(pid, line)
    return out


def _link_steps(name: str, parsed: list[Parsed], pending: dict[int, str]) -> list[Problem]:
    """Multi-step records: each person's stays in order of entry must not overlap, every stay but
    the last must have ended, and a stay followed by another routes to the next stay's
    intervention (an empty exit reason is filled with it; another reason is a problem)."""
    by_person: dict[str, list[int]] = {}
    for i, p in enumerate(parsed):
        by_person.setdefault(p[1], []).append(i)
    out: list[Problem] = []
    for idx in by_person.values():
        idx.sort(key=lambda i: (parsed[i][2], parsed[i][0]))
        for a, b in itertools.pairwise(idx):
            la, _, _, xa, ra, attrs, _ = parsed[a]
            lb, _, eb, _, _, _, sb = parsed[b]
            filled = pending.pop(la, None) is not None  # a next stay follows: it names the reason
            if xa is None:
                out.append(Problem(name, "exit_date", f"is empty, but the same person's stay in "
                                   f"{sb} on line {lb} comes later; give this stay's exit date",
                                   line=la))
            elif xa > eb:
                out.append(Problem(name, "entry_date", f"is before the exit ({xa.isoformat()}) of "
                                   f"the same person's stay on line {la}; stays of one person "
                                   "follow each other", value=eb.isoformat(), line=lb))
            elif ra is None:
                if filled:  # (None without it: an unknown reason, a problem already)
                    parsed[a] = (*parsed[a][:4], sb, attrs, parsed[a][6])
            elif ra != sb:
                out.append(Problem(name, "exit_reason", f"names '{ra}', but the same person's "
                                   f"next stay (line {lb}) is in {sb}; leave it empty or name {sb}",
                                   value=ra, line=la))
    out += [Problem(name, "exit_reason", "is empty but exit_date is given and no later stay of "
                    "the same person follows; name where the participant went", line=ln)
            for ln in pending]
    return out


def _reason(value: str, reasons: dict[str, str] | None, known: list[str] | None) -> str | None:
    """The exit state a record's reason names, or None if it names none."""
    if reasons:
        return reasons.get(value.casefold())
    if known:
        for k in known:
            if k.casefold() == value.casefold():
                return k
        return None
    v = value.strip().casefold().replace(" ", "_")
    return v if _NAME.match(v) else None


def table_as_records(participants: object, month_zero: date, data_date: date) -> list[dict[str, str]]:
    """A simulated participant table (one replication) as records rows, censored at the data date:
    for round-trip tests and synthetic registers (never for real people's data)."""
    from datetime import timedelta

    def day(m: float) -> date:
        return month_zero + timedelta(days=math.floor(m * DAYS_PER_MONTH))

    rows = []
    for p in participants.itertuples():  # type: ignore[attr-defined]
        entry = day(p.arrival_month)
        if entry > data_date:
            continue
        left = isinstance(p.exit_state, str) and p.exit_state and day(p.exit_month) <= data_date
        rows.append({"person_id": str(p.participant_id + 1), "entry_date": entry.isoformat(),
                     "exit_date": day(p.exit_month).isoformat() if left else "",
                     "exit_reason": p.exit_state if left else "",
                     "sex": p.sex, "born_abroad": "ja" if p.born == "utrikes född" else "nej"})
    return rows


def visits_as_records(visits: object, participants: object, month_zero: date,
                      data_date: date) -> list[dict[str, str]]:
    """A simulated visits table (one replication) as multi-step records, one row per stay,
    censored at the data date; the exit reason names the next intervention or the exit state.
    For round-trip tests only (never for real people's data)."""
    from datetime import timedelta

    def day(m: float) -> date:
        return month_zero + timedelta(days=math.floor(m * DAYS_PER_MONTH))

    attrs = {int(p.participant_id): p for p in participants.itertuples()}  # type: ignore[attr-defined]
    rows = []
    for v in visits.itertuples():  # type: ignore[attr-defined]
        if not isinstance(v.start_month, float) or math.isnan(v.start_month):
            continue
        entry = day(v.start_month)
        if entry > data_date:
            continue
        ended = not math.isnan(v.end_month) and day(v.end_month) <= data_date
        p = attrs[int(v.participant_id)]
        rows.append({"person_id": str(int(v.participant_id) + 1), "intervention": v.intervention,
                     "entry_date": entry.isoformat(),
                     "exit_date": day(v.end_month).isoformat() if ended else "",
                     "exit_reason": v.next if ended else "",
                     "sex": p.sex, "born_abroad": "ja" if p.born == "utrikes född" else "nej"})
    return rows
