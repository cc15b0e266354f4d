"""Every kind of page an auditor reads passes axe in a real browser, without an error.

Each page kind is opened at a desktop (1280x900) and a phone (390x844) viewport, in the plain
English build, the Norwegian build and a mike-style deployment of an older version (banner and
version selector showing). A page passes with no serious or critical axe violation (WCAG 2.1 A
and AA, and axe's best practices), no empty table header or skipped heading level, no script
error, no console error and no failed request to the site itself.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import Visit

pytestmark = pytest.mark.browser

#: page kind -> path; the sample's requirements PR-10 (met, with metrics and a finding) and
#: PR-08 (partly met), metric M13 (phases, comparators, annotations, a sample)
PAGES = {
    "home": "index.html",
    "about": "portfolio.html",
    "glossary": "glossary.html",
    "journey": "journey.html",
    "coverage": "coverage/ISO-18295-1.html",
    "request list": "requests.html",
    "results by scope": "scopes.html",
    "categories": "categories/index.html",
    "category": "categories/PR.html",
    "requirement met": "requirements/PR-10.html",
    "requirement partly met": "requirements/PR-08.html",
    "evidence": "evidence/EV-002.html",
    "metric": "metrics/M13.html",
    "finding": "findings/F-01.html",
    "requirements register": "requirements/index.html",
    "evidence register": "evidence/index.html",
    "metrics register": "metrics/index.html",
    "findings register": "findings/index.html",
    "traceability matrix": "traceability.html",
    "owners": "owners.html",
    "warnings": "warnings.html",
}
#: site fixture -> what to wait for before the audit (the version selector loads after the page)
SITES = {"en_site": None, "nb_site": None, "mike_site": ".md-version__current"}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("kind", PAGES)
@pytest.mark.parametrize("site", SITES)
def test_page_is_accessible_and_error_free(
    site: str,
    kind: str,
    viewport: str,
    audit: Callable[..., Visit],
    request: pytest.FixtureRequest,
) -> None:
    base: str = request.getfixturevalue(site)
    seen = audit(base + PAGES[kind], viewport, ready=SITES[site])
    assert seen.clean, seen.report()
