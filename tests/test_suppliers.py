"""Suppliers are scopes like sites and programs: a metric, an evidence item or a finding may
name one, and `scope.suppliers` entries carry their services, contract and programs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from generator.portfolio.validate import validate_portfolio


def test_a_supplier_is_the_scope_of_metrics_evidence_and_findings(minimal: Path) -> None:
    config = minimal / "portfolio.yaml"
    text = config.read_text("utf-8")
    suppliers = (
        "  suppliers:\n"
        "    - id: VA\n"
        "      name: Vendor A\n"
        "      services: [Inbound voice, Email]\n"
        "      contract: {start: 2023-01-01, end: 2025-12-31, reference: MSA-1}\n"
        "      programs: [P1]\n"
        "    - id: VB\n"
        "      name: Vendor B\n"
    )
    config.write_text(text.replace("categories:\n", suppliers + "categories:\n", 1), "utf-8")
    metric = minimal / "metrics" / "M1.yaml"
    metric.write_text(metric.read_text("utf-8").replace("scope: P1", "scope: [VA, VB]"), "utf-8")
    rows = (minimal / "metrics" / "M1.csv").read_text("utf-8").splitlines()
    data = ["period,value,scope"]
    data += [f"{r},{s}" for r in rows[1:] for s in ("VA", "VB")]
    (minimal / "metrics" / "M1.csv").write_text("\n".join(data) + "\n", "utf-8")
    evidence = minimal / "evidence" / "EV-01.yaml"
    text = evidence.read_text("utf-8")
    evidence.write_text(re.sub(r"(?m)^scope: .*$", "scope: [VA]", text), "utf-8")
    finding = minimal / "findings" / "F-1.yaml"
    finding.write_text(finding.read_text("utf-8") + "scope: [VB]\n", "utf-8")
    portfolio, report = validate_portfolio(minimal)
    assert portfolio is not None, [str(d) for d in report.diagnostics]
    units = {u.id: u for u in portfolio.config.scope}
    assert units["VA"].kind == "supplier"
    assert units["VA"].services == ("Inbound voice", "Email")
    assert units["VA"].programs == ("P1",)
    contract = units["VA"].contract
    assert contract is not None
    assert (contract.start, contract.end) == (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    assert contract.reference == "MSA-1"
    assert units["VB"].contract is None
    assert portfolio.metrics["M1"].scope == ("VA", "VB")
    assert {o.scope for o in portfolio.metrics["M1"].observations} == {"VA", "VB"}
    assert portfolio.evidence["EV-01"].scope == ("VA",)
    assert portfolio.findings["F-1"].scope == ("VB",)
    assert ("VA", "Vendor A") in portfolio.config.suppliers


def _vmo(minimal: Path, rows: list[str]) -> None:
    """The minimal portfolio as a VMO with three suppliers reporting M1 (`rows`: the CSV)."""
    config = minimal / "portfolio.yaml"
    text = config.read_text("utf-8").replace("type: CSP", "type: VMO")
    suppliers = "  suppliers:\n" + "".join(
        f"    - {{id: {s}, name: Vendor {s}}}\n" for s in ("VA", "VB", "VC")
    )
    config.write_text(text.replace("categories:\n", suppliers + "categories:\n", 1), "utf-8")
    metric = minimal / "metrics" / "M1.yaml"
    text = metric.read_text("utf-8").replace("scope: P1", "scope: [VA, VB, VC]")
    metric.write_text(text, "utf-8")
    (minimal / "metrics" / "M1.csv").write_text("\n".join(["period,value,scope", *rows]) + "\n")


def test_level_suppliers_share_a_rank_and_a_late_start_is_a_caveat(minimal: Path) -> None:
    from generator.assess import vendors
    from generator.assess.status import assess_portfolio

    same = ["81.0", "79.5", "82.1", "80.4", "83.0"]
    rows = [f"2024-0{i + 1},{v},{s}" for s in ("VA", "VB") for i, v in enumerate(same)]
    rows += ["2024-03,85.0,VC", "2024-04,86.0,VC", "2024-05,84.0,VC"]
    _vmo(minimal, rows)
    portfolio, report = validate_portfolio(minimal)
    assert portfolio is not None, [str(d) for d in report.diagnostics]
    (ranking,) = vendors.rankings(assess_portfolio(portfolio))
    # VC met all 3 of its months (attainment 1); VA and VB 4 of 5, the same mean: level
    assert [(r.supplier, r.rank) for r in ranking.rows] == [("VC", 1), ("VA", 2), ("VB", 2)]
    assert ranking.months_differ and ranking.sample_sizes is None and ranking.definitions == ()
    assert ranking.caveats
