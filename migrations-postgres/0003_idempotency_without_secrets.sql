-- Replays of POST /v1/keys and POST /v1/webhooks were stored with the secret they showed once;
-- from now on they are stored without it. Stored replays that hold one are forgotten (a retry of
-- those requests within their 24 hours creates again rather than showing the secret again).
DELETE FROM idempotency_keys WHERE body LIKE '%"key":"bsk!_%' ESCAPE '!' OR body LIKE '%"secret":"whsec!_%' ESCAPE '!';
