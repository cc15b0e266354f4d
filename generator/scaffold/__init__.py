"""Starting a portfolio repository: `certfolio init` writes one from files in the package.

Owns the standards' starting skeletons (`standards/*.yaml`, categories and stub requirements
in certfolio's own words), the templates of every file a new repository gets (`files/`), and
the writer (`init`), which refuses to overwrite anything. May import the ground floor and
`generator.portfolio` (for the JSON Schemas it writes for editors).
"""
