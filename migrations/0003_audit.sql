CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`completed_at` integer NOT NULL,
	`verb` text NOT NULL,
	`request_uri` text NOT NULL,
	`username` text NOT NULL,
	`groups` text NOT NULL,
	`source_ip` text NOT NULL,
	`user_agent` text NOT NULL,
	`api_group` text,
	`api_version` text,
	`resource` text,
	`subresource` text,
	`namespace` text,
	`name` text,
	`code` integer NOT NULL,
	`reason` text,
	`message` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_received_at` ON `audit_events` (`received_at`);--> statement-breakpoint
CREATE INDEX `audit_events_username` ON `audit_events` (`username`);