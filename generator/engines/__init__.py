"""Site engines: one thin adapter per engine that turns `generator.site`'s output into a site.

`mkdocs` holds the MkDocs plugin (it hands MkDocs the pages and files `generator.site` made),
the driver behind `certfolio site` (build lock, staging folder, swap-in) and `certfolio serve`,
with `mkdocs_incremental` (MkDocs' dirty build made correct) and `incremental` (the state an
incremental build keeps in the site, engine-free);
`zensical` (with `zensical_project`) writes the generated folder as a private Zensical project
and builds it (`certfolio site --engine zensical`); `common` holds what both share (the
navigation, the packaged assets, the build result) so neither imports the other. Adapters may
import every wing below them; nothing but the CLI imports an adapter.
"""
