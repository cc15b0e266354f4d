"""Assessment: status as of a date, computed from a validated `model.Portfolio`.

Owns: the statistics (`stats`), one metric's attainment, trend and control limits (`metrics`),
evidence freshness, finding state and requirement status (`status`), readiness over the
journey (`journey`: the status at every month end up to the as-of date), scopes side by side
(`compare`: a split metric's window figures per scope, every metric against every scope),
suppliers as a VMO sees them (`vendors`: scorecards, the ranking and its caveats), the
readiness lint, the JSON document (`export`) and the text summary. May import only the ground floor
(`generator.model`, `generator.diagnostics`, `generator.errors`): it never reads files, so
it works the same on any portfolio however it was loaded.
"""
