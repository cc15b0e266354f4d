"""Benchmark: certfolio against Doorstop 3.2 on the same content (issue 12, "scale").

The issue's target: at 1,000 requirements and 500 evidence items, a cold build takes at most
1.5x as long as `doorstop publish all OUT` publishing the same content in the same run. Run
with `make bench-doorstop`; `--runs N` makes every figure the median of N runs. Prints a table
and writes the figures to `results/doorstop.json` beside this script (git-ignored). No figure
is asserted anywhere; `tests/test_bench_doorstop.py` checks the Doorstop tree at a tiny size.

The content: `scale_gen`'s portfolio with `COUNTS` (1,000 requirements, 500 evidence items
each supporting 1 to 4 requirements; two programs and no metrics or findings, since Doorstop
has nothing to hold them; scale_gen's few attachments and its reviews.yaml baseline stay),
and the same requirements and evidence items as a Doorstop tree (`write_doorstop_tree`):
document REQ (`reqs/`, REQ-0001 ... in certfolio's order, category by category; header = the
requirement's title, text = its wording) and document EV (`evidence/`, parent REQ, EV-00001
... in ID order; text = the item's title, description and notes), each evidence item linking
to the requirements it supports, exactly certfolio's links. Every Doorstop item also carries
its certfolio ID as the extended attribute `certfolio` (not published). The tree's folder is
a throwaway `git init` repository, since Doorstop looks for a working copy at its root, and
`doorstop` (its validation) runs there once, untimed: it reviews the new items and stamps
their links, so the tree is one as people keep it with Doorstop.

What is timed, each in a new process with output and caches empty, in this order (with
`--runs N`, every second run times Doorstop last):

- doorstop: `doorstop publish all OUT` run from Doorstop 3.2's own venv (made once, under
  `results/doorstop-venv/`, or `--doorstop-venv`), its whole process (interpreter start,
  imports, loading the tree, publishing HTML);
- certfolio cold: `generator.engines.mkdocs.build_site` (what `certfolio site` runs) in a
  child process with no `.cache` in the project and an empty certfolio cache home, as
  bench_scale's builds; "process" is the child's whole wall clock (interpreter start and
  imports included, like Doorstop's figure), "build" is build_site alone;
- certfolio edit: after one evidence item's title changes, the same build again into the same
  site folder (caches as the cold build left them).

The ratio the issue asks about is certfolio cold / doorstop, process against process; the
table shows build_site's own ratio too, and CPU seconds (user + system, with the processes each
one waited for) beside the wall clock: the machine may be shared, and the load average before
timing is reported. Before the timed runs each tool runs once untimed
(`doorstop --version`; importing matplotlib, which builds its font cache in the fresh cache
home), so neither pays a one-time first start that a user's machine has already paid. Pages
are the `.html` files each output holds: Doorstop publishes one page per document (plus an
index and a traceability matrix), certfolio one per requirement, evidence item, category and
register; "items" counts the Doorstop UIDs its document pages show, a check that all were
published.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
VENV = RESULTS / "doorstop-venv"
DOORSTOP = "doorstop==3.2"
COUNTS = {
    "programs": 2,
    "series": 0,
    "months": 36,
    "evidence": 500,
    "requirements": 1000,
    "findings": 0,
}
TARGET_RATIO = 1.5
REQ, EV = "REQ", "EV"  # the Doorstop documents' prefixes
REQ_DIR, EV_DIR = "reqs", "evidence"


# --- the Doorstop tree -----------------------------------------------------------------------


def _scalar(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _block(text: str) -> str:
    """A YAML literal block, as Doorstop writes an item's text."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return "|\n" + "".join(f"  {line}\n" if line else "\n" for line in lines)


def _item(uid_links: list[str], level: str, header: str, text: str, certfolio_id: str) -> str:
    """One Doorstop item file, with the keys `doorstop add` writes (sorted) and `certfolio`."""
    links = "".join(f"\n- {uid}: null" for uid in uid_links) or " []"
    return (
        f"active: true\ncertfolio: {_scalar(certfolio_id)}\nderived: false\n"
        f"header: {_scalar(header)}\nlevel: {_scalar(level)}\nlinks:{links}\n"
        f"normative: true\nref: ''\nreviewed: null\ntext: {_block(text)}"
    )


def _document(prefix: str, digits: int, parent: str | None) -> str:
    parent_line = f"  parent: {parent}\n" if parent else ""
    return (
        f"settings:\n  digits: {digits}\n  itemformat: yaml\n{parent_line}"
        f"  prefix: {prefix}\n  sep: '-'\n"
    )


