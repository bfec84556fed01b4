CREATE TABLE `join_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by` text
);
--> statement-breakpoint
CREATE TABLE `node_secrets` (
	`id` text PRIMARY KEY NOT NULL,
	`node_name` text NOT NULL,
	`ciphertext` text NOT NULL,
	`created_at` integer NOT NULL,
	`not_after` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `node_secrets_node_name` ON `node_secrets` (`node_name`);--> statement-breakpoint
CREATE TABLE `webhook_receipts` (
	`node_name` text NOT NULL,
	`webhook_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`response` text,
	PRIMARY KEY(`node_name`, `webhook_id`)
);
--> statement-breakpoint
CREATE INDEX `webhook_receipts_received_at` ON `webhook_receipts` (`received_at`);--> statement-breakpoint
ALTER TABLE `tokens` ADD `node_name` text;--> statement-breakpoint
CREATE INDEX `tokens_node_name` ON `tokens` (`node_name`);