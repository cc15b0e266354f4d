"""A deterministic multi-site portfolio of any size, for the scale benchmark (`bench_scale.py`).

`generate(root, ...)` writes a portfolio that validates with no error: several sites, `programs`
client programs with their channels, the sample's four categories with `requirements` spread
over them (those of RS are about results), `evidence` items each supporting 1 to 4
requirements (every requirement gets at least one), metrics reported per program (`scope`
lists, a `scope` column in the CSV) adding up to `series` series of `months` months, some
sampled with `n`, targets (some for one program), annotations and comparators, `findings` with
actions naming requirements, evidence and metrics, a few attachments, and a `reviews.yaml`
baseline in which a few links are suspect (W603). Same arguments, same bytes: every choice
comes from one seeded `random.Random`, nothing from the clock. `SIZES` holds the benchmark's
three sizes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FULL = {"programs": 50, "series": 2000, "evidence": 5000, "requirements": 700, "findings": 200}
SIZES = {"tenth": 0.1, "quarter": 0.25, "full": 1.0}
AS_OF = "2025-01-15"
CATEGORIES = (  # id, title, share of the requirements
    ("LP", "Leadership & Planning", 0.2),
    ("PR", "Processes", 0.35),
    ("PE", "People", 0.25),
    ("RS", "Results", 0.2),
)
SITES = (  # id, city, country
    ("GLA", "Glasgow", "GB"), ("GDN", "Gdańsk", "PL"), ("MAD", "Madrid", "ES"),
    ("DUB", "Dublin", "IE"), ("LIS", "Lisbon", "PT"), ("MAN", "Manchester", "GB"),
    ("KRK", "Kraków", "PL"), ("VLC", "Valencia", "ES"),
)  # fmt: skip
CLIENTS = (
    "Ashmoor Energy", "Kestrel Mobile", "Brightwater Utilities", "Fenwick Bank",
    "Larkspur Insurance", "Orchard Telecom", "Pennant Rail", "Quayside Retail",
    "Redfern Health", "Saltmarsh Water", "Thornbury Travel", "Wrenfield Broadband",
)  # fmt: skip
LINES = (
    "billing & payments", "technical support", "sales", "retention", "claims", "onboarding",
    "collections", "complaints", "bookings", "service desk",
)  # fmt: skip
CHANNELS = (("voice", "Voice"), ("email", "Email"), ("chat", "Chat"), ("social", "Social"))
PEOPLE = (
    ("managing-director", "Managing Director"), ("operations-director", "Operations Director"),
    ("quality-manager", "Quality Manager"), ("commercial-manager", "Commercial Manager"),
    ("hr-business-partner", "HR Business Partner"), ("training-lead", "Training Lead"),
    ("wfm-lead", "Workforce Management Lead"), ("wfm-analyst", "WFM Analyst"),
    ("qa-lead", "QA Lead"), ("qa-analyst", "QA Analyst"), ("cx-analyst", "CX Analyst"),
    ("complaints-lead", "Complaints Lead"), ("knowledge-lead", "Knowledge Lead"),
    ("change-manager", "Change Manager"), ("bi-lead", "BI Lead"),
    ("it-manager", "IT Manager"), ("site-managers", "Site Managers"),
    ("team-leaders", "Team Leaders"), ("account-managers", "Account Managers"),
)  # fmt: skip
TYPES = (
    "policy", "procedure", "plan", "record", "register", "report", "minutes", "log", "dataset",
    "method", "process-map", "checklist", "contract", "audit-report", "curriculum",
    "hr-document",
)  # fmt: skip
CADENCES = ("once", "monthly", "quarterly", "yearly", "per-cohort", "as-raised", "continuous")
SUBJECTS = (
    "Direction cascade", "Client governance", "Knowledge base change", "Calibration",
    "Quality evaluation", "Workforce forecast", "Schedule adherence", "Complaint handling",
    "Root-cause analysis", "Recruitment", "New-hire training", "Verification sign-off",
    "Coaching", "Engagement survey", "Continuity test", "Data integrity check",
    "Supplier review", "Journey map", "Performance review", "Self-audit",
)  # fmt: skip
THINGS = (
    "log", "record", "register", "minutes", "report", "plan", "procedure", "checklist",
    "summary", "dashboard extract",
)  # fmt: skip
#: Metric families: title, unit, direction, class, level, target, spread, sampled
FAMILIES = (
    ("Service level (80/20)", "%", "higher", "S", 84.0, 80.0, 4.0, False),
    ("Abandonment rate", "%", "lower", "S", 3.5, 5.0, 1.0, False),
    ("Average handle time", "s", "lower", "P", 380.0, 420.0, 25.0, False),
    ("First contact resolution (survey)", "%", "higher", "CS", 78.0, 75.0, 3.0, True),
    ("Customer satisfaction (survey)", "%", "higher", "CS", 86.0, 84.0, 2.5, True),
    ("Schedule adherence", "%", "higher", "P", 92.5, 92.0, 1.0, False),
    ("Quality score", "%", "higher", "Q", 90.0, 88.0, 2.0, False),
    ("Repeat contact rate", "%", "lower", "Q", 11.0, 12.0, 1.5, False),
    ("Complaint resolution in 5 days", "%", "higher", "C", 93.0, 90.0, 2.0, False),
    ("Forecast accuracy", "%", "band", "P", 100.0, 100.0, 2.0, False),
)
SCOPE_SIZES = (5, 4, 6, 1, 5, 3, 6, 2, 5, 4)  # programs per metric, cycled


@dataclass(frozen=True)
class Generated:
    """What `generate` wrote."""

    yaml_files: int
    csv_files: int
    attachments: int
    metrics: int
    series: int
    reviews: int  # lines in reviews.yaml


def size(name: str) -> dict[str, int]:
    """The `generate` arguments of one of `SIZES` ('tenth', 'quarter', 'full')."""
    factor = SIZES[name]
    counts = {key: max(1, round(value * factor)) for key, value in FULL.items()}
    counts["programs"] = max(2, counts["programs"])
    return counts


def _months(count: int) -> list[str]:
    """`count` months ending 2024-12, the last complete month before the as-of date."""
    start = 2025 * 12 - count
    return [f"{(start + k) // 12}-{(start + k) % 12 + 1:02d}" for k in range(count)]


def _date(rng: random.Random, first: int = 2023 * 12, last: int = 2024 * 12 + 11) -> str:
    month = rng.randint(first, last)
    return f"{month // 12}-{month % 12 + 1:02d}-{rng.randint(1, 28):02d}"


def _list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.folders: set[Path] = set()

    def __call__(self, rel: str, text: str) -> None:
        path = self.root / rel
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        path.write_bytes(text.encode("utf-8"))


def _portfolio(programs: int, rng: random.Random) -> tuple[str, list[str], list[str]]:
    """portfolio.yaml, the program IDs and the site IDs."""
    sites = SITES[: max(2, min(len(SITES), math.ceil(programs / 7)))]
    out = [
        "id: NCG\ntitle: Northwind Contact Group evidence portfolio (generated)\n"
        "organisation:\n  name: Northwind Contact Group Ltd\n  short_name: NCG\n  type: OSP\n"
        "  description: >-\n    A fictional multi-site contact-centre provider, generated for "
        "the scale benchmark.\n"
        f"as_of: {AS_OF}\nlanguage: en\n"
        'standards:\n  - id: COPC-CX\n    name: COPC CX Standard\n    release: "7.0"\n'
        '    primary: true\n  - id: ISO-18295-1\n    name: ISO 18295-1\n    release: "2017"\n'
        "    primary: false\n"
        "scope:\n  entity:\n    id: ENT\n    name: Northwind certified entity (every site)\n"
        "  sites:\n"
    ]
    out += [f"    - {{id: {s}, name: {city}, country: {cc}}}\n" for s, city, cc in sites]
    out.append("  programs:\n")
    program_ids = [f"P{k + 1:02d}" for k in range(programs)]
    for k, pid in enumerate(program_ids):
        client = CLIENTS[k % len(CLIENTS)]
        channels = [c for c, _ in CHANNELS[: 2 + k % 3]]
        out.append(
            f"    - id: {pid}\n      name: {client} – {LINES[k % len(LINES)]} ({pid})\n"
            f"      client: {client}\n      site: {sites[k % len(sites)][0]}\n"
            f"      channels: {_list(channels)}\n"
        )
    out.append("  channels:\n")
    out += [f"    - {{id: {c}, name: {name}}}\n" for c, name in CHANNELS]
    out.append(
        "  functions: [Training, Workforce management, Quality assurance, BI and reporting]\n"
        "categories:\n"
    )
    out += [f"  - id: {c}\n    title: {title}\n" for c, title, _ in CATEGORIES]
    out.append(
        "evaluation:\n  window_months: 12\n  min_months_met: 10\n  trend_test: mann-kendall\n"
        "  trend_alpha: 0.05\n  min_trend_points: 6\n  baseline_months: 12\n"
        "  freshness_warning_days: 60\n"
        "retention_classes:\n  - {id: R24, title: 24 months rolling}\n"
        "  - {id: RC2, title: Two certification cycles}\n"
        "  - {id: EMP, title: Employment + 2 years}\n"
        "people:\n"
    )
    out += [f"  - {{id: {pid}, role: {role}}}\n" for pid, role in PEOPLE]
    return "".join(out), program_ids, [s for s, _, _ in sites]


def _requirements(count: int) -> list[tuple[str, str]]:
    """(id, category) for `count` requirements spread over the categories by their shares."""
    spread = [max(1, round(count * share)) for _, _, share in CATEGORIES]
    spread[1] += count - sum(spread)  # Processes takes the rounding
    pairs = zip(CATEGORIES, spread, strict=True)
    return [(f"{c}-{k + 1:03d}", c) for (c, _, _), n in pairs for k in range(n)]


def _requirement(rid: str, category: str, rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    text = (
        f"id: {rid}\ntitle: {subject} ({rid})\ncategory: {category}\n"
        f"wording: >-\n  The {subject.lower()} is planned, carried out and reviewed on "
        f"schedule, and its results are acted on ({rid}).\nowner: {rng.choice(PEOPLE)[0]}\n"
    )
    if category == "RS":
        text += "results: true\n"
    if rng.random() < 0.5:
        text += f'mappings:\n  - standard: ISO-18295-1\n    clause: "{rng.randint(4, 7)}"\n'
    return text


def _evidence(
    eid: str, supports: list[str], programs: list[str], attachment: str | None, rng: random.Random
) -> str:
    date = _date(rng)
    scope = ["ENT"] if rng.random() < 0.3 else sorted(rng.sample(programs, min(3, len(programs))))
    subject, thing = rng.choice(SUBJECTS), rng.choice(THINGS)
    out = [
        f"id: {eid}\ntitle: {subject} {thing} ({eid})\ntype: {rng.choice(TYPES)}\n"
        f'owner: {rng.choice(PEOPLE)[0]}\nversion: "v{rng.randint(1, 4)}"\ndate: {date}\n'
        f"cadence: {rng.choice(CADENCES)}\nscope: {_list(scope)}\n"
        f"retention: {rng.choice(('R24', 'RC2', 'EMP'))}\n"
        f"review_by: {int(date[:4]) + (1 if rng.random() < 0.1 else 2)}{date[4:]}\n"
    ]
    if rng.random() < 0.1:
        out.append(f'history:\n  - {{version: "v0", date: 2022-0{rng.randint(1, 9)}-15}}\n')
    if attachment is not None:
        out.append(f"attachments:\n  - path: {attachment}\n    title: {subject} summary\n")
    if rng.random() < 0.3:
        out.append(f"links:\n  - url: https://intranet.example.com/evidence/{eid.lower()}\n")
    out.append(f"supports: {_list(supports)}\n")
    if rng.random() < 0.2:
        out.append(f"notes: >-\n  Kept by the {rng.choice(PEOPLE)[1].lower()}; see the index.\n")
    return "".join(out)


def _metric_scopes(series: int, programs: list[str]) -> Iterator[list[str]]:
    """Scope lists (one ID: a single scope) adding up to `series` series."""
    left, j, offset = series, 0, 0
    while left > 0:
        k = min(SCOPE_SIZES[j % len(SCOPE_SIZES)], len(programs), left)
        if k == 1:
            yield ["ENT"] if j % 2 else [programs[offset % len(programs)]]
        else:
            yield [programs[(offset + i) % len(programs)] for i in range(k)]
        offset += k
        left -= k
        j += 1


def _metric(
    mid: str, family: tuple[object, ...], scopes: list[str], months: list[str],
    results: list[str], findings: list[str], rng: random.Random,
) -> tuple[str, str]:  # fmt: skip
    """The metric's YAML and CSV text."""
    title, unit, direction, cls, level, target, spread, sampled = family
    assert isinstance(level, float) and isinstance(target, float) and isinstance(spread, float)
    split = len(scopes) > 1
    scope_text = _list(scopes) if split else scopes[0]
    out = [
        f"id: {mid}\ntitle: {title} ({', '.join(scopes[:3])}{' …' if len(scopes) > 3 else ''})\n"
        f'class: {cls}\nunit: "{unit}"\ndecimals: 1\ndirection: {direction}\n'
        f"scope: {scope_text}\nsource: Contact platform reporting\n"
        f"owner: {rng.choice(PEOPLE)[0]}\nsampled: {'true' if sampled else 'false'}\n"
    ]
    if sampled:
        out.append("sample: {unit: survey responses, planned_n: 400, statistic: proportion}\n")
    out.append("targets:\n")
    if direction == "band":
        out.append(f"  - {{from: {months[0]}, low: 97, high: 103, rationale: Planning policy.}}\n")
    else:
        out.append(f"  - {{from: {months[0]}, value: {target:g}, rationale: Contract SLA.}}\n")
        if split and rng.random() < 0.5:
            raised = target + (spread / 2 if direction == "higher" else -spread / 2)
            out.append(
                f"  - {{from: {months[-12]}, value: {raised:g}, scope: {scopes[1]}, "
                "rationale: Raised in the client's new contract.}\n"
            )
    if direction != "band":
        out.append(
            f"comparators:\n  - {{label: Peer median, value: {target:g}, source: Benchmark "
            f"study, date: {months[-1]}, kind: benchmark"
            + (f", scope: {scopes[0]}}}\n" if split else "}\n")
        )
    out.append(f"supports: {_list(sorted(rng.sample(results, min(2, len(results)))))}\n")
    notes = [f"  - {{period: {months[-12]}, kind: phase, text: New process phase."]
    notes[0] += f", scope: {scopes[-1]}}}\n" if split else "}\n"
    if findings and rng.random() < 0.3:
        notes.append(
            f"  - {{period: {months[-6]}, kind: event, text: Investigated in a finding., "
            f"finding: {rng.choice(findings)}}}\n"
        )
    out.append("annotations:\n" + "".join(notes))
    header = ["period", *(["scope"] if split else []), "value", *(["n"] if sampled else [])]
    rows = [",".join(header) + "\n"]
    sign = {"higher": 1, "lower": -1}.get(str(direction), 0)  # the good direction
    shapes = [
        (level + sign * rng.uniform(-spread, spread) / 2, sign * rng.uniform(-0.03, 0.08))
        for _ in scopes
    ]
    for k, period in enumerate(months):
        for scope, (base, drift) in zip(scopes, shapes, strict=True):
            value = base + drift * spread * k / 12 + rng.gauss(0, spread / 3)
            if unit == "%" and direction != "band":
                value = min(max(value, 0.0), 100.0)
            cells = [period, *([scope] if split else []), f"{value:.1f}"]
            rows.append(",".join(cells + ([str(rng.randint(400, 720))] if sampled else [])) + "\n")
    return "".join(out), "".join(rows)


