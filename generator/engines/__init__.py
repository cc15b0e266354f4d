"""Site engines: one thin adapter per engine that turns `generator.site`'s output into a site.

`mkdocs` holds the MkDocs plugin (it hands MkDocs the pages and files `generator.site` made)
and the driver behind `certfolio site` (build lock, staging folder, swap-in). Adapters may
import every wing below them; nothing but the CLI imports an adapter.
"""
