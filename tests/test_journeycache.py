"""The journey kept between builds: the same journey as computed, kept across edits of free
text only, computed again after any other change, and never taken from a foreign file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest

from generator.assess.journey import assess_journey
from generator.model import Portfolio
from generator.portfolio.signed import UserKey, write_signed
from generator.portfolio.validate import validate_portfolio
from generator.site import build
from generator.site.journeycache import MAGIC, TEXT_FIELDS, JourneyCache, journey_key

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def sample() -> Portfolio:
    portfolio, report = validate_portfolio(SAMPLE)
    assert portfolio is not None, report.sorted()[:3]
    return portfolio


def _changed(portfolio: Portfolio, kind: str, ident: str, **fields: object) -> Portfolio:
    records = dict(getattr(portfolio, kind))
    records[ident] = dataclasses.replace(records[ident], **fields)
    return dataclasses.replace(portfolio, **{kind: records})


def test_free_text_keeps_the_key_anything_else_changes_it(sample: Portfolio) -> None:
    as_of = sample.config.as_of
    key = journey_key(sample, as_of)
    assert key == journey_key(sample, as_of)
    evidence, requirement = next(iter(sample.evidence)), next(iter(sample.requirements))
    metric, finding = next(iter(sample.metrics)), next(iter(sample.findings))
    for kind, ident in (
        ("evidence", evidence),
        ("requirements", requirement),
        ("metrics", metric),
        ("findings", finding),
    ):
        record = getattr(sample, kind)[ident]
        names = {f.name for f in dataclasses.fields(record)}
        text = {n: "Reworded." for n in TEXT_FIELDS if n in names and n != "span"}
        assert journey_key(_changed(sample, kind, ident, **text), as_of) == key, kind
    item = sample.evidence[evidence]
    metric_ = sample.metrics[metric]
    for kind, ident, fields in (
        ("evidence", evidence, {"date": item.date - dt.timedelta(days=1)}),
        ("evidence", evidence, {"supports": ()}),
        ("requirements", requirement, {"results": not sample.requirements[requirement].results}),
        ("metrics", metric, {"observations": metric_.observations[:-1]}),
        ("findings", finding, {"raised": sample.findings[finding].raised + dt.timedelta(days=1)}),
    ):
        assert journey_key(_changed(sample, kind, ident, **fields), as_of) != key, (kind, fields)
    assert journey_key(sample, as_of - dt.timedelta(days=1)) != key


def test_a_kept_journey_is_the_computed_one(sample: Portfolio, tmp_path: Path) -> None:
    store = JourneyCache(tmp_path, UserKey(tmp_path / "user.key"))
    as_of = sample.config.as_of
    key = journey_key(sample, as_of)
    assert store.get(sample.root, key) is None
    journey = assess_journey(sample, as_of)
    store.put(sample.root, key, journey)
    assert store.get(sample.root, key) == journey
    assert store.get(sample.root, journey_key(sample, as_of - dt.timedelta(days=1))) is None
    [stored] = tmp_path.glob("journey-*.pack")
    payload = stored.read_bytes()[len(MAGIC) + 64 :]
    write_signed(stored, MAGIC, os.urandom(32), payload, key)  # someone else's key
    assert store.get(sample.root, key) is None


def test_the_site_takes_the_kept_journey(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minimal: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    first, _ = build.generate_site(minimal, cache_dir=tmp_path / "cache", workers=1)
    assert first is not None and list((tmp_path / "cache" / "journey").glob("*.pack"))

    def not_again(*_: object) -> object:
        raise AssertionError("the journey was computed again")

    monkeypatch.setattr(build, "assess_journey", not_again)
    again, _ = build.generate_site(minimal, cache_dir=tmp_path / "cache", workers=1)
    assert again is not None and again.pages == first.pages and again.files == first.files
    title = minimal / "evidence" / "EV-01.yaml"
    title.write_text(title.read_text().replace("title: ", "title: The ", 1))
    edited, _ = build.generate_site(minimal, cache_dir=tmp_path / "cache", workers=1)
    assert edited is not None  # free text: the kept journey still holds
    data = minimal / "metrics" / "M1.csv"
    data.write_text(data.read_text().replace("79.5", "60.5"))
    with pytest.raises(AssertionError, match="computed again"):
        build.generate_site(minimal, cache_dir=tmp_path / "cache", workers=1)
