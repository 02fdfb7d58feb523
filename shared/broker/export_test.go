package broker

// The SQL of a claim and of outcomes, for the test of their plans.
const (
	ClaimSettingsSQL = claimSettingsSQL
	ClaimSQL         = claimSQL
	OutcomesSQL      = outcomesSQL
)
