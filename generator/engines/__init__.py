"""Site engines: one thin adapter per engine that turns `generator.site`'s output into a site.

`mkdocs` holds the MkDocs plugin (it hands MkDocs the pages and files `generator.site` made),
the driver behind `certfolio site` (build lock, staging folder, swap-in) and `certfolio serve`,
with `mkdocs_incremental` (MkDocs' dirty build made correct) and `incremental` (the state an
incremental build keeps in the site, engine-free);
`zensical` (with `zensical_project`) writes the generated folder as a private Zensical project
and builds it (`certfolio site --engine zensical`); `common` holds what both share (the
navigation, the packaged assets, the build result) so neither imports the other. The audit
pack: `offline` (`certfolio site --offline`: Material's offline plugin, the vendored
iframe-worker shim in `offline_assets/`, the deterministic zip with its checksums), `binder`
(the PDF binder's one HTML document, assembled from a built site) and `pdf` (`certfolio pdf`:
Chromium prints the binder through Playwright, pypdf adds the outline and fixed metadata).
Adapters may import every wing below them; nothing but the CLI imports an adapter.
"""
