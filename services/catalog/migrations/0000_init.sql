CREATE TABLE "catalogue_imports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"source_checksum" text NOT NULL,
	"content_checksum" text NOT NULL,
	"services" integer NOT NULL,
	"specialties" integer NOT NULL,
	"inserted" integer NOT NULL,
	"updated" integer NOT NULL,
	"retired" integer NOT NULL,
	"rejected" integer NOT NULL,
	"report" jsonb NOT NULL,
	"duration_ms" integer NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "offerings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"provider_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"price_amount" integer NOT NULL,
	"price_currency" text NOT NULL,
	"duration_minutes" integer NOT NULL,
	"modality" text NOT NULL,
	"address" text NOT NULL,
	"city" text NOT NULL,
	"location_source" text NOT NULL,
	"city_key" text NOT NULL,
	"lat" double precision NOT NULL,
	"lon" double precision NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"provider_name" text NOT NULL,
	"provider_city" text NOT NULL,
	"provider_demo" boolean NOT NULL,
	"provider_text" text NOT NULL,
	"provider_synced_at" timestamp with time zone NOT NULL,
	"search_text" text NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "offerings_price_check" CHECK ("offerings"."price_amount" >= 0 and "offerings"."price_currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "offerings_duration_check" CHECK ("offerings"."duration_minutes" between 5 and 480),
	CONSTRAINT "offerings_modality_check" CHECK ("offerings"."modality" in ('in_person', 'telehealth')),
	CONSTRAINT "offerings_location_source_check" CHECK ("offerings"."location_source" in ('provider', 'custom')),
	CONSTRAINT "offerings_lat_check" CHECK ("offerings"."lat" between -90 and 90),
	CONSTRAINT "offerings_lon_check" CHECK ("offerings"."lon" between -180 and 180)
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"description" text NOT NULL,
	"clean_description" text NOT NULL,
	"name" text NOT NULL,
	"search_text" text NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))) STORED,
	"name_text" text NOT NULL,
	"name_vector" "tsvector" GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(name_text, ' '), ''))) STORED,
	"specialty_id" uuid,
	"specialty_derivation" text,
	"specialty_rule" text NOT NULL,
	"retired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "services_derivation_check" CHECK ("services"."specialty_derivation" is null or "services"."specialty_derivation" in ('keyword', 'code-prefix')),
	CONSTRAINT "services_derived_specialty_check" CHECK (("services"."specialty_id" is null) = ("services"."specialty_derivation" is null))
);
--> statement-breakpoint
CREATE TABLE "specialties" (
	"id" uuid PRIMARY KEY NOT NULL,
	"system" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"definition" text,
	"retired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "specialties_system_check" CHECK ("specialties"."system" in ('branca_specialistica_ambulatoriale', 'disciplina_ospedaliera'))
);
--> statement-breakpoint
ALTER TABLE "offerings" ADD CONSTRAINT "offerings_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_specialty_id_specialties_id_fk" FOREIGN KEY ("specialty_id") REFERENCES "public"."specialties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalogue_imports_imported_at_idx" ON "catalogue_imports" USING btree ("imported_at");--> statement-breakpoint
CREATE INDEX "offerings_provider_idx" ON "offerings" USING btree ("provider_id","id");--> statement-breakpoint
CREATE INDEX "offerings_service_idx" ON "offerings" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "offerings_active_search_vector_idx" ON "offerings" USING gin ("search_vector") WHERE "offerings"."active";--> statement-breakpoint
CREATE INDEX "offerings_active_lat_lon_idx" ON "offerings" USING btree ("lat","lon") WHERE "offerings"."active";--> statement-breakpoint
CREATE INDEX "offerings_active_price_idx" ON "offerings" USING btree ("price_amount","id") WHERE "offerings"."active";--> statement-breakpoint
CREATE INDEX "offerings_active_city_idx" ON "offerings" USING btree ("city_key") WHERE "offerings"."active";--> statement-breakpoint
CREATE UNIQUE INDEX "services_code_key" ON "services" USING btree ("code");--> statement-breakpoint
CREATE INDEX "services_search_vector_idx" ON "services" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "services_specialty_idx" ON "services" USING btree ("specialty_id");--> statement-breakpoint
CREATE UNIQUE INDEX "specialties_system_code_key" ON "specialties" USING btree ("system","code");