package broker

// The SQL of a claim and an outcome, for the test of their plans.
const (
	BookkeepingSQL   = bookkeepingSQL
	ClaimSettingsSQL = claimSettingsSQL
	ClaimSQL         = claimSQL
	OutcomeSQL       = outcomeSQL
)
