module github.com/taskwire/taskwire/migrations

go 1.26.0
