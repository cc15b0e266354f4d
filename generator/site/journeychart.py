"""The journey chart's spec and its text alternative: requirement status at every month from the
portfolio's start to its as-of date (`assess.journey`), all requirements and per category.

Like `charts`, nothing here draws or imports matplotlib (`drawjourney` draws the spec);
`charts.alt_text` hands a `JourneyChart` to `journey_alt`. Numbers and months are written in
the portfolio's language (`formats`).
"""

from __future__ import annotations

from generator import model as m
from generator.assess.journey import Journey, Point
from generator.assess.states import REQUIREMENT_STATUSES
from generator.site import formats
from generator.site.chartspec import JourneyChart
from generator.site.i18n import Labels

#: The labels a journey chart prints (its `words`).
WORDS = ("journey", "all_requirements", "as_of", "count", "journey_met_by_month")


def _line(text: str, limit: int) -> str:
    """One printable line, cut at `limit`: `charts.clean_text`, which cannot be imported here
    (`charts` imports this module)."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _counts(points: tuple[Point, ...], category: str | None) -> tuple[tuple[int, ...], ...]:
    """Per month, the count of each status (REQUIREMENT_STATUSES order)."""
    return tuple(
        tuple(n for _, n in (p.total if category is None else p.tally(category)).counts)
        for p in points
    )


def journey_chart(
    journey: Journey, categories: tuple[m.Category, ...], labels: Labels
) -> JourneyChart:
    """The journey's chart spec: one plot of all requirements, then one per category."""
    as_of = formats.date(journey.as_of, labels.language)
    return JourneyChart(
        title=_line(f"{labels['journey']} ({labels['as_of']} {as_of})", 120),
        months=tuple(str(p.month) for p in journey.points),
        as_of=journey.as_of.isoformat(),
        statuses=tuple(labels.word(s) for s in REQUIREMENT_STATUSES),
        panels=(
            (labels["all_requirements"], _counts(journey.points, None)),
            *((_line(f"{c.id} {c.title}", 40), _counts(journey.points, c.id)) for c in categories),
        ),
        words=tuple(sorted((k, labels[k]) for k in WORDS)),
        language=labels.language,
    )


def journey_alt(spec: JourneyChart) -> str:
    """The numbers of the chart: each plot's counts in its first and last month, and the count
    of requirements met in every month of all requirements (the table beside the chart has
    them all)."""
    words, lang = dict(spec.words), spec.language
    if not spec.months:
        return f"{spec.title}."

    def counts(row: tuple[int, ...]) -> str:
        shown = [
            f"{s} {formats.number(n, 0, lang)}"
            for s, n in zip(spec.statuses, row, strict=True)
            if n
        ]
        return ", ".join(shown) or formats.number(0, 0, lang)

    first, last = formats.month(spec.months[0], lang), formats.month(spec.months[-1], lang)
    span = formats.month_range(spec.months[0], spec.months[-1], lang)
    parts = []
    for name, rows in spec.panels:
        ends = f"{last}: {counts(rows[-1])}"
        parts.append(
            f"{name}: {first}: {counts(rows[0])}; {ends}" if len(rows) > 1 else f"{name}: {ends}"
        )
    met = ", ".join(formats.number(row[0], 0, lang) for row in spec.panels[0][1])
    return (
        f"{spec.title}, {span}. " + ". ".join(parts) + f". {words['journey_met_by_month']}: {met}."
    )
