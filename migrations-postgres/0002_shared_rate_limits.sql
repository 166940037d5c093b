CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"window_started" bigint NOT NULL,
	"hits" integer NOT NULL
);