def _finding(
    fid: str, requirements: list[str], evidence: list[str], metrics: list[str],
    rng: random.Random,
) -> str:  # fmt: skip
    raised = _date(rng, 2023 * 12 + 6, 2024 * 12 + 8)
    year, month = int(raised[:4]), int(raised[5:7])
    due = f"{year + (month + 3 > 12)}-{(month + 2) % 12 + 1:02d}-28"
    subject = rng.choice(SUBJECTS)
    out = [
        f"id: {fid}\ntitle: {subject} not followed as planned ({fid})\n"
        f"grade: {rng.choice(('major', 'minor', 'minor', 'observation'))}\n"
        f"source: {rng.choice(('internal-audit', 'client-audit', 'self-assessment'))}\n"
        f"raised: {raised}\nrequirements: {_list(sorted(rng.sample(requirements, 2)))}\n"
    ]
    if rng.random() < 0.7:
        out.append(f"evidence: {_list(sorted(rng.sample(evidence, 2)))}\n")
    if metrics and rng.random() < 0.5:
        out.append(f"metrics: [{rng.choice(metrics)}]\n")
    owner = rng.choice(PEOPLE)[0]
    out.append(
        f"description: >-\n  The {subject.lower()} was skipped in two months of the sample.\n"
        "actions:\n"
        f"  - {{description: Find the root cause., owner: {owner}, due: {due}}}\n"
        f"owner: {owner}\ndue: {due}\n"
    )
    if due < AS_OF and rng.random() < 0.6:
        out.append(f"implemented: {due}\n")
    return "".join(out)


