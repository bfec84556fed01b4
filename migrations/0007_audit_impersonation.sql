ALTER TABLE `audit_events` ADD `impersonated_username` text;--> statement-breakpoint
ALTER TABLE `audit_events` ADD `impersonated_groups` text;