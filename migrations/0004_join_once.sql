ALTER TABLE `join_tokens` ADD `request_hash` text;--> statement-breakpoint
ALTER TABLE `join_tokens` ADD `issued_token_id` text;--> statement-breakpoint
ALTER TABLE `join_tokens` ADD `answer` text;--> statement-breakpoint
-- Before the index: a node that got two live tokens from racing joins keeps the newest.
UPDATE `tokens` SET `revoked_at` = CAST(strftime('%s','now') AS INTEGER) * 1000 WHERE `node_name` IS NOT NULL AND `revoked_at` IS NULL AND EXISTS (SELECT 1 FROM `tokens` AS `newer` WHERE `newer`.`node_name` = `tokens`.`node_name` AND `newer`.`revoked_at` IS NULL AND (`newer`.`created_at` > `tokens`.`created_at` OR (`newer`.`created_at` = `tokens`.`created_at` AND `newer`.`id` > `tokens`.`id`)));--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_live_node` ON `tokens` (`node_name`) WHERE "tokens"."node_name" IS NOT NULL AND "tokens"."revoked_at" IS NULL;