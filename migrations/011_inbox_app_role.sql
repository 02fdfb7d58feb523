-- A consumer's transaction claims the event in the inbox in the same round trip as its
-- first reads, after the user's scope: the app role may record claims (it still cannot
-- read the inbox).
GRANT INSERT ON inbox TO taskwire_app;

---- create above / drop below ----

REVOKE INSERT ON inbox FROM taskwire_app;
