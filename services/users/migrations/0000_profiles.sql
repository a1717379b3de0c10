CREATE TABLE "local_field_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"key_material" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patient_profiles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email_enc" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name_enc" text NOT NULL,
	"phone_enc" text,
	"birth_date_enc" text,
	"locale" text DEFAULT 'it' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "patient_profiles_email_enc_envelope" CHECK ("patient_profiles"."email_enc" ~ '^v1:[A-Za-z0-9_-]+:'),
	CONSTRAINT "patient_profiles_last_name_enc_envelope" CHECK ("patient_profiles"."last_name_enc" ~ '^v1:[A-Za-z0-9_-]+:'),
	CONSTRAINT "patient_profiles_phone_enc_envelope" CHECK ("patient_profiles"."phone_enc" ~ '^v1:[A-Za-z0-9_-]+:'),
	CONSTRAINT "patient_profiles_birth_date_enc_envelope" CHECK ("patient_profiles"."birth_date_enc" ~ '^v1:[A-Za-z0-9_-]+:'),
	CONSTRAINT "patient_profiles_locale" CHECK ("patient_profiles"."locale" in ('it', 'en'))
);
--> statement-breakpoint
CREATE TABLE "provider_profiles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email_enc" text NOT NULL,
	"display_name" text NOT NULL,
	"kind" text NOT NULL,
	"languages" text[] NOT NULL,
	"address" text NOT NULL,
	"city" text NOT NULL,
	"lat" double precision NOT NULL,
	"lon" double precision NOT NULL,
	"bio" text,
	"locale" text DEFAULT 'it' NOT NULL,
	"demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "provider_profiles_email_enc_envelope" CHECK ("provider_profiles"."email_enc" ~ '^v1:[A-Za-z0-9_-]+:'),
	CONSTRAINT "provider_profiles_kind" CHECK ("provider_profiles"."kind" in ('practitioner', 'facility')),
	CONSTRAINT "provider_profiles_locale" CHECK ("provider_profiles"."locale" in ('it', 'en')),
	CONSTRAINT "provider_profiles_lat" CHECK ("provider_profiles"."lat" between -90 and 90),
	CONSTRAINT "provider_profiles_lon" CHECK ("provider_profiles"."lon" between -180 and 180),
	CONSTRAINT "provider_profiles_languages" CHECK (cardinality("provider_profiles"."languages") between 1 and 20)
);
