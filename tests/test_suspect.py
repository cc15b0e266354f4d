"""Suspect links: fingerprints, reviews.yaml, W603, and `certfolio review` writing the file.

The cycle a quality team walks: the sample carries a baseline review of every link
(evidence/reviews.yaml); a requirement's wording changes, so each evidence item, metric and
finding linked to it is suspect; `certfolio review` records the new check one item at a time,
touching only that item's lines; reviewing again is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator import model as m
from generator.cli import main
from generator.portfolio.fingerprint import (
    Fingerprints,
    evidence_fingerprint,
    finding_fingerprint,
    metric_fingerprint,
    requirement_fingerprint,
)
from generator.portfolio.validate import validate_portfolio
from generator.review.record import _scalar
from generator.review.suspect import Suspect, find_suspects, suspects_by_record

from .conftest import ROOT, SAMPLE, copy_portfolio

REVIEWER = "quality-manager"  # a person of the sample's portfolio.yaml


def _valid(root: Path) -> m.Portfolio:
    portfolio, report = validate_portfolio(root)
    assert portfolio is not None, [str(d.span) + " " + d.message for d in report.diagnostics]
    return portfolio


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _suspect_links(output: str) -> set[str]:
    return set(re.findall(r": warning: link (\S+ > \S+) is suspect", output))


# --- fingerprints ---------------------------------------------------------------------------


def test_a_fingerprint_is_sha256_of_canonical_json(minimal: Path) -> None:
    portfolio = _valid(minimal)
    requirement = portfolio.requirements["AA-01"]
    canonical = json.dumps(
        {
            "kind": "requirement",
            "results": False,
            "title": requirement.title,
            "wording": " ".join(requirement.wording.split()),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    assert requirement_fingerprint(requirement) == expected == "9399c34b1d58"

    item = portfolio.evidence["EV-01"]
    attachment = hashlib.sha256((minimal / "attachments/procedure.md").read_bytes()).hexdigest()
    canonical = (
        f'{{"attachments":["{attachment}"],"date":"2024-01-10","description":null,'
        '"kind":"evidence","links":[["https://example.com/procedure",null]],"location":null,'
        '"scope":["ENT"],"title":"Procedure","type":"procedure","version":"v1"}'
    )
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    assert evidence_fingerprint(item, portfolio.root) == expected


def test_fingerprints_are_the_same_across_runs_and_hash_seeds() -> None:
    script = (
        "import json, pathlib\n"
        "from generator.portfolio.validate import validate_portfolio\n"
        "from generator.portfolio.fingerprint import Fingerprints\n"
        "p, _ = validate_portfolio(pathlib.Path('evidence'))\n"
        "f = Fingerprints(p)\n"
        "ids = [*p.requirements, *p.evidence, *p.metrics, *p.findings]\n"
        "print(json.dumps({i: f(i) for i in ids}, sort_keys=True))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed, "TZ": tz},
        ).stdout
        for seed, tz in (("1", "UTC"), ("2", "Pacific/Auckland"), ("3", "America/Los_Angeles"))
    }
    assert len(outputs) == 1
    assert len(json.loads(outputs.pop())) == 38 + 44 + 19 + 5


def _changes(make: object, record: object, **fields: object) -> bool:
    assert callable(make)
    return bool(make(record) != make(dataclasses.replace(record, **fields)))  # type: ignore[type-var]


def test_a_requirement_fingerprint_follows_title_wording_and_results(minimal: Path) -> None:
    requirement = _valid(minimal).requirements["AA-01"]
    make = requirement_fingerprint
    assert _changes(make, requirement, wording=requirement.wording + " Monthly.")
    assert _changes(make, requirement, title="Another title")
    assert _changes(make, requirement, results=True)
    assert not _changes(make, requirement, owner="analyst", notes="Reworded later.", points=5.0)
    assert not _changes(make, requirement, category="BB", mappings=())
    rewrapped = requirement.wording.replace(" ", "\n  ", 2) + " "
    assert not _changes(make, requirement, wording=rewrapped)  # whitespace is no change


def test_an_evidence_fingerprint_follows_content_and_attachment_bytes(minimal: Path) -> None:
    portfolio = _valid(minimal)
    item = portfolio.evidence["EV-01"]

    def make(record: m.Evidence) -> str:
        return evidence_fingerprint(record, portfolio.root)

    for changed in (
        {"title": "Procedure v2"},
        {"type": "policy"},
        {"version": "v2"},
        {"date": item.date.replace(day=11)},
        {"scope": ("P1",)},
        {"description": "Now with escalation."},
        {"location": "SharePoint"},
        {"links": ()},
    ):
        assert _changes(make, item, **changed), changed
    for same in (
        {"supports": ("AA-01", "AA-02")},
        {"owner": "analyst"},
        {"review_by": None},
        {"valid_until": item.date},
        {"retention": "R12"},
        {"notes": "Checked again."},
        {"cadence": "monthly"},
        {"history": ()},
    ):
        assert not _changes(make, item, **same), same
    before = make(item)
    (minimal / "attachments/procedure.md").write_text("A changed procedure.\n")
    assert make(item) != before  # the attachment's bytes count, not its name


def test_a_metric_fingerprint_follows_its_definition_not_its_data(minimal: Path) -> None:
    metric = _valid(minimal).metrics["M2"]
    make = metric_fingerprint
    target = metric.targets[1]
    assert _changes(
        make, metric, targets=(metric.targets[0], dataclasses.replace(target, value=97))
    )
    assert _changes(make, metric, direction="lower")
    assert _changes(make, metric, unit="pts")
    assert _changes(make, metric, sample=dataclasses.replace(metric.sample, planned_n=200))  # type: ignore[type-var]
    assert not _changes(make, metric, observations=metric.observations[:-1])
    assert not _changes(make, metric, supports=(), owner="boss", notes="x", comparators=())
    assert not _changes(make, metric, decimals=2, source="CCaaS", annotations=())
    reasoned = dataclasses.replace(target, rationale="Raised again after a review.")
    assert not _changes(make, metric, targets=(metric.targets[0], reasoned))
    assert not _changes(
        make, metric, targets=(metric.targets[0], dataclasses.replace(target, value=96.0))
    )


def test_a_finding_fingerprint_follows_title_description_and_grade(minimal: Path) -> None:
    finding = _valid(minimal).findings["F-1"]
    make = finding_fingerprint
    assert _changes(make, finding, grade=m.Grade.MAJOR)
    assert _changes(make, finding, description="Two misses were not discussed.")
    assert _changes(make, finding, scope=("ENT",))
    assert not _changes(make, finding, closed=finding.raised, actions=(), requirements=())


def test_fields_added_later_count_only_when_a_record_has_them(minimal: Path) -> None:
    """`definitions` and a finding's `scope` joined the fingerprints after reviews were
    recorded: records without them keep the fingerprint of the fields before (checked here
    against canonical JSON the test writes itself), so no review becomes suspect."""
    portfolio = _valid(minimal)
    finding = portfolio.findings["F-1"]
    assert finding.scope == ()
    before = {
        "kind": "finding",
        "title": finding.title,
        "description": " ".join((finding.description or "").split()) or None,
        "grade": finding.grade.value,
    }
    canonical = json.dumps(before, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert finding_fingerprint(finding) == hashlib.sha256(canonical.encode()).hexdigest()[:12]
    metric = portfolio.metrics["M2"]
    assert metric.definitions == ()
    definition = m.Definition(
        "ENT", (("numerator", "Calls answered by the team"),), None, metric.span
    )
    assert _changes(metric_fingerprint, metric, definitions=(definition,))
    reworded = dataclasses.replace(definition, note="Counted by the telephony platform.")
    with_one = dataclasses.replace(metric, definitions=(definition,))
    assert _changes(metric_fingerprint, with_one, definitions=(reworded,))


def test_an_edited_definition_or_finding_scope_makes_links_suspect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vmo = copy_portfolio(ROOT / "examples" / "vmo" / "portfolio", tmp_path / "portfolio")
    code, _, err = _run(capsys, "review", "-p", str(vmo), "--all", "--by", "head-of-vmo")
    assert code == 0, err
    assert find_suspects(_valid(vmo)) == []
    metric = vmo / "metrics" / "V03.yaml"
    note = "note: Bramblegate handles email only;"
    metric.write_text(metric.read_text().replace(note, note + " chat from 2025;"))
    finding = vmo / "findings" / "VF-01.yaml"
    finding.write_text(finding.read_text().replace("scope: [BGO]", "scope: [BGO, SMX]"))
    suspects = find_suspects(_valid(vmo))
    assert {s.owner for s in suspects if s.changed in ("owner", "both")} == {"V03", "VF-01"}
    assert {s.target for s in suspects if s.changed == "target"} <= {"V03"}


# --- the cycle on the sample ------------------------------------------------------------------


def test_the_sample_is_baselined_and_clean() -> None:
    portfolio = _valid(SAMPLE)
    assert len(portfolio.reviews) == 309
    assert find_suspects(portfolio) == []
    assert "evidence/reviews.yaml" in portfolio.files


def test_a_changed_wording_makes_its_links_suspect_until_reviewed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_portfolio(SAMPLE, tmp_path / "evidence")
    requirement = root / "requirements/PR/PR-03.yaml"
    text = requirement.read_text("utf-8")
    requirement.write_text(text.replace("before go-live.", "before go-live and after it."))
    reviews = root / "reviews.yaml"
    before = reviews.read_bytes()

    code, out, _ = _run(capsys, "validate", str(root))
    assert code == 0  # warnings only
    linked = {"EV-014", "EV-015", "M06", "M12", "F-01"}  # every evidence, metric, finding
    assert _suspect_links(out) == {f"{owner} > PR-03" for owner in linked}
    line = (
        before.decode()
        .splitlines()
        .index(next(x for x in before.decode().splitlines() if x.startswith("EV-014 > PR-03:")))
    )
    assert (
        f"evidence/reviews.yaml:{line + 1}:1: warning: link EV-014 > PR-03 is suspect: "
        "requirement PR-03 changed since quality-manager reviewed it on 2025-01-15 [W603]\n"
        "  hint: check that EV-014 still supports PR-03, then record the review: "
        "certfolio review EV-014 --by PERSON\n"
    ) in out
    assert _run(capsys, "validate", str(root), "--strict")[0] == 1

    suspects = find_suspects(_valid(root))
    assert suspects[0] == Suspect(
        "evidence",
        "EV-014",
        "requirement",
        "PR-03",
        "target",
        dt.date(2025, 1, 15),
        REVIEWER,
        m.Span("evidence/reviews.yaml", line + 1, 1),
    )
    assert suspects[0].key == "EV-014 > PR-03" and suspects[0].changed_ids == ("PR-03",)
    assert [s.owner for s in suspects_by_record(_valid(root))["PR-03"]] == sorted(linked)

    code, out, err = _run(
        capsys, "review", "EV-014", "--by", REVIEWER, "--date", "2025-02-03", "-p", str(root)
    )
    assert (code, err) == (0, "")
    assert "recorded 1 review by quality-manager" in out
    assert "EV-014 > PR-03 (suspect: PR-03 changed)" in out
    code, out, _ = _run(capsys, "validate", str(root))
    assert _suspect_links(out) == {f"{owner} > PR-03" for owner in linked - {"EV-014"}}

    after = reviews.read_bytes().decode().splitlines(keepends=True)
    lines = before.decode().splitlines(keepends=True)
    changed = [i for i, (old, new) in enumerate(zip(lines, after, strict=True)) if old != new]
    assert changed == [line]
    prints = Fingerprints(_valid(root))  # the new line holds PR-03's new fingerprint
    assert after[line] == (
        f"EV-014 > PR-03: {{owner: {prints('EV-014')}, target: {prints('PR-03')}, "
        "by: quality-manager, date: 2025-02-03}\n"
    )

    code, _, err = _run(capsys, "review", "EV-014", "--by", REVIEWER, "-p", str(root))
    assert code == 1
    assert err == ("certfolio: error: nothing to review: EV-014's links match their last review\n")
    code, out, _ = _run(
        capsys, "review", "PR-03", "--by", REVIEWER, "--date", "2025-02-04", "-p", str(root)
    )
    assert code == 0 and "recorded 4 reviews" in out
    assert _run(capsys, "validate", str(root), "--strict")[0] == 0
    assert not list(root.glob(".reviews.yaml*"))  # no temporary file left behind


def test_reviews_do_not_change_the_assessment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_portfolio(SAMPLE, tmp_path / "evidence")
    with_reviews = _run(capsys, "assess", str(root), "--format", "json")[1]
    (root / "reviews.yaml").unlink()
    assert _run(capsys, "assess", str(root), "--format", "json")[1] == with_reviews


# --- writing reviews.yaml -------------------------------------------------------------------


def _minimal_reviews(minimal: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, err = _run(
        capsys, "review", "--all", "--by", "boss", "--date", "2025-01-15", "-p", str(minimal)
    )
    assert (code, err) == (0, "")
    return (minimal / "reviews.yaml").read_text("utf-8")


def test_a_first_review_goes_in_sorted_place_and_nothing_else_moves(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _minimal_reviews(minimal, capsys)
    lines = text.splitlines(keepends=True)
    assert lines[0].startswith("# Link reviews, written by `certfolio review`.")
    keys = [line.split(":")[0] for line in lines if not line.startswith("#")]
    assert keys == sorted(keys) and len(keys) == 8
    # hand edits a reviewer made: CRLF line ends, a comment, a missing final newline
    entry = next(i for i, line in enumerate(lines) if line.startswith("EV-02 > AA-02"))
    edited = [*lines[:entry], "# EV-02 was re-checked by the auditor\n", *lines[entry + 1 :]]
    raw = "".join(edited).replace("\n", "\r\n").removesuffix("\r\n")
    (minimal / "reviews.yaml").write_bytes(raw.encode())

    code, _, err = _run(capsys, "review", "EV-02", "AA-02", "--by", "boss", "-p", str(minimal))
    assert (code, err) == (
        1,
        "certfolio: error: nothing to review: EV-02 > AA-02 was never reviewed\n"
        "  add --new to record it\n",
    )
    code, _, err = _run(
        capsys,
        "review",
        "EV-02>AA-02",
        "--new",
        "--by",
        "analyst",
        "--date",
        "2025-02-01",
        "-p",
        str(minimal),
    )
    assert (code, err) == (0, "")
    new = (minimal / "reviews.yaml").read_bytes().decode()
    assert new.count("\r\n") == new.count("\n")
    old_lines, new_lines = raw.split("\r\n"), new.split("\r\n")
    added = [line for line in new_lines if line not in old_lines]
    assert len(added) == 1 and added[0].startswith("EV-02 > AA-02: {owner: ")
    assert added[0].endswith(", by: analyst, date: 2025-02-01}")
    assert [line for line in new_lines if line != added[0]] == old_lines  # all else as it was
    assert (
        new_lines.index(added[0])
        == new_lines.index(next(x for x in new_lines if x.startswith("EV-02 > AA-01"))) + 1
    )
    assert _run(capsys, "validate", str(minimal), "--strict")[0] == 0


def test_nothing_to_review_says_what_to_do(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "review", "EV-01", "--by", "boss", "-p", str(minimal))
    assert code == 1
    assert err == (
        "certfolio: error: nothing to review: no link of EV-01 changed since its last review\n"
        "  1 link of EV-01 never reviewed: add --new to record them\n"
    )
    _minimal_reviews(minimal, capsys)
    code, _, err = _run(capsys, "review", "--all", "--by", "boss", "-p", str(minimal))
    assert (code, err) == (
        1,
        "certfolio: error: nothing to review: every link matches its last review\n",
    )


def test_review_refuses_unknown_people_records_and_links(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = {
        (
            "EV-01",
            "--by",
            "bos",
        ): "unknown person 'bos' for --by\n  did you mean 'boss'? People are "
        "defined in evidence/portfolio.yaml\n",
        ("EV-1", "--by", "boss"): "no record 'EV-1' in the portfolio\n  did you mean 'EV-01'?\n",
        ("EV-01", "AA-02", "--by", "boss"): "EV-01 and AA-02 are not linked\n",
        ("--by", "boss"): "name what you reviewed: ITEM, ITEM TARGET, or --all\n",
        ("EV-01", "--all", "--by", "boss"): "give ITEM or --all, not both\n",
    }
    for args, message in cases.items():
        code, _, err = _run(capsys, "review", *args, "-p", str(minimal))
        assert (code, err) == (2, "certfolio: error: " + message), args
    assert not (minimal / "reviews.yaml").exists()


def test_all_removes_reviews_of_links_that_are_gone(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _minimal_reviews(minimal, capsys).splitlines(keepends=True)
    evidence = minimal / "evidence/EV-02.yaml"
    evidence.write_text(
        evidence.read_text().replace("supports: [AA-01, AA-02]", "supports: [AA-02]")
    )
    code, out, _ = _run(capsys, "validate", str(minimal))
    assert code == 0
    assert out == (
        "evidence/reviews.yaml:5:1: warning: reviewed link EV-02 > AA-01 does not exist: "
        "EV-02 does not list AA-01 [W604]\n"
        "  hint: remove the line: the link was removed, or an ID is mistyped\n"
        "0 errors, 1 warning in 11 files\n"
    )  # EV-02's other links are not suspect: its `supports` is not in its fingerprint
    code, out, _ = _run(capsys, "review", "--all", "--by", "boss", "-p", str(minimal))
    assert code == 0 and "EV-02 > AA-01 (removed: the link no longer exists)" in out
    after = (minimal / "reviews.yaml").read_text().splitlines(keepends=True)
    assert after == [line for line in before if not line.startswith("EV-02 > AA-01")]
    assert _run(capsys, "validate", str(minimal), "--strict")[0] == 0


def test_a_failed_write_leaves_the_file_as_it_was(
    minimal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _minimal_reviews(minimal, capsys)
    requirement = minimal / "requirements/AA/AA-01.yaml"
    requirement.write_text(requirement.read_text().replace("title: ", "title: New ", 1))

    def broken(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    code, _, err = _run(capsys, "review", "AA-01", "--by", "boss", "-p", str(minimal))
    assert code == 1 and "No space left on device" in err
    assert (minimal / "reviews.yaml").read_text() == text
    assert sorted(p.name for p in minimal.iterdir() if p.name.startswith(".")) == []


def test_scalars_that_would_read_as_numbers_are_quoted() -> None:
    assert _scalar("3f2a9c1e77b0") == "3f2a9c1e77b0"
    assert _scalar("123456789012") == '"123456789012"'
    assert _scalar("1234567890e1") == '"1234567890e1"'
    assert _scalar("true") == '"true"'


# --- a broken reviews.yaml ------------------------------------------------------------------


def test_a_broken_reviews_file_gives_positioned_errors(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (minimal / "reviews.yaml").write_text(
        "# reviews\n"
        "EV-01 > AA-01: {owner: 985227199d4c, target: 9399c34b1d58, by: bos, date: 2025-02-30}\n"
        "EV-01 >AA-01: {owner: 985227199d4c, target: 9399c34b1d58, by: boss, date: 2025-01-15}\n"
    )
    code, out, _ = _run(capsys, "validate", str(minimal))
    assert code == 1
    assert out == (
        "evidence/reviews.yaml:2:64: error: unknown person 'bos' in 'by' [E201]\n"
        "  hint: did you mean 'boss'? People are defined in evidence/portfolio.yaml\n"
        "evidence/reviews.yaml:2:75: error: 'EV-01 > AA-01.date' is not a real date: "
        "'2025-02-30' [E400]\n"
        "evidence/reviews.yaml:3:1: error: 'EV-01 >AA-01' is not a link; write it "
        "'OWNER > TARGET' [E605]\n"
        "  hint: the record that lists the link, ' > ', then the one it names: "
        "'EV-002 > LP-01'\n"
        "3 errors, 0 warnings in 11 files\n"
    )
    (minimal / "reviews.yaml").write_text(
        "EV-01 > AA-01: {owner: 98522719zz, target: 9399c34b1d58, by: boss}\n"
        "EV-02 > AA-01: {owner: 123456789012, target: 9399c34b1d58, by: boss, date: 2025-01-15}\n"
        "EV-02 > AA-02: [not, a, mapping]\n"
    )
    code, out, _ = _run(capsys, "validate", str(minimal))
    assert out == (
        "evidence/reviews.yaml:1:16: error: missing required field 'date' in 'EV-01 > AA-01' "
        "[E101]\n"
        "evidence/reviews.yaml:1:24: error: 'EV-01 > AA-01.owner' must be a fingerprint of 12 hex "
        "digits (0-9, a-f) as `certfolio review` writes it, got '98522719zz' [E104]\n"
        "evidence/reviews.yaml:2:24: error: 'EV-02 > AA-01.owner' must be text, got number "
        "123456789012 [E100]\n"
        '  hint: quote it: "123456789012"\n'
        "evidence/reviews.yaml:3:16: error: 'EV-02 > AA-02' must be a mapping, got a list [E100]\n"
        "4 errors, 0 warnings in 11 files\n"
    )


def test_a_link_looked_up_is_the_link_the_list_holds(tmp_path: Path) -> None:
    import importlib

    from generator.portfolio.links import link_between, links_of

    from .test_scale import TINY

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        scale_gen = importlib.import_module("scale_gen")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    scale_gen.generate(tmp_path / "generated", **TINY)
    for root in (SAMPLE, tmp_path / "generated"):
        portfolio, _ = validate_portfolio(root)
        assert portfolio is not None
        listed = {(link.owner, link.target): link for link in links_of(portfolio)}
        ids = [
            *portfolio.requirements,
            *portfolio.evidence,
            *portfolio.metrics,
            *portfolio.findings,
            "NOPE-1",
        ]
        for owner in ids:
            for target in ids:
                assert link_between(portfolio, owner, target) == listed.get((owner, target))
