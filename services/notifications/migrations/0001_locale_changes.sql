CREATE TABLE "locale_changes" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"locale" text NOT NULL,
	"changed_at" timestamp (6) with time zone NOT NULL
);
