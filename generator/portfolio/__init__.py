"""Reading and validation: a portfolio folder in, a validated `model.Portfolio` and a `Report` out.

Owns: reading files safely (`source`), the hardened YAML and CSV parsers, the JSON Schemas
(`schema`), attachment and URL checks, building records and metric series from parsed files
(a metric's per-scope `definitions` in `definitions`),
the parse cache (`parsecache`: entries per file, whole outcomes in `results`, both signed by
`signed`), and `validate`, the one entry point. May import only the
ground floor (`generator.model`, `generator.diagnostics`, `generator.errors`); nothing here
knows about assessment or sites.
"""
