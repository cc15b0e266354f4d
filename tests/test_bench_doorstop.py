"""The Doorstop comparison benchmark keeps measuring the same content on both sides: the
Doorstop tree it writes holds every requirement and evidence item of the generated portfolio,
with the same links. Both sides are parsed here on their own (plain YAML), and neither the
network nor Doorstop's venv is needed (no timing is run or asserted)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from .conftest import ROOT

TINY = {"requirements": 10, "evidence": 5}


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """benchmarks/bench_doorstop.py, imported as the script imports its neighbours."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import bench_doorstop

    return bench_doorstop


@pytest.fixture
def written(tmp_path: Path, bench: ModuleType) -> tuple[Path, Path, dict[str, int]]:
    """The benchmark's portfolio at a tiny size and the Doorstop tree written from it."""
    import scale_gen

    portfolio, tree = tmp_path / "portfolio", tmp_path / "doorstop"
    scale_gen.generate(portfolio, **{**bench.COUNTS, **TINY})
    return portfolio, tree, bench.write_doorstop_tree(portfolio, tree)


def _certfolio(portfolio: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The portfolio's requirements and evidence items, by ID, read from their YAML files."""
    requirements, evidence = {}, {}
    for path in (portfolio / "requirements").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        requirements[data["id"]] = data
    for path in (portfolio / "evidence").glob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        evidence[data["id"]] = data
    return requirements, evidence


def _doorstop(tree: Path) -> dict[str, dict[str, Any]]:
    """Each Doorstop document by prefix: its settings and its items by UID."""
    documents = {}
    for config in tree.rglob(".doorstop.yml"):
        settings = yaml.safe_load(config.read_text("utf-8"))["settings"]
        items = {}
        for path in config.parent.glob("*.yml"):
            if path.name != ".doorstop.yml":
                items[path.stem] = yaml.safe_load(path.read_text("utf-8"))
        documents[settings["prefix"]] = {"settings": settings, "items": items}
    return documents


def test_the_doorstop_tree_holds_the_same_items_and_links(
    written: tuple[Path, Path, dict[str, int]],
) -> None:
    portfolio, tree, counts = written
    requirements, evidence = _certfolio(portfolio)
    assert len(requirements) == 10 and len(evidence) == 5
    documents = _doorstop(tree)
    assert (tree / ".git").is_dir()  # Doorstop's working copy, at the tree's root
    assert set(documents) == {"REQ", "EV"}
    req, ev = documents["REQ"], documents["EV"]
    assert "parent" not in req["settings"] and ev["settings"]["parent"] == "REQ"

    for document in documents.values():  # every item file is named and formed as Doorstop's
        settings = document["settings"]
        head = settings["prefix"] + settings["sep"]
        for uid, item in document["items"].items():
            assert uid.startswith(head) and uid[len(head) :].isdigit(), uid
            assert len(uid) - len(head) == int(settings["digits"]), uid
            assert item["active"] is True and item["normative"] is True, uid
            assert isinstance(item["text"], str) and item["text"].strip(), uid
            for link in item["links"]:
                assert isinstance(link, dict) and len(link) == 1, uid

    # the same requirements, each with its title and wording
    req_of = {item["certfolio"]: uid for uid, item in req["items"].items()}
    assert set(req_of) == set(requirements) and len(req_of) == len(req["items"])
    for rid, data in requirements.items():
        item = req["items"][req_of[rid]]
        assert item["header"] == data["title"] and item["links"] == []
        assert item["text"].strip() == data["wording"].strip()

    # the same evidence items, each linking to existing requirements: the ones it supports
    ev_of = {item["certfolio"]: uid for uid, item in ev["items"].items()}
    assert set(ev_of) == set(evidence) and len(ev_of) == len(ev["items"])
    links = 0
    for eid, data in evidence.items():
        item = ev["items"][ev_of[eid]]
        assert item["text"].strip().split("\n\n")[0] == data["title"]
        targets = [next(iter(link)) for link in item["links"]]
        assert all(uid in req["items"] for uid in targets), targets
        assert sorted(req["items"][uid]["certfolio"] for uid in targets) == sorted(data["supports"])
        links += len(targets)
    assert counts == {"requirements": 10, "evidence": 5, "links": links}


def test_the_report_merges_and_prints(bench: ModuleType) -> None:
    """The table and the JSON from two runs' figures, made up (Doorstop is not run here)."""

    def one(seconds: float) -> dict[str, Any]:
        built = {"seconds": seconds, "cpu_seconds": 1.0, "build_seconds": seconds - 0.5}
        built.update(problems=[], pages=1520, site_bytes=3e7, largest_page_bytes=2e5)
        return {
            "doorstop_tree": {"requirements": 1000, "evidence": 500, "links": 1295},
            "load_average": 0.5,
            "doorstop": {"seconds": 2.0, "cpu_seconds": 2.0, "items": 1500, "pages": 4,
                         "site_bytes": 4e6, "largest_page_bytes": 5e5},
            "certfolio cold": built,
            "certfolio edit": {**built, "seconds": seconds / 2},
        }  # fmt: skip

    report = bench.median_report([one(2.0), one(4.0)])
    report.update(counts=bench.COUNTS, target_ratio=bench.TARGET_RATIO)
    assert report["runs"] == 2 and report["ratios"]["cold / doorstop"] == 1.5
    text = bench.table(report)
    assert "1,000 requirements, 500 evidence items" in text
    assert "within the issue's 1.5x" in text and "certfolio one-edit rebuild" in text
    json.dumps(report)  # what the benchmark writes beside its table
