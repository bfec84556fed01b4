CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`controller` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`attempts` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_controller` ON `dead_letters` (`controller`);