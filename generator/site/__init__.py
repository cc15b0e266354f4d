"""The engine-neutral site: a portfolio folder in, Markdown pages and asset bytes out.

Owns: chart specs (`charts`, their dataclasses in `chartspec`, the journey's in
`journeychart`, a split metric's scopes on one y-axis in `comparechart`), their drawing
(`draw`, `drawjourney`, `drawcompare`, `chartlayout`, `ticks`) and cache (`chartcache`), page
rendering from the Jinja2 templates (`render`; long registers split into pages by `paging`;
scopes side by side and the results-by-scope page in `scopes`; a VMO's supplier scorecards
and comparison in `scorecards`), escaping of user text (`escape`),
labels per language (`i18n`, `formats`, `say`), output folders (`output`), releases
(`release`), and `build`, which runs validation, assessment, charts and rendering and can write
the result as a plain folder (the journey kept between builds in `journeycache`; for large
portfolios, work done in a forked child meanwhile by `background`). May import
`generator.portfolio`, `generator.assess`, `generator.review` and the ground floor; never
`generator.engines`, the CLI, or MkDocs: any engine can build what it produces.
"""
