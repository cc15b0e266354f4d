"""Assessment: status as of a date, computed from a validated `model.Portfolio`.

Owns: the statistics (`stats`), one metric's attainment, trend and control limits (`metrics`),
evidence freshness, finding state and requirement status (`status`), the readiness lint, the
JSON document (`export`) and the text summary. May import only the ground floor
(`generator.model`, `generator.diagnostics`, `generator.errors`): it never reads files, so
it works the same on any portfolio however it was loaded.
"""
