-- Each trigger of the local broker claims its own deliveries (a subscriber that holds its
-- requests long must not hold back the others'), so the due deliveries are indexed by
-- trigger first: a claim walks its trigger's in order and stops after what it takes,
-- rather than skipping over every other trigger's backlog. The leased ones have their own
-- small index, for when the next of a trigger's deliveries becomes claimable.

DROP INDEX broker_deliveries_due_idx;
CREATE INDEX broker_deliveries_due_idx ON broker_deliveries (trigger, next_at, event_seq)
	WHERE state = 'pending';
CREATE INDEX broker_deliveries_leased_idx ON broker_deliveries (trigger, lease_until)
	WHERE state = 'pending' AND lease_until IS NOT NULL;

---- create above / drop below ----

DROP INDEX broker_deliveries_leased_idx;
DROP INDEX broker_deliveries_due_idx;
CREATE INDEX broker_deliveries_due_idx ON broker_deliveries (next_at) WHERE state = 'pending';