def generate(
    root: Path,
    *,
    programs: int = 50,
    series: int = 2000,
    months: int = 36,
    evidence: int = 5000,
    requirements: int = 700,
    findings: int = 200,
    seed: int = 20250115,
    reviews: bool = True,
) -> Generated:
    """Write the portfolio into the new folder `root` (see the module's docstring)."""
    root.mkdir(parents=True)
    rng = random.Random(seed)
    write = _Writer(root)
    text, program_ids, _ = _portfolio(programs, rng)
    write("portfolio.yaml", text)
    reqs = _requirements(requirements)
    for rid, category in reqs:
        write(f"requirements/{category}/{rid}.yaml", _requirement(rid, category, rng))
    req_ids = [rid for rid, _ in reqs]
    results = [rid for rid, c in reqs if c == "RS"] or req_ids
    ev_ids = [f"EV-{i + 1:05d}" for i in range(evidence)]
    attachments = 0
    for i, eid in enumerate(ev_ids):
        supports = {req_ids[i % len(req_ids)]}  # every requirement gets evidence
        supports.update(rng.sample(req_ids, min(rng.randint(0, 3), len(req_ids))))
        attachment = None
        if i % 97 == 0:
            attachment = f"attachments/{eid}-summary.md"
            write(attachment, f"# {eid} summary\n\nA generated summary of the evidence item.\n")
            attachments += 1
        text = _evidence(eid, sorted(supports), program_ids, attachment, rng)
        write(f"evidence/{eid}.yaml", text)
    fid = [f"F-{k + 1:04d}" for k in range(findings)]
    metric_ids: list[str] = []
    total = 0
    for j, scopes in enumerate(_metric_scopes(series, program_ids)):
        mid = f"M-{j + 1:04d}"
        family = FAMILIES[j % len(FAMILIES)]
        yaml_text, csv_text = _metric(mid, family, scopes, _months(months), results, fid, rng)
        write(f"metrics/{mid}.yaml", yaml_text)
        write(f"metrics/{mid}.csv", csv_text)
        metric_ids.append(mid)
        total += len(scopes)
    for f in fid:
        write(f"findings/{f}.yaml", _finding(f, req_ids, ev_ids, metric_ids, rng))
    lines = _reviews(root) if reviews else 0
    yaml_files = 1 + len(reqs) + evidence + len(metric_ids) + findings + (lines > 0)
    return Generated(yaml_files, len(metric_ids), attachments, len(metric_ids), total, lines)


