-- Task webhooks: a user who sets task_webhooks gets every change of their tasks (created,
-- updated, completed, reopened, deleted) at their webhook_url, signed as reminders are.
-- The writers read it into the event's extensions (webhook=on), which the notify Trigger
-- filters on, so a user without it costs the broker no delivery. A column with a constant
-- default is added without rewriting the table.
ALTER TABLE users ADD COLUMN task_webhooks boolean NOT NULL DEFAULT false;

---- create above / drop below ----

ALTER TABLE users DROP COLUMN task_webhooks;
