module github.com/taskwire/taskwire/functions/recurrence

go 1.26.0

replace (
	github.com/taskwire/taskwire/migrations => ../../migrations
	github.com/taskwire/taskwire/shared => ../../shared
)