def _reviews(root: Path) -> int:
    """A reviews.yaml baseline: the links of every finding and metric and of every fourth
    evidence item, reviewed on the as-of date; every 400th line is stale (suspect, W603)."""
    from generator.diagnostics import Report
    from generator.portfolio.fingerprint import Fingerprints
    from generator.portfolio.links import links_of
    from generator.portfolio.validate import validate_portfolio

    portfolio, report = validate_portfolio(root, Report())
    if portfolio is None:
        raise ValueError(f"generated portfolio does not validate: {report.sorted()[:3]}")
    prints = Fingerprints(portfolio)
    lines = ["# Link reviews, written by the scale generator (as `certfolio review` would).\n"]
    chosen = [
        link
        for link in links_of(portfolio)
        if link.owner_kind != "evidence" or int(link.owner.removeprefix("EV-")) % 4 == 1
    ]
    for k, link in enumerate(chosen):
        owner = "0" * 12 if k % 400 == 399 else prints(link.owner)
        lines.append(  # quoted: a fingerprint of digits alone would read as a number
            f'{link.key}: {{owner: "{owner}", target: "{prints(link.target)}", '
            f"by: quality-manager, date: {AS_OF}}}\n"
        )
    (root / "reviews.yaml").write_bytes("".join(lines).encode("utf-8"))
    return len(chosen)