def write_doorstop_tree(portfolio_dir: Path, tree: Path) -> dict[str, int]:
    """Write the requirements and evidence items of the certfolio portfolio in
    `portfolio_dir` as a Doorstop tree in the new folder `tree` (see the module's docstring);
    returns the counts of requirements, evidence items and links written."""
    from generator.diagnostics import Report
    from generator.portfolio.validate import validate_portfolio

    portfolio, report = validate_portfolio(portfolio_dir, Report())
    if portfolio is None:
        raise SystemExit(f"the portfolio does not validate: {report.sorted()[:3]}")
    order = {c.id: k for k, c in enumerate(portfolio.config.categories)}
    requirements = sorted(
        portfolio.requirements.values(), key=lambda r: (order.get(r.category, len(order)), r.id)
    )
    evidence = sorted(portfolio.evidence.values(), key=lambda e: e.id)
    req_digits = max(4, len(str(len(requirements))))
    ev_digits = max(5, len(str(len(evidence))))
    uid_of: dict[str, str] = {}
    for k, requirement in enumerate(requirements, 1):
        uid_of[requirement.id] = f"{REQ}-{k:0{req_digits}d}"

    tree.mkdir(parents=True)
    for folder in (REQ_DIR, EV_DIR):
        (tree / folder).mkdir()
    (tree / REQ_DIR / ".doorstop.yml").write_text(_document(REQ, req_digits, None), "utf-8")
    (tree / EV_DIR / ".doorstop.yml").write_text(_document(EV, ev_digits, REQ), "utf-8")
    within: dict[str, int] = {}
    for requirement in requirements:
        section = order.get(requirement.category, len(order)) + 1
        within[requirement.category] = within.get(requirement.category, 0) + 1
        uid = uid_of[requirement.id]
        text = _item(
            [],
            f"{section}.{within[requirement.category]}",
            requirement.title,
            requirement.wording,
            requirement.id,
        )
        (tree / REQ_DIR / f"{uid}.yml").write_text(text, "utf-8")
    links = 0
    for k, item in enumerate(evidence, 1):
        uid = f"{EV}-{k:0{ev_digits}d}"
        paragraphs = [item.title, item.description or "", item.notes or ""]
        targets = sorted(uid_of[rid] for rid in item.supports)
        links += len(targets)
        text = _item(targets, f"1.{k}", "", "\n\n".join(p for p in paragraphs if p), item.id)
        (tree / EV_DIR / f"{uid}.yml").write_text(text, "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "init", "-q", str(tree)], check=True, env=env)
    return {"requirements": len(requirements), "evidence": len(evidence), "links": links}


# --- Doorstop's venv and its publishing ------------------------------------------------------


def doorstop_venv(venv: Path) -> tuple[Path, str]:
    """The `doorstop` command of `venv`, made with DOORSTOP first when it is not there;
    and its version line."""
    command = venv / "bin" / "doorstop"
    if not command.exists():
        print(f"  making {venv} with {DOORSTOP} (once) ...", flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", DOORSTOP],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"pip could not install {DOORSTOP}:\n{done.stderr[-3000:]}")
    done = subprocess.run([str(command), "--version"], capture_output=True, text=True)
    version = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or version.split()[-1:] != ["v" + DOORSTOP.split("==")[1]]:
        raise SystemExit(f"{command} is not {DOORSTOP}: {version!r}; remove {venv}")
    return command, version


def _timed(
    command: list[str], **kwargs: Any
) -> tuple[subprocess.CompletedProcess[str], dict[str, float]]:
    """Run `command`; its output, wall clock and CPU time (user + system, with the processes
    it waited for, such as certfolio's chart workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return done, {"seconds": seconds, "cpu_seconds": cpu}


def review(doorstop: Path, tree: Path) -> None:
    """`doorstop` (validation) once in `tree`: it reviews the new items and stamps their
    links, as in a tree people keep with Doorstop. Warnings are expected (requirements no
    evidence supports yet)."""
    done, _ = _timed([str(doorstop)], cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"doorstop found errors in the tree:\n{done.stderr[-3000:]}")


def publish(doorstop: Path, tree: Path, out: Path) -> dict[str, Any]:
    """`doorstop publish all OUT` in `tree`, timed as a whole process."""
    done, figures = _timed([str(doorstop), "publish", "all", str(out)], cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"doorstop publish failed:\n{done.stderr[-3000:]}")
    uids = set()
    for page in (out / "documents").glob("*.html"):
        uids.update(re.findall(rf"\b(?:{REQ}|{EV})-\d+\b", page.read_text("utf-8")))
    return {
        **figures,
        "warnings": sum("WARNING" in line for line in done.stderr.splitlines()),
        "items": len(uids),
        **_pages(out),
    }


# --- certfolio -------------------------------------------------------------------------------


def _pages(site: Path) -> dict[str, Any]:
    pages = [p.stat().st_size for p in site.rglob("*.html")]
    return {
        "pages": len(pages),
        "site_bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
        "largest_page_bytes": max(pages, default=0),
    }


def _edit_one_title(portfolio_dir: Path) -> str:
    path = sorted((portfolio_dir / "evidence").glob("*.yaml"))[0]
    text = path.read_text("utf-8")
    start = text.index("\ntitle: ") + len("\ntitle: ")
    end = text.index("\n", start)
    path.write_text(text[:end] + " (edited)" + text[end:], "utf-8")
    return path.name


def certfolio_build(project: Path, site: Path, env: dict[str, str]) -> dict[str, Any]:
    """bench_scale's MkDocs build in a child process; its figures and the process's wall."""
    done, process = _timed([sys.executable, __file__, "--child", str(project), str(site)], env=env)
    if done.returncode != 0:
        raise SystemExit(f"the certfolio build failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["build_seconds"] = figures.pop("seconds")
    figures.update(process)
    if not figures["problems"]:
        figures.update(_pages(site))
    return figures


# --- the orchestrator ------------------------------------------------------------------------


def run_once(
    workdir: Path, counts: dict[str, int], doorstop: Path, doorstop_first: bool = True
) -> dict[str, Any]:
    """Generate both, then publish with Doorstop, build cold and rebuild after an edit (or
    Doorstop last, when not `doorstop_first`)."""
    from bench_scale import prepare

    project, generated = prepare(workdir, counts)
    written = write_doorstop_tree(project / "portfolio", workdir / "doorstop")
    review(doorstop, workdir / "doorstop")
    home = workdir / "home"
    env = {**os.environ, "XDG_CACHE_HOME": str(home), "NO_MKDOCS_2_WARNING": "1"}
    env.pop("MPLCONFIGDIR", None)
    # untimed: each tool starts once, matplotlib's font cache is built in the new home
    subprocess.run([str(doorstop), "--version"], capture_output=True, check=True)
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot"], env=env, check=True)
    shutil.rmtree(home / "certfolio", ignore_errors=True)
    shutil.rmtree(project / ".cache", ignore_errors=True)

    report: dict[str, Any] = {
        "generated": generated,
        "doorstop_tree": written,
        "load_average": os.getloadavg()[0],  # others' work on the machine, before timing
    }
    tree, out, site = workdir / "doorstop", workdir / "doorstop-out", workdir / "site"
    if doorstop_first:
        report["doorstop"] = publish(doorstop, tree, out)
    report["certfolio cold"] = certfolio_build(project, site, env)
    if not report["certfolio cold"]["problems"]:
        report["edited"] = _edit_one_title(project / "portfolio")
        report["certfolio edit"] = certfolio_build(project, site, env)
    if not doorstop_first:
        report["doorstop"] = publish(doorstop, tree, out)
    return report


def _ratios(report: dict[str, Any]) -> dict[str, float]:
    doorstop, cold = report["doorstop"], report["certfolio cold"]
    ratios = {
        "cold / doorstop": cold["seconds"] / doorstop["seconds"],
        "cold build_site / doorstop": cold["build_seconds"] / doorstop["seconds"],
        "cold / doorstop, CPU": cold["cpu_seconds"] / doorstop["cpu_seconds"],
    }
    if "certfolio edit" in report:
        ratios["edit / doorstop"] = report["certfolio edit"]["seconds"] / doorstop["seconds"]
    return ratios


def median_report(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The first report with every number replaced by the median over all of them (the
    ratios are each run's, then their median)."""

    def merge(values: list[Any]) -> Any:
        first = values[0]
        if isinstance(first, dict):
            return {k: merge([v[k] for v in values if k in v]) for k in first}
        if isinstance(first, int | float) and not isinstance(first, bool):
            return statistics.median(values)
        return first

    for report in reports:
        report["ratios"] = _ratios(report)
    merged: dict[str, Any] = merge(reports)
    merged["runs"] = len(reports)
    merged["per_run"] = [_brief(report) for report in reports]
    return merged


def _brief(report: dict[str, Any]) -> dict[str, Any]:
    """One run's seconds, CPU seconds and ratios, in the order they were timed."""
    timed = ("doorstop", "certfolio cold", "certfolio edit")
    return {
        "load_average": report["load_average"],
        **{
            key: {"seconds": report[key]["seconds"], "cpu_seconds": report[key]["cpu_seconds"]}
            for key in report  # insertion order: the order the run timed them
            if key in timed
        },
        "ratios": report["ratios"],
    }


def run(counts: dict[str, int], workdir: Path, doorstop: Path, runs: int = 1) -> dict[str, Any]:
    reports = [  # Doorstop first, then last, ...: a drifting load favours neither
        run_once(workdir / f"run-{k}", counts, doorstop, doorstop_first=k % 2 == 0)
        for k in range(runs)
    ]
    report = median_report(reports)
    report.update(counts=counts, target_ratio=TARGET_RATIO)
    return report


def table(report: dict[str, Any]) -> str:
    counts, tree = report["counts"], report["doorstop_tree"]
    lines = [
        f"certfolio vs {report.get('doorstop_version', 'Doorstop')}: "
        f"{counts['requirements']:,} requirements, {counts['evidence']:,} evidence items, "
        f"{tree['links']:.0f} links (Doorstop: {tree['requirements']:.0f} REQ + "
        f"{tree['evidence']:.0f} EV items); median of {report['runs']} run(s), "
        f"load average {report['load_average']:.1f} before timing",
        f"  {'what (a whole process each)':<38} {'seconds':>8} {'CPU s':>6} {'pages':>6}  notes",
    ]
    rows = (
        ("doorstop publish all", "doorstop"),
        ("certfolio cold build", "certfolio cold"),
        ("certfolio one-edit rebuild", "certfolio edit"),
    )
    for label, key in rows:
        figures = report.get(key)
        if figures is None:
            continue
        if figures.get("problems"):
            notes = "failed: " + "; ".join(figures["problems"])[:300]
        elif key == "doorstop":
            notes = (
                f"{figures['items']:.0f} items on its document pages, "
                f"{figures['site_bytes'] / 1e6:.1f} MB, largest page "
                f"{figures['largest_page_bytes'] / 1e3:.0f} KB"
            )
        else:
            notes = (
                f"build_site {figures['build_seconds']:.2f} s, "
                f"{figures['site_bytes'] / 1e6:.1f} MB, largest page "
                f"{figures['largest_page_bytes'] / 1e3:.0f} KB"
            )
        lines.append(
            f"  {label:<38} {figures['seconds']:>8.2f} {figures['cpu_seconds']:>6.1f} "
            f"{figures.get('pages', 0):>6.0f}  {notes}"
        )
    for k, one in enumerate(report.get("per_run", []) if report["runs"] > 1 else []):
        order = ", ".join(
            f"{key} {one[key]['seconds']:.1f} s ({one[key]['cpu_seconds']:.1f} CPU)"
            for key in one
            if key not in ("load_average", "ratios")
        )
        lines.append(f"  run {k + 1} (load {one['load_average']:.1f}): {order}")
    for name, ratio in report.get("ratios", {}).items():
        verdict = ""
        if name == "cold / doorstop":
            within = "within" if ratio <= report["target_ratio"] else "over"
            verdict = f"  ({within} the issue's {report['target_ratio']}x)"
        lines.append(f"  ratio {name:<32} {ratio:>8.2f}{verdict}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--requirements", type=int, default=COUNTS["requirements"])
    parser.add_argument("--evidence", type=int, default=COUNTS["evidence"])
    parser.add_argument("--doorstop-venv", type=Path, default=VENV)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        from bench_scale import build

        print(json.dumps(build(Path(args.child[0]), "mkdocs", Path(args.child[1]))))
        return 0
    counts = {**COUNTS, "requirements": args.requirements, "evidence": args.evidence}
    doorstop, version = doorstop_venv(args.doorstop_venv.resolve())
    with tempfile.TemporaryDirectory(prefix="certfolio-doorstop-") as tmp:
        report = run(counts, Path(tmp), doorstop, args.runs)
    report["doorstop_version"] = version
    sys.stdout.write(table(report))
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / "doorstop.json"
    target.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", "utf-8")
    print(f"  figures written to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
