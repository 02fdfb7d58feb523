-- While the assistant answers a message, answering_until holds the conversation for that
-- answer: a second message sent meanwhile (another tab, a retry) is refused instead of
-- having its messages interleaved with the first's. The chat function clears it when the
-- answer is stored; a process that dies in the middle leaves it to lapse at that time.

ALTER TABLE conversations ADD COLUMN answering_until timestamptz;

---- create above / drop below ----

ALTER TABLE conversations DROP COLUMN answering_until;
