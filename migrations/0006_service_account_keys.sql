CREATE TABLE `service_account_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`algorithm` text NOT NULL,
	`public_key` text NOT NULL,
	`private_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`active` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `service_account_keys_active` ON `service_account_keys` (`active`) WHERE "service_account_keys"."active" = 1;